package io.hankyo.protocol.number;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.util.Objects;

/**
 * A validated phone number.
 *
 * @param e164 the number in E.164 with a leading '+', e.g. {@code +81120123456}; the key under which numbers are
 *     stored and compared
 * @param national the Japanese national display form with hyphens, e.g. {@code 0120-123-456}, {@code 050-1234-5678};
 *     for numbers outside Japan the international form
 * @param raw the digits as dialled or entered (kept for audit; never used as a key)
 * @param kind the line type (free call, mobile, ...)
 */
public record PhoneNumber(
    @JsonProperty("e164") String e164,
    @JsonProperty("national") String national,
    @JsonProperty("raw") String raw,
    @JsonProperty("kind") NumberKind kind)
    implements JsonSerializable {
  public PhoneNumber {
    Objects.requireNonNull(e164, "e164");
    Objects.requireNonNull(national, "national");
    Objects.requireNonNull(kind, "kind");
    raw = raw == null ? "" : raw;
  }

  /** The same number with another raw form (e.g. the Request-URI user part of one call). */
  public PhoneNumber withRaw(String newRaw) {
    return new PhoneNumber(e164, national, newRaw, kind);
  }

  /** National digits without separators, e.g. {@code 0120123456}: the user part used in outbound SIP URIs. */
  public String nationalDigits() {
    return national.replaceAll("[^0-9+]", "");
  }
}
