package io.hankyo.sip;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.NumberKind;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.sip.media.DtmfDigit;
import io.hankyo.sip.media.MediaDirection;
import io.hankyo.sip.media.MediaListener;
import io.hankyo.sip.media.MediaSession;
import io.hankyo.sip.media.NegotiatedMedia;
import io.hankyo.sip.media.PlayOutcome;
import io.hankyo.sip.media.PortsExhaustedException;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.SdpNegotiation;
import io.hankyo.sip.media.SdpOfferAnswer;
import io.hankyo.sip.media.SipInfoDtmf;
import io.hankyo.sip.media.Tones;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.InvalidArgumentException;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.TransactionState;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call through the B2BUA: the caller leg (we are its UAS) and its forward legs (we are their UAC), one at a time.
 * Every method runs on the call's {@link SerialExecutor}, never on a JAIN-SIP thread and never concurrently, so the
 * state needs no locks. SIP objects stay inside; only protocol records go to {@link CallControl}.
 *
 * <h2>Sequential forwarding (順次転送, issue 3)</h2>
 *
 * With {@code holdCallerOnFailure} (of {@link RouteDecision.Forward} or the latest {@link CallInstruction.Forward})
 * a failed forward leg does not end the call: the caller's INVITE server transaction stays pending (state {@link
 * State#HOLDING}), {@link CallProgress.LegFailed} is reported, and the next {@link CallInstruction.Forward} starts a
 * new forward leg (new Call-ID, From tag and CSeq 1, RFC 3261 section 8.1.1) once the failed one is completely over
 * (its final response ACKed by the transaction, or its CANCEL answered by 487, or a 2xx that crossed the CANCEL ACKed
 * and BYEd, RFC 5407 section 3.1.2). Without an instruction within {@code instruction-timeout} the caller gets the
 * final response of the last failure. Toward the caller there is one early dialog with our own To tag (section
 * 12.1.1), whatever leg a provisional or the final response came from; on legs after the first a body-less 180/183 is
 * not relayed when the last provisional the caller got was body-less too (it already plays its ringback), while a
 * provisional with SDP always is. A later leg's early SDP therefore replaces the earlier one inside the same early
 * dialog; RFC 3261 section 13.2.1 expects the SDP of provisionals to equal the 2xx answer, which a B2BUA without a
 * media anchor cannot promise across destinations: callers that follow the newest early SDP (the gateway model of
 * RFC 3960 section 3) play the right early media, and the 2xx always carries the answering leg's SDP. *
 * <h2>Media anchoring (issue 3)</h2>
 *
 * {@link RouteDecision.AnswerWithMedia} answers the caller once the arrival is recorded: a {@link MediaSession} is
 * opened on the gateway's RTP range, the caller's offer is answered (RFC 3264 section 6) in a 200 OK retransmitted
 * until the ACK (RFC 3261 section 13.3.1.4), and {@code MediaAnswered} is reported (state {@link State#MEDIA}). No
 * acceptable codec: 488 with a Warning; an INVITE without offer: 488 (offer-in-200 is not supported); no free RTP
 * port: 503 with Retry-After; each reported {@code Ended} with that status. While media is anchored, RFC 4733
 * telephone-events (RFC 3550 RTP) and INFO key presses ({@code application/dtmf-relay}, {@code application/dtmf})
 * are reported as {@code Digit} with an increasing seq; {@code PlayPrompt} fetches its audio through the {@link
 * PromptSource} and plays it ({@code PromptFinished} when it ends by itself or cannot be played; a replaced or
 * stopped prompt is not reported). A {@code Forward} after media sends our own SDP offer from a second session; the
 * callee's 2xx answer is read, ACKed, reported {@code Answered}, and the two sessions are bridged (RTP relayed both
 * ways, PCMU/PCMA transcoded). The caller gets no second 2xx; it is released by BYE whenever the call ends (Release,
 * a failed leg without {@code holdCallerOnFailure}, no instruction within {@code instruction-timeout} after
 * {@code LegFailed} unless a prompt was asked for since). Every media session of the call is closed when it ends.
 *
 * <p>While a forward leg after media rings (180/183 without SDP) the caller hears the Japanese ringback tone ({@link
 * Tones#japaneseRingback()}, looped) unless a prompt has the floor; a 183 with SDP (early media, RFC 3960) is
 * answered like the 2xx will be and the caller is bridged to the callee's early media instead. Both stop the moment
 * the leg answers (bridge) or fails.
 *
 * <h2>RTP inactivity timeout</h2>
 *
 * With {@code hankyo.sip.media.rtp-timeout} above 0, a call answered with media is checked about every quarter of
 * the timeout: while the caller talks to the gateway (prompts, IVR, a queue, a ringing or failed forward leg), no RTP
 * from the caller for the timeout ends the call ({@code by CALLER}); once bridged, no RTP from either side for the
 * timeout ends it ({@code by SYSTEM}); one silent side while the other talks is normal (mute) and does not. A side on
 * hold (its SDP, initial or of a re-INVITE/UPDATE, is sendonly, recvonly, inactive or c=0.0.0.0: RFC 3264 section
 * 8.4) is never timed out. The end is like a BYE from the vanished caller: BYE to the caller (it may still be there),
 * CANCEL or BYE to the callee leg, media closed, {@code Ended} reported with {@link EndCause#MEDIA_TIMEOUT}. Calls
 * without media anchoring are not watched (their RTP does not pass here): the session timers below release them.
 *
 * <h2>RFC 4028 session timers</h2>
 *
 * With {@code hankyo.sip.session-timer.enabled} each leg has its own timer ({@link LegTimer}), started when the leg
 * is answered. Caller leg (we are UAS, section 9): negotiated from the caller's INVITE (a too short interval was
 * refused with 422 by {@link SipGateway} already) and stated in our 2xx; the caller refreshes when it supports timers
 * and did not leave it to us, else we refresh (UPDATE when it allows it, else re-INVITE with the SDP it has). Callee
 * leg (we are UAC, section 7): our INVITE asks for {@code session-expires}; a 422 is retried once with its Min-SE; the
 * 2xx's refresher decides who refreshes (none stated or no Session-Expires: we do). The refresher refreshes at half
 * the interval; the other side ends the call when no refresh came by {@code interval - min(32 s, interval/3)}, and a
 * refresh of ours answered 408/481 or timed out ends it too (section 10): BYE to both legs, {@code Ended} with {@link
 * EndCause#SESSION_TIMER_EXPIRED} by the party of that leg. Any re-INVITE/UPDATE of a peer refreshes its leg.
 *
 * <h2>Post-call button (issue 4, docs/judgment.md)</h2>
 *
 * When the route's judgment rules have a {@code post_call_button} and the caller hangs up (BYE) an answered call, the
 * caller's BYE is answered 200 but the callee's dialog stays up (state {@link State#POST_CALL}): the callee hears the
 * button prompt (from the {@link PromptSource}, operator of the route) and may press one key, by RFC 4733
 * telephone-event or SIP INFO ({@code application/dtmf-relay}, {@code application/dtmf}), during the prompt (it stops
 * it) or up to {@code timeout_sec} after it. The first key, or the timeout, ends the phase: BYE to the callee. A call
 * bridged with media anchoring plays into the callee leg's session; a call without (the SDP went end to end) first
 * anchors the callee: a re-INVITE with the gateway's own offer (RFC 3261 section 14.1, RFC 3264 section 8), ACKed
 * on its 2xx; a refused or unanswered re-INVITE ends the phase without key (BYE). The callee hanging up, or a
 * release, ends it without key too. Session timers and the RTP inactivity watch stop for the phase (it lasts at
 * most the prompt plus 60 s). {@code Ended} is reported after the phase, by {@code CALLER}, with {@code at} = when
 * the caller hung up (talk time ends there) and the key in {@code post_call_digit} (null: none). The callee hanging
 * up first is an ordinary end: no phase.
 *
 * <p>A media-answered caller's re-offer is answered in the matching direction (RFC 3264 section 8.4: sendonly →
 * recvonly, inactive → inactive, sendrecv again on resume), with a new {@code o=} version when our description
 * changed.
 */
final class B2buaCall {
  private static final Logger LOG = LoggerFactory.getLogger(B2buaCall.class);
  /** RFC 3261 timer T1 and T2 (section 17.1.1.1), for 2xx retransmission toward the caller (section 13.3.1.4). */
  private static final long T1 = 500;
  private static final long T2 = 4000;
  /** How long to wait for a provisional response before giving up a pending CANCEL (section 9.1). */
  private static final long CANCEL_WAIT_MILLIS = 4000;

  enum State {
    /** INVITE answered with 100; waiting for the cluster's RouteDecision. */
    DECIDING,
    /** Forward INVITE sent, no 18x yet. */
    FORWARDING,
    /** 180/183 received and relayed. */
    EARLY,
    /**
     * Sequential forwarding: the current forward leg failed (LegFailed reported) or is being cancelled; the caller
     * still waits (no final response) for the next CallInstruction.Forward or Release.
     */
    HOLDING,
    /**
     * Answered by the gateway with its own SDP (RouteDecision.AnswerWithMedia): the caller's RTP is anchored here,
     * prompts play and digits are read; no forward leg is in progress (after a failed leg the state is HOLDING).
     */
    MEDIA,
    /** 2xx relayed to the caller, or (after media) the callee answered and both media sessions are bridged. */
    ANSWERED,
    /**
     * The caller hung up an answered call whose judgment rules have a post-call button (issue 4): the callee stays on
     * the line, hears the button prompt and may press one key (see "Post-call button" in the class comment).
     */
    POST_CALL,
    /** The outcome is decided and reported (or will be once the decision arrives). */
    ENDED
  }

  private final SipGateway gw;
  private final SipKit kit;
  final String trnId;
  final String callerKey;
  final SerialExecutor exec;
  private final Request invite;
  private final ServerTransaction inviteSt;
  private final String localTag;
  private final Instant arrivedAt;
  private CallerIdentity caller;
  private final PhoneNumber dialled;
  private final int forwardMaxForwards;

  private State state = State.DECIDING;
  private int attempt;
  /** The tracking number's route from the decision (null when the cluster sent none); every leg presents by it. */
  private NumberRoute route;
  /** Whether a failure of the current leg holds the caller (sequential forwarding) instead of ending the call. */
  private boolean holdCaller;
  /** While HOLDING: what the caller gets and what is reported when no instruction comes in time. */
  private Outcomes.Outcome lastFailure;
  private ScheduledFuture<?> instructionWait;
  /** A Forward received while the failed leg was still being cancelled: sent once that leg is settled. */
  private CallInstruction.Forward nextForward;
  /** Forward legs sent so far. */
  private int legsSent;
  /** Whether the last provisional response relayed to the caller had no body (the caller plays local ringback). */
  private boolean lastProvisionalBodiless;
  /** Earlier forward legs (all settled) by Call-ID: their late 2xx retransmissions, 2xx and BYEs are answered. */
  private final Map<String, EarlierLeg> earlierLegs = new HashMap<>();
  private boolean decisionReceived;
  /** An end decided before the RouteDecision arrived (caller cancelled, release): reported with its attempt. */
  private CallProgress.Ended pendingEnd;
  private boolean endReported;

  // caller leg
  private boolean callerFinal;
  private Response okToCaller;
  private boolean callerAcked;
  private boolean byeCallerAfterAck;
  private SipKit.Leg callerLeg;
  private long callerCSeq;
  private ScheduledFuture<?> okRetransmit;
  private long okRetransmitInterval = T1;
  private long okRetransmitElapsed;

  // forward leg
  String forwardCallId;
  private Request forwardInvite;
  private ClientTransaction forwardCt;
  private boolean forwardProvisional;
  private boolean forwardSettled = true;
  /** An AnswerWithMedia instruction came while HOLDING: answer once the failed leg is settled. */
  private boolean mediaAnswerWanted;
  private boolean cancelPending;
  private boolean cancelSent;
  private SipKit.Leg calleeLeg;
  private Request ackToCallee;
  private long calleeCSeq = 1;
  private boolean ringingReported;

  /** Completes when the Call entity has recorded the arrival; the answer is not relayed before (see Admission). */
  private CompletableFuture<Done> recorded = CompletableFuture.completedFuture(Done.getInstance());
  /** The destination's 2xx, ACKed but not yet relayed because the arrival is not recorded yet. */
  private Response heldAnswer;

  // media anchoring (RouteDecision.AnswerWithMedia)
  /** True once the caller got our 200 with our own SDP answer: every later leg gets our offer and is bridged. */
  private boolean mediaAnswered;
  /** The caller's anchored RTP stream; null without media. */
  private MediaSession callerMedia;
  /**
   * A PlayPrompt that arrived before the caller's media was up (the entity orders its first prompt as soon as it has
   * recorded the arrival, while this call still waits for that record to answer): played once the media starts.
   */
  private CallInstruction.PlayPrompt pendingPlay;
  /** The RTP stream toward the current forward leg after media; null before a forward after media. */
  private MediaSession calleeMedia;
  /** Offer/answer state of the forward leg whose INVITE carries our offer. */
  private SdpOfferAnswer calleeSdp;
  /** The recording from the bridge to the end (issue 4); null when the call is not recorded. */
  private CallRecorder recorder;
  /** Digits reported so far (CallProgress.Digit seq). */
  private int digitSeq;
  /** The token of the prompt asked for last and not yet over (loading or playing), if {@link #promptActive}. */
  private long promptToken;
  private boolean promptActive;

  /** The next RTP inactivity check of an anchored call (rtp-timeout); null when off or over. */
  private ScheduledFuture<?> mediaWatch;
  /** Whether the caller's latest SDP puts its media on hold (RFC 3264 section 8.4): no RTP timeout for it then. */
  private boolean callerOnHold;
  /** Whether the callee's latest SDP (answer, or its own re-INVITE/UPDATE offer) puts its media on hold. */
  private boolean calleeOnHold;
  /** Whether the caller hears our ringback tone now (a forward leg after media rings). */
  private boolean ringbackPlaying;
  /** Whether the caller is bridged to the ringing leg's early media (183 with SDP). */
  private boolean earlyMedia;

  // post-call button (issue 4)
  /** When the caller hung up, if a post-call button phase followed: the end of talk time, reported as Ended.at. */
  private Instant postCallFrom;
  /** The key the callee pressed in the post-call button phase; null while none. */
  private String postCallDigit;
  /** The wait for the key after the button prompt; null before the prompt ended. */
  private ScheduledFuture<?> postCallTimeout;
  /** The CSeq of our re-INVITE that anchors the callee's media for the button (non-anchored calls); 0 when none. */
  private long postCallReinviteCSeq;

  // RFC 4028 session timers, one per leg
  private final LegTimer callerTimer = new LegTimer(true);
  private final LegTimer calleeTimer = new LegTimer(false);
  /** The session description the caller has from us now (our 200, or our answer to its latest re-offer). */
  private String callerSdp;
  /** Whether the current forward INVITE was already retried after a 422 (RFC 4028 section 7.4: once). */
  private boolean retried422;

  private ScheduledFuture<?> ringFailsafe;
  private ScheduledFuture<?> maxDuration;
  private ScheduledFuture<?> cancelGiveUp;

  /**
   * A finished forward leg of an earlier attempt.
   *
   * @param invite its INVITE
   * @param answered its dialog when it answered (a 2xx that crossed our CANCEL, then BYEd), else null
   * @param ack the ACK sent for that 2xx, else null
   */
  private record EarlierLeg(Request invite, SipKit.Leg answered, Request ack) {}

  B2buaCall(SipGateway gw, String trnId, String callerKey, Request invite, ServerTransaction inviteSt,
      PhoneNumber dialled, int forwardMaxForwards, Instant arrivedAt) {
    this.gw = gw;
    this.kit = gw.kit;
    this.trnId = trnId;
    this.callerKey = callerKey;
    this.exec = new SerialExecutor(gw.workers);
    this.invite = invite;
    this.inviteSt = inviteSt;
    this.localTag = kit.newTag();
    this.dialled = dialled;
    this.forwardMaxForwards = forwardMaxForwards;
    this.arrivedAt = arrivedAt;
  }

  // ---------------------------------------------------------------- cluster

  /** Builds the CallArrival and asks the cluster (asynchronously; the answer comes back on this executor). */
  void start() {
    CompletableFuture<CallControl.Admission> original;
    try {
      caller = CallerIdentity.of(invite, kit.addresses);
      CallArrival arrival = new CallArrival(trnId, ((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId(),
          gw.nodeId, dialled, caller.encrypt(gw.cipher), arrivedAt);
      original = gw.control.arrive(arrival, gw.instructions()).toCompletableFuture();
    } catch (RuntimeException e) {
      original = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<CallControl.Admission> asked = original;
    asked.copy()
        .orTimeout(gw.settings.decisionTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((admission, error) -> exec.execute(() -> onDecision(admission, error, asked)));
  }

  private void onDecision(
      CallControl.Admission admission, Throwable error, CompletableFuture<CallControl.Admission> asked) {
    decisionReceived = true;
    if (error != null || admission == null) {
      LOG.warn("call {}: no routing decision from the cluster ({}); answering 503", trnId,
          error == null ? "null decision" : error.toString());
      finalToCaller(kit.withRetryAfter(kit.response(503, invite, localTag)));
      state = State.ENDED;
      endReported = true;
      // If the cluster decided after all, its Call entity waits for this call: tell it the call is gone.
      CallProgress.Ended known = pendingEnd;
      asked.whenComplete((late, lateError) -> {
        if (late != null && late.decision() instanceof RouteDecision.Forward) {
          int lateAttempt = ((RouteDecision.Forward) late.decision()).attempt();
          gw.report(known != null
              ? new CallProgress.Ended(trnId, lateAttempt, known.at(), known.by(), known.cause(), known.sipStatus())
              : new CallProgress.Ended(trnId, lateAttempt, Instant.now(), HangupParty.SYSTEM,
                  EndCause.CLUSTER_FAILURE, 503));
        }
      });
      finish();
      return;
    }
    RouteDecision decision = admission.decision();
    if (decision instanceof RouteDecision.Reject) {
      RouteDecision.Reject reject = (RouteDecision.Reject) decision;
      int status = reject.sipStatus() >= 300 && reject.sipStatus() <= 699 ? reject.sipStatus() : 500;
      if (status == 404) {
        gw.unknownNumbers.incrementAndGet();
      }
      finalToCaller(kit.withReason(kit.response(status, invite, localTag), reject.reason()));
      state = State.ENDED;
      endReported = true;
      finish();
      return;
    }
    if (decision instanceof RouteDecision.AnswerWithMedia) {
      RouteDecision.AnswerWithMedia answer = (RouteDecision.AnswerWithMedia) decision;
      route = answer.route();
      recorded = admission.recorded().toCompletableFuture();
      if (state == State.ENDED) {
        if (pendingEnd != null) {
          reportEnd(pendingEnd.by(), pendingEnd.cause(), pendingEnd.sipStatus());
        }
        finish();
        return;
      }
      // like a relayed answer, ours waits until the entity has recorded the arrival (Admission)
      recorded.whenComplete((done, recordError) -> exec.execute(() -> answerWithMedia(recordError)));
      return;
    }
    if (decision instanceof RouteDecision.Hold) {
      route = ((RouteDecision.Hold) decision).route();
      recorded = admission.recorded().toCompletableFuture();
      if (state == State.ENDED) {
        if (pendingEnd != null) {
          reportEnd(pendingEnd.by(), pendingEnd.cause(), pendingEnd.sipStatus());
        }
        finish();
        return;
      }
      // the flow asks first (a queue for a line): the caller waits, as between two legs, for the next instruction
      state = State.HOLDING;
      holdCaller = true;
      recorded.whenComplete((done, recordError) -> exec.execute(() -> {
        if (recordError != null && state == State.HOLDING && attempt == 0 && !callerFinal) {
          LOG.warn("call {}: the cluster did not record the call ({}); answering 503", trnId, recordError.toString());
          finalToCaller(kit.withRetryAfter(kit.response(503, invite, localTag)));
          end(HangupParty.SYSTEM, EndCause.CLUSTER_FAILURE, 503);
          finish();
        }
      }));
      awaitInstruction(new Outcomes.Outcome(503, EndCause.CLUSTER_FAILURE, HangupParty.SYSTEM));
      return;
    }
    if (!(decision instanceof RouteDecision.Forward)) {
      // A decision this gateway cannot carry out: refuse the call, and tell the entity, which has recorded it, that
      // it ended.
      LOG.warn("call {}: unsupported routing decision {}; answering 500", trnId, decision.getClass().getSimpleName());
      finalToCaller(kit.response(500, invite, localTag));
      state = State.ENDED;
      endReported = true;
      gw.report(new CallProgress.Ended(trnId, 0, Instant.now(), HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 500));
      finish();
      return;
    }
    RouteDecision.Forward forward = (RouteDecision.Forward) decision;
    attempt = forward.attempt();
    route = forward.route();
    holdCaller = forward.holdCallerOnFailure();
    recorded = admission.recorded().toCompletableFuture();
    recorded.whenComplete((done, recordError) -> exec.execute(() -> onRecorded(recordError)));
    if (state == State.ENDED) {
      // ended while deciding (caller cancelled, released): the entity now exists and must learn the outcome
      if (pendingEnd != null) {
        reportEnd(pendingEnd.by(), pendingEnd.cause(), pendingEnd.sipStatus());
      }
      finish();
      return;
    }
    sendForward(forward.destination(), forward.ringTimeoutMillis());
  }

  /**
   * The Call entity recorded the arrival, or could not (design-notes.md section 1: keep working when the entity does
   * not answer). Recorded: a held answer is relayed now. Not recorded: the call is not connected — a ringing forward
   * leg is cancelled, a held answer is BYEd — and the caller gets 503 with Retry-After. A caller already gone leaves
   * only the held answer to BYE ({@link #connect}).
   */
  private void onRecorded(Throwable error) {
    Response held = heldAnswer;
    heldAnswer = null;
    if (error == null || callerFinal || state == State.ENDED) {
      if (held != null) {
        connect(held);
      }
      return;
    }
    LOG.warn("call {}: the cluster did not record the call ({}); giving it up with 503", trnId, error.toString());
    if (held == null) {
      endUnanswered(EndCause.CLUSTER_FAILURE, HangupParty.SYSTEM);
      return;
    }
    sendBye(calleeLeg, ++calleeCSeq);
    finalToCaller(kit.withRetryAfter(kit.response(503, invite, localTag)));
    end(HangupParty.SYSTEM, EndCause.CLUSTER_FAILURE, 503);
    finish();
  }

  // ---------------------------------------------------------------- media anchoring

  /**
   * RouteDecision.AnswerWithMedia, once the arrival is recorded: opens the caller's {@link MediaSession}, answers the
   * caller's SDP offer (RFC 3264 section 6) with a 200 OK carrying ours, retransmitted until the ACK (RFC 3261
   * section 13.3.1.4), starts the session and reports MediaAnswered. No offer, or nothing acceptable in it: 488 with
   * a Warning (RFC 3261 sections 21.4.26 and 20.43); an unparseable offer: 400; no free RTP port: 503 with
   * Retry-After; the call then ends (reported Ended with that status).
   */
  private void answerWithMedia(Throwable recordError) {
    if (state != State.DECIDING || callerFinal) {
      return; // the caller left (or the call was released) while the arrival was being recorded
    }
    if (recordError != null) {
      LOG.warn("call {}: the cluster did not record the call ({}); answering 503", trnId, recordError.toString());
      failMediaAnswer(kit.withRetryAfter(kit.response(503, invite, localTag)), EndCause.CLUSTER_FAILURE);
      return;
    }
    answerCallerWithMedia();
  }

  /**
   * {@code CallInstruction.AnswerWithMedia} while the caller waits between legs ({@link State#HOLDING}): the flow goes
   * on with media after a failed forward (a {@code failed} step that plays a prompt, a menu, a queue), so the caller
   * is answered with our SDP as with {@link RouteDecision.AnswerWithMedia}, once the failed leg is settled (its CANCEL
   * or final response done, so it can no longer connect). Ignored in any other state (already answered, ringing, or
   * over).
   */
  void onAnswerWithMediaInstruction() {
    if (state != State.HOLDING || callerFinal || mediaAnswered) {
      LOG.debug("call {}: ignoring AnswerWithMedia in state {}", trnId, state);
      return;
    }
    cancel(instructionWait); // the entity is at work: it ends the call itself when it gives up
    mediaAnswerWanted = true;
    startNextIfReady();
  }

  /** The media answer itself (see {@link #answerWithMedia}); the caller has had no final response yet. */
  private void answerCallerWithMedia() {
    String offer = SipKit.hasBody(invite) ? new String(invite.getRawContent(), StandardCharsets.UTF_8) : "";
    if (offer.isBlank()) {
      // an INVITE without offer wants ours in the 200 and its answer in the ACK (RFC 3264 section 4): not supported
      failMediaAnswer(withWarning(kit.response(488, invite, localTag), 304, "no SDP offer in the INVITE"),
          EndCause.GATEWAY_FAILURE);
      return;
    }
    MediaSession session;
    try {
      session = gw.media.open(new CallerMediaListener());
    } catch (PortsExhaustedException | java.io.IOException | RuntimeException e) {
      LOG.warn("call {}: no RTP port for the media answer ({}); answering 503", trnId, e.toString());
      failMediaAnswer(kit.withRetryAfter(kit.response(503, invite, localTag)), EndCause.GATEWAY_FAILURE);
      return;
    }
    SdpNegotiation negotiation = new SdpOfferAnswer(session.localAddress()).answer(offer, session.localPort());
    if (negotiation instanceof SdpNegotiation.Rejected) {
      SdpNegotiation.Rejected r = (SdpNegotiation.Rejected) negotiation;
      session.close();
      LOG.info("call {}: caller's SDP offer refused with {}: {}", trnId, r.status(), r.reason());
      failMediaAnswer(withWarning(kit.response(r.status(), invite, localTag), r.warningCode(), r.reason()),
          EndCause.GATEWAY_FAILURE);
      return;
    }
    SdpNegotiation.Accepted accepted = (SdpNegotiation.Accepted) negotiation;
    callerMedia = session;
    Response ok = kit.withAllow(kit.response(200, invite, localTag));
    ok.setHeader(kit.contact(SipKit.transportOf(invite)));
    try {
      ok.setContent(accepted.answerSdp(), kit.headers.createContentTypeHeader("application", "sdp"));
    } catch (ParseException e) {
      throw new IllegalStateException("Content-Type application/sdp", e);
    }
    session.start(accepted.media());
    callerOnHold = accepted.media().localDirection() != MediaDirection.SENDRECV;
    callerSdp = accepted.answerSdp();
    SessionTimers.Negotiated callerSession = callerSessionTimer(ok);
    try {
      inviteSt.sendResponse(ok);
    } catch (SipException | InvalidArgumentException e) {
      LOG.debug("call {}: could not send 200 to the caller: {}", trnId, e.toString());
    }
    okToCaller = ok;
    callerFinal = true;
    mediaAnswered = true;
    callerLeg = kit.callerLeg(invite, localTag);
    state = State.MEDIA;
    gw.report(new CallProgress.MediaAnswered(trnId, Instant.now()));
    callerTimer.start(callerSession);
    if (pendingPlay != null) {
      CallInstruction.PlayPrompt play = pendingPlay;
      pendingPlay = null;
      onPlayPrompt(play);
    }
    okRetransmit = gw.schedule(this, Duration.ofMillis(T1), this::retransmitOk);
    armMediaWatch();
    maxDuration = gw.schedule(this, gw.settings.maxCallDuration(), () -> {
      if (state != State.ENDED) {
        LOG.info("call {}: max call duration {} reached; releasing", trnId, gw.settings.maxCallDuration());
        release(EndCause.NORMAL_CLEARING);
      }
    });
  }

  /**
   * Schedules the next RTP inactivity check: every quarter of {@code rtp-timeout}, at least 100 ms and at most 5 s
   * apart; nothing when the timeout is off (0).
   */
  private void armMediaWatch() {
    Duration timeout = gw.media.settings().rtpTimeout();
    if (timeout.isZero() || state == State.ENDED) {
      return;
    }
    long every = Math.max(100, Math.min(5000, timeout.toMillis() / 4));
    cancel(mediaWatch);
    mediaWatch = gw.schedule(this, Duration.ofMillis(every), this::checkMedia);
  }

  /**
   * One RTP inactivity check (see the class comment): bridged, both sides silent for {@code rtp-timeout}; otherwise
   * the caller silent for it; sides on hold never count.
   */
  private void checkMedia() {
    mediaWatch = null;
    if (state == State.ENDED || callerMedia == null || callerMedia.isClosed()) {
      return;
    }
    long timeout = gw.media.settings().rtpTimeout().toMillis();
    long callerIdle = callerMedia.millisSinceLastReceived();
    if (state == State.ANSWERED && calleeMedia != null) {
      long idle = Math.min(callerIdle, calleeMedia.millisSinceLastReceived());
      if (!callerOnHold && !calleeOnHold && idle >= timeout) {
        mediaTimeout(HangupParty.SYSTEM, idle);
        return;
      }
    } else if (!callerOnHold && callerIdle >= timeout) {
      mediaTimeout(HangupParty.CALLER, callerIdle);
      return;
    }
    armMediaWatch();
  }

  /**
   * Ends an anchored call whose RTP stopped, as if the caller had hung up: BYE to the caller (it may still be
   * there; after its ACK, RFC 3261 section 15), CANCEL to a ringing forward leg or BYE to an answered one, media
   * closed, Ended reported with {@link EndCause#MEDIA_TIMEOUT}.
   *
   * @param idleMillis how long nothing came, ms (for the log)
   */
  private void mediaTimeout(HangupParty by, long idleMillis) {
    LOG.info("call {}: no RTP for {} ms (rtp-timeout {}) in state {}; ending it", trnId, idleMillis,
        gw.media.settings().rtpTimeout(), state);
    boolean bridged = state == State.ANSWERED;
    dropHeldAnswer();
    cancelForward();
    byeCaller();
    if (bridged) {
      sendBye(calleeLeg, ++calleeCSeq);
    }
    end(by, EndCause.MEDIA_TIMEOUT, 0);
    finish();
  }

  /**
   * Call progress toward the caller of a media-answered call while its forward leg rings: the ringback tone, looped,
   * unless a prompt plays or early media is bridged.
   */
  private void startRingback() {
    if (ringbackPlaying || earlyMedia || promptActive || callerMedia == null || state == State.ENDED) {
      return;
    }
    try {
      callerMedia.play(Tones.japaneseRingback(), true, false);
      ringbackPlaying = true;
    } catch (RuntimeException e) {
      LOG.debug("call {}: ringback not played: {}", trnId, e.toString());
    }
  }

  /**
   * A 183 with SDP of a forward leg after media (early media, RFC 3960): the SDP is read as the answer to our offer,
   * the callee's session starts and the caller is bridged to it (instead of the ringback tone). When the SDP is
   * unusable or a prompt has the floor, the ringback tone plays instead.
   */
  private void startEarlyMedia(Response response) {
    if (earlyMedia || promptActive || calleeMedia == null) {
      startRingback();
      return;
    }
    SdpNegotiation n = calleeSdp.acceptAnswer(new String(response.getRawContent(), StandardCharsets.UTF_8));
    if (!(n instanceof SdpNegotiation.Accepted accepted)) {
      startRingback();
      return;
    }
    calleeMedia.start(accepted.media());
    ringbackPlaying = false; // the bridge stops it
    callerMedia.bridge(calleeMedia);
    earlyMedia = true;
  }

  /** Stops the ringback tone and unbridges early media, if any (the leg answered, failed or was given up). */
  private void stopCallProgress() {
    if (ringbackPlaying) {
      ringbackPlaying = false;
      if (callerMedia != null) {
        callerMedia.stopPlaying();
      }
    }
    if (earlyMedia) {
      earlyMedia = false;
      if (callerMedia != null) {
        callerMedia.unbridge();
      }
    }
  }

  /** The media answer failed: final response to the caller, Ended reported with its status. */
  private void failMediaAnswer(Response response, EndCause cause) {
    finalToCaller(response);
    end(HangupParty.SYSTEM, cause, response.getStatusCode());
    finish();
  }

  private Response withWarning(Response r, int code, String text) {
    try {
      r.addHeader(kit.headers.createWarningHeader(gw.settings.host(), code, text.replace('"', '\'')));
    } catch (ParseException | InvalidArgumentException e) {
      LOG.debug("call {}: Warning header not added: {}", trnId, e.toString());
    }
    return r;
  }

  /** Digits of the caller's RTP stream (RFC 4733), handed to the call's executor. */
  private final class CallerMediaListener implements MediaListener {
    @Override
    public void onDigit(MediaSession session, DtmfDigit digit) {
      exec.execute(() -> reportDigit(session, digit));
    }
  }

  private void reportDigit(MediaSession from, DtmfDigit digit) {
    if (state == State.ENDED || from != callerMedia) {
      return;
    }
    gw.report(new CallProgress.Digit(trnId, String.valueOf(digit.digit()), ++digitSeq, Instant.now()));
  }

  /**
   * INFO in the caller's dialog of a media-answered call (RFC 2976 / RFC 6086): a key press in {@code
   * application/dtmf-relay} or {@code application/dtmf} is answered 200 and reported as a Digit; a malformed one
   * 400; a body of another type 415 with Accept; an INFO without body 200.
   */
  private void onCallerInfo(RequestEvent event) {
    onDtmfInfo(event, localTag, d -> reportDigit(callerMedia, d));
  }

  /**
   * An INFO that may carry a key press (see {@link #onCallerInfo}), answered in the dialog whose local tag is {@code
   * tag} (null: the request's To tag stays); a key goes to {@code onKey}.
   */
  private void onDtmfInfo(RequestEvent event, String localTag, java.util.function.Consumer<DtmfDigit> onKey) {
    Request r = event.getRequest();
    ContentTypeHeader type = (ContentTypeHeader) r.getHeader(ContentTypeHeader.NAME);
    if (!SipKit.hasBody(r)) {
      kit.reply(event.getServerTransaction(), r, kit.response(200, r, localTag));
      return;
    }
    String contentType = type == null ? "" : type.getContentType() + "/" + type.getContentSubType();
    if (!SipInfoDtmf.handles(contentType)) {
      Response unsupported = kit.response(415, r, localTag);
      try {
        unsupported.addHeader(kit.headers.createAcceptHeader("application", "dtmf-relay"));
        unsupported.addHeader(kit.headers.createAcceptHeader("application", "dtmf"));
      } catch (ParseException e) {
        LOG.debug("call {}: Accept header not added: {}", trnId, e.toString());
      }
      kit.reply(event.getServerTransaction(), r, unsupported);
      return;
    }
    Optional<DtmfDigit> digit;
    try {
      digit = SipInfoDtmf.parse(contentType, new String(r.getRawContent(), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      kit.reply(event.getServerTransaction(), r, kit.withReason(kit.response(400, r, localTag), e.getMessage()));
      return;
    }
    kit.reply(event.getServerTransaction(), r, kit.response(200, r, localTag));
    digit.ifPresent(onKey);
  }

  /**
   * CallInstruction.PlayPrompt: replaces the current prompt (no report for it), fetches the new one from the
   * {@link PromptSource} and plays it in the negotiated codec; PromptFinished(played=true) when it ends by itself,
   * played=false at once when it is missing or cannot be played. Ignored without anchored media or after the end.
   */
  void onPlayPrompt(CallInstruction.PlayPrompt play) {
    if (state == State.ENDED || state == State.POST_CALL) {
      LOG.debug("call {}: ignoring PlayPrompt {} after the end", trnId, play.token());
      return;
    }
    if (callerMedia == null) {
      if (pendingPlay == null || play.token() > pendingPlay.token()) {
        pendingPlay = play; // the media answer is on its way: play it then
      }
      return;
    }
    if (state == State.HOLDING) {
      cancel(instructionWait); // the entity is at work: it ends the call itself when it gives up
    }
    promptToken = play.token();
    promptActive = true;
    ringbackPlaying = false; // a prompt replaces the ringback tone
    callerMedia.stopPlaying();
    CompletionStage<Optional<Prompt>> lookup;
    try {
      lookup = gw.prompts.prompt(play.operatorId(), play.prompt());
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    lookup.whenComplete((prompt, error) -> exec.execute(() -> onPromptLoaded(play, prompt, error)));
  }

  private void onPromptLoaded(CallInstruction.PlayPrompt play, Optional<Prompt> prompt, Throwable error) {
    long token = play.token();
    if (!promptActive || promptToken != token || state == State.ENDED || callerMedia == null) {
      return; // replaced, stopped or over meanwhile: no report for it
    }
    if (error != null || prompt == null || prompt.isEmpty()) {
      // a prompt the flow names should exist (the API refuses flows without their prompts, and deleting one in
      // use): missing now means it was deleted under a call of an older flow version, or the store failed
      String why = error != null ? error.toString() : "no such prompt";
      if (play.prompt().startsWith("queue-position-")) {
        LOG.info("call {}: queue position prompt '{}' not played: {}", trnId, play.prompt(), why);
      } else {
        LOG.warn("call {}: prompt '{}' of operator {} not played: {}", trnId, play.prompt(), play.operatorId(), why);
      }
      if (play.loop()) {
        // a loop never finishes by itself (hold music): the flow waits for the queue, not for this prompt; a report
        // would make it ask for the same missing prompt again at once, forever
        promptActive = false;
        return;
      }
      promptDone(token, false);
      return;
    }
    CompletionStage<PlayOutcome> played;
    try {
      played = callerMedia.play(prompt.get(), play.loop(), false);
    } catch (RuntimeException e) {
      LOG.info("call {}: prompt '{}' not played: {}", trnId, play.prompt(), e.toString());
      promptDone(token, false);
      return;
    }
    played.whenComplete((outcome, e) -> exec.execute(() -> {
      if (outcome == PlayOutcome.FINISHED && promptActive && promptToken == token && state != State.ENDED) {
        promptDone(token, true);
        if (state == State.EARLY) {
          startRingback(); // the leg still rings: back to the ringback tone
        }
      }
    }));
  }

  private void promptDone(long token, boolean played) {
    promptActive = false;
    gw.report(new CallProgress.PromptFinished(trnId, token, Instant.now(), played));
  }

  /** CallInstruction.StopPrompt: stops the prompt of {@code token} if it is the current one; nothing is reported. */
  void onStopPrompt(long token) {
    if (pendingPlay != null && pendingPlay.token() == token) {
      pendingPlay = null;
      return;
    }
    if (!promptActive || promptToken != token || callerMedia == null) {
      return;
    }
    promptActive = false;
    callerMedia.stopPlaying();
  }

  /**
   * The callee of a forward after media answered (2xx with its SDP answer to our offer, already ACKed): its media
   * session starts, the prompt stops, both sessions are bridged (RTP relayed both ways, transcoded between PCMU and
   * PCMA when they differ), Answered is reported; the caller gets nothing (it has our 200 already). An answer without
   * usable SDP fails the leg (BYE) as UNREACHABLE.
   */
  private void connectMedia(Response response) {
    String body = SipKit.hasBody(response) ? new String(response.getRawContent(), StandardCharsets.UTF_8) : "";
    SdpNegotiation negotiation = body.isBlank()
        ? new SdpNegotiation.Rejected(488, 304, "no SDP answer in the 2xx")
        : calleeSdp.acceptAnswer(body);
    if (negotiation instanceof SdpNegotiation.Rejected) {
      LOG.info("call {}: answer of attempt {} unusable ({}); BYE", trnId, attempt,
          ((SdpNegotiation.Rejected) negotiation).reason());
      sendBye(calleeLeg, ++calleeCSeq);
      Outcomes.Outcome o = new Outcomes.Outcome(480, EndCause.UNREACHABLE, HangupParty.SYSTEM);
      if (holdCaller) {
        legFailed(o, response.getStatusCode());
      } else {
        byeCaller();
        end(o.by(), o.cause(), 0);
      }
      finish();
      return;
    }
    NegotiatedMedia answered = ((SdpNegotiation.Accepted) negotiation).media();
    stopCallProgress();
    calleeMedia.start(answered);
    calleeOnHold = answered.localDirection() != MediaDirection.SENDRECV;
    promptActive = false;
    callerMedia.bridge(calleeMedia);
    state = State.ANSWERED;
    gw.report(new CallProgress.Answered(trnId, attempt, Instant.now()));
    recorder = CallRecorder.start(gw, trnId, route, callerMedia, calleeMedia);
    startCalleeTimer(response);
  }

  /** Closes the media sessions of the call (idempotent); their ports go back to the pool. */
  private void closeMedia() {
    promptActive = false;
    if (recorder != null) {
      recorder.stop();
      recorder = null;
    }
    if (callerMedia != null) {
      callerMedia.close();
    }
    if (calleeMedia != null) {
      calleeMedia.close();
    }
  }

  // ---------------------------------------------------------------- forward leg

  /**
   * Sends the forward INVITE of the current attempt. The previous leg, if any, is settled: it is kept among the
   * earlier legs and this leg's state starts afresh.
   *
   * @param destination the number to call
   * @param ringTimeoutMillis the entity's ring timeout in milliseconds (the failsafe adds {@code ring-timeout-margin})
   */
  private void sendForward(PhoneNumber destination, long ringTimeoutMillis) {
    if (forwardCallId != null) {
      earlierLegs.put(forwardCallId, new EarlierLeg(forwardInvite, calleeLeg, ackToCallee));
      forwardCt = null;
      forwardProvisional = false;
      cancelPending = false;
      cancelSent = false;
      calleeLeg = null;
      ackToCallee = null;
      calleeCSeq = 1;
      ringingReported = false;
    }
    retried422 = false;
    legsSent++;
    try {
      if (mediaAnswered) {
        openCalleeMedia();
      }
      forwardInvite = buildForwardInvite(destination);
      forwardCallId = ((CallIdHeader) forwardInvite.getHeader(CallIdHeader.NAME)).getCallId();
      gw.registerForward(forwardCallId, this);
      kit.addVia(forwardInvite);
      forwardCt = kit.provider.getNewClientTransaction(forwardInvite);
      forwardCt.setApplicationData(this);
      forwardSettled = false;
      state = State.FORWARDING;
      forwardCt.sendRequest();
      long failsafe = Math.max(0, ringTimeoutMillis) + gw.settings.ringTimeoutMargin().toMillis();
      int forAttempt = attempt;
      ringFailsafe = gw.schedule(this, Duration.ofMillis(failsafe), () -> {
        if (attempt == forAttempt && (state == State.FORWARDING || state == State.EARLY)) {
          LOG.info("call {}: no answer and no CancelForward within {} ms; ending it as NO_ANSWER", trnId, failsafe);
          if (holdCaller) {
            giveUpLeg(EndCause.NO_ANSWER);
          } else {
            endUnanswered(EndCause.NO_ANSWER, HangupParty.SYSTEM);
          }
        }
      });
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.warn("call {}: cannot send the forward INVITE: {}", trnId, e.toString());
      forwardSettled = true;
      if (forwardCt != null) {
        kit.release(forwardCt);
      }
      state = State.FORWARDING;
      if (holdCaller) {
        legFailed(new Outcomes.Outcome(480, EndCause.UNREACHABLE, HangupParty.SYSTEM), 0);
      } else {
        endUnanswered(EndCause.UNREACHABLE, HangupParty.SYSTEM);
      }
    }
  }

  private Request buildForwardInvite(PhoneNumber destination) throws ParseException, InvalidArgumentException {
    URI requestUri = kit.addresses.createURI(gw.settings.outboundUriFor(destination));
    URI toUri = (URI) requestUri.clone();
    if (toUri instanceof SipURI) {
      ((SipURI) toUri).removeParameter("transport");
    }
    Address toAddress = kit.addresses.createAddress(toUri);
    boolean withheld = caller.withheld();
    Address fromAddress;
    PhoneNumber presented = null;
    if (!withheld) {
      NumberKind tracking = route != null ? route.din().kind() : dialled.kind();
      Optional<PhoneNumber> system = gw.systemCaller;
      presented = tracking == NumberKind.FREE_CALL && system.isPresent()
          ? system.get()
          : caller.fromNumber().orElse(null);
    }
    if (presented != null) {
      SipURI fromUri = kit.addresses.createSipURI(presented.nationalDigits(), gw.settings.host());
      fromAddress = kit.addresses.createAddress(fromUri);
    } else {
      fromAddress = kit.addresses.createAddress("\"Anonymous\" <sip:anonymous@anonymous.invalid>");
    }
    FromHeader from = kit.headers.createFromHeader(fromAddress, kit.newTag());
    ToHeader to = kit.headers.createToHeader(toAddress, null);
    CallIdHeader callId = kit.headers.createCallIdHeader(kit.newCallId());
    CSeqHeader cseq = kit.headers.createCSeqHeader(1L, Request.INVITE);
    MaxForwardsHeader maxForwards = kit.headers.createMaxForwardsHeader(forwardMaxForwards);
    Request r = kit.messages.createRequest(requestUri, Request.INVITE, callId, cseq, from, to,
        new java.util.ArrayList<>(), maxForwards);
    r.addHeader(kit.contact(gw.settings.outboundTransport()));
    r.addHeader(kit.headers.createAllowHeader(SipKit.ALLOW));
    SipGatewaySettings.SessionTimer timer = gw.settings.sessionTimer();
    if (timer.enabled()) {
      // RFC 4028 section 7.1: we support timers and ask for our interval; the callee picks the refresher
      r.addHeader(kit.headers.createSupportedHeader("timer"));
      r.addHeader(kit.headers.createHeader("Session-Expires", String.valueOf(timer.sessionExpiresSeconds())));
      r.addHeader(kit.headers.createHeader("Min-SE", String.valueOf(timer.minSeSeconds())));
    }
    if (withheld) {
      // RFC 3323/3325: keep the caller's privacy request toward the destination; no P-Asserted-Identity here
      r.addHeader(kit.headers.createHeader("Privacy", "id"));
    }
    if (mediaAnswered) {
      // after media the callee talks to our anchor: our offer (RFC 3264 section 5), bridged on its answer
      r.setContent(calleeSdp.offer(calleeMedia.localPort()), kit.headers.createContentTypeHeader("application", "sdp"));
    } else {
      SipKit.copyBody(invite, r);
    }
    return r;
  }

  /**
   * A fresh media session (and SDP state) for the next forward leg after media; the previous leg's, if any, is
   * closed.
   *
   * @throws IllegalStateException when no RTP port is free or none can be bound (the leg then fails UNREACHABLE)
   */
  private void openCalleeMedia() {
    if (calleeMedia != null) {
      calleeMedia.close();
      calleeMedia = null;
    }
    try {
      calleeMedia = gw.media.open(new CalleeMediaListener());
    } catch (PortsExhaustedException | java.io.IOException e) {
      throw new IllegalStateException("no RTP port for the forward leg: " + e.getMessage(), e);
    }
    calleeSdp = new SdpOfferAnswer(calleeMedia.localAddress());
  }

  /** A response of the callee to the forward INVITE (from its client transaction, or stray by Call-ID). */
  void onForwardResponse(Response response) {
    String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
    if (!callId.equals(forwardCallId)) {
      onEarlierLegResponse(callId, response);
      return;
    }
    int status = response.getStatusCode();
    if (status < 200) {
      onProvisional(response);
    } else if (status < 300) {
      onForwardSuccess(response);
    } else {
      onForwardFailure(response);
    }
  }

  private void onProvisional(Response response) {
    forwardProvisional = true;
    if (cancelPending && !cancelSent) {
      sendCancel();
    }
    int status = response.getStatusCode();
    if (status == 100 || (state != State.FORWARDING && state != State.EARLY)) {
      return;
    }
    if (mediaAnswered) {
      // the caller is connected to our anchor already: nothing is relayed; it hears our ringback tone or the callee's
      // early media (unless the entity plays a prompt)
      state = State.EARLY;
      if (status == 183 && SipKit.hasBody(response)) {
        startEarlyMedia(response);
      } else {
        startRingback();
      }
      if (!ringingReported) {
        ringingReported = true;
        gw.report(new CallProgress.Ringing(trnId, attempt, Instant.now()));
      }
      return;
    }
    if (callerFinal) {
      return;
    }
    int relay = status == 183 ? 183 : 180;
    boolean bodiless = !SipKit.hasBody(response);
    if (legsSent > 1 && bodiless && lastProvisionalBodiless) {
      // a later leg rings: the caller already plays its ringback in our one early dialog, nothing new to tell it
      LOG.debug("call {}: {} of attempt {} not relayed (caller already rings)", trnId, status, attempt);
    } else {
      Response p = kit.response(relay, invite, localTag);
      p.setHeader(kit.contact(SipKit.transportOf(invite)));
      SipKit.copyBody(response, p);
      try {
        inviteSt.sendResponse(p);
      } catch (SipException | InvalidArgumentException e) {
        LOG.debug("call {}: could not relay {}: {}", trnId, relay, e.toString());
      }
      lastProvisionalBodiless = bodiless;
    }
    state = State.EARLY;
    if (!ringingReported) {
      ringingReported = true;
      gw.report(new CallProgress.Ringing(trnId, attempt, Instant.now()));
    }
  }

  private void onForwardSuccess(Response response) {
    String tag = ((ToHeader) response.getHeader(ToHeader.NAME)).getTag();
    if (calleeLeg != null) {
      if (tag != null && tag.equals(calleeLeg.remoteTag())) {
        long seq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
        if (seq != inviteCSeq() && calleeTimer.resendAck(seq)) {
          return; // 2xx retransmission of our refresh re-INVITE: its ACK was lost
        }
        resendAckToCallee(); // 2xx retransmission: our ACK was lost (RFC 3261 section 13.2.2.4)
      } else {
        // another branch of a forking proxy answered too: ACK and BYE it (section 13.2.2.4)
        SipKit.Leg fork = kit.calleeLeg(forwardInvite, response);
        sendAck(fork);
        sendBye(fork, 2);
      }
      return;
    }
    calleeLeg = kit.calleeLeg(forwardInvite, response);
    forwardSettled = true;
    cancel(ringFailsafe);
    cancel(cancelGiveUp);
    sendAck(calleeLeg);
    kit.release(forwardCt); // 2xx retransmissions now arrive without transaction and are re-ACKed by Call-ID
    if (state == State.HOLDING) {
      // RFC 5407 section 3.1.2: the 2xx crossed our CANCEL of a leg already reported failed: never connected
      LOG.debug("call {}: 2xx of attempt {} after its CANCEL; ACK + BYE", trnId, attempt);
      sendBye(calleeLeg, ++calleeCSeq);
      startNextIfReady();
      return;
    }
    if (!recorded.isDone() && !callerFinal && state != State.ENDED) {
      // the callee answered before the cluster recorded the call: the caller hears ringing a little longer, until
      // onRecorded (queued on this call's executor when the record completes) relays or ends it
      heldAnswer = response;
      return;
    }
    connect(response);
  }

  /** Relays the destination's answer to the caller, or BYEs the destination when the caller is already gone. */
  private void connect(Response response) {
    if (state == State.HOLDING) {
      // a held answer of a leg given up meanwhile (sequential forwarding): never connected, LegFailed is reported
      sendBye(calleeLeg, ++calleeCSeq);
      startNextIfReady();
      return;
    }
    if (mediaAnswered && state != State.ENDED) {
      connectMedia(response);
      return;
    }
    if (callerFinal || state == State.ENDED) {
      // RFC 5407 section 3.1.2: the 200 crossed our CANCEL (or the caller already has a final response):
      // the call never connected; ACK (done) and BYE it. The end was reported when we cancelled.
      LOG.debug("call {}: 2xx after CANCEL/final response; ACK + BYE", trnId);
      sendBye(calleeLeg, ++calleeCSeq);
      if (!endReported) {
        reportEnd(HangupParty.SYSTEM, EndCause.ANSWER_CANCEL_RACE, 0);
      }
      finish();
      return;
    }
    Response ok = kit.withAllow(kit.response(200, invite, localTag));
    ok.setHeader(kit.contact(SipKit.transportOf(invite)));
    SipKit.copyBody(response, ok);
    callerSdp = SipKit.hasBody(response) ? new String(response.getRawContent(), StandardCharsets.UTF_8) : null;
    SessionTimers.Negotiated callerSession = callerSessionTimer(ok);
    try {
      inviteSt.sendResponse(ok);
    } catch (SipException | InvalidArgumentException e) {
      LOG.debug("call {}: could not send 200 to the caller: {}", trnId, e.toString());
    }
    okToCaller = ok;
    callerFinal = true;
    callerLeg = kit.callerLeg(invite, localTag);
    state = State.ANSWERED;
    gw.report(new CallProgress.Answered(trnId, attempt, Instant.now()));
    callerTimer.start(callerSession);
    startCalleeTimer(response);
    okRetransmit = gw.schedule(this, Duration.ofMillis(T1), this::retransmitOk);
    maxDuration = gw.schedule(this, gw.settings.maxCallDuration(), () -> {
      if (state == State.ANSWERED) {
        LOG.info("call {}: max call duration {} reached; releasing", trnId, gw.settings.maxCallDuration());
        release(EndCause.NORMAL_CLEARING);
      }
    });
  }

  private void onForwardFailure(Response response) {
    if (response.getStatusCode() == 422 && retryWithLargerInterval(response)) {
      return;
    }
    if (forwardSettled && state == State.HOLDING) {
      return; // a retransmission of the final response of a leg already over (its transaction is gone)
    }
    forwardSettled = true;
    cancel(ringFailsafe);
    cancel(cancelGiveUp);
    kit.release(forwardCt); // the stack has sent the ACK (RFC 3261 section 17.1.1.3); do not linger in Timer D
    if (state == State.HOLDING) {
      startNextIfReady(); // the 487 (or a failure crossing our CANCEL) of a leg already reported failed
    } else if ((mediaAnswered || !callerFinal) && state != State.ENDED) {
      Outcomes.Outcome o = Outcomes.forCalleeStatus(response.getStatusCode());
      if (holdCaller) {
        legFailed(o, response.getStatusCode());
      } else if (mediaAnswered) {
        byeCaller(); // the caller has our 200: the call ends by BYE
        end(o.by(), o.cause(), response.getStatusCode()); // the callee's status, for the call log
      } else {
        finalToCaller(kit.response(o.callerStatus(), invite, localTag));
        end(o.by(), o.cause(), o.callerStatus());
      }
    }
    finish();
  }

  /**
   * A final response of an earlier forward leg (sequential forwarding; its transaction is gone): a 2xx of the dialog
   * we already ACKed and BYEd is ACKed again (RFC 3261 section 13.2.2.4); any other 2xx is ACKed and BYEd, and a
   * non-2xx is ACKed (section 17.1.1.3), all without touching the call.
   */
  private void onEarlierLegResponse(String callId, Response response) {
    EarlierLeg leg = earlierLegs.get(callId);
    if (leg == null || response.getStatusCode() < 200) {
      return;
    }
    String tag = ((ToHeader) response.getHeader(ToHeader.NAME)).getTag();
    if (response.getStatusCode() < 300 && leg.answered() != null && leg.ack() != null && tag != null
        && tag.equals(leg.answered().remoteTag())) {
      try {
        kit.provider.sendRequest(leg.ack());
      } catch (SipException | RuntimeException e) {
        LOG.debug("call {}: ACK resend on an earlier leg failed: {}", trnId, e.toString());
      }
      return;
    }
    LOG.debug("call {}: {} on earlier forward leg {}; answered statelessly", trnId, response.getStatusCode(), callId);
    kit.strayFinalResponse(response);
  }

  /** Timer B fired or the transport failed for the forward INVITE of the leg with {@code callId}. */
  void onForwardTimeout(String callId) {
    if (forwardSettled || !callId.equals(forwardCallId)) {
      return;
    }
    forwardSettled = true;
    if (state == State.HOLDING) {
      startNextIfReady();
    } else if (holdCaller && (state == State.FORWARDING || state == State.EARLY) && (mediaAnswered || !callerFinal)) {
      LOG.info("call {}: destination did not answer the INVITE of attempt {} (timeout)", trnId, attempt);
      legFailed(new Outcomes.Outcome(480, EndCause.UNREACHABLE, HangupParty.SYSTEM), 0);
    } else if (mediaAnswered && state != State.ENDED) {
      LOG.info("call {}: destination did not answer the INVITE (timeout)", trnId);
      byeCaller();
      end(HangupParty.SYSTEM, EndCause.UNREACHABLE, 0);
    } else if (!callerFinal && state != State.ENDED) {
      LOG.info("call {}: destination did not answer the INVITE (timeout)", trnId);
      finalToCaller(kit.response(480, invite, localTag));
      end(HangupParty.SYSTEM, EndCause.UNREACHABLE, 480);
    }
    finish();
  }

  /** Stops the forward INVITE: CANCEL now if a provisional came (RFC 3261 section 9.1), else when one comes. */
  private void cancelForward() {
    if (forwardSettled || forwardCt == null || cancelSent || cancelPending) {
      return;
    }
    if (forwardProvisional || forwardCt.getState() == TransactionState.PROCEEDING) {
      sendCancel();
    } else {
      cancelPending = true;
      String leg = forwardCallId;
      cancelGiveUp = gw.schedule(this, Duration.ofMillis(CANCEL_WAIT_MILLIS), () -> {
        if (!forwardSettled && leg.equals(forwardCallId)) {
          LOG.debug("call {}: no provisional response within {} ms, CANCEL not possible; giving the forward leg up",
              trnId, CANCEL_WAIT_MILLIS);
          forwardSettled = true;
          kit.release(forwardCt);
          startNextIfReady();
          finish();
        }
      });
    }
  }

  private void sendCancel() {
    try {
      Request cancel = forwardCt.createCancel();
      ClientTransaction ct = kit.provider.getNewClientTransaction(cancel);
      ct.setApplicationData(SipGateway.AUXILIARY);
      ct.sendRequest();
      cancelSent = true;
      cancelPending = false;
    } catch (SipException | RuntimeException e) {
      LOG.debug("call {}: CANCEL failed: {}", trnId, e.toString());
      cancelPending = false;
    }
  }

  private void sendAck(SipKit.Leg leg) {
    try {
      Request ack = kit.inDialog(leg, Request.ACK, inviteCSeq());
      kit.addVia(ack);
      kit.provider.sendRequest(ack);
      if (leg == calleeLeg) {
        ackToCallee = ack;
      }
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.debug("call {}: ACK failed: {}", trnId, e.toString());
    }
  }

  private void resendAckToCallee() {
    if (ackToCallee == null) {
      return;
    }
    try {
      kit.provider.sendRequest(ackToCallee);
    } catch (SipException | RuntimeException e) {
      LOG.debug("call {}: ACK resend failed: {}", trnId, e.toString());
    }
  }

  private void sendBye(SipKit.Leg leg, long cseq) {
    if (leg == null) {
      return;
    }
    try {
      Request bye = kit.inDialog(leg, Request.BYE, cseq);
      kit.addVia(bye);
      ClientTransaction ct = kit.provider.getNewClientTransaction(bye);
      ct.setApplicationData(SipGateway.AUXILIARY);
      ct.sendRequest();
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.debug("call {}: BYE failed: {}", trnId, e.toString());
    }
  }

  private void byeCaller() {
    if (callerLeg == null) {
      return;
    }
    if (!callerAcked) {
      byeCallerAfterAck = true; // RFC 3261 section 15: not before the ACK of our 2xx (or its timeout)
      return;
    }
    sendBye(callerLeg, ++callerCSeq);
  }

  // ---------------------------------------------------------------- caller leg

  private void finalToCaller(Response response) {
    if (callerFinal) {
      return;
    }
    callerFinal = true;
    try {
      inviteSt.sendResponse(response);
    } catch (SipException | InvalidArgumentException | RuntimeException e) {
      LOG.debug("call {}: could not send {} to the caller: {}", trnId, response.getStatusCode(), e.toString());
    }
  }

  private void retransmitOk() {
    if (callerAcked || okToCaller == null) {
      return;
    }
    okRetransmitElapsed += okRetransmitInterval;
    if (okRetransmitElapsed >= 64 * T1) {
      // RFC 3261 section 13.3.1.4: no ACK for 64*T1: confirm the dialog, then end the session with BYE
      LOG.info("call {}: caller never ACKed the 200 OK; releasing", trnId);
      callerAcked = true;
      if (state == State.ANSWERED || (mediaAnswered && state != State.ENDED)) {
        sendBye(callerLeg, ++callerCSeq);
        cancelForward();
        sendBye(calleeLeg, ++calleeCSeq);
        end(HangupParty.SYSTEM, EndCause.GATEWAY_FAILURE, 0);
      } else if (byeCallerAfterAck) {
        sendBye(callerLeg, ++callerCSeq);
      }
      finish();
      return;
    }
    try {
      kit.provider.sendResponse(okToCaller);
    } catch (SipException | RuntimeException e) {
      LOG.debug("call {}: 200 retransmission failed: {}", trnId, e.toString());
    }
    okRetransmitInterval = Math.min(okRetransmitInterval * 2, T2);
    okRetransmit = gw.schedule(this, Duration.ofMillis(okRetransmitInterval), this::retransmitOk);
  }

  /** The caller's ACK: for our 2xx (stops retransmission), or for a non-2xx final (ends the INVITE transaction). */
  void onCallerAck(ServerTransaction ackedSt) {
    if (ackedSt != null) {
      kit.release(ackedSt);
    }
    if (okToCaller != null && !callerAcked) {
      callerAcked = true;
      cancel(okRetransmit);
      kit.release(inviteSt);
      if (byeCallerAfterAck) {
        sendBye(callerLeg, ++callerCSeq);
      }
    }
    finish();
  }

  /** CANCEL from the caller (RFC 3261 section 9.2): 200 to it, 487 to the INVITE unless already answered. */
  void onCallerCancel(RequestEvent event) {
    Request cancel = event.getRequest();
    kit.reply(event.getServerTransaction(), cancel, kit.response(200, cancel, localTag));
    // answered (the caller must ACK and BYE, RFC 5407 section 3.1.1) or already over: nothing to abandon
    callerGaveUpBeforeAnswer();
    finish();
  }

  /**
   * The caller left (CANCEL, or BYE in the early dialog) before the destination answered: 487 to the caller's
   * INVITE, CANCEL toward the destination when a forward leg exists, and the call ends as CALLER_CANCELLED.
   *
   * @return false when the call was not waiting for an answer (answered or over), and nothing was done
   */
  private boolean callerGaveUpBeforeAnswer() {
    if (mediaAnswered) {
      return false; // the caller has our 200: a CANCEL is too late (RFC 3261 section 9.2), it must BYE
    }
    switch (state) {
      case DECIDING:
        finalToCaller(kit.response(487, invite, localTag));
        endBeforeDecision(HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487);
        return true;
      case FORWARDING:
      case EARLY:
      case HOLDING:
        finalToCaller(kit.response(487, invite, localTag));
        cancelForward();
        end(HangupParty.CALLER, EndCause.CALLER_CANCELLED, 487);
        return true;
      default:
        return false;
    }
  }

  /** BYE on the caller leg. Before the answer it cancels the call (an early-dialog BYE, RFC 3261 section 15). */
  void onCallerBye(RequestEvent event) {
    Request bye = event.getRequest();
    kit.reply(event.getServerTransaction(), bye, kit.response(200, bye, localTag));
    if (mediaAnswered && state != State.ANSWERED && state != State.ENDED && state != State.POST_CALL) {
      // hung up while prompts played or a forward leg rang after media: give the leg up, release everything
      callerAcked = true;
      cancel(okRetransmit);
      kit.release(inviteSt);
      dropHeldAnswer();
      cancelForward();
      end(HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0);
      finish();
      return;
    }
    switch (state) {
      case ANSWERED:
        callerAcked = true;
        cancel(okRetransmit);
        kit.release(inviteSt);
        if (startPostCall()) {
          return; // the callee stays for the post-call button
        }
        sendBye(calleeLeg, ++calleeCSeq);
        end(HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0);
        break;
      default:
        callerGaveUpBeforeAnswer();
        break;
    }
    finish();
  }

  /** BYE on the forward leg: the callee hung up. */
  void onCalleeBye(RequestEvent event) {
    Request bye = event.getRequest();
    String fromTag = ((FromHeader) bye.getHeader(FromHeader.NAME)).getTag();
    String callId = ((CallIdHeader) bye.getHeader(CallIdHeader.NAME)).getCallId();
    if (!callId.equals(forwardCallId)) {
      // an earlier leg (sequential forwarding): only the dialog of a 2xx we ACKed and BYEd exists there
      EarlierLeg leg = earlierLegs.get(callId);
      boolean known = leg != null && leg.answered() != null && fromTag != null
          && fromTag.equals(leg.answered().remoteTag());
      kit.reply(event.getServerTransaction(), bye, kit.response(known ? 200 : 481, bye, null));
      return;
    }
    if (calleeLeg == null || fromTag == null || !fromTag.equals(calleeLeg.remoteTag())) {
      kit.reply(event.getServerTransaction(), bye, kit.response(481, bye, null));
      return;
    }
    kit.reply(event.getServerTransaction(), bye, kit.response(200, bye, null));
    if (heldAnswer != null) {
      // the callee hung up before its answer could be relayed: the caller was never connected
      heldAnswer = null;
      finalToCaller(kit.response(480, invite, localTag));
      end(HangupParty.CALLEE, EndCause.NORMAL_CLEARING, 480);
    } else if (state == State.ANSWERED) {
      byeCaller();
      end(HangupParty.CALLEE, EndCause.NORMAL_CLEARING, 0);
    } else if (state == State.POST_CALL) {
      LOG.info("call {}: the callee hung up during the post-call button; no key", trnId);
      endPostCall(false);
      return;
    }
    finish();
  }

  /**
   * Another request inside an established leg (re-INVITE, UPDATE, INFO, OPTIONS). Session refreshes are answered
   * here with the session description the peer already has (no renegotiation is relayed); INFO and OPTIONS get
   * 200; other methods 501.
   */
  void onInDialogRequest(RequestEvent event, boolean fromCaller) {
    Request r = event.getRequest();
    String method = r.getMethod();
    String tag = fromCaller ? localTag : null;
    if (fromCaller && mediaAnswered && state != State.ENDED && Request.INFO.equals(method)) {
      onCallerInfo(event);
      return;
    }
    if (!fromCaller && state == State.POST_CALL && Request.INFO.equals(method)) {
      onDtmfInfo(event, null, this::onPostCallDigit); // the callee's key for the post-call button
      return;
    }
    boolean established = state == State.ANSWERED || (fromCaller && mediaAnswered && state != State.ENDED)
        || (!fromCaller && state == State.POST_CALL);
    if (!established) {
      int status = Request.INVITE.equals(method) || Request.UPDATE.equals(method) ? 491 : 481;
      kit.reply(event.getServerTransaction(), r, kit.response(status, r, tag));
      return;
    }
    if ((Request.INVITE.equals(method) || Request.UPDATE.equals(method)) && refreshTooShort(r)) {
      // RFC 4028 section 9: a timer-aware peer asking for less than our Min-SE gets 422; the session is unchanged
      Response tooSmall = kit.response(422, r, tag);
      try {
        tooSmall.setHeader(kit.headers.createHeader("Min-SE",
            String.valueOf(gw.settings.sessionTimer().minSeSeconds())));
      } catch (ParseException e) {
        LOG.debug("call {}: Min-SE not added: {}", trnId, e.toString());
      }
      kit.reply(event.getServerTransaction(), r, tooSmall);
      return;
    }
    if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
      String offer = SipKit.hasBody(r) ? new String(r.getRawContent(), StandardCharsets.UTF_8) : null;
      if (mediaAnswered && offer != null) {
        // a hold (or resume) offer: its side may stop sending RTP without having vanished (RFC 3264 section 8.4)
        boolean hold = SdpOfferAnswer.isHold(offer);
        if (fromCaller) {
          callerOnHold = hold;
        } else {
          calleeOnHold = hold;
        }
      }
      Response ok = kit.response(200, r, tag);
      ok.setHeader(kit.contact(fromCaller ? SipKit.transportOf(invite) : gw.settings.outboundTransport()));
      if (fromCaller && mediaAnswered && callerSdp != null && (Request.INVITE.equals(method) || offer != null)) {
        if (offer != null) {
          // our answer states the direction that matches the offer (RFC 3264 sections 6.1 and 8.4): recvonly to a
          // sendonly hold, inactive to inactive, sendrecv again on resume; a changed description gets a new version
          callerSdp = SdpOfferAnswer.withDirection(callerSdp,
              SdpOfferAnswer.answerDirection(SdpOfferAnswer.offeredDirection(offer)));
        }
        setSdp(ok, callerSdp);
      } else if (Request.INVITE.equals(method) || offer != null) {
        SipKit.copyBody(fromCaller ? okToCaller : forwardInvite, ok);
      }
      // any re-INVITE/UPDATE of the peer refreshes its leg's session timer (RFC 4028 section 9), renegotiated
      LegTimer timer = fromCaller ? callerTimer : calleeTimer;
      SessionTimers.Negotiated refreshed = gw.settings.sessionTimer().enabled()
          ? addSessionExpires(ok, r) : null;
      ServerTransaction st = kit.reply(event.getServerTransaction(), r, ok);
      if (Request.INVITE.equals(method)) {
        kit.release(st); // the 2xx of a re-INVITE is not retransmitted; its ACK is absorbed as an in-dialog ACK
      }
      if (refreshed != null) {
        timer.start(refreshed);
      }
    } else if (Request.INFO.equals(method) || Request.OPTIONS.equals(method)) {
      kit.reply(event.getServerTransaction(), r, kit.withAllow(kit.response(200, r, tag)));
    } else {
      kit.reply(event.getServerTransaction(), r, kit.withAllow(kit.response(501, r, tag)));
    }
  }

  // ---------------------------------------------------------------- post-call button (issue 4)

  /** Digits of the callee leg's RTP stream (RFC 4733): only the post-call button reads them. */
  private final class CalleeMediaListener implements MediaListener {
    @Override
    public void onDigit(MediaSession session, DtmfDigit digit) {
      exec.execute(() -> {
        if (session == calleeMedia) {
          onPostCallDigit(digit);
        }
      });
    }
  }

  /**
   * The caller hung up an ANSWERED call (its BYE answered): starts the post-call button phase when the route's
   * rules have a button (see the class comment), else does nothing.
   *
   * @return true when the phase started (the callee stays; the call ends later), false to end the call now
   */
  private boolean startPostCall() {
    io.hankyo.protocol.judgment.JudgmentRules.PostCallButton button = postCallButton();
    if (button == null || calleeLeg == null) {
      return false;
    }
    postCallFrom = Instant.now();
    state = State.POST_CALL;
    cancel(mediaWatch);
    cancel(maxDuration);
    callerTimer.stop();
    calleeTimer.stop();
    if (callerMedia != null) {
      callerMedia.unbridge();
      callerMedia.close(); // the caller is gone: its port goes back
    }
    if (calleeMedia != null && !calleeMedia.isClosed() && calleeMedia.media().isPresent()) {
      LOG.info("call {}: the caller hung up; post-call button '{}' for the callee", trnId, button.prompt());
      playPostCallPrompt(button);
      return true;
    }
    // the SDP went end to end: anchor the callee's media with our own offer first
    try {
      openCalleeMedia();
      long cseq = ++calleeCSeq;
      Request r = kit.inDialog(calleeLeg, Request.INVITE, cseq);
      r.addHeader(kit.contact(gw.settings.outboundTransport()));
      r.addHeader(kit.headers.createAllowHeader(SipKit.ALLOW));
      r.setContent(calleeSdp.offer(calleeMedia.localPort()), kit.headers.createContentTypeHeader("application", "sdp"));
      kit.addVia(r);
      ClientTransaction ct = kit.provider.getNewClientTransaction(r);
      ct.setApplicationData(new Refresh(this, false, cseq, Request.INVITE));
      postCallReinviteCSeq = cseq;
      ct.sendRequest();
      LOG.info("call {}: the caller hung up; re-INVITE to anchor the callee for post-call button '{}'", trnId,
          button.prompt());
    } catch (IllegalStateException | ParseException | InvalidArgumentException | SipException e) {
      LOG.warn("call {}: post-call button not possible ({}); ending the call", trnId, e.toString());
      endPostCall(true);
    }
    return true;
  }

  /** The route's post-call button, or null when its rules have none (or there are no rules). */
  private io.hankyo.protocol.judgment.JudgmentRules.PostCallButton postCallButton() {
    return route == null || route.judgment() == null ? null : route.judgment().postCallButton();
  }

  /** The final response to our post-call re-INVITE: 2xx → ACK, media started, prompt; else the phase ends. */
  private void onPostCallReinviteResponse(Refresh rf, Response response) {
    int status = response.getStatusCode();
    if (status < 200) {
      return;
    }
    if (status < 300) {
      try {
        Request ack = kit.inDialog(calleeLeg, Request.ACK, rf.cseq());
        kit.addVia(ack);
        kit.provider.sendRequest(ack);
        calleeTimer.lastAck = ack; // a 2xx retransmission (our ACK lost) is ACKed again (onForwardSuccess)
      } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
        LOG.debug("call {}: ACK of the post-call re-INVITE failed: {}", trnId, e.toString());
      }
    }
    if (state != State.POST_CALL) {
      return;
    }
    String body = SipKit.hasBody(response) ? new String(response.getRawContent(), StandardCharsets.UTF_8) : "";
    SdpNegotiation negotiation = status >= 300 ? new SdpNegotiation.Rejected(status, 0, "re-INVITE refused")
        : body.isBlank() ? new SdpNegotiation.Rejected(488, 304, "no SDP answer")
        : calleeSdp.acceptAnswer(body);
    if (negotiation instanceof SdpNegotiation.Rejected) {
      LOG.info("call {}: post-call re-INVITE answered {} ({}); no button", trnId, status,
          ((SdpNegotiation.Rejected) negotiation).reason());
      endPostCall(true);
      return;
    }
    calleeMedia.start(((SdpNegotiation.Accepted) negotiation).media());
    playPostCallPrompt(postCallButton());
  }

  /** Plays the button prompt to the callee; the key timeout starts when it ends (or at once when it cannot play). */
  private void playPostCallPrompt(io.hankyo.protocol.judgment.JudgmentRules.PostCallButton button) {
    CompletionStage<Optional<Prompt>> lookup;
    try {
      lookup = gw.prompts.prompt(route.operatorId(), button.prompt());
    } catch (RuntimeException e) {
      lookup = CompletableFuture.failedFuture(e);
    }
    lookup.whenComplete((prompt, error) -> exec.execute(() -> {
      if (state != State.POST_CALL || postCallDigit != null) {
        return;
      }
      if (error != null || prompt == null || prompt.isEmpty()) {
        LOG.warn("call {}: post-call prompt '{}' of operator {} not played: {}", trnId, button.prompt(),
            route.operatorId(), error != null ? error.toString() : "no such prompt");
        armPostCallTimeout(button);
        return;
      }
      CompletionStage<PlayOutcome> played;
      try {
        played = calleeMedia.play(prompt.get(), false, true);
      } catch (RuntimeException e) {
        LOG.info("call {}: post-call prompt '{}' not played: {}", trnId, button.prompt(), e.toString());
        armPostCallTimeout(button);
        return;
      }
      played.whenComplete((outcome, e) -> exec.execute(() -> armPostCallTimeout(button)));
    }));
  }

  private void armPostCallTimeout(io.hankyo.protocol.judgment.JudgmentRules.PostCallButton button) {
    if (state != State.POST_CALL || postCallDigit != null || postCallTimeout != null) {
      return;
    }
    postCallTimeout = gw.schedule(this, Duration.ofSeconds(button.timeoutSec()), () -> {
      if (state == State.POST_CALL) {
        LOG.info("call {}: no post-call key within {} s", trnId, button.timeoutSec());
        endPostCall(true);
      }
    });
  }

  /** A key of the callee (RTP or INFO): the first one in the post-call phase is the button; later ones are ignored. */
  private void onPostCallDigit(DtmfDigit digit) {
    if (state != State.POST_CALL || postCallDigit != null) {
      return;
    }
    postCallDigit = String.valueOf(digit.digit());
    LOG.info("call {}: post-call key {}", trnId, postCallDigit);
    endPostCall(true);
  }

  /**
   * Ends the post-call phase and the call: BYE to the callee ({@code byeCallee}; not when it hung up itself), media
   * closed, Ended reported by CALLER with the key (if any) and the caller's hang-up time.
   */
  private void endPostCall(boolean byeCallee) {
    cancel(postCallTimeout);
    if (calleeMedia != null) {
      calleeMedia.stopPlaying();
    }
    if (byeCallee) {
      sendBye(calleeLeg, ++calleeCSeq);
    }
    end(HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0);
    finish();
  }

  // ---------------------------------------------------------------- RFC 4028 session timers

  /**
   * Application data of the client transaction of a session refresh we send (RFC 4028 section 7.4 / 9): its
   * final response or timeout comes back to {@link #onRefreshResponse} / {@link #onRefreshTimeout}.
   *
   * @param call the call
   * @param toCaller whether it went to the caller's leg (else the callee's)
   * @param cseq its CSeq number
   * @param method UPDATE or INVITE
   */
  record Refresh(B2buaCall call, boolean toCaller, long cseq, String method) {}

  /**
   * The session timer of one leg (RFC 4028 section 10). As refresher we send a refresh at half the interval; else
   * we wait for the peer's refresh until {@code interval - min(32 s, interval/3)} and then end the call. Runs on the
   * call's executor only.
   */
  private final class LegTimer {
    final boolean callerSide;
    int intervalSeconds;
    boolean weRefresh;
    /** Whether our refreshes use UPDATE (the peer's Allow lists it, RFC 3311) rather than a re-INVITE. */
    boolean useUpdate;
    ScheduledFuture<?> task;
    /** When the session expires without a refresh (System.nanoTime). */
    long expiresAtNanos;
    /** The ACK of our last refresh re-INVITE's 2xx, resent on its retransmissions (RFC 3261 section 13.2.2.4). */
    Request lastAck;

    LegTimer(boolean callerSide) {
      this.callerSide = callerSide;
    }

    void start(SessionTimers.Negotiated n) {
      if (n == null || !gw.settings.sessionTimer().enabled() || state == State.ENDED) {
        return;
      }
      cancel(task);
      intervalSeconds = n.intervalSeconds();
      weRefresh = n.weRefresh();
      expiresAtNanos = System.nanoTime() + intervalSeconds * 1_000_000_000L;
      if (weRefresh) {
        task = gw.schedule(B2buaCall.this, Duration.ofMillis(SessionTimers.refreshMillis(intervalSeconds)),
            () -> sendRefresh(this));
      } else {
        long wait = SessionTimers.expiryMillis(intervalSeconds);
        task = gw.schedule(B2buaCall.this, Duration.ofMillis(wait),
            () -> sessionExpired(this, "no refresh within " + wait + " ms of a " + intervalSeconds + " s interval"));
      }
    }

    void stop() {
      cancel(task);
      task = null;
    }

    boolean resendAck(long cseq) {
      if (lastAck == null || ((CSeqHeader) lastAck.getHeader(CSeqHeader.NAME)).getSeqNumber() != cseq) {
        return false;
      }
      try {
        kit.provider.sendRequest(lastAck);
      } catch (SipException | RuntimeException e) {
        LOG.debug("call {}: refresh ACK resend failed: {}", trnId, e.toString());
      }
      return true;
    }

    String name() {
      return callerSide ? "caller" : "callee";
    }
  }

  /** Whether {@code r} supports timers and asks for a Session-Expires below our Min-SE (RFC 4028 section 9). */
  private boolean refreshTooShort(Request r) {
    SipGatewaySettings.SessionTimer ours = gw.settings.sessionTimer();
    OptionalInt asked = SessionTimers.sessionExpires(r);
    return ours.enabled() && asked.isPresent() && asked.getAsInt() < ours.minSeSeconds()
        && SessionTimers.supportsTimer(r);
  }

  /** CSeq number of the current forward INVITE (1, or 2 after a 422 retry). */
  private long inviteCSeq() {
    return forwardInvite == null ? 1 : ((CSeqHeader) forwardInvite.getHeader(CSeqHeader.NAME)).getSeqNumber();
  }

  private void setSdp(Response r, String sdp) {
    try {
      r.setContent(sdp, kit.headers.createContentTypeHeader("application", "sdp"));
    } catch (ParseException e) {
      throw new IllegalStateException("Content-Type application/sdp", e);
    }
  }

  /**
   * The caller leg's timer, negotiated as UAS of the caller's INVITE (RFC 4028 section 9) and written into our 2xx;
   * null when session timers are off. Our UPDATE/re-INVITE choice for refreshes follows the INVITE's Allow.
   */
  private SessionTimers.Negotiated callerSessionTimer(Response ok) {
    if (!gw.settings.sessionTimer().enabled()) {
      return null;
    }
    callerTimer.useUpdate = SessionTimers.allows(invite, Request.UPDATE);
    return addSessionExpires(ok, invite);
  }

  /**
   * Negotiates the session timer as UAS of {@code request} (an initial INVITE or a refresh) and states it in the 2xx
   * {@code ok}: {@code Supported: timer}, {@code Session-Expires: <interval>;refresher=uac|uas}, and {@code Require:
   * timer} when the requester refreshes (RFC 4028 section 9).
   */
  private SessionTimers.Negotiated addSessionExpires(Response ok, Request request) {
    SessionTimers.Negotiated n = SessionTimers.asUas(request, gw.settings.sessionTimer());
    try {
      ok.setHeader(kit.headers.createSupportedHeader("timer"));
      ok.setHeader(kit.headers.createHeader("Session-Expires",
          n.intervalSeconds() + ";refresher=" + (n.weRefresh() ? "uas" : "uac")));
      if (!n.weRefresh()) {
        ok.setHeader(kit.headers.createRequireHeader("timer"));
      }
    } catch (ParseException e) {
      LOG.debug("call {}: session timer headers not added: {}", trnId, e.toString());
    }
    return n;
  }

  /**
   * The callee leg's timer from its 2xx (RFC 4028 section 7.2): {@code refresher=uas} → the callee refreshes and we
   * watch; {@code refresher=uac} → we refresh. A 2xx without Session-Expires (the callee does not do timers) still
   * gets our refreshes every half of our {@code session-expires}: an ordinary re-INVITE/UPDATE whose failure (408,
   * 481, timeout) tells us the callee is gone.
   */
  private void startCalleeTimer(Response ok) {
    if (!gw.settings.sessionTimer().enabled()) {
      return;
    }
    OptionalInt se = SessionTimers.sessionExpires(ok);
    int interval = se.isPresent() && se.getAsInt() > 0 ? se.getAsInt() : gw.settings.sessionTimer()
        .sessionExpiresSeconds();
    boolean weRefresh = se.isEmpty() || !"uas".equals(SessionTimers.refresher(ok));
    calleeTimer.useUpdate = SessionTimers.allows(ok, Request.UPDATE);
    calleeTimer.start(new SessionTimers.Negotiated(interval, weRefresh));
  }

  /**
   * 422 Session Interval Too Small from the callee (RFC 4028 section 7.4): the INVITE is sent again once, same
   * Call-ID and From tag, CSeq + 1 (as RFC 3261 section 8.1.3.5 does for its retries), with Session-Expires and
   * Min-SE raised to the 422's Min-SE.
   *
   * @return false when no retry was sent (already retried, the leg is being given up, no usable Min-SE): the 422
   *     then fails the leg like any 4xx
   */
  private boolean retryWithLargerInterval(Response response) {
    int theirs = SessionTimers.minSe(response);
    if (!gw.settings.sessionTimer().enabled() || retried422 || forwardSettled || cancelPending || cancelSent
        || (state != State.FORWARDING && state != State.EARLY) || theirs <= 0) {
      return false;
    }
    retried422 = true;
    kit.release(forwardCt); // the stack ACKed the 422 (RFC 3261 section 17.1.1.3)
    try {
      Request retry = (Request) forwardInvite.clone();
      long cseq = inviteCSeq() + 1;
      ((CSeqHeader) retry.getHeader(CSeqHeader.NAME)).setSeqNumber(cseq);
      int interval = Math.max(theirs, gw.settings.sessionTimer().sessionExpiresSeconds());
      retry.setHeader(kit.headers.createHeader("Session-Expires", String.valueOf(interval)));
      retry.setHeader(kit.headers.createHeader("Min-SE", String.valueOf(theirs)));
      kit.addVia(retry);
      forwardInvite = retry;
      calleeCSeq = cseq;
      forwardProvisional = false;
      forwardCt = kit.provider.getNewClientTransaction(retry);
      forwardCt.setApplicationData(this);
      forwardCt.sendRequest();
      LOG.debug("call {}: 422 from the destination; INVITE again with Session-Expires {}", trnId, interval);
      return true;
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.info("call {}: could not retry the INVITE after 422: {}", trnId, e.toString());
      return false;
    }
  }

  /**
   * Our refresh of leg {@code t} (RFC 4028 section 7.4 / 9, we are the refresher): UPDATE without body when the
   * peer allows it, else a re-INVITE with the session description it already has (same o= version: no change, RFC
   * 3264 section 8). A leg without a description and without UPDATE cannot be refreshed: its timer stops.
   */
  private void sendRefresh(LegTimer t) {
    t.task = null;
    SipKit.Leg leg = t.callerSide ? callerLeg : calleeLeg;
    if (state == State.ENDED || state == State.POST_CALL || leg == null) {
      return; // no refreshes in the short post-call button phase (its re-INVITE would undo the anchoring)
    }
    String sdp = t.callerSide ? callerSdp
        : SipKit.hasBody(forwardInvite) ? new String(forwardInvite.getRawContent(), StandardCharsets.UTF_8) : null;
    String method = t.useUpdate ? Request.UPDATE : Request.INVITE;
    if (Request.INVITE.equals(method) && sdp == null) {
      LOG.info("call {}: no SDP to refresh the {} leg with and no UPDATE; its session timer stops", trnId, t.name());
      return;
    }
    long cseq = t.callerSide ? ++callerCSeq : ++calleeCSeq;
    try {
      Request r = kit.inDialog(leg, method, cseq);
      r.addHeader(kit.contact(t.callerSide ? SipKit.transportOf(invite) : gw.settings.outboundTransport()));
      r.addHeader(kit.headers.createAllowHeader(SipKit.ALLOW));
      r.addHeader(kit.headers.createSupportedHeader("timer"));
      r.addHeader(kit.headers.createHeader("Session-Expires", t.intervalSeconds + ";refresher=uac"));
      r.addHeader(kit.headers.createHeader("Min-SE", String.valueOf(Math.min(t.intervalSeconds,
          gw.settings.sessionTimer().minSeSeconds()))));
      if (Request.INVITE.equals(method)) {
        r.setContent(sdp, kit.headers.createContentTypeHeader("application", "sdp"));
      }
      kit.addVia(r);
      ClientTransaction ct = kit.provider.getNewClientTransaction(r);
      ct.setApplicationData(new Refresh(this, t.callerSide, cseq, method));
      ct.sendRequest();
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.info("call {}: session refresh of the {} leg could not be sent: {}", trnId, t.name(), e.toString());
      sessionExpired(t, "refresh not sent");
    }
  }

  /**
   * The final response to our refresh (RFC 4028 section 10): 2xx → ACKed when it was a re-INVITE, the timer restarts
   * with the interval and refresher of its Session-Expires (none: unchanged, we keep refreshing); 408 or 481 → the
   * session is over, both legs get BYE; 405/501 to an UPDATE → re-INVITE at once; 422 → again at once with its
   * Min-SE; anything else (491, 5xx …) → tried again after an eighth of the interval while the session lasts.
   */
  void onRefreshResponse(Refresh rf, Response response) {
    if (!rf.toCaller() && rf.cseq() == postCallReinviteCSeq && postCallReinviteCSeq != 0) {
      onPostCallReinviteResponse(rf, response);
      return;
    }
    LegTimer t = rf.toCaller() ? callerTimer : calleeTimer;
    int status = response.getStatusCode();
    if (status < 200) {
      return;
    }
    if (status < 300 && Request.INVITE.equals(rf.method())) {
      SipKit.Leg leg = rf.toCaller() ? callerLeg : calleeLeg;
      try {
        Request ack = kit.inDialog(leg, Request.ACK, rf.cseq());
        kit.addVia(ack);
        kit.provider.sendRequest(ack);
        t.lastAck = ack;
      } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
        LOG.debug("call {}: ACK of the refresh failed: {}", trnId, e.toString());
      }
    }
    if (state == State.ENDED) {
      return;
    }
    if (status < 300) {
      OptionalInt se = SessionTimers.sessionExpires(response);
      int interval = se.isPresent() && se.getAsInt() > 0 ? se.getAsInt() : t.intervalSeconds;
      t.start(new SessionTimers.Negotiated(interval, !"uas".equals(SessionTimers.refresher(response))));
      return;
    }
    if (status == 408 || status == 481) {
      sessionExpired(t, "refresh answered " + status);
      return;
    }
    boolean again = false;
    if (Request.UPDATE.equals(rf.method()) && (status == 405 || status == 501)) {
      t.useUpdate = false;
      again = true;
    } else if (status == 422 && SessionTimers.minSe(response) > t.intervalSeconds) {
      t.intervalSeconds = SessionTimers.minSe(response);
      again = true;
    }
    long leftMillis = (t.expiresAtNanos - System.nanoTime()) / 1_000_000;
    long retry = again ? 0 : Math.max(500, t.intervalSeconds * 125L);
    if (leftMillis <= retry) {
      sessionExpired(t, "refresh answered " + status + " and the session ran out");
      return;
    }
    LOG.debug("call {}: refresh of the {} leg answered {}; again in {} ms", trnId, t.name(), status, retry);
    t.stop();
    t.task = gw.schedule(this, Duration.ofMillis(retry), () -> sendRefresh(t));
  }

  /** Our refresh got no final response (Timer B/F) or could not be delivered: the session is over (section 10). */
  void onRefreshTimeout(Refresh rf) {
    if (!rf.toCaller() && rf.cseq() == postCallReinviteCSeq && postCallReinviteCSeq != 0) {
      LOG.info("call {}: the callee did not answer the post-call re-INVITE; no button", trnId);
      if (state == State.POST_CALL) {
        endPostCall(true);
      }
      return;
    }
    sessionExpired(rf.toCaller() ? callerTimer : calleeTimer, "refresh " + rf.method() + " timed out");
  }

  /** A 2xx retransmission of our refresh re-INVITE on the caller leg (its transaction is gone): ACK it again. */
  void onCallerLegResponse(Response response) {
    callerTimer.resendAck(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber());
  }

  /**
   * The session of leg {@code t} expired (RFC 4028 section 10): BYE to the caller (after its ACK), CANCEL to a
   * ringing forward leg or BYE to the answered one, media closed, Ended reported with {@link
   * EndCause#SESSION_TIMER_EXPIRED} by the party of that leg.
   */
  private void sessionExpired(LegTimer t, String why) {
    t.task = null;
    if (state == State.ENDED) {
      return;
    }
    if (state == State.POST_CALL) {
      endPostCall(true); // a late refresh failure: the button phase ends without key
      return;
    }
    LOG.info("call {}: session timer of the {} leg expired ({}) in state {}; ending it", trnId, t.name(), why, state);
    boolean bridged = state == State.ANSWERED;
    dropHeldAnswer();
    cancelForward();
    byeCaller();
    if (bridged) {
      sendBye(calleeLeg, ++calleeCSeq);
    }
    end(t.callerSide ? HangupParty.CALLER : HangupParty.CALLEE, EndCause.SESSION_TIMER_EXPIRED, 0);
    finish();
  }

  // ---------------------------------------------------------------- instructions and release

  /** {@code CallInstruction.CancelForward}: stop ringing attempt {@code forAttempt}. Stale attempts are ignored. */
  void onCancelForward(int forAttempt, EndCause cause) {
    if (state == State.DECIDING) {
      // the instruction overtook the decision: treat it as the end of the call
      int status = Outcomes.callerStatusFor(cause);
      finalToCaller(kit.response(status, invite, localTag));
      endBeforeDecision(HangupParty.SYSTEM, cause, status);
      finish();
      return;
    }
    if (forAttempt != attempt || (state != State.FORWARDING && state != State.EARLY)) {
      LOG.debug("call {}: ignoring CancelForward for attempt {} in state {}", trnId, forAttempt, state);
      return;
    }
    if (holdCaller) {
      giveUpLeg(cause);
      return;
    }
    endUnanswered(cause, HangupParty.SYSTEM);
  }

  /**
   * {@code CallInstruction.Forward} (sequential forwarding): ring the next destination for the held caller. Ignored
   * (instructions are at-least-once) when the call is over or answered, not yet decided, or when {@code forward}'s
   * attempt is not newer than the current one. A newer attempt while a leg still rings gives that leg up without
   * report (the entity has moved on). The new leg goes out once the previous one is settled.
   */
  void onForwardInstruction(CallInstruction.Forward forward) {
    if (state == State.POST_CALL) {
      return; // the caller is gone; only the post-call button is left
    }
    boolean callerWaits = mediaAnswered
        ? state != State.ANSWERED && state != State.ENDED
        : state != State.DECIDING && state != State.ANSWERED && state != State.ENDED && !callerFinal;
    if (!callerWaits || forward.attempt() <= attempt || forward.destination() == null) {
      LOG.debug("call {}: ignoring Forward for attempt {} in state {} (attempt {})", trnId, forward.attempt(), state,
          attempt);
      return;
    }
    if (state == State.FORWARDING || state == State.EARLY) {
      cancel(ringFailsafe);
      dropHeldAnswer();
      cancelForward();
      stopCallProgress();
    }
    cancel(instructionWait);
    state = State.HOLDING;
    attempt = forward.attempt();
    holdCaller = forward.holdCallerOnFailure();
    nextForward = forward;
    startNextIfReady();
  }

  /** Sends the waiting Forward once the previous leg is settled and the caller still waits. */
  private void startNextIfReady() {
    if (state != State.HOLDING || !forwardSettled) {
      return;
    }
    if (mediaAnswerWanted) {
      mediaAnswerWanted = false;
      answerCallerWithMedia();
      return;
    }
    if (nextForward == null) {
      return;
    }
    CallInstruction.Forward next = nextForward;
    nextForward = null;
    sendForward(next.destination(), next.ringTimeoutMillis());
  }

  /** Sequential forwarding: stop the ringing leg (CANCEL, section 9.1) and report it failed for {@code cause}. */
  private void giveUpLeg(EndCause cause) {
    dropHeldAnswer();
    cancelForward();
    legFailed(new Outcomes.Outcome(Outcomes.callerStatusFor(cause), cause, HangupParty.SYSTEM), 0);
    finish();
  }

  /** A 2xx held until the arrival is recorded, of a leg being given up: BYEd now, so it can never connect. */
  private void dropHeldAnswer() {
    if (heldAnswer != null) {
      heldAnswer = null;
      sendBye(calleeLeg, ++calleeCSeq);
    }
  }

  /**
   * Sequential forwarding: the current leg failed; the caller keeps waiting (no response to it), the entity learns
   * it through {@code LegFailed} and has {@code instruction-timeout} to send the next Forward or a Release.
   *
   * @param failure what the caller gets (and what is reported) when no instruction comes
   * @param sipStatus the destination's final response, 0 when none
   */
  private void legFailed(Outcomes.Outcome failure, int sipStatus) {
    stopCallProgress();
    state = State.HOLDING;
    cancel(ringFailsafe);
    gw.report(new CallProgress.LegFailed(trnId, attempt, Instant.now(), failure.cause(), sipStatus));
    awaitInstruction(failure);
  }

  /**
   * While HOLDING: gives the entity {@code instruction-timeout} for its next instruction; without one the call ends
   * with {@code failure} (the caller's final response, or a BYE when it was answered with media).
   */
  private void awaitInstruction(Outcomes.Outcome failure) {
    lastFailure = failure;
    int forAttempt = attempt;
    cancel(instructionWait);
    instructionWait = gw.schedule(this, gw.settings.instructionTimeout(), () -> {
      if (state == State.HOLDING && attempt == forAttempt && nextForward == null) {
        LOG.info("call {}: no instruction within {} while holding the caller (attempt {}); ending it", trnId,
            gw.settings.instructionTimeout(), forAttempt);
        if (mediaAnswered) {
          cancelForward();
          byeCaller();
          end(lastFailure.by(), lastFailure.cause(), 0);
          finish();
          return;
        }
        int status = lastFailure.callerStatus();
        Response r = kit.response(status, invite, localTag);
        finalToCaller(status == 503 ? kit.withRetryAfter(r) : r);
        cancelForward();
        end(lastFailure.by(), lastFailure.cause(), status);
        finish();
      }
    });
  }

  /** {@code CallInstruction.Release} (and drain/close/max duration): end the call whatever its state. */
  void release(EndCause cause) {
    switch (state) {
      case DECIDING: {
        int status = Outcomes.callerStatusFor(cause);
        Response r = kit.response(status, invite, localTag);
        finalToCaller(status == 503 ? kit.withRetryAfter(r) : r);
        endBeforeDecision(HangupParty.SYSTEM, cause, status);
        break;
      }
      case FORWARDING:
      case EARLY:
      case HOLDING:
        endUnanswered(cause, HangupParty.SYSTEM);
        break;
      case MEDIA:
        cancel(okRetransmit);
        callerAcked = true;
        sendBye(callerLeg, ++callerCSeq);
        end(HangupParty.SYSTEM, cause, 0);
        break;
      case POST_CALL:
        endPostCall(true); // the caller is gone already; its outcome stands, without key
        return;
      case ANSWERED:
        // when the caller has not ACKed yet, do not wait for it: the call is being released
        cancel(okRetransmit);
        callerAcked = true;
        sendBye(callerLeg, ++callerCSeq);
        sendBye(calleeLeg, ++calleeCSeq);
        end(HangupParty.SYSTEM, cause, 0);
        break;
      default:
        break;
    }
    finish();
  }

  /** Ends a ringing call: CANCEL the callee, final response to the caller, report. */
  private void endUnanswered(EndCause cause, HangupParty by) {
    if (mediaAnswered) {
      // the caller has our 200 (media): it is released by BYE (once it has ACKed), the ringing leg by CANCEL
      dropHeldAnswer();
      cancelForward();
      byeCaller();
      end(by, cause, 0);
      finish();
      return;
    }
    int status = Outcomes.callerStatusFor(cause);
    Response r = kit.response(status, invite, localTag);
    finalToCaller(status == 503 ? kit.withRetryAfter(r) : r);
    cancelForward();
    end(by, cause, status);
    finish();
  }

  private void endBeforeDecision(HangupParty by, EndCause cause, int status) {
    state = State.ENDED;
    closeMedia();
    if (decisionReceived) {
      // AnswerWithMedia decided, the answer waits for the record: the entity exists, tell it now
      reportEnd(by, cause, status);
      return;
    }
    pendingEnd = new CallProgress.Ended(trnId, 0, Instant.now(), by, cause, status);
  }

  private void end(HangupParty by, EndCause cause, int status) {
    if (state == State.ENDED) {
      return;
    }
    state = State.ENDED;
    nextForward = null;
    closeMedia();
    cancel(ringFailsafe);
    cancel(maxDuration);
    cancel(instructionWait);
    cancel(mediaWatch);
    cancel(postCallTimeout);
    callerTimer.stop();
    calleeTimer.stop();
    reportEnd(by, cause, status);
  }

  private void reportEnd(HangupParty by, EndCause cause, int status) {
    if (endReported) {
      return;
    }
    endReported = true;
    gw.report(new CallProgress.Ended(trnId, attempt, postCallFrom != null ? postCallFrom : Instant.now(), by, cause,
        status, postCallDigit));
  }

  /** Forgets the call once its outcome is known and no SIP exchange of it needs the call any more. */
  private void finish() {
    if (state != State.ENDED || !decisionReceived || !forwardSettled || heldAnswer != null) {
      return;
    }
    closeMedia();
    if (okToCaller != null && !callerAcked) {
      return; // still retransmitting the 200 until the ACK (or 64*T1)
    }
    cancel(ringFailsafe);
    cancel(maxDuration);
    cancel(cancelGiveUp);
    cancel(okRetransmit);
    cancel(instructionWait);
    cancel(mediaWatch);
    callerTimer.stop();
    calleeTimer.stop();
    gw.forget(this);
  }

  /** The Call-IDs of all forward legs of this call (the current one last), for {@link SipGateway#forget}. */
  List<String> forwardCallIds() {
    List<String> ids = new ArrayList<>(earlierLegs.keySet());
    if (forwardCallId != null) {
      ids.add(forwardCallId);
    }
    return ids;
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
