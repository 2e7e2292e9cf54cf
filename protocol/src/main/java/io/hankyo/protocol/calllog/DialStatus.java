package io.hankyo.protocol.calllog;

/** Final state of a call, {@code dial_stat} (spec section 6). The label is the Japanese text of the call log. */
public enum DialStatus {
  /** 正常通話: the destination answered. */
  NORMAL("正常通話"),
  /** 話中: the destination was busy (SIP 486/600). */
  BUSY("話中"),
  /** 異常着: the arrival itself was abnormal. */
  ABNORMAL_ARRIVAL("異常着"),
  /** 不完了呼: the caller gave up, or nobody answered within the ring timeout. */
  INCOMPLETE("不完了呼"),
  /** 回線不可: the destination was unreachable or refused (404, 480, 408, 5xx, 603). */
  LINE_UNAVAILABLE("回線不可"),
  /** 通話転換: the call was converted (transferred). */
  CALL_CONVERTED("通話転換"),
  /** ステータス異: a system error ended the call. */
  STATUS_ERROR("ステータス異");

  private final String label;

  DialStatus(String label) {
    this.label = label;
  }

  /** The Japanese label, e.g. 正常通話. */
  public String label() {
    return label;
  }
}
