package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MediaSettingsTest {
  @Test
  void defaultsFromReferenceConf() {
    MediaSettings s = MediaSettings.defaults();
    assertEquals("127.0.0.1", s.address(), "empty address = hankyo.sip.host");
    assertEquals(20000, s.rtpPortMin());
    assertEquals(29999, s.rtpPortMax());
    assertEquals(8L << 20, s.promptMaxBytes());
    assertEquals(Duration.ofMinutes(5), s.promptMaxDuration());
    assertEquals(1, s.pacerThreads());
    assertEquals(65536, s.receiveBufferSize());
  }

  @Test
  void overridesAndHostFallback() {
    MediaSettings s = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip { host = \"10.1.2.3\", media { rtp-port-min = 16000, rtp-port-max = 16099,"
            + " prompt-max-bytes = 1MiB, prompt-max-duration = 30s, pacer-threads = 2 } }"));
    assertEquals("10.1.2.3", s.address());
    assertEquals(16000, s.rtpPortMin());
    assertEquals(1L << 20, s.promptMaxBytes());
    assertEquals(Duration.ofSeconds(30), s.promptMaxDuration());
    assertEquals(2, s.pacerThreads());
    MediaSettings own = MediaSettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip { host = \"10.1.2.3\", media.address = \"10.9.9.9\" }"));
    assertEquals("10.9.9.9", own.address());
  }

  @Test
  void rtpTimeoutDefaultsTo60sAndZeroTurnsItOff() {
    assertEquals(Duration.ofSeconds(60), MediaSettings.defaults().rtpTimeout());
    assertTrue(MediaSettings.defaults().rtpTimeoutEnabled());
    MediaSettings off = MediaSettings.fromConfig(ConfigFactory.parseString("hankyo.sip.media.rtp-timeout = 0"));
    assertFalse(off.rtpTimeoutEnabled());
    assertEquals(Duration.ofMillis(1500), MediaSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media.rtp-timeout = 1500ms")).rtpTimeout());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MediaSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media.rtp-timeout = -1s")));
    assertTrue(e.getMessage().contains("rtp-timeout"), e.getMessage());
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MediaSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media { rtp-port-min = 30000, rtp-port-max = 20000 }")));
    assertTrue(e.getMessage().contains("rtp-port-min/max"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> MediaSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media.pacer-threads = 0")));
    assertThrows(IllegalArgumentException.class, () -> MediaSettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.media.prompt-max-duration = 0s")));
  }
}
