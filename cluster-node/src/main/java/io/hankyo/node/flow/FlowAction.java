package io.hankyo.node.flow;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumber;

/**
 * What the {@link FlowInterpreter} asks the Call entity to do, in order: orders for the gateway (media, legs, hangup),
 * for the queue entity (enter, leave) and for the entity's own timers.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = FlowAction.AnswerWithMedia.class, name = "answer-with-media"),
  @JsonSubTypes.Type(value = FlowAction.PlayPrompt.class, name = "play-prompt"),
  @JsonSubTypes.Type(value = FlowAction.AnnouncePosition.class, name = "announce-position"),
  @JsonSubTypes.Type(value = FlowAction.StopPrompt.class, name = "stop-prompt"),
  @JsonSubTypes.Type(value = FlowAction.StartTimer.class, name = "start-timer"),
  @JsonSubTypes.Type(value = FlowAction.CancelTimer.class, name = "cancel-timer"),
  @JsonSubTypes.Type(value = FlowAction.Forward.class, name = "forward"),
  @JsonSubTypes.Type(value = FlowAction.CancelForward.class, name = "cancel-forward"),
  @JsonSubTypes.Type(value = FlowAction.EnterQueue.class, name = "enter-queue"),
  @JsonSubTypes.Type(value = FlowAction.LeaveQueue.class, name = "leave-queue"),
  @JsonSubTypes.Type(value = FlowAction.Bridge.class, name = "bridge"),
  @JsonSubTypes.Type(value = FlowAction.Hangup.class, name = "hangup")
})
public sealed interface FlowAction extends JsonSerializable {

  /**
   * Answer the caller (200 OK) with the gateway's own SDP and anchor RTP. Emitted once per call, before the first
   * prompt (play, menu, queue hold, hangup with prompt). Without it a forward passes the destination's answer through.
   */
  record AnswerWithMedia() implements FlowAction {
    @JsonCreator
    public AnswerWithMedia {}
  }

  /**
   * Play a prompt to the caller, replacing anything playing; report {@link FlowSignal.PromptFinished} with the token
   * at its end (never for a loop that is stopped).
   *
   * @param prompt the prompt name
   * @param loop true to repeat it until stopped (queue hold)
   * @param token identifies this playback
   */
  record PlayPrompt(
      @JsonProperty("prompt") String prompt,
      @JsonProperty("loop") boolean loop,
      @JsonProperty("token") long token)
      implements FlowAction {}

  /**
   * Tell a waiting caller their queue position (e.g. "you are number 3"), then report {@link
   * FlowSignal.PromptFinished} with the token; how it is said is the media plane's business.
   */
  record AnnouncePosition(@JsonProperty("position") int position, @JsonProperty("token") long token)
      implements FlowAction {}

  /** Stop the playback of {@code token} at once (barge-in, line granted, leaving the queue). */
  record StopPrompt(@JsonProperty("token") long token) implements FlowAction {
    @JsonCreator
    public StopPrompt {}
  }

  /** Arm a timer; it is also in the new {@link FlowState#timers()}, which is what to persist. */
  record StartTimer(@JsonProperty("timer") FlowTimer timer) implements FlowAction {
    @JsonCreator
    public StartTimer {}
  }

  /** Disarm the timer of {@code token} (already gone from the new state's timers). */
  record CancelTimer(@JsonProperty("kind") FlowTimer.Kind kind, @JsonProperty("token") long token)
      implements FlowAction {}

  /**
   * Ring a destination (the B2BUA's forward leg, RFC 3261 UAC); report its outcome with {@code attempt}.
   *
   * @param attempt 1-based, counted over the whole call
   * @param to the destination
   * @param ringTimeoutMillis its ring timeout in milliseconds; the interpreter's own {@link FlowTimer.Kind#RING}
   *     timer enforces it, this is for information (e.g. a SIP Expires header)
   */
  record Forward(
      @JsonProperty("attempt") int attempt,
      @JsonProperty("to") PhoneNumber to,
      @JsonProperty("ring_timeout_ms") long ringTimeoutMillis)
      implements FlowAction {}

  /** Stop ringing the destination of {@code attempt} (CANCEL) without touching the caller: it rang too long. */
  record CancelForward(@JsonProperty("attempt") int attempt) implements FlowAction {
    @JsonCreator
    public CancelForward {}
  }

  /** Ask the queue named {@code queue} (with {@code lines} lines) for a line; it answers granted or a position. */
  record EnterQueue(@JsonProperty("queue") String queue, @JsonProperty("lines") int lines) implements FlowAction {}

  /** Leave the queue: stop waiting, or give back the line the call held. */
  record LeaveQueue(@JsonProperty("queue") String queue) implements FlowAction {
    @JsonCreator
    public LeaveQueue {}
  }

  /** Connect the caller with the destination of {@code attempt}, which answered (relay its answer when needed). */
  record Bridge(@JsonProperty("attempt") int attempt) implements FlowAction {
    @JsonCreator
    public Bridge {}
  }

  /**
   * End the call (after any prompt of the hangup step has been played), with what it means for the call log.
   *
   * @param cause why: the last failed forward attempt's cause (e.g. {@link EndCause#BUSY}), else {@link
   *     EndCause#FLOW_ENDED}; {@link EndCause#FLOW_ERROR} when the flow cannot go on
   * @param dialStatus {@code dial_stat} implied (spec section 6), e.g. 話中 after busy, 不完了呼 after a closed-hours
   *     prompt
   * @param hangupParty {@code hup_usr} implied
   * @param sipStatus the final response to a caller who was never answered (486, 603, 480, 500); 0 when the caller
   *     was answered (send BYE)
   */
  record Hangup(
      @JsonProperty("cause") EndCause cause,
      @JsonProperty("dial_stat") DialStatus dialStatus,
      @JsonProperty("hup_usr") HangupParty hangupParty,
      @JsonProperty("sip_status") int sipStatus)
      implements FlowAction {}
}
