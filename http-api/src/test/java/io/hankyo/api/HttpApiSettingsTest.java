package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class HttpApiSettingsTest {
  @Test
  void referenceConfHoldsTheDefaults() {
    assertEquals(HttpApiSettings.defaults(), HttpApiSettings.fromConfig(ConfigFactory.load()));
    assertEquals(new HttpApiSettings(65536, Duration.ofDays(31), ZoneId.of("Asia/Tokyo")),
        HttpApiSettings.defaults());
  }

  @Test
  void missingKeysTakeTheDefaults() {
    assertEquals(HttpApiSettings.defaults(), HttpApiSettings.fromConfig(ConfigFactory.empty()));
  }

  @Test
  void readsTheKeys() {
    HttpApiSettings s = HttpApiSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.http { max-body-bytes = 1 MiB, max-call-log-range = 7 days, zone = UTC }"));
    assertEquals(new HttpApiSettings(1024 * 1024, Duration.ofDays(7), ZoneId.of("UTC")), s);
  }

  @Test
  void promptLimitIsTheMediaPlanesAndIndependentOfTheJsonLimit() {
    assertEquals(8L * 1024 * 1024, HttpApiSettings.defaults().maxPromptBytes());
    HttpApiSettings s = HttpApiSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.media.prompt-max-bytes = 2 MiB\nhankyo.http.max-body-bytes = 1 KiB"));
    assertEquals(2L * 1024 * 1024, s.maxPromptBytes());
    assertEquals(1024, s.maxBodyBytes());
    assertThrows(ConfigException.class, () -> HttpApiSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media.prompt-max-bytes = 0")));
  }

  @Test
  void refusesBadValues() {
    assertThrows(ConfigException.class, () -> HttpApiSettings.fromConfig(
        ConfigFactory.parseString("hankyo.http.zone = \"Mars/Olympus\"")));
    assertThrows(ConfigException.class, () -> HttpApiSettings.fromConfig(
        ConfigFactory.parseString("hankyo.http.max-body-bytes = 0")));
    assertThrows(ConfigException.class, () -> HttpApiSettings.fromConfig(
        ConfigFactory.parseString("hankyo.http.max-call-log-range = lots")));
  }
}
