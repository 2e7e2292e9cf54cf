package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class CallLogRowRendererTest {
  private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");
  private static final Function<EncryptedValue, Optional<String>> DECRYPT = v -> {
    switch (v.keyId()) {
      case "k1":
        return Optional.of(v.data());
      case "gone":
        return Optional.empty();
      case "odd":
        return Optional.of("+999123");
      default:
        throw new IllegalStateException("cipher failure");
    }
  };

  private final CallLogRowRenderer renderer = new CallLogRowRenderer(TOKYO, DECRYPT);

  private static CallLogRecord record(EncryptedValue caller, Instant answered, Map<String, String> logvars) {
    Instant arrived = Instant.parse("2026-11-29T08:21:55.789Z");
    return new CallLogRecord("op", 42, "0123456789abcdef01234567", PhoneNumbers.parse("0120123456"),
        "acme", "アクメ", "din-1", "LP", PhoneNumbers.parse("+81312345678"), caller,
        caller == null ? DeviceType.WITHHELD : DeviceType.MOBILE, DeviceType.FIXED,
        arrived, answered, arrived.plusSeconds(242), 10, 232, 242, DialStatus.NORMAL, HangupParty.CALLEE,
        logvars, true, false, 39, "NORMAL_CLEARING", 0);
  }

  @Test
  void jsonRowHasTheSpecKeysInOrderThenOtherLogvarsSorted() {
    Map<String, Object> row = renderer.jsonRow(record(new EncryptedValue("k1", "+819011112222"),
        Instant.parse("2026-11-29T08:22:05Z"), Map.of("valid_res", "有効", "utm_source", "google", "gclid", "x")));
    List<String> expected = new ArrayList<>(CallLogColumns.NAMES);
    expected.add("logvars.gclid");
    expected.add("logvars.utm_source");
    assertEquals(expected, new ArrayList<>(row.keySet()));
    assertEquals(42L, row.get("seq_num"));
    assertEquals("0120-123-456", row.get("din_id"));
    assertEquals("03-1234-5678", row.get("fwd_id"));
    assertEquals("090-1111-2222", row.get("clr_id_cipher"));
    assertEquals("2026-11-29T17:21:55+09:00", row.get("din_tms"));
    assertEquals("2026-11-29T17:22:05+09:00", row.get("tst_tms"));
    assertEquals("2026-11-29T17:25:57+09:00", row.get("eoc_tms"));
    assertEquals(232, row.get("talking_sec"));
    assertEquals("正常通話", row.get("dial_stat"));
    assertEquals("携帯・PHS", row.get("clr_type"));
    assertEquals("固定電話", row.get("fwd_type"));
    assertEquals("着信者", row.get("hup_usr"));
    assertEquals("有効", row.get("logvars.valid_res"));
    assertEquals(true, row.get("nfy_email"));
    assertEquals(false, row.get("nfy_http"));
    assertEquals(39L, row.get("call_charge"));
    assertEquals("google", row.get("logvars.utm_source"));
  }

  @Test
  void requestedLogvarsBecomeCellsAfterTheSpecColumnsEmptyWhenAbsent() {
    CallLogRecord r = record(null, null, Map.of("gclid", "g-1", "attribution", "pool", "valid_res", "有効"));
    List<String> plain = renderer.cells(r);
    List<String> cells = renderer.cells(r, List.of("attribution", "utm_source", "gclid"));
    assertEquals(plain, cells.subList(0, CallLogColumns.NAMES.size()));
    assertEquals(List.of("pool", "", "g-1"), cells.subList(CallLogColumns.NAMES.size(), cells.size()));
    assertEquals(String.join(",", CallLogColumns.NAMES) + ",logvars.attribution,logvars.gclid\r\n",
        DelimitedWriter.csv().header(List.of("attribution", "gclid")));
  }

  @Test
  void cellsUseTheScreenTimeFormatInJapanTimeAndEmptyForAbsentValues() {
    List<String> cells = renderer.cells(record(null, null, Map.of()));
    assertEquals(CallLogColumns.NAMES.size(), cells.size());
    assertEquals(List.of("42", "0123456789abcdef01234567", "0120-123-456", "acme", "アクメ", "din-1", "LP",
        "03-1234-5678", "", "2026/11/29 17:21:55", "", "2026/11/29 17:25:57", "10", "232", "242", "正常通話",
        "非通知番号", "固定電話", "着信者", "", "true", "false", "39"), cells);
  }

  @Test
  void withheldCallerIsEmptyAndJsonNullsStayNull() {
    Map<String, Object> row = renderer.jsonRow(record(null, null, Map.of()));
    assertEquals("", row.get("clr_id_cipher"));
    assertNull(row.get("tst_tms"));
    assertNull(row.get("logvars.valid_res"));
  }

  @Test
  void shreddedOrFailingDecryptionGivesEmptyCaller() {
    assertEquals("", renderer.caller(record(new EncryptedValue("gone", "x"), null, Map.of())));
    assertEquals("", renderer.caller(record(new EncryptedValue("broken", "x"), null, Map.of())));
  }

  @Test
  void unparseableDecryptedNumberIsShownAsIs() {
    assertEquals("+999123", renderer.caller(record(new EncryptedValue("odd", "x"), null, Map.of())));
  }

  @Test
  void neverForwardedCallHasEmptyForwardColumns() {
    Instant arrived = Instant.parse("2026-11-29T08:21:55Z");
    CallLogRecord r = new CallLogRecord("op", 1, "0123456789abcdef01234567", PhoneNumbers.parse("050-1234-5678"),
        "acme", "アクメ", "din-1", null, null, null, DeviceType.WITHHELD, null, arrived, null, arrived, 0, 0, 0,
        DialStatus.ABNORMAL_ARRIVAL, HangupParty.SYSTEM, null, false, false, 0, "REJECTED", 403);
    List<String> cells = renderer.cells(r);
    assertEquals("", cells.get(CallLogColumns.NAMES.indexOf("fwd_id")));
    assertEquals("", cells.get(CallLogColumns.NAMES.indexOf("fwd_type")));
    assertEquals("", cells.get(CallLogColumns.NAMES.indexOf("dialin_name")));
    assertEquals("異常着", cells.get(CallLogColumns.NAMES.indexOf("dial_stat")));
    assertEquals("システム", cells.get(CallLogColumns.NAMES.indexOf("hup_usr")));
    Map<String, Object> row = renderer.jsonRow(r);
    assertNull(row.get("fwd_id"));
    assertNull(row.get("fwd_type"));
  }

  @Test
  void timesFollowTheConfiguredZone() {
    CallLogRowRenderer utc = new CallLogRowRenderer(ZoneId.of("UTC"), DECRYPT);
    CallLogRecord r = record(null, null, Map.of());
    assertEquals("2026-11-29T08:21:55Z", utc.jsonRow(r).get("din_tms"));
    assertEquals("2026/11/29 08:21:55", utc.cells(r).get(CallLogColumns.NAMES.indexOf("din_tms")));
  }
}
