package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallLogFormatTest {
  @ParameterizedTest(name = "format={0} Accept={1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "NULL | NULL                                   | JSON",
      "NULL | ''                                     | JSON",
      "NULL | */*                                    | JSON",
      "NULL | application/json                       | JSON",
      "NULL | text/csv                               | CSV",
      "NULL | text/tab-separated-values              | TSV",
      "NULL | text/*                                 | CSV",
      "NULL | 'text/csv;q=0.5, text/tab-separated-values' | TSV",
      "NULL | 'application/json;q=0.1, text/csv;q=0.9'  | CSV",
      "NULL | '*/*;q=0.8, text/csv;q=0'              | JSON",
      "NULL | 'text/html, application/xhtml+xml, */*;q=0.8' | JSON",
      "NULL | 'TEXT/CSV; charset=utf-8'              | CSV",
      "csv  | application/json                       | CSV",
      "TSV  | NULL                                   | TSV",
      "json | text/csv                               | JSON",
      "csv  | application/xml                        | CSV",
  })
  void negotiates(String format, String accept, CallLogFormat expected) {
    assertEquals(expected, CallLogFormat.negotiate(format, accept));
  }

  @Test
  void unknownFormatIs400() {
    ApiProblem p = assertThrows(ApiProblem.class, () -> CallLogFormat.negotiate("xml", null));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("format: 'xml' is not supported"), p.detail());
  }

  @Test
  void nothingAcceptableIs406() {
    ApiProblem p = assertThrows(ApiProblem.class, () -> CallLogFormat.negotiate(null, "application/xml, text/html"));
    assertEquals(406, p.status());
    assertTrue(p.detail().contains("text/csv"), p.detail());
    ApiProblem zero = assertThrows(ApiProblem.class, () -> CallLogFormat.negotiate(null, "*/*;q=0"));
    assertEquals(406, zero.status());
  }

  @Test
  void mediaTypes() {
    assertEquals("application/json", CallLogFormat.JSON.mediaType());
    assertEquals("text/csv", CallLogFormat.CSV.mediaType());
    assertEquals("text/tab-separated-values", CallLogFormat.TSV.mediaType());
  }
}
