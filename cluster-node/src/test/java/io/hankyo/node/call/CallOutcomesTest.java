package io.hankyo.node.call;

import io.hankyo.protocol.privacy.EncryptedValue;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.call.CallArrival;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallOutcomesTest {
  private static final Instant T0 = Instant.parse("2026-11-29T00:00:00Z");
  private final CallOutcomes outcomes = new CallOutcomes(CallCharges.defaults());

  private CallLogRecord record(Long answeredAfterMs, long endedAfterMs, HangupParty by, EndCause cause) {
    return outcomes.record(new CallOutcomes.Facts(
        7, CallFixtures.arrival("0123456789abcdef01234567", T0), CallFixtures.route(),
        CallFixtures.route().forwardTo(), T0.plusMillis(40),
        answeredAfterMs == null ? null : T0.plusMillis(answeredAfterMs), T0.plusMillis(endedAfterMs), by, cause, 0));
  }

  @Test
  void answeredCallCountsTalkAndCallingSeconds() {
    CallLogRecord r = record(3_040L, 65_540, HangupParty.CALLER, EndCause.NORMAL_CLEARING);
    assertEquals(DialStatus.NORMAL, r.dialStatus());
    assertEquals(HangupParty.CALLER, r.hangupParty());
    assertEquals(3, r.callingSec());
    assertEquals(63, r.talkingSec()); // 62.5 s rounds half up
    assertEquals(66, r.connSec());
    assertEquals(T0.plusMillis(3_040), r.answeredAt());
    assertEquals(7, r.seqNum());
    assertEquals(DeviceType.MOBILE, r.callerType());
    assertEquals(DeviceType.FIXED, r.forwardType());
    // free call, mobile caller -> fixed destination: 24 yen per started minute, 63 s = 2 minutes
    assertEquals(48, r.callCharge());
  }

  @Test
  void theAttributionReachesTheLogWithTheDialledNumberAndNeverOverwritesTheCallsOwnKeys() {
    var dialled = PhoneNumbers.parse("0120-000-001");
    var route = CallFixtures.route().attributed(dialled, java.util.Map.of("attribution", "pool", "pool_id", "pool-1",
        "session_id", "s-1", "gclid", "g-1", "flow_path", "from-a-param"));
    CallLogRecord r = outcomes.record(new CallOutcomes.Facts(7, CallFixtures.arrival("0123456789abcdef01234569", T0),
        route, route.forwardTo(), T0.plusMillis(40), T0.plusMillis(1_000), T0.plusMillis(5_000), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, java.util.Map.of("flow_path", "forward")));
    assertEquals(dialled, r.din());
    assertEquals("pool", r.logvars().get("attribution"));
    assertEquals("pool-1", r.logvars().get("pool_id"));
    assertEquals("s-1", r.logvars().get("session_id"));
    assertEquals("g-1", r.logvars().get("gclid"));
    assertEquals("forward", r.logvars().get("flow_path"), "the call's own key wins");
  }

  @Test
  void unansweredCallsHaveNoTalkAndNoCharge() {
    CallLogRecord r = record(null, 30_040, HangupParty.SYSTEM, EndCause.NO_ANSWER);
    assertEquals(DialStatus.INCOMPLETE, r.dialStatus());
    assertEquals(HangupParty.SYSTEM, r.hangupParty());
    assertEquals(30, r.callingSec());
    assertEquals(0, r.talkingSec());
    assertNull(r.answeredAt());
    assertEquals(0, r.callCharge());
  }

  @ParameterizedTest
  @CsvSource({
    "CALLER_CANCELLED, CALLER, INCOMPLETE, CALLER",
    "NO_ANSWER, SYSTEM, INCOMPLETE, SYSTEM",
    "BUSY, CALLEE, BUSY, CALLEE",
    "BUSY, SYSTEM, BUSY, CALLEE",
    "DECLINED, CALLEE, LINE_UNAVAILABLE, CALLEE",
    "UNREACHABLE, SYSTEM, LINE_UNAVAILABLE, SYSTEM",
    "ANSWER_CANCEL_RACE, CALLER, INCOMPLETE, CALLER",
    "GATEWAY_FAILURE, SYSTEM, STATUS_ERROR, SYSTEM",
    "CLUSTER_FAILURE, SYSTEM, STATUS_ERROR, SYSTEM",
    "NORMAL_CLEARING, CALLER, INCOMPLETE, CALLER",
    "NORMAL_CLEARING, SYSTEM, INCOMPLETE, SYSTEM",
    "FLOW_ENDED, SYSTEM, INCOMPLETE, SYSTEM",
    "FLOW_ERROR, SYSTEM, STATUS_ERROR, SYSTEM",
    "MEDIA_TIMEOUT, CALLER, INCOMPLETE, CALLER",
    "SESSION_TIMER_EXPIRED, CALLER, INCOMPLETE, CALLER"
  })
  // NORMAL_CLEARING unanswered: a BYE before any destination answered, e.g. the caller leaving during guidance;
  // MEDIA_TIMEOUT unanswered: the caller's RTP stopped during guidance (a vanished phone), reported as the caller
  void unansweredStatusRules(EndCause cause, HangupParty by, DialStatus status, HangupParty hup) {
    CallLogRecord r = record(null, 5_000, by, cause);
    assertEquals(status, r.dialStatus());
    assertEquals(hup, r.hangupParty());
  }

  @Test
  void answeredStatusFollowsWhoHungUp() {
    assertEquals(HangupParty.CALLEE, record(1000L, 5000, HangupParty.CALLEE, EndCause.NORMAL_CLEARING).hangupParty());
    assertEquals(DialStatus.NORMAL, record(1000L, 5000, HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE).dialStatus());
  }

  @Test
  void aCallerIdThatIsNotANumberIsLoggedAsReceivedWithTypeUnknown() {
    EncryptedValue raw = CallFixtures.CIPHER.encrypt("front-desk");
    CallArrival arrival = new CallArrival("0123456789abcdef01234568", "sip-call-3@127.0.0.1", "node-1",
        PhoneNumbers.parse("0120123456"), new CallerInfo(null, null, null, null, DeviceType.UNKNOWN, raw), T0);
    CallLogRecord r = outcomes.record(new CallOutcomes.Facts(
        1, arrival, CallFixtures.route(), CallFixtures.route().forwardTo(), T0, T0.plusSeconds(1), T0.plusSeconds(2),
        HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0));
    assertEquals("front-desk", CallFixtures.CIPHER.decrypt(r.caller()));
    assertEquals(DeviceType.UNKNOWN, r.callerType());
  }

  @Test
  void withheldCallersHaveNoNumberInTheLog() {
    CallLogRecord r = outcomes.record(new CallOutcomes.Facts(
        1, CallFixtures.withheldArrival("0123456789abcdef01234567", T0), CallFixtures.route(),
        CallFixtures.route().forwardTo(), T0, T0.plusSeconds(1), T0.plusSeconds(2), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0));
    assertNull(r.caller());
    assertEquals(DeviceType.WITHHELD, r.callerType());
  }

  @Test
  void secondsRoundHalfUpAndNeverGoNegative() {
    assertEquals(0, CallOutcomes.seconds(T0, T0.minusSeconds(1)));
    assertEquals(0, CallOutcomes.seconds(T0, T0.plusMillis(499)));
    assertEquals(1, CallOutcomes.seconds(T0, T0.plusMillis(500)));
  }

  @Test
  void theRecordSaysWhichNotificationChannelsFire() {
    io.hankyo.protocol.notify.NotificationSettings missedEmailEveryHook =
        io.hankyo.protocol.notify.NotificationSettingsParser.parse("""
            {"email": {"to": ["a@example.jp"], "trigger": "missed"},
             "webhook": {"url": "https://example.jp/h", "secret": "0123456789abcdef", "trigger": "valid"}}""");
    io.hankyo.protocol.call.NumberRoute base = CallFixtures.route();
    io.hankyo.protocol.call.NumberRoute route = new io.hankyo.protocol.call.NumberRoute(base.operatorId(),
        base.clientId(), base.clientName(), base.dialinId(), base.dialinName(), base.din(), base.forwardTo(), false,
        null, 0, null, 0, null, missedEmailEveryHook, 1, null, 0, null);
    CallLogRecord busy = outcomes.record(new CallOutcomes.Facts(7, CallFixtures.arrival("0123456789abcdef01234567",
        T0), route, route.forwardTo(), T0, null, T0.plusSeconds(2), HangupParty.CALLEE, EndCause.BUSY, 486));
    assertEquals(true, busy.nfyEmail());
    assertEquals(false, busy.nfyHttp());
    CallLogRecord talked = outcomes.record(new CallOutcomes.Facts(7, CallFixtures.arrival("0123456789abcdef01234567",
        T0), route, route.forwardTo(), T0, null, T0.plusSeconds(1), T0.plusSeconds(60), HangupParty.CALLER,
        EndCause.NORMAL_CLEARING, 0, java.util.Map.of("valid_code", "valid")));
    assertEquals(false, talked.nfyEmail());
    assertEquals(true, talked.nfyHttp());
    CallLogRecord none = record(null, 30_040, HangupParty.SYSTEM, EndCause.NO_ANSWER);
    assertEquals(false, none.nfyEmail(), "a number without settings notifies nobody");
  }
}
