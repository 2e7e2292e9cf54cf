package io.hankyo.node.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.call.CallCharges;
import io.hankyo.node.call.CallOutcomes;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Route and call-log row of a call to a leased callback number (issue 4, callback tracking). */
class CallbackRoutesTest {
  private static final CallerNumberCipher CIPHER = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
  private static final PhoneNumber CALLBACK = PhoneNumbers.parse("050-1111-2222");
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

  private static String key() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static CallbackLease lease(String callerPlain, CallerNumberCipher cipher) {
    return new CallbackLease(CALLBACK, "op-1", "0123456789abcdef01234567", "shop-1", "top",
        cipher.encrypt(callerPlain), T0, T0.plusSeconds(3600));
  }

  @Test
  void aLeasedNumberForwardsPlainlyToTheDecryptedCallerForTheOwningAdvertiser() {
    NumberRoute r = CallbackRoutes.routeOf(lease("+819011112222", CIPHER), CALLBACK, CIPHER).orElseThrow();
    assertEquals("+819011112222", r.forwardTo().e164());
    assertEquals("op-1", r.operatorId());
    assertEquals("shop-1", r.clientId());
    assertEquals("top", r.dialinId());
    assertEquals(CALLBACK, r.din());
    assertNull(r.flow(), "no call flow: a plain forward");
    assertNull(r.judgment(), "no judgment");
    assertFalse(r.absent());
    assertEquals("0123456789abcdef01234567", r.callbackOf());
  }

  @Test
  void anUndecryptableOrNonNumberCallerRoutesNowhere() {
    CallerNumberCipher other = new CallerNumberCipher(Map.of("k2", key()), "k2", key());
    assertEquals(Optional.empty(), CallbackRoutes.routeOf(lease("+819011112222", other), CALLBACK, CIPHER));
    assertEquals(Optional.empty(), CallbackRoutes.routeOf(lease("anonymous-user", CIPHER), CALLBACK, CIPHER));
  }

  @Test
  void theCallLogRowOfACallbackCarriesCallbackOf() {
    NumberRoute r = CallbackRoutes.routeOf(lease("+819011112222", CIPHER), CALLBACK, CIPHER).orElseThrow();
    String caller = "+81311117777";
    CallArrival arrival = new CallArrival("ffffffffffffffffffffffff", "sip-1@127.0.0.1", "node-1", CALLBACK,
        new CallerInfo(CIPHER.encrypt(caller), CIPHER.keyedHash(caller), null, null, DeviceType.FIXED), T0);
    CallLogRecord rec = new CallOutcomes(CallCharges.defaults()).record(new CallOutcomes.Facts(1, arrival, r,
        r.forwardTo(), T0, T0.plusSeconds(2), T0.plusSeconds(10), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 200,
        Map.of("x", "y")));
    assertEquals("0123456789abcdef01234567", rec.logvars().get("callback_of"));
    assertEquals("y", rec.logvars().get("x"));
    assertEquals("shop-1", rec.clientId());
    assertTrue(new CallOutcomes(CallCharges.defaults()).record(new CallOutcomes.Facts(1, arrival,
        new NumberRoute("op-1", "shop-1", "", "top", "", CALLBACK, r.forwardTo()), r.forwardTo(), T0,
        T0.plusSeconds(2), T0.plusSeconds(10), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 200)).logvars().isEmpty());
  }
}
