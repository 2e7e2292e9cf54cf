package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettings.Trigger;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NotificationPlanTest {

  private static NotificationSettings all(Trigger t) {
    return new NotificationSettings(
        new NotificationSettings.Email(List.of("a@example.jp"), t),
        new NotificationSettings.Webhook("https://example.jp/h", "0123456789abcdef", t),
        new NotificationSettings.Sms(List.of(PhoneNumbers.parse("09012345678")), t));
  }

  private static Map<String, String> verdict(String code) {
    return code.equals("-") ? Map.of() : Map.of("valid_code", code, "valid_res", "x");
  }

  /** Every trigger against every outcome: answered or not, and each judgment code (or none). */
  @ParameterizedTest(name = "{0}, answered={1}, valid_code={2} -> {3}")
  @CsvSource({
    "EVERY,  false, -,                 true",
    "EVERY,  true,  -,                 true",
    "EVERY,  true,  valid,             true",
    "EVERY,  true,  invalid_short,     true",
    "MISSED, false, -,                 true",
    "MISSED, false, none,              true",
    "MISSED, true,  -,                 false",
    "MISSED, true,  valid,             false",
    "MISSED, true,  invalid_duplicate, false",
    "VALID,  true,  valid,             true",
    "VALID,  true,  invalid_short,     false",
    "VALID,  true,  invalid_duplicate, false",
    "VALID,  true,  invalid_ivr,       false",
    "VALID,  true,  invalid_button,    false",
    "VALID,  true,  -,                 false",
    "VALID,  false, none,              false",
    "VALID,  false, -,                 false",
  })
  void triggerByOutcome(Trigger trigger, boolean answered, String code, boolean fires) {
    NotificationPlan plan = NotificationPlan.decide(all(trigger), answered, verdict(code));
    assertEquals(new NotificationPlan(fires, fires, fires), plan);
    assertEquals(fires, plan.any());
  }

  @Test
  void channelsDecideIndependentlyAndMissingChannelsNeverFire() {
    NotificationSettings mixed = new NotificationSettings(
        new NotificationSettings.Email(List.of("a@example.jp"), Trigger.MISSED),
        new NotificationSettings.Webhook("https://example.jp/h", "0123456789abcdef", Trigger.EVERY), null);
    assertEquals(new NotificationPlan(true, true, false), NotificationPlan.decide(mixed, false, Map.of()));
    assertEquals(new NotificationPlan(false, true, false), NotificationPlan.decide(mixed, true, Map.of()));
    NotificationSettings smsOnly = new NotificationSettings(null, null,
        new NotificationSettings.Sms(List.of(PhoneNumbers.parse("09012345678")), Trigger.VALID));
    assertEquals(new NotificationPlan(false, false, true),
        NotificationPlan.decide(smsOnly, true, Map.of("valid_code", "valid")));
  }

  @Test
  void noSettingsFireNothing() {
    assertEquals(NotificationPlan.NONE, NotificationPlan.decide(null, false, Map.of()));
    assertFalse(NotificationPlan.decide(null, true, null).any());
    assertTrue(NotificationPlan.decide(all(Trigger.EVERY), true, null).any(), "null logvars read as none");
  }
}
