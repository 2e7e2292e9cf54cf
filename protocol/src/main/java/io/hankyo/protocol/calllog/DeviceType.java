package io.hankyo.protocol.calllog;

import io.hankyo.protocol.number.NumberKind;

/**
 * Device type of a caller ({@code clr_type}) or forward destination ({@code fwd_type}), spec section 6. The label is
 * the Japanese text shown in call logs.
 */
public enum DeviceType {
  FIXED("固定電話"),
  MOBILE("携帯・PHS"),
  PAYPHONE("公衆電話"),
  WITHHELD("非通知番号"),
  IP_PHONE("IP電話"),
  FREE_CALL("フリーダイヤル"),
  INTERNATIONAL("国際電話"),
  UNKNOWN("不明");

  private final String label;

  DeviceType(String label) {
    this.label = label;
  }

  /** The Japanese label of the call log, e.g. 固定電話. */
  public String label() {
    return label;
  }

  /** The device type a number's line kind implies. */
  public static DeviceType of(NumberKind kind) {
    switch (kind) {
      case FIXED:
        return FIXED;
      case MOBILE:
        return MOBILE;
      case IP_PHONE:
        return IP_PHONE;
      case FREE_CALL:
        return FREE_CALL;
      case OTHER:
        return INTERNATIONAL;
      default:
        return UNKNOWN;
    }
  }
}
