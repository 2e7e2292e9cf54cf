package io.hankyo.protocol.call;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;

/** The cluster's answer to a {@link CallArrival}: what the gateway does with the caller's INVITE. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = RouteDecision.Forward.class, name = "forward"),
  @JsonSubTypes.Type(value = RouteDecision.Reject.class, name = "reject"),
  @JsonSubTypes.Type(value = RouteDecision.AnswerWithMedia.class, name = "answer-with-media"),
  @JsonSubTypes.Type(value = RouteDecision.Hold.class, name = "hold")
})
public sealed interface RouteDecision extends JsonSerializable {

  /**
   * Send the forward leg INVITE (the B2BUA's UAC side) to {@code destination}.
   *
   * @param trnId the call
   * @param attempt 1-based forward attempt number; every later report about this leg carries it
   * @param route the tracking number's owner and destination
   * @param destination the number to call
   * @param ringTimeoutMillis how long the Call entity lets it ring (milliseconds); the entity sends
   *     {@link CallInstruction.CancelForward} when it expires
   * @param holdCallerOnFailure false: a failed forward leg ends the call (the gateway answers the caller with the
   *     mapped final response and reports {@link CallProgress.Ended}). true (sequential forwarding, issue 3): the
   *     gateway keeps the caller's INVITE transaction pending, reports {@link CallProgress.LegFailed} and waits for
   *     the entity's next {@link CallInstruction.Forward} or {@link CallInstruction.Release}
   */
  record Forward(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("attempt") int attempt,
      @JsonProperty("route") NumberRoute route,
      @JsonProperty("destination") PhoneNumber destination,
      @JsonProperty("ring_timeout_ms") long ringTimeoutMillis,
      @JsonProperty("hold_caller_on_failure") boolean holdCallerOnFailure)
      implements RouteDecision {
    @JsonCreator
    public Forward {}

    /** A forward whose failure ends the call (the walking skeleton's behaviour). */
    public Forward(String trnId, int attempt, NumberRoute route, PhoneNumber destination, long ringTimeoutMillis) {
      this(trnId, attempt, route, destination, ringTimeoutMillis, false);
    }
  }

  /**
   * Answer the caller with a final response and create nothing.
   *
   * @param sipStatus e.g. 404 for an unknown tracking number (RFC 3261 section 21.4.5)
   * @param reason the reason phrase
   */
  record Reject(@JsonProperty("sip_status") int sipStatus, @JsonProperty("reason") String reason)
      implements RouteDecision {}

  /**
   * Answer the caller now with the gateway's own SDP (RFC 3264 answer to the caller's offer): media is anchored on the
   * gateway's node (a MediaSession sends and receives the caller's RTP), so that the call flow can play prompts and
   * read digits (issue 3: play, menu, queue, hangup with a prompt). The gateway reports {@link
   * CallProgress.MediaAnswered}; what follows comes as {@link CallInstruction}s ({@link CallInstruction.PlayPrompt},
   * {@link CallInstruction.Forward}, {@link CallInstruction.Release}, …). A later forward leg gets the gateway's SDP
   * offer and, when it answers, is bridged to the caller's MediaSession (RTP relayed both ways); the caller gets no
   * second 2xx. Release after this answer is a BYE to the caller.
   *
   * @param trnId the call
   * @param route the tracking number's owner and destination
   */
  record AnswerWithMedia(@JsonProperty("trn_id") String trnId, @JsonProperty("route") NumberRoute route)
      implements RouteDecision {}

  /**
   * Keep the caller's INVITE pending (no final response yet) and wait for the entity's next instruction: the flow
   * must ask something first (issue 3: a {@code queue} step asks its {@code CallQueue} for a line, so that a caller
   * who gets a free line is forwarded like any call, with the callee's answer, and only a caller who must wait is
   * answered with media). What follows is a {@link CallInstruction.Forward} (a plain forward leg, the caller's SDP
   * passed through, as {@link Forward} with {@code holdCallerOnFailure}), a {@link CallInstruction.AnswerWithMedia}
   * or a {@link CallInstruction.Release}; without one within the gateway's {@code instruction-timeout} the caller gets
   * 503 and {@link CallProgress.Ended} is reported. Reports of this call before its first forward carry attempt 0.
   *
   * @param trnId the call
   * @param route the tracking number's owner and destination
   */
  record Hold(@JsonProperty("trn_id") String trnId, @JsonProperty("route") NumberRoute route)
      implements RouteDecision {}
}
