package io.hankyo.node.recording;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * The retention sweeper's decision, without actors nor Cassandra (issue 4, "deletable (retention period per
 * operator)"): which of an operator's recordings are past its retention.
 *
 * <p>A recording stored at {@code t} is past a retention of {@code D} days at {@code now} when {@code t < now - D × 24
 * h} (days of 24 hours, counted from the moment the gateway stored it; not calendar days in a zone). Index rows are
 * bucketed by the UTC day of {@code t}, so the days to read are those up to {@link #lastDay()}, and only that last day
 * may hold recordings still within the retention.
 *
 * @param cutoff recordings stored before this instant are past the retention
 */
public record RetentionPlan(Instant cutoff) {
  /**
   * The plan of an operator keeping recordings {@code retentionDays} days.
   *
   * @param now the sweep's time
   * @param retentionDays 1..3650 ({@link io.hankyo.node.directory.Operator#MAX_RETENTION_DAYS})
   * @throws IllegalArgumentException for a retention below 1 day
   */
  public static RetentionPlan of(Instant now, int retentionDays) {
    if (retentionDays < 1) {
      throw new IllegalArgumentException("retention must be at least 1 day, got " + retentionDays);
    }
    return new RetentionPlan(now.minus(Duration.ofDays(retentionDays)));
  }

  /** The last UTC day bucket that may hold recordings past the retention. */
  public LocalDate lastDay() {
    return CassandraRecordingIndex.dayOf(cutoff);
  }

  /**
   * Whether one indexed recording is past the retention; a row without {@code stored_at} goes by its day (past when
   * the whole day is before {@link #lastDay()}).
   */
  public boolean expired(RecordingIndex.Entry entry, LocalDate day) {
    return entry.storedAt() == null ? day.isBefore(lastDay()) : entry.storedAt().isBefore(cutoff);
  }

  /** The recordings of {@code day} past the retention, in the index's order. */
  public List<RecordingIndex.Entry> expired(List<RecordingIndex.Entry> entries, LocalDate day) {
    return entries.stream().filter(e -> expired(e, day)).toList();
  }
}
