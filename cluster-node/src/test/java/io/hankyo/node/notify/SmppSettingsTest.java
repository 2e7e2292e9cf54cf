package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;
import org.junit.jupiter.api.Test;

class SmppSettingsTest {
  private static Config conf(String smpp) {
    return ConfigFactory.parseString("hankyo.notify.smpp {" + smpp + "}");
  }

  @Test
  void withoutAHostSmsIsDisabled() {
    SmppSettings d = SmppSettings.fromConfig(ConfigFactory.empty());
    assertFalse(d.enabled());
    assertEquals(SmppSettings.disabled(), d);
    assertEquals(2775, d.port());
    assertEquals(TypeOfNumber.INTERNATIONAL, d.sourceTon());
    assertEquals(NumberingPlanIndicator.ISDN, d.sourceNpi());
    assertEquals(3, d.maxParts());
    assertFalse(SmppSettings.fromConfig(conf("host = \"  \"")).enabled());
  }

  @Test
  void theShippedApplicationConfHasSmsDisabledWithTheSameDefaults() {
    Config app = ConfigFactory.parseResources("application.conf").resolve();
    assertEquals(SmppSettings.disabled(), SmppSettings.fromConfig(app));
  }

  @Test
  void readsEveryKey() {
    SmppSettings s = SmppSettings.fromConfig(conf("""
        host = "smsc.example.jp", port = 3775, system-id = "hankyo", password = "pw123456", system-type = "CT",
        source-address = "Hankyo", source-ton = alphanumeric, source-npi = unknown, bind-timeout = 5s,
        enquire-link-interval = 1m, response-timeout = 2500ms, max-parts = 5"""));
    assertTrue(s.enabled());
    assertEquals("smsc.example.jp", s.host());
    assertEquals(3775, s.port());
    assertEquals("hankyo", s.systemId());
    assertEquals("pw123456", s.password());
    assertEquals("CT", s.systemType());
    assertEquals("Hankyo", s.sourceAddress());
    assertEquals(TypeOfNumber.ALPHANUMERIC, s.sourceTon());
    assertEquals(NumberingPlanIndicator.UNKNOWN, s.sourceNpi());
    assertEquals(Duration.ofSeconds(5), s.bindTimeout());
    assertEquals(Duration.ofMinutes(1), s.enquireLinkInterval());
    assertEquals(Duration.ofMillis(2500), s.responseTimeout());
    assertEquals(5, s.maxParts());
    assertFalse(s.toString().contains("pw123456"), "the password is masked");
  }

  @Test
  void environmentOverridesOfTheShippedConfigApply() {
    Config env = ConfigFactory.parseString("HANKYO_SMPP_HOST = smsc.example.jp, HANKYO_SMPP_PORT = 2776, "
        + "HANKYO_SMPP_SYSTEM_ID = sys, HANKYO_SMPP_PASSWORD = pw, HANKYO_SMPP_SOURCE_ADDRESS = \"81312345678\", "
        + "HANKYO_SMPP_SOURCE_TON = 1, HANKYO_SMPP_SOURCE_NPI = 1, HANKYO_SMPP_MAX_PARTS = 4");
    Config app = ConfigFactory.parseResources("application.conf").withFallback(env).resolve();
    SmppSettings s = SmppSettings.fromConfig(app);
    assertEquals("smsc.example.jp", s.host());
    assertEquals(2776, s.port());
    assertEquals("sys", s.systemId());
    assertEquals("81312345678", s.sourceAddress());
    assertEquals(TypeOfNumber.INTERNATIONAL, s.sourceTon());
    assertEquals(NumberingPlanIndicator.ISDN, s.sourceNpi());
    assertEquals(4, s.maxParts());
  }

  @Test
  void tonAndNpiNamesAndNumbers() {
    assertEquals(TypeOfNumber.NETWORK_SPECIFIC, SmppSettings.parseTon("network-specific"));
    assertEquals(TypeOfNumber.SUBSCRIBER_NUMBER, SmppSettings.parseTon("subscriber"));
    assertEquals(TypeOfNumber.ALPHANUMERIC, SmppSettings.parseTon("5"));
    assertEquals(NumberingPlanIndicator.LAND_MOBILE, SmppSettings.parseNpi("Land_Mobile"));
    assertEquals(NumberingPlanIndicator.INTERNET, SmppSettings.parseNpi("14"));
  }

  @Test
  void badValuesNameTheKey() {
    assertBad("host = x, system-id = s, port = 0", "hankyo.notify.smpp.port must be 1..65535");
    assertBad("host = x, system-id = s, port = many", "port");
    assertBad("host = x", "system-id must not be empty when host is set");
    assertBad("host = x, system-id = \"sixteen-chars-id\"", "system-id must be at most 15 characters");
    assertBad("host = x, system-id = s, password = \"ninechars\"", "password must be at most 8 characters");
    assertBad("host = x, system-id = s, system-type = \"thirteen-char\"", "system-type must be at most 12");
    assertBad("host = x, system-id = s, source-address = \"123456789012345678901\"", "source-address must be at most 20");
    assertBad("host = x, system-id = \"日本\"", "system-id must be printable ASCII");
    assertBad("source-ton = sideways", "source-ton must be unknown, international");
    assertBad("source-npi = 2", "source-npi must be unknown, isdn");
    assertBad("bind-timeout = 0s", "bind-timeout must be 1ms..24d");
    assertBad("response-timeout = soon", "response-timeout");
    assertBad("enquire-link-interval = -1s", "enquire-link-interval must be 1ms..24d");
    assertBad("max-parts = 0", "max-parts must be 1..255");
    assertBad("max-parts = 256", "max-parts must be 1..255");
  }

  private static void assertBad(String smpp, String expected) {
    ConfigException.BadValue e =
        assertThrows(ConfigException.BadValue.class, () -> SmppSettings.fromConfig(conf(smpp)));
    assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should contain '" + expected + "'");
  }
}
