package io.hankyo.node.calllog;

import io.hankyo.protocol.calllog.CallLogRecord;
import java.time.Instant;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/** Reads call-log records (通話ログ, spec section 6) from the read side. */
public interface CallLogReader {
  /**
   * The operator's records whose arrival time ({@code din_tms}) is in {@code [from, to)}, in order of arrival
   * ({@code seq_num} ascending within equal times).
   */
  Source<CallLogRecord, NotUsed> read(String operatorId, Instant from, Instant to);
}
