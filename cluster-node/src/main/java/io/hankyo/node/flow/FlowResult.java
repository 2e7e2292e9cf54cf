package io.hankyo.node.flow;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one signal ({@link FlowInterpreter#apply}).
 *
 * @param state the new state (the same instance when the signal was ignored)
 * @param actions what to do, in order
 * @param facts what to record, in order
 * @param ignored true when the signal did not fit the state (stale timer or prompt, old attempt, after the end):
 *     nothing to persist or do
 */
public record FlowResult(FlowState state, List<FlowAction> actions, List<FlowFact> facts, boolean ignored) {
  public FlowResult {
    Objects.requireNonNull(state, "state");
    actions = List.copyOf(actions);
    facts = List.copyOf(facts);
  }

  /** The result of an ignored signal. */
  public static FlowResult ignored(FlowState state) {
    return new FlowResult(state, List.of(), List.of(), true);
  }

  /** The actions of one type, in order (tests, wiring). */
  public <A extends FlowAction> List<A> actions(Class<A> type) {
    return actions.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The facts of one type, in order. */
  public <F extends FlowFact> List<F> facts(Class<F> type) {
    return facts.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
