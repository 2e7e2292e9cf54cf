package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SipInfoDtmfTest {

  @Test
  void readsDtmfRelay() {
    DtmfDigit d = SipInfoDtmf.parse("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n").orElseThrow();
    assertEquals(new DtmfDigit('5', DtmfDigit.Source.SIP_INFO, -1, 160), d);
    assertEquals('#', SipInfoDtmf.parse("Application/DTMF-Relay; charset=x", "signal = #\nduration= 250")
        .orElseThrow().digit());
    assertEquals('*', SipInfoDtmf.parse("application/dtmf-relay", "Signal=10").orElseThrow().digit());
    assertEquals(-1, SipInfoDtmf.parse("application/dtmf-relay", "Signal=1").orElseThrow().durationMillis());
  }

  @Test
  void readsDtmf() {
    assertEquals('5', SipInfoDtmf.parse("application/dtmf", "5").orElseThrow().digit());
    assertEquals('A', SipInfoDtmf.parse("application/dtmf", " a\r\n").orElseThrow().digit());
  }

  @Test
  void otherTypesAreNotOurs() {
    assertTrue(SipInfoDtmf.parse("application/sdp", "v=0").isEmpty());
    assertTrue(SipInfoDtmf.handles("application/dtmf-relay;x=y"));
    assertTrue(!SipInfoDtmf.handles("text/plain"));
  }

  @Test
  void badBodiesAreRejectedWithAReason() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SipInfoDtmf.parse("application/dtmf-relay", "Duration=160")).getMessage().contains("no Signal"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SipInfoDtmf.parse("application/dtmf-relay", "Signal=X")).getMessage().contains("'X'"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> SipInfoDtmf.parse("application/dtmf-relay", "Signal=1\nDuration=abc")).getMessage()
        .contains("Duration"));
    assertThrows(IllegalArgumentException.class, () -> SipInfoDtmf.parse("application/dtmf", "55"));
    assertThrows(IllegalArgumentException.class, () -> SipInfoDtmf.parse("application/dtmf", ""));
  }
}
