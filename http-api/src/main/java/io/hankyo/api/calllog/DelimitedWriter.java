package io.hankyo.api.calllog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes call-log lines as CSV or TSV with jackson-dataformat-csv. Every line ends with CRLF.
 *
 * <ul>
 *   <li>CSV (RFC 4180): comma-separated; a value containing a comma, a double quote (doubled), a line break, a space
 *       or other characters below {@code "}, or longer than 24 characters is quoted (jackson-dataformat-csv's
 *       default check; quoting more than needed is valid RFC 4180)
 *   <li>TSV ({@code text/tab-separated-values}): tab-separated, no quoting; tabs, CR and LF in values become spaces
 *   <li>Both: a value that a spreadsheet would run as a formula (starting with {@code = + - @}, a tab or a CR) gets a
 *       leading apostrophe, as OWASP's "CSV Injection" guidance says: advertiser and number names come from API
 *       users, and call logs are opened in Excel.
 * </ul>
 *
 * Thread-safe.
 */
public final class DelimitedWriter {
  // Not STRICT_CHECK_FOR_QUOTING: in jackson-dataformat-csv 2.17.3 and 2.19.2 the strict check misses a lone LF
  // when the line separator is CRLF (the value "x\ny" came out unquoted, breaking the row). The default check quotes
  // more than needed (values with spaces, long values), which RFC 4180 allows.
  private static final CsvMapper MAPPER = new CsvMapper();
  private static final Pattern TSV_BREAKERS = Pattern.compile("[\t\r\n]");
  private static final Pattern FORMULA_START = Pattern.compile("^[=+\\-@\t\r]");
  private static final DelimitedWriter CSV = new DelimitedWriter(
      CsvSchema.emptySchema().withColumnSeparator(',').withLineSeparator("\r\n").withoutHeader(), false);
  private static final DelimitedWriter TSV = new DelimitedWriter(
      CsvSchema.emptySchema().withColumnSeparator('\t').withLineSeparator("\r\n").withoutHeader()
          .withoutQuoteChar().withoutEscapeChar(), true);

  private final ObjectWriter writer;
  private final boolean tsv;

  private DelimitedWriter(CsvSchema schema, boolean tsv) {
    this.writer = MAPPER.writerFor(String[].class).with(schema);
    this.tsv = tsv;
  }

  /** The RFC 4180 CSV writer. */
  public static DelimitedWriter csv() {
    return CSV;
  }

  /** The TSV writer. */
  public static DelimitedWriter tsv() {
    return TSV;
  }

  /** The writer for a delimited format. @throws IllegalArgumentException for JSON */
  public static DelimitedWriter of(CallLogFormat format) {
    switch (format) {
      case CSV:
        return CSV;
      case TSV:
        return TSV;
      default:
        throw new IllegalArgumentException("not a delimited format: " + format);
    }
  }

  /** The header line: the column names of {@link CallLogColumns#NAMES}, CRLF-terminated. */
  public String header() {
    return line(CallLogColumns.NAMES);
  }

  /** The header line with a column {@code logvars.<key>} per key of {@code logvars} after the spec's columns. */
  public String header(List<String> logvars) {
    List<String> names = new java.util.ArrayList<>(CallLogColumns.NAMES);
    logvars.forEach(k -> names.add(CallLogColumns.LOGVARS_PREFIX + k));
    return line(names);
  }

  /** One line of the given cells (null = empty), CRLF-terminated. */
  public String line(List<String> cells) {
    String[] values = new String[cells.size()];
    for (int i = 0; i < values.length; i++) {
      String c = cells.get(i) == null ? "" : cells.get(i);
      if (FORMULA_START.matcher(c).find()) {
        c = "'" + c;
      }
      values[i] = tsv ? TSV_BREAKERS.matcher(c).replaceAll(" ") : c;
    }
    try {
      return writer.writeValueAsString(values);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
