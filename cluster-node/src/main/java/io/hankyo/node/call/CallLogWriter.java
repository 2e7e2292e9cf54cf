package io.hankyo.node.call;

import io.hankyo.protocol.calllog.CallLogRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Writes call-log rows to the read side. Writes are idempotent upserts keyed by {@code trn_id}: the Call entity
 * writes the row as soon as the call ends (freshness, design-notes.md section 3) and the tag projection writes the same
 * row again as the durable backstop, unless the node saw the direct write acknowledged
 * ({@link io.hankyo.node.calllog.RecentDirectWrites}).
 */
public interface CallLogWriter {
  /** Upserts the record's row; completes when Cassandra acknowledged it. */
  CompletionStage<Done> upsert(CallLogRecord record);

  /**
   * Upserts many rows (the projection's groups); completes when all are acknowledged, fails when any write failed
   * (the caller retries the whole group: the writes are idempotent). The default writes them one by one,
   * concurrently; implementations may batch.
   */
  default CompletionStage<Done> upsertAll(List<CallLogRecord> records) {
    CompletableFuture<?>[] all = records.stream()
        .map(r -> upsert(r).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all).thenApply(v -> Done.getInstance());
  }

  /**
   * Upserts the rows the call-log projection hands over as the durable backstop (design-notes.md section 3). The
   * default writes them all ({@link #upsertAll}); a writer that knows some rows are already written may skip those
   * ({@link io.hankyo.node.calllog.RecentDirectWrites}). Same completion and failure as {@link #upsertAll}.
   */
  default CompletionStage<Done> upsertBackstop(List<CallLogRecord> records) {
    return upsertAll(records);
  }
}
