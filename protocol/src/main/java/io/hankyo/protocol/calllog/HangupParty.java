package io.hankyo.protocol.calllog;

/** Who ended the call, {@code hup_usr} (spec section 6). */
public enum HangupParty {
  CALLER("発信者"),
  CALLEE("着信者"),
  SYSTEM("システム");

  private final String label;

  HangupParty(String label) {
    this.label = label;
  }

  /** The Japanese label, e.g. 発信者. */
  public String label() {
    return label;
  }
}
