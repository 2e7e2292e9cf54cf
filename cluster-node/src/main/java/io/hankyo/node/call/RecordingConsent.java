package io.hankyo.node.call;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.FlowStep;
import io.hankyo.protocol.flow.PlayStep;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The consent announcement of a recorded call (2者間通話録音, issue 4): when the call's route records (mode not
 * {@code off}), the call follows its flow with one {@link PlayStep} of the consent prompt put in front of the flow's
 * start, so the caller hears it before anything else and therefore before any bridge (forward or queue).
 *
 * <p>Why a flow step: the flow interpreter already answers the caller with media, plays a prompt and moves on when
 * it finished, and its signals are persisted and replayed on recovery; a step added in front works for every flow
 * (the default "forward to fwd_id" one included) without a second mechanism. Answering with media also anchors the
 * call's RTP on the gateway, which the recording needs (a plain forward passes the SDP through). The cost: a flow
 * that ends without a bridge (closed hours, a menu the caller leaves) plays the notice too.
 *
 * <p>Pure functions; the flow is derived from the route stored in the call's arrival event, so recovery rebuilds it.
 */
public final class RecordingConsent {
  /** The id of the added step (made unique against the flow's own ids by appending {@code _}). */
  public static final String STEP = "recording-consent";

  private RecordingConsent() {}

  /** The flow the call follows: {@code flow} itself, or with the consent step in front when the route records. */
  public static CallFlow withConsent(CallFlow flow, NumberRoute route) {
    if (route == null || !route.recorded()) {
      return flow;
    }
    String id = stepId(flow);
    Map<String, FlowStep> steps = new LinkedHashMap<>();
    steps.put(id, new PlayStep(route.recording().consentPrompt(), flow.start()));
    steps.putAll(flow.steps());
    return new CallFlow(id, steps);
  }

  /** True when {@code step} is the consent step of a call on {@code route} whose base flow is {@code flow}. */
  static boolean isConsentStep(CallFlow effectiveFlow, NumberRoute route, String step) {
    return route != null && route.recorded() && step != null && step.equals(effectiveFlow.start())
        && effectiveFlow.step(step) instanceof PlayStep p && p.prompt().equals(route.recording().consentPrompt())
        && step.startsWith(STEP);
  }

  private static String stepId(CallFlow flow) {
    String id = STEP;
    while (flow.steps().containsKey(id)) {
      id = id + "_";
    }
    return id;
  }
}
