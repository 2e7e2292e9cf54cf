package io.hankyo.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.flow.FlowViolation;
import io.hankyo.protocol.notify.NotificationSettings.Trigger;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotificationSettingsParserTest {

  private static List<String> pointers(String json) {
    NotificationSettingsException e =
        assertThrows(NotificationSettingsException.class, () -> NotificationSettingsParser.parse(json));
    return e.violations().stream().map(FlowViolation::pointer).toList();
  }

  @Test
  void readsAllThreeChannels() {
    NotificationSettings s = NotificationSettingsParser.parse("""
        {"email": {"to": ["a@example.jp", "b@example.co.jp"], "trigger": "missed"},
         "webhook": {"url": "https://hooks.example.jp/calls?x=1", "secret": "0123456789abcdef", "trigger": "every"},
         "sms": {"to": ["090-1234-5678"], "trigger": "valid"}}""");
    assertEquals(List.of("a@example.jp", "b@example.co.jp"), s.email().to());
    assertEquals(Trigger.MISSED, s.email().trigger());
    assertEquals("https://hooks.example.jp/calls?x=1", s.webhook().url());
    assertEquals("0123456789abcdef", s.webhook().secret());
    assertEquals(Trigger.EVERY, s.webhook().trigger());
    assertEquals("+819012345678", s.sms().to().get(0).e164());
    assertEquals(Trigger.VALID, s.sms().trigger());
  }

  @Test
  void oneChannelIsEnoughAndTheOthersAreOff() {
    NotificationSettings s = NotificationSettingsParser.parse("{\"email\": {\"to\": [\"a@example.jp\"], "
        + "\"trigger\": \"every\"}}");
    assertNull(s.webhook());
    assertNull(s.sms());
  }

  @Test
  void jsonRoundTripKeepsTheSettings() throws Exception {
    NotificationSettings s = NotificationSettingsParser.parse("""
        {"email": {"to": ["a@example.jp"], "trigger": "missed"},
         "sms": {"to": ["09012345678"], "trigger": "valid"}}""");
    ObjectMapper m = new ObjectMapper().findAndRegisterModules();
    String json = m.writeValueAsString(s);
    assertFalse(json.contains("webhook"), json);
    assertEquals(s, m.readValue(json, NotificationSettings.class));
  }

  @Test
  void anEmptyObjectNeedsAChannel() {
    assertEquals(List.of(""), pointers("{}"));
  }

  @Test
  void reportsEveryProblemWithItsPointer() {
    List<String> p = pointers("""
        {"email": {"to": ["not an address", "Name <a@example.jp>", "a@"], "trigger": "sometimes"},
         "webhook": {"url": "ftp://example.jp/x", "secret": "short", "trigger": "every", "extra": 1},
         "sms": {"to": ["12345", 5], "trigger": "missed"},
         "fax": {}}""");
    assertEquals(List.of("/fax", "/email/trigger", "/email/to/0", "/email/to/1", "/email/to/2", "/webhook/extra",
        "/webhook/url", "/webhook/secret", "/sms/to/0", "/sms/to/1"), p);
  }

  @Test
  void theSecretIsNeverInTheMessage() {
    NotificationSettingsException e = assertThrows(NotificationSettingsException.class, () ->
        NotificationSettingsParser.parse("{\"webhook\": {\"url\": \"https://example.jp\", \"secret\": \"tooshort99\","
            + " \"trigger\": \"every\"}}"));
    assertFalse(e.getMessage().contains("tooshort99"), e.getMessage());
    assertTrue(e.getMessage().contains("/webhook/secret"), e.getMessage());
    assertFalse(NotificationSettingsParser.parse("{\"webhook\": {\"url\": \"https://example.jp\", "
        + "\"secret\": \"0123456789abcdef\", \"trigger\": \"every\"}}").toString().contains("0123456789abcdef"));
  }

  @Test
  void refusesRelativeUrlsUserInfoAndMissingFields() {
    assertEquals(List.of("/webhook/url"), pointers("{\"webhook\": {\"url\": \"/calls\", \"secret\": "
        + "\"0123456789abcdef\", \"trigger\": \"every\"}}"));
    assertEquals(List.of("/webhook/url"), pointers("{\"webhook\": {\"url\": \"https://u:p@example.jp/\", \"secret\": "
        + "\"0123456789abcdef\", \"trigger\": \"every\"}}"));
    assertEquals(List.of("/webhook/trigger", "/webhook/url", "/webhook/secret"), pointers("{\"webhook\": {}}"));
    assertEquals(List.of("/email"), pointers("{\"email\": [\"a@example.jp\"]}"));
  }

  @Test
  void refusesEmptyRepeatedAndTooManyRecipients() {
    assertEquals(List.of("/email/to"), pointers("{\"email\": {\"to\": [], \"trigger\": \"every\"}}"));
    assertEquals(List.of("/email/to/1"),
        pointers("{\"email\": {\"to\": [\"a@example.jp\", \"A@example.jp\"], \"trigger\": \"every\"}}"));
    assertEquals(List.of("/sms/to/1"),
        pointers("{\"sms\": {\"to\": [\"09012345678\", \"090-1234-5678\"], \"trigger\": \"every\"}}"));
    String eleven = String.join(",", java.util.Collections.nCopies(11, "\"a@example.jp\""));
    assertEquals(List.of("/email/to"), pointers("{\"email\": {\"to\": [" + eleven + "], \"trigger\": \"every\"}}"));
  }

  @Test
  void refusesNonObjectsBadJsonAndDuplicateKeys() {
    assertEquals(List.of(""), pointers("[]"));
    assertEquals(List.of(""), pointers("{\"email\": "));
    assertEquals(List.of(""), pointers("{\"email\": {\"to\": [\"a@example.jp\"], \"trigger\": \"every\"}, "
        + "\"email\": {\"to\": [\"a@example.jp\"], \"trigger\": \"every\"}}"));
    assertEquals(List.of(""), pointers(""));
  }

  @Test
  void readsTheCallerSmsAndKeepsItThroughJson() throws Exception {
    NotificationSettings s = NotificationSettingsParser.parse("""
        {"caller_sms": {"text": "{advertiser}へのお電話ありがとうございました。\\nクーポン: https://example.jp/c/{date}",
                        "trigger": "missed"}}""");
    assertEquals(Trigger.MISSED, s.callerSms().trigger());
    assertEquals("{advertiser}へのお電話ありがとうございました。\nクーポン: https://example.jp/c/{date}",
        s.callerSms().text());
    assertNull(s.sms());
    ObjectMapper m = new ObjectMapper().findAndRegisterModules();
    String json = m.writeValueAsString(s);
    assertTrue(json.contains("\"caller_sms\""), json);
    assertEquals(s, m.readValue(json, NotificationSettings.class));
    assertNull(NotificationSettingsParser.parse("{\"email\": {\"to\": [\"a@example.jp\"], \"trigger\": \"every\"}}")
        .callerSms(), "off when absent");
  }

  @Test
  void refusesABadCallerSmsTextWithItsPointer() {
    NotificationSettingsException e = assertThrows(NotificationSettingsException.class, () ->
        NotificationSettingsParser.parse("{\"caller_sms\": {\"text\": \"{coupon} です\", \"trigger\": \"every\"}}"));
    assertEquals(List.of("/caller_sms/text"), e.violations().stream().map(FlowViolation::pointer).toList());
    assertTrue(e.violations().get(0).message().contains("unknown placeholder {coupon}"),
        e.violations().get(0).message());
    assertEquals(List.of("/caller_sms/text"), pointers("{\"caller_sms\": {\"text\": \"  \", \"trigger\": \"every\"}}"));
    assertEquals(List.of("/caller_sms/text"), pointers("{\"caller_sms\": {\"text\": 5, \"trigger\": \"every\"}}"));
    assertEquals(List.of("/caller_sms/text"),
        pointers("{\"caller_sms\": {\"text\": \"" + "あ".repeat(501) + "\", \"trigger\": \"every\"}}"));
    assertEquals(List.of("/caller_sms/trigger"), pointers("{\"caller_sms\": {\"text\": \"ok\", \"trigger\": \"x\"}}"));
    assertEquals(List.of("/caller_sms/to"),
        pointers("{\"caller_sms\": {\"text\": \"ok\", \"trigger\": \"every\", \"to\": []}}"));
  }
}
