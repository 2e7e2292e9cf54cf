package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import java.util.List;

/**
 * One step of a {@link CallFlow} (spec section 4). In JSON a step is an object whose {@code type} names its kind:
 * {@code schedule}, {@code absence}, {@code play}, {@code menu}, {@code forward}, {@code queue}, {@code hangup}; the
 * other fields are those of the record, in snake_case. Steps name the next steps by id.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ScheduleStep.class, name = ScheduleStep.TYPE),
  @JsonSubTypes.Type(value = AbsenceStep.class, name = AbsenceStep.TYPE),
  @JsonSubTypes.Type(value = PlayStep.class, name = PlayStep.TYPE),
  @JsonSubTypes.Type(value = MenuStep.class, name = MenuStep.TYPE),
  @JsonSubTypes.Type(value = ForwardStep.class, name = ForwardStep.TYPE),
  @JsonSubTypes.Type(value = QueueStep.class, name = QueueStep.TYPE),
  @JsonSubTypes.Type(value = HangupStep.class, name = HangupStep.TYPE)
})
public sealed interface FlowStep extends JsonSerializable
    permits ScheduleStep, AbsenceStep, PlayStep, MenuStep, ForwardStep, QueueStep, HangupStep {

  /** The ids of the steps this one may go to, in the order of its fields, without nulls (may repeat). */
  List<String> nextSteps();

  /**
   * True when the step waits for the caller or the network before it moves on (play, menu, forward, queue): a loop of
   * steps is only allowed through such a step. Schedule and absence decide at once; hangup ends the flow.
   */
  boolean waits();

  /** The type name of the step in JSON, e.g. {@code "menu"}. */
  String typeName();
}
