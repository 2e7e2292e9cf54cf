package io.hankyo.api.calllog;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.Problems;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
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
   * @param requestHeaders the request's headers (only {@code Accept} is read). Pekko parses {@code Accept} into
   *     {@link Accept}; a value it cannot parse stays a raw header and is refused here (400) rather than silently
   *     answered with JSON.
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
      if (!(h instanceof Accept)) {
        // Pekko kept it as a RawHeader: it is not a valid list of media ranges
        throw ApiProblem.invalid("Accept: '" + h.value() + "' is not a valid Accept header (RFC 9110 section "
            + "12.5.1); send media ranges such as 'text/csv' or 'text/csv;q=0.5, application/json' ("
            + SUPPORTED_MEDIA_TYPES + "), or use the format parameter: json, csv, tsv");
      }
      // every javadsl Accept is Pekko's scaladsl Accept header: the negotiator's input
      accepts.add((Accept) h);
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
}
