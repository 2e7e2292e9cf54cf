package io.hankyo.node.call;

import io.hankyo.protocol.calllog.CallLogRecord;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Writes call-log rows to the read side. Writes are idempotent upserts keyed by {@code trn_id}: the Call entity
 * writes the row as soon as the call ends (freshness, design-notes.md section 3) and the tag projection writes the same
 * row again as the durable backstop.
 */
public interface CallLogWriter {
  /** Upserts the record's row; completes when Cassandra acknowledged it. */
  CompletionStage<Done> upsert(CallLogRecord record);
}
