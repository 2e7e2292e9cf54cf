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
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * RFC 3960 section 3) play the right early media, and the 2xx always carries the answering leg's SDP.
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
    /** 2xx relayed to the caller. */
    ANSWERED,
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
    if (!(decision instanceof RouteDecision.Forward)) {
      // A decision this gateway cannot carry out (media anchoring is not wired yet): refuse the call, and tell the
      // entity, which has recorded it, that it ended.
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
    legsSent++;
    try {
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
    if (withheld) {
      // RFC 3323/3325: keep the caller's privacy request toward the destination; no P-Asserted-Identity here
      r.addHeader(kit.headers.createHeader("Privacy", "id"));
    }
    SipKit.copyBody(invite, r);
    return r;
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
    if (status == 100 || callerFinal || (state != State.FORWARDING && state != State.EARLY)) {
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
    okRetransmit = gw.schedule(this, Duration.ofMillis(T1), this::retransmitOk);
    maxDuration = gw.schedule(this, gw.settings.maxCallDuration(), () -> {
      if (state == State.ANSWERED) {
        LOG.info("call {}: max call duration {} reached; releasing", trnId, gw.settings.maxCallDuration());
        release(EndCause.NORMAL_CLEARING);
      }
    });
  }

  private void onForwardFailure(Response response) {
    if (forwardSettled && state == State.HOLDING) {
      return; // a retransmission of the final response of a leg already over (its transaction is gone)
    }
    forwardSettled = true;
    cancel(ringFailsafe);
    cancel(cancelGiveUp);
    kit.release(forwardCt); // the stack has sent the ACK (RFC 3261 section 17.1.1.3); do not linger in Timer D
    if (state == State.HOLDING) {
      startNextIfReady(); // the 487 (or a failure crossing our CANCEL) of a leg already reported failed
    } else if (!callerFinal && state != State.ENDED) {
      Outcomes.Outcome o = Outcomes.forCalleeStatus(response.getStatusCode());
      if (holdCaller) {
        legFailed(o, response.getStatusCode());
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
    } else if (holdCaller && (state == State.FORWARDING || state == State.EARLY) && !callerFinal) {
      LOG.info("call {}: destination did not answer the INVITE of attempt {} (timeout)", trnId, attempt);
      legFailed(new Outcomes.Outcome(480, EndCause.UNREACHABLE, HangupParty.SYSTEM), 0);
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
      Request ack = kit.inDialog(leg, Request.ACK, 1);
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
      if (state == State.ANSWERED) {
        sendBye(callerLeg, ++callerCSeq);
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
    switch (state) {
      case ANSWERED:
        callerAcked = true;
        cancel(okRetransmit);
        kit.release(inviteSt);
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
    if (state != State.ANSWERED) {
      int status = Request.INVITE.equals(method) || Request.UPDATE.equals(method) ? 491 : 481;
      kit.reply(event.getServerTransaction(), r, kit.response(status, r, tag));
      return;
    }
    if (Request.INVITE.equals(method) || Request.UPDATE.equals(method)) {
      Response ok = kit.response(200, r, tag);
      ok.setHeader(kit.contact(fromCaller ? SipKit.transportOf(invite) : gw.settings.outboundTransport()));
      if (Request.INVITE.equals(method) || SipKit.hasBody(r)) {
        SipKit.copyBody(fromCaller ? okToCaller : forwardInvite, ok);
      }
      ServerTransaction st = kit.reply(event.getServerTransaction(), r, ok);
      if (Request.INVITE.equals(method)) {
        kit.release(st); // the 2xx of a re-INVITE is not retransmitted; its ACK is absorbed as an in-dialog ACK
      }
    } else if (Request.INFO.equals(method) || Request.OPTIONS.equals(method)) {
      kit.reply(event.getServerTransaction(), r, kit.withAllow(kit.response(200, r, tag)));
    } else {
      kit.reply(event.getServerTransaction(), r, kit.withAllow(kit.response(501, r, tag)));
    }
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
    if (state == State.DECIDING || state == State.ANSWERED || state == State.ENDED || callerFinal
        || forward.attempt() <= attempt || forward.destination() == null) {
      LOG.debug("call {}: ignoring Forward for attempt {} in state {} (attempt {})", trnId, forward.attempt(), state,
          attempt);
      return;
    }
    if (state == State.FORWARDING || state == State.EARLY) {
      cancel(ringFailsafe);
      dropHeldAnswer();
      cancelForward();
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
    if (state != State.HOLDING || nextForward == null || !forwardSettled) {
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
    state = State.HOLDING;
    lastFailure = failure;
    cancel(ringFailsafe);
    gw.report(new CallProgress.LegFailed(trnId, attempt, Instant.now(), failure.cause(), sipStatus));
    int forAttempt = attempt;
    cancel(instructionWait);
    instructionWait = gw.schedule(this, gw.settings.instructionTimeout(), () -> {
      if (state == State.HOLDING && attempt == forAttempt && nextForward == null) {
        LOG.info("call {}: no instruction within {} after attempt {} failed; ending it", trnId,
            gw.settings.instructionTimeout(), forAttempt);
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
    int status = Outcomes.callerStatusFor(cause);
    Response r = kit.response(status, invite, localTag);
    finalToCaller(status == 503 ? kit.withRetryAfter(r) : r);
    cancelForward();
    end(by, cause, status);
    finish();
  }

  private void endBeforeDecision(HangupParty by, EndCause cause, int status) {
    state = State.ENDED;
    pendingEnd = new CallProgress.Ended(trnId, 0, Instant.now(), by, cause, status);
  }

  private void end(HangupParty by, EndCause cause, int status) {
    if (state == State.ENDED) {
      return;
    }
    state = State.ENDED;
    nextForward = null;
    cancel(ringFailsafe);
    cancel(maxDuration);
    cancel(instructionWait);
    reportEnd(by, cause, status);
  }

  private void reportEnd(HangupParty by, EndCause cause, int status) {
    if (endReported) {
      return;
    }
    endReported = true;
    gw.report(new CallProgress.Ended(trnId, attempt, Instant.now(), by, cause, status));
  }

  /** Forgets the call once its outcome is known and no SIP exchange of it needs the call any more. */
  private void finish() {
    if (state != State.ENDED || !decisionReceived || !forwardSettled || heldAnswer != null) {
      return;
    }
    if (okToCaller != null && !callerAcked) {
      return; // still retransmitting the 200 until the ACK (or 64*T1)
    }
    cancel(ringFailsafe);
    cancel(maxDuration);
    cancel(cancelGiveUp);
    cancel(okRetransmit);
    cancel(instructionWait);
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
