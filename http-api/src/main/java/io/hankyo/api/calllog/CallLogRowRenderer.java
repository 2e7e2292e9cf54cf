package io.hankyo.api.calllog;

import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link CallLogRecord} into a call-log row with the spec's keys ({@link CallLogColumns}).
 *
 * <ul>
 *   <li>{@code din_id}, {@code fwd_id}: national display ({@code 0120-123-456}); {@code fwd_id} empty/null when the
 *       call was never forwarded
 *   <li>{@code clr_id_cipher}: the caller decrypted and shown in national display; empty string when withheld or when
 *       the key is gone (shredded) or decryption fails
 *   <li>{@code dial_stat}, {@code clr_type}, {@code fwd_type}, {@code hup_usr}: the Japanese labels
 *   <li>times: JSON ISO-8601 with the zone's offset ({@code 2026-11-29T17:21:55+09:00}); CSV/TSV
 *       {@code 2026/11/29 17:21:55} in the zone; absent times null in JSON, empty in CSV/TSV
 *   <li>{@code nfy_email}, {@code nfy_http}: booleans ({@code true}/{@code false})
 * </ul>
 *
 * Thread-safe if the decrypt function is.
 */
public final class CallLogRowRenderer {
  private static final Logger log = LoggerFactory.getLogger(CallLogRowRenderer.class);
  private static final String VALID_RES = "valid_res";

  private final ZoneId zone;
  private final Function<EncryptedValue, Optional<String>> decryptCaller;

  /**
   * @param zone zone of rendered times
   * @param decryptCaller returns the caller number in E.164, or empty when it cannot be decrypted
   */
  public CallLogRowRenderer(ZoneId zone, Function<EncryptedValue, Optional<String>> decryptCaller) {
    this.zone = Objects.requireNonNull(zone, "zone");
    this.decryptCaller = Objects.requireNonNull(decryptCaller, "decryptCaller");
  }

  /**
   * The JSON row: the {@link CallLogColumns#NAMES} keys in order, then every other {@code logvars} entry as
   * {@code logvars.<name>} (sorted by name). Values are String, Long, Integer, Boolean or null.
   */
  public Map<String, Object> jsonRow(CallLogRecord r) {
    Object[] values = values(r, true);
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      row.put(CallLogColumns.NAMES.get(i), values[i]);
    }
    new TreeMap<>(r.logvars()).forEach((k, v) -> {
      if (!k.equals(VALID_RES)) {
        row.put(CallLogColumns.LOGVARS_PREFIX + k, v);
      }
    });
    return row;
  }

  /** The CSV/TSV cells, one per {@link CallLogColumns#NAMES} entry; null values as empty strings. */
  public List<String> cells(CallLogRecord r) {
    return cells(r, List.of());
  }

  /**
   * The CSV/TSV cells: one per {@link CallLogColumns#NAMES} entry, then one per key of {@code logvars} (the record's
   * {@code logvars.<key>} value, empty when it has none); null values as empty strings.
   */
  public List<String> cells(CallLogRecord r, List<String> logvars) {
    Object[] values = values(r, false);
    List<String> cells = new ArrayList<>(values.length + logvars.size());
    for (Object v : values) {
      cells.add(v == null ? "" : String.valueOf(v));
    }
    for (String k : logvars) {
      cells.add(r.logvars().getOrDefault(k, ""));
    }
    return cells;
  }

  /**
   * The caller number for display: national form ({@code 090-1234-5678}), the decrypted text itself when it is not
   * a parseable number, or the empty string when withheld or undecryptable.
   */
  public String caller(CallLogRecord r) {
    if (r.caller() == null) {
      return "";
    }
    Optional<String> e164;
    try {
      e164 = decryptCaller.apply(r.caller());
    } catch (RuntimeException e) {
      // never log the value; the key id and the exception class are enough to investigate
      log.warn("could not decrypt the caller of call {} (key {}): {}", r.trnId(), r.caller().keyId(),
          e.getClass().getName());
      return "";
    }
    if (e164 == null || e164.isEmpty() || e164.get().isBlank()) {
      return "";
    }
    return PhoneNumbers.tryParse(e164.get()).map(PhoneNumber::national).orElse(e164.get());
  }

  private Object[] values(CallLogRecord r, boolean json) {
    Object[] v = {
      r.seqNum(),
      r.trnId(),
      r.din().national(),
      r.clientId(),
      r.clientName(),
      r.dialinId(),
      r.dialinName(),
      r.forwardTo() == null ? null : r.forwardTo().national(),
      caller(r),
      time(r.arrivedAt(), json),
      time(r.answeredAt(), json),
      time(r.endedAt(), json),
      r.callingSec(),
      r.talkingSec(),
      r.connSec(),
      r.dialStatus().label(),
      label(r.callerType()),
      label(r.forwardType()),
      r.hangupParty().label(),
      r.logvars().get(VALID_RES),
      r.nfyEmail(),
      r.nfyHttp(),
      r.callCharge()
    };
    assert v.length == CallLogColumns.NAMES.size() : Arrays.toString(v);
    return v;
  }

  private String time(Instant t, boolean json) {
    if (t == null) {
      return null;
    }
    return json ? ApiTimes.iso(t, zone) : ApiTimes.screen(t, zone);
  }

  private static String label(DeviceType type) {
    return type == null ? null : type.label();
  }
}
