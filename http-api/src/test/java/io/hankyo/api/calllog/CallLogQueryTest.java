package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.HttpApiSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.junit.jupiter.api.Test;

class CallLogQueryTest {
  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
  private static final HttpApiSettings SETTINGS = HttpApiSettings.defaults();

  private static List<Map.Entry<String, String>> params(String... kv) {
    List<Map.Entry<String, String>> list = new ArrayList<>();
    for (int i = 0; i < kv.length; i += 2) {
      list.add(new AbstractMap.SimpleImmutableEntry<>(kv[i], kv[i + 1]));
    }
    return list;
  }

  private static ApiProblem fails(String accept, String... kv) {
    List<HttpHeader> headers = accept == null ? CallLogFormatTest.headers() : CallLogFormatTest.headers(accept);
    return assertThrows(ApiProblem.class, () -> CallLogQuery.parse(params(kv), headers, NOW, SETTINGS));
  }

  @Test
  void defaultsToTheLast24Hours() {
    CallLogQuery q = CallLogQuery.parse(params(), List.of(), NOW, SETTINGS);
    assertEquals(NOW, q.to());
    assertEquals(NOW.minus(Duration.ofHours(24)), q.from());
    assertEquals(CallLogFormat.JSON, q.format());
    assertEquals(CallLogFilter.NONE, q.filter());
  }

  @Test
  void fromDefaultsRelativeToAGivenTo() {
    CallLogQuery q = CallLogQuery.parse(params("to", "2026-11-01"), List.of(), NOW, SETTINGS);
    assertEquals(Instant.parse("2026-10-31T15:00:00Z"), q.to());
    assertEquals(Instant.parse("2026-10-30T15:00:00Z"), q.from());
  }

  @Test
  void defaultRangeShrinksToASmallerMaximum() {
    HttpApiSettings small = new HttpApiSettings(1024, Duration.ofHours(1), SETTINGS.zone());
    CallLogQuery q = CallLogQuery.parse(params(), List.of(), NOW, small);
    assertEquals(NOW.minus(Duration.ofHours(1)), q.from());
  }

  @Test
  void readsEverything() {
    CallLogQuery q = CallLogQuery.parse(params("from", "2026/11/01", "to", "2026/12/01 00:00", "format", "csv",
        "din_id", "0120", "hup_usr", "発信者"), CallLogFormatTest.headers("application/json"), NOW, SETTINGS);
    assertEquals(Instant.parse("2026-10-31T15:00:00Z"), q.from());
    assertEquals(Instant.parse("2026-11-30T15:00:00Z"), q.to());
    assertEquals(CallLogFormat.CSV, q.format());
    assertEquals("0120", q.filter().dinPrefix());
  }

  @Test
  void readsLogvarsColumnsInOrderAndRefusesBadKeys() {
    assertEquals(List.of(), CallLogQuery.parse(params(), List.of(), NOW, SETTINGS).logvars());
    assertEquals(List.of("gclid", "utm_source", "landing_page"), CallLogQuery.parse(
        params("logvars", "gclid, logvars.utm_source,landing_page"), List.of(), NOW, SETTINGS).logvars());
    assertTrue(fails(null, "logvars", "gclid,,lp").detail().contains("logvars: ''"));
    assertTrue(fails(null, "logvars", "*").detail().contains("'*'"));
    assertTrue(fails(null, "logvars", "a\u0000b").detail().startsWith("logvars:"));
    assertTrue(fails(null, "logvars", "k".repeat(65)).detail().startsWith("logvars:"));
    assertTrue(fails(null, "logvars", "gclid,GCLID,gclid").detail().contains("more than once"));
    StringBuilder many = new StringBuilder("k0");
    for (int i = 1; i <= CallLogQuery.MAX_LOGVARS; i++) {
      many.append(",k").append(i);
    }
    assertTrue(fails(null, "logvars", many.toString()).detail().contains("at most 64"));
  }

  @Test
  void refusesFromNotBeforeTo() {
    ApiProblem p = fails(null, "from", "2026-11-29", "to", "2026-11-29");
    assertTrue(p.detail().startsWith("from: must be before to"), p.detail());
    fails(null, "from", "2026-11-30", "to", "2026-11-29");
  }

  @Test
  void refusesRangesOverTheMaximum() {
    CallLogQuery.parse(params("from", "2026-10-01", "to", "2026-11-01"), List.of(), NOW, SETTINGS);
    ApiProblem p = fails(null, "from", "2026-10-01", "to", "2026-11-01T00:00:01");
    assertTrue(p.detail().contains("the range of 31 days 1 second is longer than the maximum of 31 days;"),
        p.detail());
  }

  @Test
  void describesDurationsAsPeopleWriteThem() {
    assertEquals("31 days", CallLogQuery.describe(Duration.ofDays(31)));
    assertEquals("31 days 1 second", CallLogQuery.describe(Duration.ofDays(31).plusSeconds(1)));
    assertEquals("1 day 2 hours 30 minutes", CallLogQuery.describe(Duration.ofMinutes(24 * 60 + 150)));
    assertEquals("1 second 500 ms", CallLogQuery.describe(Duration.ofMillis(1500)));
    assertEquals("0 ms", CallLogQuery.describe(Duration.ZERO));
  }

  @Test
  void refusesUnknownAndRepeatedParameters() {
    ApiProblem unknown = fails(null, "form", "2026-11-01");
    assertTrue(unknown.detail().startsWith("unknown query parameter 'form'"), unknown.detail());
    ApiProblem repeated = fails(null, "from", "2026-11-01", "from", "2026-11-02");
    assertTrue(repeated.detail().startsWith("from: given more than once"), repeated.detail());
  }

  @Test
  void badDatesNameTheParameter() {
    assertTrue(fails(null, "from", "nope").detail().startsWith("from: 'nope'"));
    assertTrue(fails(null, "to", "2026-13-01").detail().startsWith("to: '2026-13-01'"));
  }

  @Test
  void acceptWithNothingProducibleIs406() {
    assertEquals(406, fails("image/png").status());
    assertEquals(400, fails("image/png", "format", "pdf").status());
  }
}
