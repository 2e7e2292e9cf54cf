package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.Problems;
import java.util.Locale;

/**
 * Output format of {@code GET /v1/calls}, chosen by the {@code format} query parameter, else by the {@code Accept}
 * header, else JSON.
 */
public enum CallLogFormat {
  /** {@code application/json}: {@code {"calls": [...], "count": N, "from": ..., "to": ...}}. */
  JSON("json", "application", "json"),
  /** {@code text/csv; charset=UTF-8}: RFC 4180, CRLF, header row. */
  CSV("csv", "text", "csv"),
  /** {@code text/tab-separated-values; charset=UTF-8}: tabs, CRLF, header row, no quoting. */
  TSV("tsv", "text", "tab-separated-values");

  private final String code;
  private final String mainType;
  private final String subType;

  CallLogFormat(String code, String mainType, String subType) {
    this.code = code;
    this.mainType = mainType;
    this.subType = subType;
  }

  /** The {@code format} parameter value and file extension: {@code json}, {@code csv}, {@code tsv}. */
  public String code() {
    return code;
  }

  /** The media type without parameters, e.g. {@code text/csv}. */
  public String mediaType() {
    return mainType + "/" + subType;
  }

  /**
   * Chooses the format.
   *
   * @param formatParam the {@code format} query parameter (case-insensitive), or null; wins over the header
   * @param accept the {@code Accept} header value, or null. The format whose most specific matching media range has
   *     the highest q-value wins; on a tie JSON, then CSV, then TSV. Malformed ranges are ignored.
   * @throws ApiProblem 400 for an unknown {@code format}; 406 when the header accepts none of the three types
   */
  public static CallLogFormat negotiate(String formatParam, String accept) {
    if (formatParam != null && !formatParam.isBlank()) {
      String wanted = formatParam.strip().toLowerCase(Locale.ROOT);
      for (CallLogFormat f : values()) {
        if (f.code.equals(wanted)) {
          return f;
        }
      }
      throw ApiProblem.invalid("format: '" + formatParam + "' is not supported; use json, csv or tsv");
    }
    if (accept == null || accept.isBlank()) {
      return JSON;
    }
    CallLogFormat best = null;
    double bestQ = 0;
    for (CallLogFormat f : values()) {
      double q = f.quality(accept);
      if (q > bestQ) {
        best = f;
        bestQ = q;
      }
    }
    if (best == null) {
      throw Problems.notAcceptable("Accept: '" + accept + "' allows none of application/json, text/csv, "
          + "text/tab-separated-values (or use the format parameter: json, csv, tsv)");
    }
    return best;
  }

  /** The q-value the header gives this format: that of the most specific matching range; 0 when none matches. */
  double quality(String accept) {
    int bestSpecificity = -1;
    double q = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].strip().toLowerCase(Locale.ROOT);
      if (type.equals("*")) {
        type = "*/*";
      }
      int slash = type.indexOf('/');
      if (slash <= 0 || slash == type.length() - 1) {
        continue;
      }
      String main = type.substring(0, slash);
      String sub = type.substring(slash + 1);
      int specificity;
      if (main.equals(mainType) && sub.equals(subType)) {
        specificity = 2;
      } else if (main.equals(mainType) && sub.equals("*")) {
        specificity = 1;
      } else if (main.equals("*") && sub.equals("*")) {
        specificity = 0;
      } else {
        continue;
      }
      Double rangeQ = qValue(parts);
      if (rangeQ == null) {
        continue;
      }
      if (specificity > bestSpecificity) {
        bestSpecificity = specificity;
        q = rangeQ;
      }
    }
    return q;
  }

  private static Double qValue(String[] parts) {
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].strip();
      if (p.length() > 1 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.substring(1).strip().startsWith("=")) {
        try {
          double q = Double.parseDouble(p.substring(p.indexOf('=') + 1).strip());
          return q < 0 || q > 1 ? null : q;
        } catch (NumberFormatException e) {
          return null;
        }
      }
    }
    return 1.0;
  }
}
