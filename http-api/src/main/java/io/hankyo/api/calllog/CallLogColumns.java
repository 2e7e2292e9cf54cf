package io.hankyo.api.calllog;

import java.util.List;

/**
 * The call-log columns (spec section 6) in output order, named by their JSON keys. CSV and TSV have exactly these
 * columns, with this header row; JSON rows have these keys first, then every other {@code logvars.<name>} entry.
 */
public final class CallLogColumns {
  /** Prefix of flattened {@code logvars} keys. */
  public static final String LOGVARS_PREFIX = "logvars.";

  /** The 23 columns, in order. */
  public static final List<String> NAMES = List.of(
      "seq_num", "trn_id", "din_id", "client_id", "client_name", "dialin_id", "dialin_name", "fwd_id",
      "clr_id_cipher", "din_tms", "tst_tms", "eoc_tms", "calling_sec", "talking_sec", "conn_sec", "dial_stat",
      "clr_type", "fwd_type", "hup_usr", "logvars.valid_res", "nfy_email", "nfy_http", "call_charge");

  private CallLogColumns() {}
}
