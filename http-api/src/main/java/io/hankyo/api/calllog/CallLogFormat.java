package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.Problems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.scaladsl.server.MediaTypeNegotiator;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Output format of {@code GET /v1/calls}, chosen by the {@code format} query parameter, else by the {@code Accept}
 * header (RFC 9110 section 12.5.1, proactive negotiation), else JSON.
 */
public enum CallLogFormat {
  /** {@code application/json}: {@code {"calls": [...], "count": N, "from": ..., "to": ...}}. */
  JSON("json", MediaTypes.APPLICATION_JSON),
  /** {@code text/csv; charset=UTF-8}: RFC 4180, CRLF, header row. */
  CSV("csv", MediaTypes.TEXT_CSV),
  /** {@code text/tab-separated-values; charset=UTF-8}: tabs, CRLF, header row, no quoting. */
  TSV("tsv", MediaTypes.TEXT_TAB_SEPARATED_VALUES);

  /** The media types offered, in order of preference on a tie: {@code application/json, text/csv, ...}. */
  public static final String SUPPORTED_MEDIA_TYPES =
      Arrays.stream(values()).map(CallLogFormat::mediaType).collect(Collectors.joining(", "));

  /**
   * A q-value as RFC 9110 section 12.4.2 writes it: 0 to 1 with at most three decimals ({@code 0}, {@code 0.5},
   * {@code 1}, {@code 1.000}). Also {@code .2}, without the leading 0: Java's {@code HttpURLConnection} sends {@code
   * Accept: text/html, image/gif, image/jpeg, *; q=.2, *}{@code /*; q=.2} by default.
   */
  private static final Pattern WEIGHT = Pattern.compile("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?|\\.[0-9]{1,3}");

  private final String code;
  private final MediaType mediaType;

  CallLogFormat(String code, MediaType mediaType) {
    this.code = code;
    this.mediaType = mediaType;
  }

  /** The {@code format} parameter value and file extension: {@code json}, {@code csv}, {@code tsv}. */
  public String code() {
    return code;
  }

  /** The media type without parameters, e.g. {@code text/csv}. */
  public String mediaType() {
    return mediaType.mainType() + "/" + mediaType.subType();
  }

  /**
   * Chooses the format.
   *
   * <ol>
   *   <li>{@code format} (case-insensitive {@code json}, {@code csv}, {@code tsv}) wins over any header;
   *   <li>else the {@code Accept} header(s), as Pekko HTTP modelled them, weighed by Pekko's own {@link
   *       MediaTypeNegotiator}: each format gets the q-value of the most specific media range that matches it
   *       ({@code text/csv} before {@code text/*} before {@code *}{@code /*}; a range with parameters other than
   *       {@code charset} and {@code q} matches only a type with those parameters, RFC 9110 section 12.5.1); the
   *       format with the highest q-value above 0 wins, a tie goes to JSON, then CSV, then TSV;
   *   <li>no {@code Accept} header, an empty one, or {@code *}{@code /*}: JSON.
   * </ol>
   *
   * {@code Accept-Charset} is not consulted: every format is UTF-8 only (RFC 9110 section 12.5.2 lets a server
   * disregard it).
   *
   * @param formatParam the {@code format} query parameter, or null / blank when absent
   * @param requestHeaders the request's headers (only {@code Accept} is read). An {@code Accept} that is still the
   *     text as sent (a {@link RawHeader}: the API's server leaves every header unmodelled, {@code
   *     HttpApi.serverSettings}) has its q-values checked ({@link #invalidWeight}) and is then parsed by Pekko into
   *     {@link Accept}; one Pekko modelled already is taken as it is. A value Pekko cannot parse, or with a q-value
   *     that is not a weight, is refused here (400) rather than silently answered as if the weight were 1 or absent.
   * @throws ApiProblem 400 for an unknown {@code format} or an {@code Accept} header that is not valid (and no
   *     {@code format}); 406 (type {@code not-acceptable}) when the header gives every one of the three types q=0 or
   *     does not name them; both details list the supported types
   */
  public static CallLogFormat negotiate(String formatParam, Iterable<HttpHeader> requestHeaders) {
    if (formatParam != null && !formatParam.isBlank()) {
      String wanted = formatParam.strip().toLowerCase(Locale.ROOT);
      for (CallLogFormat f : values()) {
        if (f.code.equals(wanted)) {
          return f;
        }
      }
      throw ApiProblem.invalid("format: '" + formatParam + "' is not supported; use json, csv or tsv");
    }
    List<org.apache.pekko.http.scaladsl.model.HttpHeader> accepts = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (HttpHeader h : requestHeaders) {
      if (!h.is("accept")) {
        continue;
      }
      // every javadsl Accept is Pekko's scaladsl Accept header: the negotiator's input
      accepts.add(accept(h));
      values.add(h.value());
    }
    MediaTypeNegotiator negotiator = new MediaTypeNegotiator(CollectionConverters.asScala(accepts).toList());
    CallLogFormat best = null;
    float bestQ = 0f;
    for (CallLogFormat f : values()) {
      float q = negotiator.qValueFor((org.apache.pekko.http.scaladsl.model.MediaType) f.mediaType);
      if (q > bestQ) {
        best = f;
        bestQ = q;
      }
    }
    if (best == null) {
      throw Problems.notAcceptable("Accept: '" + String.join(", ", values) + "' allows none of "
          + SUPPORTED_MEDIA_TYPES + " (or use the format parameter: json, csv, tsv)");
    }
    return best;
  }

  /**
   * The {@link Accept} of a request header named Accept. A {@link RawHeader} (the text as sent) has its q-values
   * checked first, because Pekko's parser reads one that is not a number (e.g. {@code q=abc}) as no weight at all,
   * i.e. 1, and drops it without a trace; then Pekko parses it.
   *
   * @throws ApiProblem 400 when a q-value is not a weight or Pekko cannot parse the value (it stays a raw header)
   */
  private static Accept accept(HttpHeader h) {
    if (h instanceof Accept) {
      return (Accept) h;
    }
    String badWeight = invalidWeight(h.value());
    if (badWeight != null) {
      throw invalidAccept(h.value(), "'" + badWeight + "' is not a weight: RFC 9110 section 12.4.2 allows q=0 to "
          + "q=1 with at most three decimals");
    }
    HttpHeader parsed = HttpHeader.parse("Accept", weightNamesInLowerCase(h.value()));
    if (!(parsed instanceof Accept)) {
      // Pekko kept it as a RawHeader: it is not a valid list of media ranges
      throw invalidAccept(h.value(), "RFC 9110 section 12.5.1");
    }
    return (Accept) parsed;
  }

  private static ApiProblem invalidAccept(String value, String why) {
    return ApiProblem.invalid("Accept: '" + value + "' is not a valid Accept header (" + why + "); send media "
        + "ranges such as 'text/csv' or 'text/csv;q=0.5, application/json' (" + SUPPORTED_MEDIA_TYPES + "), or use "
        + "the format parameter: json, csv, tsv");
  }

  /**
   * The first weight parameter ({@code q=...}, "q" in any case) of an Accept value whose value is not a q-value by
   * {@link #WEIGHT}, as written (e.g. {@code q=abc}), or null when there is none. The value is split into media
   * ranges at commas and into parameters at semicolons, both outside quoted strings (RFC 9110 section 5.6.4), so
   * {@code text/csv;x="a;q=abc"} has no weight. A quoted q-value ({@code q="0.5"}) is not a weight: the grammar has
   * none. Other syntax errors are left to Pekko's parser.
   */
  static String invalidWeight(String acceptValue) {
    for (Part part : parts(acceptValue)) {
      String bad = part.mediaRange() ? null : badWeight(part.text());
      if (bad != null) {
        return bad;
      }
    }
    return null;
  }

  /**
   * The Accept value with every weight parameter named {@code Q} renamed {@code q}, outside quoted strings, else
   * unchanged. Parameter names are case-insensitive (RFC 9110 section 5.6.6, and section 12.4.2 for the weight), but
   * Pekko's parser reads only a lower-case {@code q} as the weight: {@code text/csv;Q=0.5} would become a media range
   * with a parameter Q that matches no type.
   */
  static String weightNamesInLowerCase(String acceptValue) {
    StringBuilder out = new StringBuilder(acceptValue.length());
    for (Part part : parts(acceptValue)) {
      out.append(part.mediaRange() ? part.text() : lowerCaseWeightName(part.text()));
      if (part.end() != 0) {
        out.append(part.end());
      }
    }
    return out.toString();
  }

  /**
   * One part of an Accept value: a media range or one of its parameters, as written, with the delimiter that ends
   * it ({@code ','} or {@code ';'}, 0 for the last part).
   */
  private record Part(String text, char end, boolean mediaRange) {}

  /**
   * The parts of an Accept value, split at commas (elements) and semicolons (parameters) outside quoted strings
   * (RFC 9110 section 5.6.4, backslash escapes included); the first part of each element is its media range.
   */
  private static List<Part> parts(String acceptValue) {
    List<Part> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean mediaRange = true;
    boolean quoted = false;
    for (int i = 0; i < acceptValue.length(); i++) {
      char c = acceptValue.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < acceptValue.length()) {
          part.append(c);
          c = acceptValue.charAt(++i);
        } else if (c == '"') {
          quoted = false;
        }
        part.append(c);
      } else if (c == ';' || c == ',') {
        parts.add(new Part(part.toString(), c, mediaRange));
        part.setLength(0);
        mediaRange = c == ',';
      } else {
        quoted = c == '"';
        part.append(c);
      }
    }
    parts.add(new Part(part.toString(), (char) 0, mediaRange));
    return parts;
  }

  private static String lowerCaseWeightName(String parameter) {
    int eq = parameter.indexOf('=');
    return eq >= 0 && parameter.substring(0, eq).strip().equals("Q")
        ? parameter.substring(0, eq).replace('Q', 'q') + parameter.substring(eq)
        : parameter;
  }

  /** {@code parameter} (stripped) when it is a weight (name "q", any case) whose value is not a q-value, else null. */
  private static String badWeight(String parameter) {
    String p = parameter.strip();
    int eq = p.indexOf('=');
    if (eq < 0 || !p.substring(0, eq).strip().equalsIgnoreCase("q")) {
      return null;
    }
    return WEIGHT.matcher(p.substring(eq + 1).strip()).matches() ? null : p;
  }
}
