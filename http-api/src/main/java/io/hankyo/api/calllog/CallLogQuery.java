package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.HttpApiSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.pekko.http.javadsl.model.HttpHeader;

/**
 * A validated {@code GET /v1/calls} request.
 *
 * @param from inclusive start of the arrival-time range
 * @param to exclusive end of the arrival-time range; after {@code from}, at most the configured maximum later
 * @param format the output format
 * @param filter the search-form filters
 * @param logvars {@code logvars} keys to append to CSV/TSV as columns {@code logvars.<key>} after the spec's columns,
 *     in the order given (issue 5, attribution: {@code gclid}, {@code utm_source}, {@code landing_page}, …); empty
 *     (the default) keeps the spec's columns only; JSON rows have every {@code logvars} entry anyway
 */
public record CallLogQuery(Instant from, Instant to, CallLogFormat format, CallLogFilter filter,
    List<String> logvars) {
  /** The query parameters the endpoint understands; any other is refused so that typos do not go unnoticed. */
  public static final List<String> PARAMETERS =
      List.of("from", "to", "format", "din_id", "fwd_id", "client_id", "hup_usr", "dial_stat", "logvars");

  /** Most keys in {@code logvars} (as many as a visit may have parameters, plus room for the attribution keys). */
  public static final int MAX_LOGVARS = 64;
  /** A {@code logvars} key: 1..64 of {@code A-Z a-z 0-9 _ . -} (the syntax of visit parameter keys). */
  private static final java.util.regex.Pattern LOGVARS_KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /** Range used when {@code from} is absent: 24 hours before {@code to} (shorter if the maximum is shorter). */
  public static final Duration DEFAULT_RANGE = Duration.ofHours(24);

  public CallLogQuery {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(filter, "filter");
    logvars = logvars == null ? List.of() : List.copyOf(logvars);
  }

  /** A query with the spec's columns only. */
  public CallLogQuery(Instant from, Instant to, CallLogFormat format, CallLogFilter filter) {
    this(from, to, format, filter, List.of());
  }

  /**
   * Validates the request.
   *
   * @param params the query parameters in order, as (name, value) pairs
   * @param requestHeaders the request's headers; only {@code Accept} is read ({@link CallLogFormat#negotiate})
   * @param now the current time: the default {@code to}
   * @param settings zone and maximum range
   * @throws ApiProblem 400 for an unknown or repeated parameter, a bad date ({@link DateTimeParam}), {@code from}
   *     not before {@code to}, a range over the maximum, a bad filter or format, an invalid {@code Accept} header
   *     without {@code format}; 406 when {@code Accept} allows no format
   */
  public static CallLogQuery parse(
      List<Map.Entry<String, String>> params, Iterable<HttpHeader> requestHeaders, Instant now,
      HttpApiSettings settings) {
    Map<String, String> values = new HashMap<>();
    for (Map.Entry<String, String> p : params) {
      if (!PARAMETERS.contains(p.getKey())) {
        throw ApiProblem.invalid("unknown query parameter '" + p.getKey() + "'; allowed: "
            + String.join(", ", PARAMETERS));
      }
      if (values.put(p.getKey(), p.getValue()) != null) {
        throw ApiProblem.invalid(p.getKey() + ": given more than once; give it once");
      }
    }
    String fromText = values.get("from");
    String toText = values.get("to");
    Instant to = toText == null ? now : DateTimeParam.parse("to", toText, settings.zone());
    Duration defaultRange =
        DEFAULT_RANGE.compareTo(settings.maxCallLogRange()) <= 0 ? DEFAULT_RANGE : settings.maxCallLogRange();
    Instant from = fromText == null ? to.minus(defaultRange) : DateTimeParam.parse("from", fromText, settings.zone());
    if (!from.isBefore(to)) {
      throw ApiProblem.invalid("from: must be before to (to is exclusive); got from=" + fromText + ", to="
          + (toText == null ? "now" : toText));
    }
    Duration range = Duration.between(from, to);
    if (range.compareTo(settings.maxCallLogRange()) > 0) {
      throw ApiProblem.invalid("from/to: the range of " + describe(range) + " is longer than the maximum of "
          + describe(settings.maxCallLogRange()) + "; request shorter ranges one after another");
    }
    CallLogFilter filter = CallLogFilter.of(values.get("din_id"), values.get("fwd_id"), values.get("client_id"),
        values.get("hup_usr"), values.get("dial_stat"));
    CallLogFormat format = CallLogFormat.negotiate(values.get("format"), requestHeaders);
    return new CallLogQuery(from, to, format, filter, logvars(values.get("logvars")));
  }

  /**
   * The {@code logvars} parameter: comma-separated keys ({@code gclid,utm_source,landing_page}), each 1..64 of
   * {@code A-Z a-z 0-9 _ . -}, at most {@value #MAX_LOGVARS}, none twice; null → none.
   *
   * @throws ApiProblem 400 naming the bad key
   */
  static List<String> logvars(String text) {
    if (text == null) {
      return List.of();
    }
    List<String> keys = new java.util.ArrayList<>();
    for (String k : text.split(",", -1)) {
      String key = k.strip();
      if (key.startsWith(CallLogColumns.LOGVARS_PREFIX)) {
        key = key.substring(CallLogColumns.LOGVARS_PREFIX.length());
      }
      if (!LOGVARS_KEY.matcher(key).matches()) {
        throw ApiProblem.invalid("logvars: '" + k + "' is not a logvars key; give comma-separated keys of 1 to 64 "
            + "characters of A-Z a-z 0-9 _ . - (e.g. logvars=gclid,utm_source,landing_page)");
      }
      if (keys.contains(key)) {
        throw ApiProblem.invalid("logvars: '" + key + "' is given more than once");
      }
      keys.add(key);
    }
    if (keys.size() > MAX_LOGVARS) {
      throw ApiProblem.invalid("logvars: " + keys.size() + " keys; at most " + MAX_LOGVARS);
    }
    return List.copyOf(keys);
  }

  /** A duration as people write it: "31 days", "31 days 1 second", "2 hours 30 minutes", "1 second 500 ms". */
  static String describe(Duration d) {
    long seconds = d.getSeconds();
    StringBuilder b = new StringBuilder();
    unit(b, seconds / 86_400, "day");
    unit(b, seconds % 86_400 / 3_600, "hour");
    unit(b, seconds % 3_600 / 60, "minute");
    unit(b, seconds % 60, "second");
    long millis = d.getNano() / 1_000_000;
    if (millis > 0 || b.length() == 0) {
      b.append(b.length() == 0 ? "" : " ").append(millis).append(" ms");
    }
    return b.toString();
  }

  private static void unit(StringBuilder b, long n, String name) {
    if (n > 0) {
      b.append(b.length() == 0 ? "" : " ").append(n).append(' ').append(name).append(n == 1 ? "" : "s");
    }
  }
}
