package io.hankyo.node.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retention sweeper's pure decision: which recordings are past an operator's retention, and which days to read. */
class RetentionPlanTest {
  private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");

  private static RecordingIndex.Entry stored(String trnId, Instant at) {
    return new RecordingIndex.Entry("op1", trnId, "k/" + trnId + ".wav", at);
  }

  @Test
  void aRecordingIsPastTheRetentionOnlyWhenStoredMoreThanThatManyDaysOfTwentyFourHoursAgo() {
    RetentionPlan plan = RetentionPlan.of(NOW, 30);
    assertEquals(Instant.parse("2026-10-31T10:00:00Z"), plan.cutoff());
    assertEquals(LocalDate.parse("2026-10-31"), plan.lastDay(), "the UTC day of the cutoff is the last to read");
    LocalDate day = plan.lastDay();
    var old = stored("old", plan.cutoff().minusSeconds(1));
    var exact = stored("exact", plan.cutoff());
    var young = stored("young", plan.cutoff().plusSeconds(1));
    assertEquals(List.of(old), plan.expired(List.of(old, exact, young), day));
  }

  @Test
  void aRowWithoutItsTimeGoesByItsDay() {
    RetentionPlan plan = RetentionPlan.of(NOW, 1);
    assertTrue(plan.expired(stored("x", null), LocalDate.parse("2026-11-28")));
    assertFalse(plan.expired(stored("x", null), plan.lastDay()), "the cutoff's own day may be within the retention");
  }

  @Test
  void retentionsBelowOneDayAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RetentionPlan.of(NOW, 0));
    assertEquals(NOW.minusSeconds(3650L * 86400), RetentionPlan.of(NOW, 3650).cutoff());
  }
}
