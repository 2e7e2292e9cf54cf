package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SipGatewaySettingsTest {

  @Test
  void defaultsComeFromReferenceConf() {
    SipGatewaySettings s = SipGatewaySettings.defaults();
    assertEquals("127.0.0.1", s.host());
    assertEquals(5060, s.udpPort());
    assertEquals(5060, s.tcpPort());
    assertEquals(List.of("udp", "tcp"), s.transports());
    assertEquals("sip:{number}@127.0.0.1:5080", s.outboundRoute());
    assertEquals("udp", s.outboundTransport());
    assertEquals("", s.systemCallerNumber());
    assertEquals(Duration.ofSeconds(3), s.decisionTimeout());
    assertEquals(Duration.ofHours(4), s.maxCallDuration());
    assertEquals(Duration.ofSeconds(30), s.drainTimeout());
    assertEquals(4, s.threadPoolSize());
    assertEquals(8192, s.maxMessageSize());
    assertEquals(1024 * 1024, s.udpBufferSize());
    assertEquals(new SipGatewaySettings.SessionTimer(true, 1800, 90), s.sessionTimer());
  }

  @Test
  void sessionTimerOverridesAndLimits() {
    SipGatewaySettings off = SipGatewaySettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip.session-timer { enabled = off, session-expires = 10m, min-se = 2m }"));
    assertEquals(new SipGatewaySettings.SessionTimer(false, 600, 120), off.sessionTimer());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.session-timer { session-expires = 60s }")));
    assertTrue(e.getMessage().contains("session-expires"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.session-timer { min-se = 500ms, session-expires = 4s }")));
    assertTrue(e.getMessage().contains("min-se"), e.getMessage());
    // RFC 4028 section 10 arithmetic: refresh at half; the watcher waits interval - min(32 s, interval / 3)
    assertEquals(900_000, SessionTimers.refreshMillis(1800));
    assertEquals(1_768_000, SessionTimers.expiryMillis(1800));
    assertEquals(60_000, SessionTimers.expiryMillis(90));
    assertEquals(2_667, SessionTimers.expiryMillis(4));
  }

  @Test
  void readsOverridesAndBuildsTheForwardUri() {
    SipGatewaySettings s = SipGatewaySettings.fromConfig(ConfigFactory.parseString(
        "hankyo.sip { host = \"10.0.0.5\", udp-port = 5070, transports = [UDP], "
            + "outbound-route = \"sip:{e164}@gw.example.net\", outbound-transport = tcp, "
            + "system-caller-number = \"03-1234-5678\", udp-buffer-size = 2MiB }"));
    assertEquals(List.of("udp"), s.transports());
    assertEquals(2 * 1024 * 1024, s.udpBufferSize());
    assertEquals("+81312345678", s.systemCaller().orElseThrow().e164());
    assertEquals("sip:+81312345678@gw.example.net;transport=tcp",
        s.outboundUriFor(PhoneNumbers.parse("0312345678")));
    SipGatewaySettings national = s.withOutboundRoute("sip:{number}@127.0.0.1:5080;transport=tcp");
    assertEquals("sip:0312345678@127.0.0.1:5080;transport=tcp",
        national.outboundUriFor(PhoneNumbers.parse("03-1234-5678")));
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.transports = [sctp]")));
    assertTrue(e.getMessage().contains("transports"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.outbound-route = \"sip:fixed@host\"")));
    assertTrue(e.getMessage().contains("outbound-route"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.udp-port = 70000")));
    assertTrue(e.getMessage().contains("udp-port"), e.getMessage());
    assertThrows(InvalidPhoneNumberException.class, () -> SipGatewaySettings.fromConfig(
        ConfigFactory.parseString("hankyo.sip.system-caller-number = \"0120-12\"")));
  }
}
