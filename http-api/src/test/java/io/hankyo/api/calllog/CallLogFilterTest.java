package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallLogFilterTest {
  private static CallLogRecord call(String din, String fwd, String client, HangupParty hup, DialStatus stat) {
    Instant t = Instant.parse("2026-11-29T08:00:00Z");
    return new CallLogRecord("op", 1, "0123456789abcdef01234567", PhoneNumbers.parse(din), client, "n", "d", null,
        fwd == null ? null : PhoneNumbers.parse(fwd), null, DeviceType.WITHHELD, null, t, null, t, 0, 0, 0, stat, hup,
        Map.of(), false, false, 0, "X", 0);
  }

  private static final CallLogRecord A =
      call("0120-123-456", "03-1234-5678", "acme", HangupParty.CALLER, DialStatus.NORMAL);
  private static final CallLogRecord B =
      call("050-1234-5678", null, "beta", HangupParty.SYSTEM, DialStatus.LINE_UNAVAILABLE);

  @Test
  void emptyValuesDoNotFilter() {
    CallLogFilter f = CallLogFilter.of("", " ", null, "", null);
    assertEquals(CallLogFilter.NONE, f);
    assertTrue(f.test(A));
    assertTrue(f.test(B));
  }

  @Test
  void numberPrefixIgnoresHyphensAndMatchesNationalDigits() {
    assertTrue(CallLogFilter.of("0120-12", null, null, null, null).test(A));
    assertTrue(CallLogFilter.of("0120123456", null, null, null, null).test(A));
    assertFalse(CallLogFilter.of("0120-124", null, null, null, null).test(A));
    assertFalse(CallLogFilter.of("0120", null, null, null, null).test(B));
    assertTrue(CallLogFilter.of("+81120", null, null, null, null).test(A));
    assertTrue(CallLogFilter.of(null, "03-1234", null, null, null).test(A));
    assertFalse(CallLogFilter.of(null, "03", null, null, null).test(B), "never forwarded: no fwd_id to match");
  }

  @Test
  void clientIdIsExact() {
    assertTrue(CallLogFilter.of(null, null, "acme", null, null).test(A));
    assertFalse(CallLogFilter.of(null, null, "acm", null, null).test(A));
  }

  @Test
  void hangupPartyAndStatusByLabelOrCode() {
    assertTrue(CallLogFilter.of(null, null, null, "発信者", null).test(A));
    assertTrue(CallLogFilter.of(null, null, null, "caller", null).test(A));
    assertFalse(CallLogFilter.of(null, null, null, "SYSTEM", null).test(A));
    assertTrue(CallLogFilter.of(null, null, null, null, "回線不可").test(B));
    assertTrue(CallLogFilter.of(null, null, null, null, "line_unavailable").test(B));
    assertFalse(CallLogFilter.of(null, null, null, null, "正常通話").test(B));
  }

  @Test
  void badValuesNameTheParameter() {
    assertTrue(assertThrows(ApiProblem.class, () -> CallLogFilter.of("0120-abc", null, null, null, null))
        .detail().startsWith("din_id: '0120-abc' is not a number prefix"));
    assertTrue(assertThrows(ApiProblem.class, () -> CallLogFilter.of(null, "x", null, null, null))
        .detail().startsWith("fwd_id:"));
    assertTrue(assertThrows(ApiProblem.class, () -> CallLogFilter.of(null, null, "a b", null, null))
        .detail().startsWith("client_id:"));
    ApiProblem hup = assertThrows(ApiProblem.class, () -> CallLogFilter.of(null, null, null, "nobody", null));
    assertTrue(hup.detail().startsWith("hup_usr: 'nobody'"), hup.detail());
    assertTrue(hup.detail().contains("発信者 (CALLER)"), hup.detail());
    ApiProblem stat = assertThrows(ApiProblem.class, () -> CallLogFilter.of(null, null, null, null, "ok"));
    assertTrue(stat.detail().startsWith("dial_stat: 'ok'"), stat.detail());
    assertTrue(stat.detail().contains("話中 (BUSY)"), stat.detail());
    assertEquals(400, stat.status());
  }
}
