package io.hankyo.node.rejudge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hankyo.api.ApiProblem;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arrival-range check of {@link Rejudger}: a pointer to {@code /to}, times as operators write them (JST). */
class RejudgerRangeTest {
  private static final Duration MAX = Duration.ofDays(92);

  @Test
  void aTooLongRangeNamesToAndShowsTokyoTimes() {
    ApiProblem p = Rejudger.rangeProblem(OffsetDateTime.parse("2026-01-01T00:00:00+09:00").toInstant(),
        OffsetDateTime.parse("2026-06-01T00:00:00+09:00").toInstant(), MAX);
    assertEquals(400, p.status());
    String detail = "makes the range from 2026-01-01T00:00:00+09:00 to 2026-06-01T00:00:00+09:00 longer than 92 days;"
        + " re-judge it in parts";
    assertEquals(List.of(new ApiProblem.FieldError("/to", detail)), p.errors());
    assertEquals("the re-judgment request has a problem; first: /to: " + detail, p.detail());
  }

  @Test
  void anEmptyRangeNamesTo() {
    ApiProblem p = Rejudger.rangeProblem(OffsetDateTime.parse("2026-01-02T00:00:00+09:00").toInstant(),
        OffsetDateTime.parse("2026-01-01T00:00:00+09:00").toInstant(), MAX);
    assertEquals("/to", p.errors().get(0).pointer());
  }

  @Test
  void aRangeWithinTheLimitIsFine() {
    assertNull(Rejudger.rangeProblem(OffsetDateTime.parse("2026-01-01T00:00:00+09:00").toInstant(),
        OffsetDateTime.parse("2026-04-01T00:00:00+09:00").toInstant(), MAX));
  }
}
