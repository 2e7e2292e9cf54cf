package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * {@code absence} (不在設定, spec section 4): branches on the advertiser's absence switch as it was when the call
 * arrived. Decided at once when entered.
 *
 * <pre>{@code {"type": "absence", "present": "menu", "absent": "closed"}}</pre>
 *
 * @param present the step when the switch is off
 * @param absent the step when the switch is on
 */
public record AbsenceStep(@JsonProperty("present") String present, @JsonProperty("absent") String absent)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "absence";

  public AbsenceStep {
    Objects.requireNonNull(present, "present");
    Objects.requireNonNull(absent, "absent");
  }

  @Override
  public List<String> nextSteps() {
    return List.of(present, absent);
  }

  @Override
  public boolean waits() {
    return false;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
