package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DateTimeParamTest {
  private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "2026-11-29T09:00:00+09:00     | 2026-11-29T00:00:00Z",
      "2026-11-29T09:00+09:00        | 2026-11-29T00:00:00Z",
      "2026-11-29T00:00:00Z          | 2026-11-29T00:00:00Z",
      "2026-11-29T09:00:00.500+09:00 | 2026-11-29T00:00:00.500Z",
      "2026-11-29T09:00:00 09:00     | 2026-11-29T00:00:00Z",
      "2026-11-29T01:00:00-05:00     | 2026-11-29T06:00:00Z",
      "2026-11-29T09:00:00+09:00[Asia/Tokyo] | 2026-11-29T00:00:00Z",
      "2026-11-29T09:00:00           | 2026-11-29T00:00:00Z",
      "2026-11-29T09:00              | 2026-11-29T00:00:00Z",
      "2026-11-29 09:00:00           | 2026-11-29T00:00:00Z",
      "2026-11-29                    | 2026-11-28T15:00:00Z",
      "2026/11/29 17:21:55           | 2026-11-29T08:21:55Z",
      "2026/11/29 17:21              | 2026-11-29T08:21:00Z",
      "2026/11/29                    | 2026-11-28T15:00:00Z",
      "2026/1/5 9:05                 | 2026-01-05T00:05:00Z",
      "' 2026/11/29 '                | 2026-11-28T15:00:00Z",
  })
  void acceptsEveryForm(String text, String expected) {
    assertEquals(Instant.parse(expected), DateTimeParam.parse("from", text, TOKYO));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"yesterday", "2026-02-30", "2026/02/30", "2026-11-29T25:00:00", "2026/13/01",
      "29/11/2026", "2026-11-29T09:00:00+25:00", "1732870800", "2026-11-29X09:00", "2026/11/29 9"})
  void refusesBadInputNamingTheParameterAndTheForms(String text) {
    ApiProblem p = assertThrows(ApiProblem.class, () -> DateTimeParam.parse("to", text, TOKYO));
    assertEquals(400, p.status());
    assertTrue(p.detail().startsWith("to: '" + text + "' is not a valid date or date-time"), p.detail());
    assertTrue(p.detail().contains("yyyy/MM/dd HH:mm:ss"), p.detail());
    assertTrue(p.detail().contains("Asia/Tokyo"), p.detail());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void refusesEmpty(String text) {
    ApiProblem p = assertThrows(ApiProblem.class, () -> DateTimeParam.parse("from", text, TOKYO));
    assertTrue(p.detail().startsWith("from: is empty"), p.detail());
  }

  @org.junit.jupiter.api.Test
  void readsLocalTimesInTheConfiguredZone() {
    assertEquals(Instant.parse("2026-11-29T09:00:00Z"),
        DateTimeParam.parse("from", "2026/11/29 09:00", ZoneId.of("UTC")));
  }
}
