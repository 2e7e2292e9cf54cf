package io.hankyo.api.calllog;

import io.hankyo.api.json.ApiJson;
import io.hankyo.protocol.calllog.CallLogRecord;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Renders a stream of call-log records incrementally (one chunk per row; nothing is collected in memory).
 *
 * <p>JSON: {@code {"calls":[row, ...],"count":N,"from":"...","to":"..."}} with one row per line; {@code count},
 * {@code from} and {@code to} come after the rows because the count is known only at the end. A stream that fails
 * half-way ends without the closing part, so a client sees invalid JSON rather than a short, valid list.
 *
 * <p>CSV/TSV: the header line, then one line per record.
 */
public final class CallLogStreams {
  private CallLogStreams() {}

  /**
   * The JSON document.
   *
   * @param from the range start as rendered ({@code 2026-11-29T09:00:00+09:00})
   * @param to the range end as rendered
   */
  public static Source<ByteString, NotUsed> json(
      Source<CallLogRecord, NotUsed> records, CallLogRowRenderer renderer, String from, String to) {
    Source<ByteString, NotUsed> rows = records
        .map(renderer::jsonRow)
        .statefulMap(
            () -> 0L,
            (count, row) -> Pair.create(count + 1, (count == 0 ? "\n" : ",\n") + ApiJson.write(row)),
            count -> Optional.of((count > 0 ? "\n" : "") + "],\"count\":" + count
                + ",\"from\":" + ApiJson.write(from) + ",\"to\":" + ApiJson.write(to) + "}\n"))
        .map(ByteString::fromString);
    return Source.single(ByteString.fromString("{\"calls\":[")).concat(rows);
  }

  /** The CSV or TSV document, header line first. */
  public static Source<ByteString, NotUsed> delimited(
      Source<CallLogRecord, NotUsed> records, CallLogRowRenderer renderer, DelimitedWriter writer) {
    return delimited(records, renderer, writer, java.util.List.of());
  }

  /**
   * The CSV or TSV document, header line first, with a column {@code logvars.<key>} per key of {@code logvars}
   * after the spec's columns ({@link CallLogQuery#logvars}).
   */
  public static Source<ByteString, NotUsed> delimited(Source<CallLogRecord, NotUsed> records,
      CallLogRowRenderer renderer, DelimitedWriter writer, java.util.List<String> logvars) {
    return Source.single(writer.header(logvars))
        .concat(records.map(r -> writer.line(renderer.cells(r, logvars))))
        .map(ByteString::fromString);
  }
}
