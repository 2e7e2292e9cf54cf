package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.sip.testing.RawSip;

/** Assertions on the forward-leg INVITE as the destination received it. */
final class ForwardLegChecks {
  private ForwardLegChecks() {}

  /** A withheld caller: anonymous From, Privacy: id, no P-Asserted-Identity, the number nowhere in the message. */
  static void assertWithheldForwardInvite(String invite) {
    String from = RawSip.header(invite, "From");
    assertTrue(RawSip.uri(from).equalsIgnoreCase("sip:anonymous@anonymous.invalid"), "From: " + from);
    assertEquals("id", RawSip.header(invite, "Privacy"), invite);
    assertNull(RawSip.header(invite, "P-Asserted-Identity"), invite);
    assertFalse(invite.contains("9011112222"), "the withheld number leaked:\n" + invite);
  }
}
