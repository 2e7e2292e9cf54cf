package io.hankyo.node.recording;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * The index of stored call recordings by operator and day (issue 4, recording retention): the {@link
 * io.hankyo.node.call.Call} entity adds its recording when it persists {@code RecordingStored} (fire-and-forget, like
 * the open-calls index); the {@link RecordingRetentionSweeper} reads the days older than an operator's retention and
 * removes the rows of the recordings it deleted.
 *
 * <p>A lost insert leaves that recording to be deleted by hand ({@code DELETE /v1/calls/{trn_id}/recording}); a row
 * whose recording was already deleted through the API costs the sweeper one harmless 404.
 */
public interface RecordingIndex {
  /** No index (tests of other behaviour, nodes without Cassandra). */
  RecordingIndex NONE = (operatorId, trnId, key, storedAt) -> CompletableFuture.completedFuture(Done.getInstance());

  /**
   * Adds the recording of call {@code trnId} (idempotent); completes when the index acknowledged it.
   *
   * @param operatorId the operator owning the call
   * @param key the recording store key
   * @param storedAt when the gateway stored it; its UTC day is the row's day bucket
   */
  CompletionStage<Done> stored(String operatorId, String trnId, String key, Instant storedAt);

  /** A recording as the index holds it. */
  record Entry(String operatorId, String trnId, String key, Instant storedAt) {}

  /** The reads and removals the sweeper needs. */
  interface Sweepable extends RecordingIndex {
    /** Operators that have (or had) indexed recordings. */
    CompletionStage<List<String>> operators();

    /** The UTC days of {@code operatorId} that still have index rows, up to and including {@code through}. */
    CompletionStage<List<java.time.LocalDate>> days(String operatorId, java.time.LocalDate through);

    /** The recordings of {@code operatorId} indexed on {@code day}. */
    CompletionStage<List<Entry>> recordings(String operatorId, java.time.LocalDate day);

    /** Removes one recording's row (idempotent). */
    CompletionStage<Done> removed(String operatorId, java.time.LocalDate day, String trnId);

    /** Removes a day that has no rows any more from the operator's list of days (idempotent). */
    CompletionStage<Done> dayEmptied(String operatorId, java.time.LocalDate day);
  }
}
