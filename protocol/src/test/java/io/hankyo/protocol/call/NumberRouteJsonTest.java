package io.hankyo.protocol.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettingsParser;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import org.junit.jupiter.api.Test;

/**
 * {@link NumberRoute} travels in call events (journal JSON): with and without judgment rules, and as written before
 * {@code judgment}/{@code judgment_version} existed.
 */
class NumberRouteJsonTest {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final PhoneNumber DIN = PhoneNumbers.parse("0120-123-456");
  private static final PhoneNumber FWD = PhoneNumbers.parse("03-1234-5678");
  private static final JudgmentRules RULES = JudgmentRulesParser.parse("""
      {"min_talk_sec": 30, "duplicate": {"scope": "advertiser", "period_sec": 86400},
       "ivr": [{"digits": "9", "valid": false}],
       "post_call_button": {"prompt": "rate-call", "valid_digits": ["1"], "invalid_digits": ["2"]}}
      """);

  @Test
  void aRouteWithJudgmentRulesRoundTrips() throws Exception {
    NumberRoute route = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, true,
        CallFlow.defaultFor(FWD, 20), 4, RULES, 7);
    String json = JSON.writeValueAsString(route);
    assertTrue(json.contains("\"judgment\":{\"min_talk_sec\":30,"), json);
    assertTrue(json.contains("\"judgment_version\":7"), json);
    NumberRoute back = JSON.readValue(json, NumberRoute.class);
    assertEquals(route, back);
    assertEquals(RULES, back.judgment());
    assertEquals("rate-call", back.judgment().postCallButton().prompt());
  }

  @Test
  void anAttributedRouteRoundTripsAndAnOldRouteReadsWithoutAttribution() throws Exception {
    NumberRoute plain = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0);
    assertFalse(JSON.writeValueAsString(plain).contains("attribution"));
    assertNull(plain.attribution());
    PhoneNumber dialled = PhoneNumbers.parse("0120-000-001");
    NumberRoute attributed = plain.attributed(dialled, java.util.Map.of("attribution", "pool", "gclid", "g"));
    assertEquals(dialled, attributed.din());
    String json = JSON.writeValueAsString(attributed);
    assertTrue(json.contains("\"attribution\":{"), json);
    assertEquals(attributed, JSON.readValue(json, NumberRoute.class));
    assertEquals("g", JSON.readValue(json, NumberRoute.class).attribution().get("gclid"));
  }

  @Test
  void aRouteWithoutRulesLeavesThemOutAndRoundTrips() throws Exception {
    NumberRoute route = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0);
    String json = JSON.writeValueAsString(route);
    assertFalse(json.contains("\"judgment\""), json);
    assertTrue(json.contains("\"judgment_version\":0"), json);
    assertEquals(route, JSON.readValue(json, NumberRoute.class));
    assertNull(route.judgment());

    NumberRoute cleared = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0, null, 3);
    assertEquals(cleared, JSON.readValue(JSON.writeValueAsString(cleared), NumberRoute.class));
  }

  @Test
  void aRouteWrittenBeforeJudgmentExistedStillReads() throws Exception {
    // the JSON of a route persisted by the previous version: neither judgment nor judgment_version
    ObjectNode old = JSON.valueToTree(new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, true,
        CallFlow.defaultFor(FWD, 20), 2));
    old.remove("judgment_version");
    assertFalse(old.has("judgment"));
    NumberRoute read = JSON.treeToValue(old, NumberRoute.class);
    assertNull(read.judgment());
    assertEquals(0, read.judgmentVersion());
    assertEquals(2, read.flowVersion());
    assertTrue(read.absent());
    assertEquals(new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, true,
        CallFlow.defaultFor(FWD, 20), 2), read);
  }

  @Test
  void anAdvertiserScopedRouteSaysSoAndANumberRouteLeavesTheScopeOut() throws Exception {
    NumberRoute own = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0, RULES, 2);
    String ownJson = JSON.writeValueAsString(own);
    assertFalse(ownJson.contains("judgment_scope"), "routes of the number's own rules read as before: " + ownJson);
    assertEquals("n2", own.judgmentVersionId());
    assertEquals(NumberRoute.SCOPE_NUMBER, own.judgmentScopeOrNumber());

    NumberRoute none = new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0, null, 1);
    NumberRoute adv = none.withAdvertiserJudgment(RULES, 3);
    String json = JSON.writeValueAsString(adv);
    assertTrue(json.contains("\"judgment_scope\":\"advertiser\""), json);
    assertTrue(json.contains("\"judgment_version\":3"), json);
    NumberRoute back = JSON.readValue(json, NumberRoute.class);
    assertEquals(adv, back);
    assertEquals("a3", back.judgmentVersionId());
    assertEquals(RULES, back.judgment());

    ObjectNode bad = JSON.valueToTree(adv);
    bad.put("judgment_scope", "everyone");
    assertThrows(Exception.class, () -> JSON.treeToValue(bad, NumberRoute.class));
  }

  private static final String SECRET = "s3cret-for-hooks-only";
  private static final NotificationSettings NOTIFY = NotificationSettingsParser.parse("""
      {"email": {"to": ["shop@example.jp"], "trigger": "missed"},
       "webhook": {"url": "https://hooks.example.jp/calls", "secret": "s3cret-for-hooks-only", "trigger": "every"},
       "sms": {"to": ["09012345678"], "trigger": "missed"},
       "caller_sms": {"text": "{advertiser}のクーポン", "trigger": "every"}}
      """);

  private static NumberRoute notifying(NotificationSettings settings) {
    return new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", DIN, FWD, false, null, 0, null, 0, null,
        settings, 3, null, 0, null);
  }

  @Test
  void aRouteNeverCarriesTheWebhookSecretIntoTheCallsJournal() throws Exception {
    assertEquals(SECRET, NOTIFY.webhook().secret(), "the settings as stored on the number hold the secret");
    NumberRoute route = notifying(NOTIFY);
    // the route as a CallArrived event writes it
    String json = JSON.writeValueAsString(route);
    assertFalse(json.contains(SECRET), json);
    assertFalse(json.contains("\"secret\""), json);
    assertTrue(json.contains("\"secret_set\":true"), json);
    assertTrue(json.contains("\"url\":\"https://hooks.example.jp/calls\""), json);
    NumberRoute back = JSON.readValue(json, NumberRoute.class);
    assertEquals(route, back);
    assertNull(back.notifications().webhook().secret());
    assertTrue(back.notifications().webhook().secretSet());
    assertEquals(NotificationSettings.Trigger.EVERY, back.notifications().webhook().trigger());
    assertEquals(NOTIFY.email(), back.notifications().email());
  }

  @Test
  void aCallArrivedEventWrittenWithTheSecretStillReadsAndLosesIt() throws Exception {
    // the JSON of a route persisted by the previous version: the secret in clear, no secret_set
    String old = """
        {"operator_id":"op-1","client_id":"shop-1","client_name":"Shop","dialin_id":"d1","dialin_name":"Top",
         "din":%s,"forward_to":%s,"absent":false,"flow_version":0,"judgment_version":0,
         "notifications":{"webhook":{"url":"https://hooks.example.jp/calls","secret":"s3cret-for-hooks-only",
           "trigger":"every"}},"notifications_version":3,"recording_version":0}
        """.formatted(JSON.writeValueAsString(DIN), JSON.writeValueAsString(FWD));
    NumberRoute read = JSON.readValue(old, NumberRoute.class);
    assertNull(read.notifications().webhook().secret(), "dropped when read: snapshots and replies do not keep it");
    assertTrue(read.notifications().webhook().secretSet());
    assertEquals("https://hooks.example.jp/calls", read.notifications().webhook().url());
    assertEquals(3, read.notificationsVersion());
    assertFalse(JSON.writeValueAsString(read).contains(SECRET));
  }

  @Test
  void withoutSecretsKeepsEverythingElseAndLeavesTheOriginalAlone() {
    NotificationSettings stripped = NOTIFY.withoutSecrets();
    assertEquals(NOTIFY.email(), stripped.email());
    assertEquals(NOTIFY.sms(), stripped.sms());
    assertEquals(NOTIFY.callerSms(), stripped.callerSms(), "the caller SMS survives (it was dropped once)");
    assertEquals(NOTIFY.webhook().url(), stripped.webhook().url());
    assertTrue(stripped.webhook().secretSet());
    assertNull(stripped.webhook().secret());
    assertEquals(SECRET, NOTIFY.webhook().secret());
    assertEquals(stripped, stripped.withoutSecrets());
    assertFalse(stripped.toString().contains(SECRET));
    NotificationSettings mailOnly = new NotificationSettings(NOTIFY.email(), null, null);
    assertEquals(mailOnly, mailOnly.withoutSecrets());
  }
}
