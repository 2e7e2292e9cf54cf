package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Format negotiation. Accept values are parsed by Pekko ({@link HttpHeader#parse}), as the server does with request
 * headers.
 */
class CallLogFormatTest {
  /** The headers of a request with the given Accept values (none for null), plus an unrelated header. */
  static List<HttpHeader> headers(String... accepts) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create("X-Request-Id", "t-1"));
    if (accepts != null) {
      for (String a : accepts) {
        headers.add(HttpHeader.parse("Accept", a));
      }
    }
    return headers;
  }

  /** The same, with the Accept values as sent: the API's server leaves headers unmodelled. */
  static List<HttpHeader> rawHeaders(String... accepts) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create("X-Request-Id", "t-1"));
    for (String a : accepts) {
      headers.add(RawHeader.create("Accept", a));
    }
    return headers;
  }

  private static CallLogFormat negotiate(String format, String accept) {
    return CallLogFormat.negotiate(format, accept == null ? headers() : headers(accept));
  }

  private static CallLogFormat negotiateRaw(String format, String accept) {
    return CallLogFormat.negotiate(format, accept == null ? rawHeaders() : rawHeaders(accept));
  }

  @ParameterizedTest(name = "format={0} Accept={1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL | NULL                                   | JSON",
      "NULL | ''                                     | JSON",
      "NULL | */*                                    | JSON",
      "NULL | application/json                       | JSON",
      "NULL | text/csv                               | CSV",
      "NULL | text/tab-separated-values              | TSV",
      "NULL | text/*                                 | CSV",
      // q-values decide, not the order of the ranges
      "NULL | 'text/csv;q=0.1, application/json;q=0.9'  | JSON",
      "NULL | 'text/tab-separated-values, text/csv;q=0.5' | TSV",
      "NULL | 'text/csv;q=0.5, text/tab-separated-values' | TSV",
      "NULL | 'application/json;q=0.1, text/csv;q=0.9'  | CSV",
      "NULL | 'application/json;q=0.5, text/tab-separated-values;q=0.6, text/csv;q=0.55' | TSV",
      "NULL | 'text/csv;q=0.001, application/json;q=0'  | CSV",
      // the most specific matching range decides: text/csv;q=0 beats text/* and */*
      "NULL | '*/*;q=0.8, text/csv;q=0'              | JSON",
      "NULL | 'text/*, text/csv;q=0'                 | TSV",
      "NULL | 'application/json;q=0.2, */*'          | CSV",
      "NULL | 'text/*;q=0.3, */*;q=0.9'              | JSON",
      // a tie goes to JSON, then CSV, then TSV
      "NULL | 'text/tab-separated-values, text/csv'  | CSV",
      "NULL | 'text/csv, application/json'           | JSON",
      // browsers, Java's URLConnection ('*' alone), charset and other case
      "NULL | 'text/html, application/xhtml+xml, */*;q=0.8' | JSON",
      "NULL | 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2' | JSON",
      "NULL | 'TEXT/CSV; charset=utf-8'              | CSV",
      // a range with another parameter only matches a type with that parameter (RFC 9110 section 12.5.1)
      "NULL | 'text/csv;header=present, application/json;q=0.5' | JSON",
      // a quoted parameter may hold ',' and ';'
      "NULL | 'text/csv;x=\"a,text/tab-separated-values;q=1\", application/json;q=0.1' | JSON",
      // format wins
      "csv  | application/json                       | CSV",
      "TSV  | NULL                                   | TSV",
      "json | text/csv                               | JSON",
      "csv  | application/xml                        | CSV",
      "json | 'text/csv;q=0.9, application/json;q=0' | JSON",
      "' '  | text/csv                               | CSV",
  })
  void negotiates(String format, String accept, CallLogFormat expected) {
    assertEquals(expected, negotiate(format, accept), "modelled by Pekko");
    assertEquals(expected, negotiateRaw(format, accept), "as sent");
  }

  /** Weights that are not q-values (RFC 9110 section 12.4.2), which Pekko's model would silently read as 1. */
  @ParameterizedTest
  @ValueSource(strings = {"text/csv;q=abc", "text/csv; Q=abc", "text/csv;q=", "text/csv;q=1.0000", "text/csv;q=0.1234",
      "text/csv;q=-0", "text/csv;q=+1", "text/csv;q=\"0.5\"", "text/csv;q=1e-1", "text/csv;q=0.5;q=abc",
      "text/csv;q=0.5, application/json;q=x", "application/json;x=\"\\\";q=1\";q=two"})
  void aQValueThatIsNotAWeightIs400(String accept) {
    ApiProblem p = assertThrows(ApiProblem.class, () -> negotiateRaw(null, accept), accept);
    assertEquals(400, p.status(), accept);
    assertTrue(p.detail().startsWith("Accept: '" + accept + "' is not a valid Accept header"), p.detail());
    assertTrue(p.detail().contains("RFC 9110 section 12.4.2"), p.detail());
    assertEquals(CallLogFormat.TSV, negotiateRaw("tsv", accept), "format wins");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "text/csv;q=abc                          | q=abc",
      "'text/csv ; Q = 2x , text/*'            | Q = 2x",
      "'text/csv;x=\"a;q=abc\";q=0.5'        | NULL",
      "'text/csv;x=\"a\\\";q=abc\";q=0.5' | NULL",
      "'text/csv;q=0.5, */*;q=.2'              | NULL",
      "'q=abc/csv'                             | NULL",
      "'text/csv;q=0., application/json;q=1.'  | NULL",
  })
  void invalidWeightFindsTheParameterOutsideQuotedStrings(String accept, String expected) {
    assertEquals(expected, CallLogFormat.invalidWeight(accept));
  }

  /** "Q" is the weight too (RFC 9110 sections 5.6.6, 12.4.2); Pekko's parser alone reads it as a media parameter. */
  @ParameterizedTest(name = "Accept={0}")
  @CsvSource(delimiter = '|', value = {
      "'text/csv;Q=0.5, application/json;q=0.1'  | CSV",
      "'text/csv;Q=0.5'                          | CSV",
      "'application/json;Q=0, text/csv'          | CSV",
      "'text/csv;Q=0.1, text/tab-separated-values;Q=0.2' | TSV",
  })
  void anUpperCaseQIsAWeight(String accept, CallLogFormat expected) {
    assertEquals(expected, negotiateRaw(null, accept));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "text/csv;Q=0.5                        | text/csv;q=0.5",
      "'text/csv ;Q=0.5, */*; Q=0'           | 'text/csv ;q=0.5, */*; q=0'",
      "'text/csv;x=\"a;Q=1\";Q=0.5'        | 'text/csv;x=\"a;Q=1\";q=0.5'",
      "'Q/csv;Qx=1'                          | 'Q/csv;Qx=1'",
  })
  void weightNamesAreLowerCasedOutsideQuotedStringsOnly(String accept, String expected) {
    assertEquals(expected, CallLogFormat.weightNamesInLowerCase(accept));
  }

  @Test
  void severalAcceptHeadersCount() {
    assertEquals(CallLogFormat.TSV, CallLogFormat.negotiate(null,
        headers("text/csv;q=0.4", "text/tab-separated-values;q=0.7, application/json;q=0.2")));
  }

  @Test
  void unknownFormatIs400() {
    ApiProblem p = assertThrows(ApiProblem.class, () -> negotiate("xml", null));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("format: 'xml' is not supported"), p.detail());
  }

  @Test
  void nothingAcceptableIs406ListingTheSupportedTypes() {
    for (String accept : List.of("application/xml, text/html", "*/*;q=0", "image/*",
        "application/json;q=0, text/*;q=0", "text/csv;q=0, text/tab-separated-values;q=0.0, application/json;q=0")) {
      ApiProblem p = assertThrows(ApiProblem.class, () -> negotiate(null, accept), accept);
      assertEquals(406, p.status(), accept);
      assertEquals("https://hankyo.io/problems/not-acceptable", p.type());
      assertTrue(p.detail().contains("application/json, text/csv, text/tab-separated-values"), p.detail());
      assertTrue(p.detail().contains("format"), p.detail());
    }
  }

  @Test
  void anAcceptHeaderPekkoCannotParseIs400UnlessFormatIsGiven() {
    for (String accept : List.of("text/csv, foo", "text/csv;q=2")) {
      ApiProblem p = assertThrows(ApiProblem.class, () -> negotiate(null, accept), accept);
      assertEquals(400, p.status(), accept);
      assertTrue(p.detail().startsWith("Accept: '" + accept + "' is not a valid Accept header"), p.detail());
      ApiProblem raw = assertThrows(ApiProblem.class, () -> negotiateRaw(null, accept), accept);
      assertEquals(400, raw.status(), accept);
      assertTrue(raw.detail().startsWith("Accept: '" + accept + "' is not a valid Accept header"), raw.detail());
    }
    assertEquals(CallLogFormat.CSV, negotiate("csv", "text/csv, foo"));
    assertEquals(CallLogFormat.CSV, negotiateRaw("csv", "text/csv, foo"));
  }

  @Test
  void mediaTypes() {
    assertEquals("application/json", CallLogFormat.JSON.mediaType());
    assertEquals("text/csv", CallLogFormat.CSV.mediaType());
    assertEquals("text/tab-separated-values", CallLogFormat.TSV.mediaType());
    assertEquals("application/json, text/csv, text/tab-separated-values", CallLogFormat.SUPPORTED_MEDIA_TYPES);
  }
}
