package io.hankyo.api;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.util.Map;

/** Call-log records for tests. */
final class TestCalls {
  private TestCalls() {}

  /**
   * A normal, answered call: 0120-123-456 → 03-1234-5678 from 090-1111-2222, arrived 2026-11-29 17:21:55 JST,
   * answered 17:22:05, ended 17:25:57 (232 s talk).
   */
  static CallLogRecord answered(String operator, long seq) {
    Instant arrived = Instant.parse("2026-11-29T08:21:55Z");
    return new CallLogRecord(operator, seq, "0123456789abcdef01234567", PhoneNumbers.parse("0120-123-456"),
        "acme", "株式会社アクメ, 東京支店", "din-1", "Web \"広告\"", PhoneNumbers.parse("03-1234-5678"),
        InMemoryBackend.encrypt("+819011112222"), DeviceType.MOBILE, DeviceType.FIXED,
        arrived, arrived.plusSeconds(10), arrived.plusSeconds(242), 10, 232, 242,
        DialStatus.NORMAL, HangupParty.CALLER, Map.of("valid_res", "有効", "gclid", "abc123", "lp", "/campaign"),
        true, false, 39, "NORMAL_CLEARING", 0);
  }

  /** A withheld caller who gave up while ringing: 050-1234-5678 → 090-9999-8888, never answered. */
  static CallLogRecord withheldMissed(String operator, long seq, Instant arrived) {
    return new CallLogRecord(operator, seq, "fedcba9876543210fedcba98", PhoneNumbers.parse("050-1234-5678"),
        "beta", "ベータ商事", "din-2", null, PhoneNumbers.parse("090-9999-8888"),
        null, DeviceType.WITHHELD, DeviceType.MOBILE,
        arrived, null, arrived.plusSeconds(30), 25, 0, 30,
        DialStatus.INCOMPLETE, HangupParty.CALLEE, Map.of(), false, true, 0, "NO_ANSWER", 487);
  }

  /** A call whose caller key is shredded; busy destination, system hang-up. */
  static CallLogRecord shredded(String operator, long seq, Instant arrived) {
    return new CallLogRecord(operator, seq, "aaaaaaaaaaaaaaaaaaaaaaaa", PhoneNumbers.parse("0120-999-888"),
        "acme", "株式会社アクメ, 東京支店", "din-3", "tab\there", PhoneNumbers.parse("06-6123-4567"),
        new EncryptedValue(InMemoryBackend.SHREDDED_KEY, "AAAA"), DeviceType.FIXED, DeviceType.FIXED,
        arrived, null, arrived.plusSeconds(5), 5, 0, 5,
        DialStatus.BUSY, HangupParty.SYSTEM, Map.of("valid_res", "無効(未満)"), false, false, 0, "BUSY", 486);
  }
}
