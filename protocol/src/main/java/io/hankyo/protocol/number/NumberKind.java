package io.hankyo.protocol.number;

/**
 * What kind of line a Japanese number belongs to, as libphonenumber's metadata for region JP classifies it
 * (spec section 2 for the tracking-number ranges; section 6, {@code clr_type}/{@code fwd_type}, for devices).
 */
public enum NumberKind {
  /** 0120 / 0800 (toll free). */
  FREE_CALL,
  /** 070 / 080 / 090 mobile, and PHS. */
  MOBILE,
  /** 050 IP phone. */
  IP_PHONE,
  /** Geographic fixed line (03, 06, ...). */
  FIXED,
  /** 0570 navi-dial and other shared-cost / premium ranges. */
  SHARED_COST,
  /** A valid number of another kind, or outside Japan. */
  OTHER
}
