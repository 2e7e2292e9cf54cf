package io.hankyo.protocol.recording;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/**
 * What of a two-party call is recorded (2者間通話録音, issue 4). The JSON names are the lower-case names.
 */
public enum RecordingMode {
  /** Nothing is recorded and no consent prompt plays ({@code "off"}). */
  @JsonProperty("off")
  OFF,
  /** Both parties, stereo WAV: caller on the left channel, callee on the right ({@code "both"}). */
  @JsonProperty("both")
  BOTH,
  /** The caller only, mono WAV ({@code "caller"}). */
  @JsonProperty("caller")
  CALLER,
  /** The callee only, mono WAV ({@code "callee"}). */
  @JsonProperty("callee")
  CALLEE;

  /** The JSON name, e.g. {@code both}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True for every mode but {@link #OFF}. */
  public boolean records() {
    return this != OFF;
  }

  /** WAV channels of a recording in this mode: 2 for {@link #BOTH}, 1 for one side, 0 for {@link #OFF}. */
  public int channels() {
    return this == BOTH ? 2 : this == OFF ? 0 : 1;
  }
}
