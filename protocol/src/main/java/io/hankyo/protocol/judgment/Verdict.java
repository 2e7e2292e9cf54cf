package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The value of a judgment (issue 4, spec sections 5 and 6): the Japanese label written into {@code logvars.valid_res}
 * and the English code of the JSON call log.
 */
public enum Verdict {
  /** {@code valid}, 有効: the call counts. */
  @JsonProperty("valid")
  VALID("valid", "有効"),
  /** {@code invalid_duplicate}, 無効(重複): the same caller called within the duplicate period. */
  @JsonProperty("invalid_duplicate")
  INVALID_DUPLICATE("invalid_duplicate", "無効(重複)"),
  /** {@code invalid_short}, 無効(未満): talk seconds under the threshold. */
  @JsonProperty("invalid_short")
  INVALID_SHORT("invalid_short", "無効(未満)"),
  /** {@code invalid_ivr}, 無効(IVR): the keys pressed in the menu match an {@code ivr} rule with {@code valid: false}. */
  @JsonProperty("invalid_ivr")
  INVALID_IVR("invalid_ivr", "無効(IVR)"),
  /** {@code invalid_button}, 無効(ボタン): the callee pressed an invalid key of the post-call button. */
  @JsonProperty("invalid_button")
  INVALID_BUTTON("invalid_button", "無効(ボタン)"),
  /**
   * {@code none}: the call never connected, so it has no judgment value (spec section 5); {@code valid_res} is left
   * out of the call log.
   */
  @JsonProperty("none")
  NONE("none", "");

  private final String code;
  private final String label;

  Verdict(String code, String label) {
    this.code = code;
    this.label = label;
  }

  /** The English code of the JSON, e.g. {@code invalid_short}. */
  public String code() {
    return code;
  }

  /** The Japanese label, e.g. 無効(未満); empty for {@link #NONE}. */
  public String label() {
    return label;
  }

  /** The value of {@code logvars.valid_res}: the label, or null for {@link #NONE} (no value written). */
  public String validRes() {
    return this == NONE ? null : label;
  }

  /** True for {@link #VALID}. */
  public boolean isValid() {
    return this == VALID;
  }

  /**
   * The verdict of a code.
   *
   * @throws IllegalArgumentException for an unknown code
   */
  public static Verdict ofCode(String code) {
    for (Verdict v : values()) {
      if (v.code.equals(code)) {
        return v;
      }
    }
    throw new IllegalArgumentException("unknown judgment code: " + code);
  }
}
