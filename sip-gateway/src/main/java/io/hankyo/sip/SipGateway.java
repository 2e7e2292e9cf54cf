package io.hankyo.sip;

import com.typesafe.config.ConfigFactory;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.sip.media.JitterHistogram;
import io.hankyo.sip.media.MediaEngine;
import io.hankyo.sip.media.MediaSettings;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentEncodingHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.pekko.actor.InvalidActorNameException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP gateway: a back-to-back user agent (B2BUA) on JAIN-SIP. Toward the caller (carrier) it is a UAS, toward
 * the forward destination a UAC (RFC 3261 sections 8, 12, 13, 15); each call's decisions come from the cluster
 * through {@link CallControl}, and only protocol records cross that boundary.
 *
 * <h2>Call flow</h2>
 *
 * <ol>
 *   <li>INVITE (no To tag) for a Request-URI whose user part (sip, percent-escapes undone, or a tel URI) is a
 *       phone number, with no body or an SDP offer → {@code 100 Trying} at once, then {@link CallControl#arrive}
 *       with a fresh {@code trn_id} (24 hex chars, 96 random bits) and the caller encrypted. Not a number → 404
 *       (counted as unknown number).
 *   <li>{@code Reject(status)} → that final response (404 counted). No decision within {@code decision-timeout},
 *       or a failed ask → 503 with Retry-After; a decision that arrives later is answered with
 *       {@code Ended(CLUSTER_FAILURE)} so the Call entity does not wait forever.
 *   <li>{@code Forward} → forward INVITE: new Call-ID and From tag, Request-URI from {@code outbound-route}, To =
 *       destination, From = caller's national number, or the system number for FREE_CALL tracking numbers (when
 *       configured), or {@code "Anonymous" <sip:anonymous@anonymous.invalid>} + {@code Privacy: id} when the
 *       caller withheld the number (no P-Asserted-Identity on that leg); Max-Forwards = incoming − 1 (0 → 483);
 *       the caller's SDP and Content-Type passed through.
 *   <li>180/181/182 → 180, 183 → 183 to the caller (SDP relayed when present), {@code Ringing} reported once. 2xx →
 *       ACK to the callee, 200 with the callee's SDP to the caller (retransmitted until the caller's ACK, section
 *       13.3.1.4), {@code Answered} reported. BYE from either side → 200, BYE to the other side, {@code Ended(by
 *       CALLER|CALLEE, NORMAL_CLEARING, 0)}.
 *   <li>{@code AnswerWithMedia} (issue 3): 200 with the gateway's own SDP answer and anchored RTP ({@link
 *       MediaEngine}, {@code hankyo.sip.media}); prompts ({@code PlayPrompt}/{@code StopPrompt}, audio from the
 *       {@link PromptSource}), digits (RFC 4733 and INFO) and a later {@code Forward} whose leg gets our SDP offer
 *       and is bridged to the caller's RTP: see {@code B2buaCall}. 488 + Warning without a common codec, 503 +
 *       Retry-After when no RTP port is free.
 *   <li>CANCEL from the caller while deciding or ringing → 200 to the CANCEL, 487 to the INVITE, CANCEL to the
 *       callee (once a provisional response came, section 9.1; given up after 4 s without one), {@code Ended(CALLER,
 *       CALLER_CANCELLED, 487)}. A BYE in the early dialog is treated the same way.
 *   <li>{@code CancelForward(trnId, attempt, cause)} for the current attempt while ringing → CANCEL the callee,
 *       final response by cause (NO_ANSWER → 480), {@code Ended(SYSTEM, cause, status)}; stale attempts and unknown
 *       calls are ignored. {@code Release(cause)} ends the call in any state (BYE both legs once answered).
 *   <li>Sequential forwarding (issue 3), when the Forward carries {@code holdCallerOnFailure}: a failed leg (final
 *       response as in the table below, Timer B, {@code CancelForward}, or the ring failsafe) is CANCELled as needed
 *       and reported {@code LegFailed(attempt, cause, status)} while the caller's INVITE stays pending;
 *       {@code CallInstruction.Forward} for a newer attempt rings the next destination on a new leg (new Call-ID,
 *       From tag, CSeq 1) once the previous leg is over; duplicated, older or late Forwards are ignored. No
 *       instruction within {@code instruction-timeout} → the caller gets the last failure's response, {@code
 *       Ended}. The caller always sees our one To tag; see {@link B2buaCall} for provisionals and early SDP.
 *   <li>Failsafes: not answered and not ended {@code ringTimeoutMillis + ring-timeout-margin} after forwarding →
 *       treated as NO_ANSWER by the gateway itself; answered longer than {@code max-call-duration} → released
 *       ({@code Ended(SYSTEM, NORMAL_CLEARING)}); 200 never ACKed by the caller for 64*T1 → BYE both legs
 *       ({@code Ended(SYSTEM, GATEWAY_FAILURE)}).
 *   <li>RFC 5407 races: a 2xx from the callee after our CANCEL (or after the caller got a final response) is ACKed
 *       and BYEd; the call stays "never connected" with the cause already reported (the CANCEL's cause), or
 *       ANSWER_CANCEL_RACE when none was. A caller CANCEL that crosses our 200 gets 200 (JAIN-SIP answers it) and
 *       changes nothing: the caller ACKs and BYEs, the call counts as answered.
 * </ol>
 *
 * <h2>Callee failures (final response to the forward INVITE → to the caller; reported cause; hang-up party)</h2>
 *
 * <table>
 *   <caption>failure mapping</caption>
 *   <tr><th>callee</th><th>caller gets</th><th>EndCause</th><th>by</th></tr>
 *   <tr><td>486, 600</td><td>486 Busy Here</td><td>BUSY</td><td>CALLEE</td></tr>
 *   <tr><td>603, 403</td><td>603 Decline</td><td>DECLINED</td><td>CALLEE</td></tr>
 *   <tr><td>488, 606</td><td>488 Not Acceptable Here</td><td>UNREACHABLE</td><td>CALLEE</td></tr>
 *   <tr><td>5xx</td><td>502 Bad Gateway</td><td>UNREACHABLE</td><td>CALLEE</td></tr>
 *   <tr><td>3xx (not followed), 404, 408, 410, 480, other 4xx/6xx</td><td>480 Temporarily Unavailable</td>
 *       <td>UNREACHABLE</td><td>CALLEE</td></tr>
 *   <tr><td>no final response (Timer B, 32 s) or send failure</td><td>480 Temporarily Unavailable</td>
 *       <td>UNREACHABLE</td><td>SYSTEM</td></tr>
 * </table>
 *
 * Causes decided by the cluster or the gateway map to: NO_ANSWER, UNREACHABLE → 480; BUSY → 486; DECLINED → 603;
 * GATEWAY_FAILURE, CLUSTER_FAILURE → 503 (with Retry-After).
 *
 * <h2>Other requests</h2>
 *
 * OPTIONS outside a dialog → 200 with Allow (503 after {@link #stopAcceptingCalls()}), a keep-alive for carriers;
 * CANCEL/BYE/in-dialog requests for unknown calls → 481; other methods outside a dialog → 405 with Allow (501 for
 * unknown methods); INVITE with Require → 420 with Unsupported (no extensions are supported). A new INVITE whose
 * Request-URI scheme is neither sip nor tel → 416 Unsupported URI Scheme (RFC 3261 section 8.2.2.1; sips included:
 * the gateway has no TLS transport, section 26.2.2; a sips URI in From, To or Contact changes nothing); one whose
 * body is not {@code application/sdp} (multipart included) → 415 Unsupported Media Type with {@code Accept:
 * application/sdp}, or whose Content-Encoding is not {@code identity} → 415 with {@code Accept-Encoding: identity}
 * (section 8.2.3). Like 404 and 420 these are final responses on the INVITE's server transaction, before any call
 * or {@code arrive}. Inside an answered call, re-INVITE/UPDATE session refreshes are answered with the session
 * description the peer already has (no renegotiation is relayed), INFO/OPTIONS with 200.
 *
 * <h2>Malformed and refused requests</h2>
 *
 * Answered statelessly over UDP and TCP (To tag added, Via copied so that the response reaches the sender as RFC 3261
 * section 18.2.2 says; ACKs are never answered): a SIP version other than SIP/2.0 → 505 Version Not Supported
 * (section 21.5.6); a Request-URI longer than 256 characters → 414 Request-URI Too Long (section 21.4.12); a request
 * longer than {@code max-message-size} → 513 Message Too Large (section 21.5.7), also when its body no longer matches
 * its Content-Length because the receive buffer cut the datagram (a 20-64 KB body); a request line that does not parse
 * or an unusable Content-Length (negative, not a number) → 400 Bad Request. A request without Via, From, To, Call-ID
 * or CSeq cannot be answered (section 8.2.6.2) and is dropped; other parse failures are left to JAIN-SIP (UDP:
 * automatic 400 when it can copy the headers). All are counted in {@link #malformedRequestCount()} (each message,
 * retransmissions and ACKs too), create no transaction, call or entity, and do not disturb other calls. See
 * {@link LenientMessageParserFactory} for the limits and for what stock JAIN-SIP does with such requests.
 *
 * <p>A new INVITE whose handling fails unexpectedly (any runtime exception before its call exists) gets 500 Server
 * Internal Error on its server transaction (kept until the ACK like every final response, section 17.2.1) and leaves
 * no call behind; the failure is logged at WARN with its stack trace.
 *
 * <h2>Design</h2>
 *
 * <ul>
 *   <li>JAIN-SIP automatic dialog support is off and no JAIN-SIP dialogs are made: the gateway keeps the few dialog
 *       fields it needs (tags, remote target, route set, CSeq) per leg, sends ACK/BYE itself, and terminates
 *       transactions when a call is done (non-2xx INVITE server transactions on the caller's ACK, the forward INVITE
 *       client transaction on its final response, BYE/CANCEL transactions on their final response, non-INVITE server
 *       transactions right after answering; non-INVITE requests over UDP are answered statelessly, see
 *       {@link SipKit#reply}, and a retransmission of one gets the same final response for Timer J, see
 *       {@link CompletedRequests}). Nothing of a finished call waits for the 32 s dialog/Timer D/J
 *       lifetimes that capped a JAIN-SIP B2BUA with automatic dialogs (design-notes section 5).
 *   <li>Threading: JAIN-SIP's listener (re-entrant, {@code thread-pool-size} threads) only matches a message to its
 *       call and queues it; new INVITEs get their server transaction and 100 Trying there. Each call runs on its own
 *       serial executor over {@code worker-threads} threads, so SIP events, the cluster's answer, instructions and
 *       timers of one call never race. Nothing blocks: {@code arrive} and {@code report} return
 *       {@link CompletionStage}s.
 *   <li>JAIN-SIP's UDP threads take datagrams from one shared queue, so two messages of a call that arrive
 *       back-to-back (a 180 right before the 200) can reach the listener in either order. The state machine
 *       tolerates it: a provisional response after the answer is dropped (no late {@code Ringing}), an ACK/BYE
 *       order swap ends the call the same way, a CANCEL that overtakes its own INVITE gets 481.
 *   <li>Memory: a finished call leaves no JAIN-SIP dialog and no transaction ({@link #openTransactions()} returns
 *       to 0 right after a call, asserted by the tests); the call object goes once both legs are settled.
 * </ul>
 *
 * Thread-safe. Several gateways may run in one JVM (each has its own JAIN-SIP stack).
 */
public final class SipGateway implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SipGateway.class);
  /** Application data of BYE/CANCEL client transactions: terminated on their final response. */
  static final Object AUXILIARY = new Object();
  private static final Set<String> KNOWN_METHODS = Set.of("REGISTER", "SUBSCRIBE", "NOTIFY", "MESSAGE", "REFER",
      "INFO", "UPDATE", "PRACK", "PUBLISH");
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /**
   * Request-URI schemes of the INVITEs the gateway takes (RFC 3261 section 8.2.2.1: any other gets 416 Unsupported
   * URI Scheme). Not {@code sips}: a sips Request-URI asks for TLS on every hop to the target (section 26.2.2), and
   * the gateway has no TLS transport on either leg (only udp and tcp), so it could never honour it.
   */
  static final Set<String> SERVED_SCHEMES = Set.of("sip", "tel");
  /**
   * The only content coding the gateway reads: the body as it is (RFC 3261 sections 20.2 and 20.12; a body in any
   * other coding would reach the callee undecoded, since only the body and its Content-Type are passed on).
   */
  private static final String IDENTITY = "identity";
  /**
   * JAIN-SIP's {@code gov.nist.javax.sip.MAX_MESSAGE_SIZE}, in bytes: 65,535, the largest UDP message of RFC 3261
   * section 18.1.1, so that every datagram arrives whole and a request over the gateway's own {@code
   * max-message-size} (8192) is answered 513 by {@link LenientMessageParserFactory} with all its headers in hand.
   * With a smaller value JAIN-SIP cut longer datagrams (a cut before Call-ID or CSeq left nothing to answer with)
   * and closed TCP connections whose Content-Length exceeded it without any answer. It used to be 16 KiB because
   * stock JAIN-SIP allocates this many bytes for every datagram it receives (64 KiB per datagram more than doubled
   * the node's allocation at 200 calls/s, docs/performance.md); {@link ReusedBufferMessageProcessorFactory} reuses
   * one buffer, so the size costs nothing per datagram now. Over TCP the headers before Content-Length may take up
   * to half of it (JAIN-SIP closes the connection beyond that).
   */
  static final int STACK_MESSAGE_SIZE = 65_535;

  final SipGatewaySettings settings;
  final CallControl control;
  final CallerNumberCipher cipher;
  final String nodeId;
  final Optional<PhoneNumber> systemCaller;
  final SipKit kit;
  final ExecutorService workers;
  /** The media plane: RTP sessions of calls answered with media (RouteDecision.AnswerWithMedia). */
  final MediaEngine media;
  /** Where PlayPrompt instructions get their audio. */
  final PromptSource prompts;
  final AtomicLong unknownNumbers = new AtomicLong();
  final AtomicLong malformedRequests = new AtomicLong();
  /**
   * Reads the dialled number from a Request-URI (empty when it is not a number). Always
   * {@link CallerIdentity#numberOf} in production; tests replace it to make the handling of a new INVITE fail.
   */
  volatile Function<URI, Optional<PhoneNumber>> dialledNumber = CallerIdentity::numberOf;

  /** Where call recordings go (issue 4); null: calls are not recorded whatever their route says. */
  volatile io.hankyo.sip.media.RecordingStore recordingStore;
  /** The zone of a recording's day directory. */
  volatile java.time.ZoneId recordingZone = java.time.ZoneOffset.UTC;

  private final ScheduledThreadPoolExecutor timers;
  private final ActorSystem<?> system;
  private final String stackName;
  private final ConcurrentHashMap<String, B2buaCall> byTrnId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, B2buaCall> byCallerKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, B2buaCall> byForwardCallId = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile boolean accepting = true;
  private volatile ActorRef<CallInstruction> instructions;

  private SipGateway(SipGatewaySettings settings, CallControl control, CallerNumberCipher cipher,
      ActorSystem<?> system, MediaEngine media, PromptSource prompts) {
    this.settings = settings;
    this.media = media;
    this.prompts = prompts;
    this.control = control;
    this.cipher = cipher;
    this.system = system;
    this.systemCaller = settings.systemCaller();
    this.nodeId = settings.nodeId().isEmpty() ? system.address().toString() : settings.nodeId();
    this.stackName = "hankyo-sip-" + settings.host() + "-" + settings.udpPort() + "-" + INSTANCES.incrementAndGet();
    this.workers = Executors.newFixedThreadPool(settings.workerThreads(), threads(stackName + "-call"));
    this.timers = new ScheduledThreadPoolExecutor(1, threads(stackName + "-timer"));
    this.timers.setRemoveOnCancelPolicy(true);
    this.kit = createStack();
  }

  /**
   * Starts a gateway with the media settings of {@code system}'s configuration ({@code hankyo.sip.media}, its RTP
   * address defaulting to {@code settings.host()}) and no prompts ({@link PromptSource#NONE}).
   *
   * @see #start(SipGatewaySettings, MediaSettings, CallControl, CallerNumberCipher, ActorSystem, PromptSource)
   */
  public static SipGateway start(SipGatewaySettings settings, CallControl control, CallerNumberCipher cipher,
      ActorSystem<?> system) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(system, "system");
    MediaSettings media = MediaSettings.fromConfig(ConfigFactory.parseMap(Map.of("hankyo.sip.host", settings.host()))
        .withFallback(system.settings().config()));
    return start(settings, media, control, cipher, system, PromptSource.NONE);
  }

  /**
   * Starts a gateway: opens its {@link MediaEngine} (RTP receive thread and pacer; ports are bound per call), binds
   * the configured SIP transports and spawns the instruction actor.
   *
   * @param settings where to listen and how to forward
   * @param media the RTP address and port range of calls answered with media ({@code hankyo.sip.media})
   * @param control the cluster
   * @param cipher encrypts caller numbers before they leave the gateway
   * @param system the actor system to spawn the {@link CallInstruction} actor in (system actor)
   * @param prompts where {@link CallInstruction.PlayPrompt} finds its audio
   * @return the running gateway
   * @throws IllegalStateException when a port cannot be bound, the media engine cannot open, or the JAIN-SIP stack
   *     does not start (the message names the address)
   */
  public static SipGateway start(SipGatewaySettings settings, MediaSettings media, CallControl control,
      CallerNumberCipher cipher, ActorSystem<?> system, PromptSource prompts) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(media, "media");
    Objects.requireNonNull(control, "control");
    Objects.requireNonNull(cipher, "cipher");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(prompts, "prompts");
    MediaEngine engine;
    try {
      engine = new MediaEngine(media);
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalStateException("SIP gateway did not start: media engine on " + media.address() + ": "
          + e.getMessage(), e);
    }
    SipGateway gateway;
    try {
      gateway = new SipGateway(settings, control, cipher, system, engine, prompts);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
    try {
      gateway.instructions = gateway.spawnInstructionActor();
      gateway.kit.provider.addSipListener(gateway.new Listener());
    } catch (RuntimeException | java.util.TooManyListenersException e) {
      gateway.close();
      throw new IllegalStateException("SIP gateway did not start: " + e.getMessage(), e);
    }
    LOG.info("SIP gateway listening on {} udp:{} tcp:{} ({}), forwarding to {}, RTP on {}:{}-{}", settings.host(),
        settings.udpPort(), settings.tcpPort(), settings.transports(), settings.outboundRoute(), media.address(),
        media.rtpPortMin(), media.rtpPortMax());
    return gateway;
  }

  /**
   * The actor that receives {@link CallInstruction}s for this gateway's calls (a real, serializable actor ref; the
   * Call entity may be on another node).
   */
  public ActorRef<CallInstruction> instructions() {
    return instructions;
  }

  /** New INVITEs get 503 Service Unavailable with Retry-After from now on (and OPTIONS 503); live calls go on. */
  public void stopAcceptingCalls() {
    if (accepting) {
      accepting = false;
      LOG.info("SIP gateway stops accepting calls ({} live)", liveCalls());
    }
  }

  /** False after {@link #stopAcceptingCalls()}, {@link #drain} or {@link #close()}. */
  public boolean acceptingCalls() {
    return accepting;
  }

  /**
   * Stops accepting calls and waits for the live ones to end.
   *
   * @param timeout how long live calls may go on
   * @return completes with the number of calls released by force (0 when all ended in time); those are released
   *     (BYE, or CANCEL and 503) and reported {@code Ended(SYSTEM, GATEWAY_FAILURE)}
   */
  public CompletionStage<Integer> drain(Duration timeout) {
    stopAcceptingCalls();
    CompletableFuture<Integer> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    int live = byTrnId.size();
    if (live > 0) {
      LOG.info("draining {} live calls for up to {} s before the SIP stack closes", live, timeout.toSeconds());
    }
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (byTrnId.isEmpty()) {
        result.complete(0);
      } else if (System.nanoTime() >= deadline) {
        int n = releaseAll(EndCause.GATEWAY_FAILURE);
        LOG.warn("drain timed out after {} s: released {} calls still live (BYE, or CANCEL and 503)",
            timeout.toSeconds(), n);
        result.complete(n);
      } else {
        try {
          timers.schedule(check[0], 50, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
          result.complete(byTrnId.size());
        }
      }
    };
    check[0].run();
    return result;
  }

  /** {@link #drain(Duration)} with {@code drain-timeout} of the settings. */
  public CompletionStage<Integer> drain() {
    return drain(settings.drainTimeout());
  }

  /** Calls the gateway is handling now (from INVITE until both legs are settled). */
  public int liveCalls() {
    return byTrnId.size();
  }

  /** INVITEs for numbers that are not tracking numbers (404: unknown to the cluster, or not a number at all). */
  public long unknownNumberCount() {
    return unknownNumbers.get();
  }

  /**
   * Requests refused by the parser (answered 400, 414, 505 or 513 without a transaction) or dropped because they could
   * not be parsed or lacked required headers; every message counts, retransmissions and ACKs too.
   */
  public long malformedRequestCount() {
    return malformedRequests.get();
  }

  /** Media sessions (anchored RTP streams, one per media leg) open now; for tests and a gauge metric. */
  public int openMediaSessions() {
    return media.openSessions();
  }

  /** Send lateness of the paced RTP packets (prompts, DTMF) of every media session since start, µs; for metrics. */
  public JitterHistogram mediaSendLateness() {
    return media.sendJitter();
  }

  /** How long relayed RTP packets spent in the media plane, µs ({@link MediaEngine#relayDelay()}). */
  public JitterHistogram mediaRelayDelay() {
    return media.relayDelay();
  }

  /** RTP ports allocated from the {@code hankyo.sip.media} range now (each with its RTCP neighbour reserved). */
  public int rtpPortsInUse() {
    return media.ports().inUse();
  }

  /** SIP transactions the JAIN-SIP stack holds now (client + server); for tests and metrics. */
  public int openTransactions() {
    return kit.stack.getClientTransactionTableSize() + kit.stack.getServerTransactionTableSize();
  }

  /**
   * Turns call recording on (2者間通話録音, issue 4): calls whose route has a recording mode other than off are
   * recorded from the bridge to their end into {@code store} ({@code yyyy/MM/dd/{trn_id}.wav}, the day in {@code
   * zone}) and reported with {@link io.hankyo.protocol.call.CallProgress.RecordingStored}.
   */
  public void recordTo(io.hankyo.sip.media.RecordingStore store, java.time.ZoneId zone) {
    this.recordingZone = java.util.Objects.requireNonNull(zone, "zone");
    this.recordingStore = java.util.Objects.requireNonNull(store, "store");
  }

  /** The settings this gateway runs with. */
  public SipGatewaySettings settings() {
    return settings;
  }

  /**
   * Stops the gateway: live calls are released (reported {@code GATEWAY_FAILURE}, up to 1 s is given for the
   * messages to go out), the instruction actor stops, the JAIN-SIP stack stops and its ports are freed, and no
   * thread of it is left. Takes about 1 s more than that (JAIN-SIP sleeps 1 s while stopping). Idempotent; call
   * {@link #drain} first for a graceful shutdown.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    accepting = false;
    if (!byTrnId.isEmpty()) {
      releaseAll(EndCause.GATEWAY_FAILURE);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      while (!byTrnId.isEmpty() && System.nanoTime() < until) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    ActorRef<CallInstruction> ref = instructions;
    if (ref != null) {
      try {
        Adapter.toClassic(system).stop(Adapter.toClassic(ref));
      } catch (RuntimeException e) {
        LOG.debug("stopping the instruction actor: {}", e.toString());
      }
    }
    LenientMessageParserFactory.unregister(stackName);
    try {
      for (ListeningPoint lp : kit.provider.getListeningPoints()) {
        try {
          kit.provider.removeListeningPoint(lp);
          kit.stack.deleteListeningPoint(lp);
        } catch (Exception e) {
          LOG.debug("deleting listening point: {}", e.toString());
        }
      }
      kit.stack.deleteSipProvider(kit.provider);
    } catch (Exception e) {
      LOG.debug("deleting provider: {}", e.toString());
    }
    stopStack(kit.stack);
    timers.shutdownNow();
    workers.shutdownNow();
    media.close(); // closes the sessions of calls not released in time, returns their ports
    LOG.info("SIP gateway {} stopped", stackName);
  }

  // ---------------------------------------------------------------- package-private, used by B2buaCall

  void report(CallProgress progress) {
    try {
      control.report(progress).whenComplete((done, error) -> {
        if (error != null) {
          LOG.debug("report {} failed: {}", progress, error.toString());
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("report {} failed: {}", progress, e.toString());
    }
  }

  ScheduledFuture<?> schedule(B2buaCall call, Duration delay, Runnable task) {
    try {
      return timers.schedule(() -> call.exec.execute(task), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      return null;
    }
  }

  void registerForward(String callId, B2buaCall call) {
    byForwardCallId.put(callId, call);
  }

  void forget(B2buaCall call) {
    byTrnId.remove(call.trnId, call);
    byCallerKey.remove(call.callerKey, call);
    for (String callId : call.forwardCallIds()) {
      byForwardCallId.remove(callId, call);
    }
  }

  // ---------------------------------------------------------------- internals

  private int releaseAll(EndCause cause) {
    List<B2buaCall> calls = new ArrayList<>(byTrnId.values());
    for (B2buaCall call : calls) {
      call.exec.execute(() -> call.release(cause));
    }
    return calls.size();
  }

  private void onInstruction(CallInstruction instruction) {
    B2buaCall call = byTrnId.get(instruction.trnId());
    if (call == null) {
      LOG.debug("instruction for unknown call ignored: {}", instruction);
      return;
    }
    if (instruction instanceof CallInstruction.CancelForward) {
      CallInstruction.CancelForward c = (CallInstruction.CancelForward) instruction;
      call.exec.execute(() -> call.onCancelForward(c.attempt(), c.cause() == null ? EndCause.NO_ANSWER : c.cause()));
    } else if (instruction instanceof CallInstruction.Release) {
      CallInstruction.Release r = (CallInstruction.Release) instruction;
      call.exec.execute(() -> call.release(r.cause() == null ? EndCause.GATEWAY_FAILURE : r.cause()));
    } else if (instruction instanceof CallInstruction.Forward) {
      CallInstruction.Forward f = (CallInstruction.Forward) instruction;
      call.exec.execute(() -> call.onForwardInstruction(f));
    } else if (instruction instanceof CallInstruction.PlayPrompt) {
      CallInstruction.PlayPrompt p = (CallInstruction.PlayPrompt) instruction;
      call.exec.execute(() -> call.onPlayPrompt(p));
    } else if (instruction instanceof CallInstruction.StopPrompt) {
      CallInstruction.StopPrompt p = (CallInstruction.StopPrompt) instruction;
      call.exec.execute(() -> call.onStopPrompt(p.token()));
    } else if (instruction instanceof CallInstruction.AnswerWithMedia) {
      call.exec.execute(call::onAnswerWithMediaInstruction);
    }
  }

  private ActorRef<CallInstruction> spawnInstructionActor() {
    String base = settings.actorName();
    for (int i = 1; ; i++) {
      String name = i == 1 ? base : base + "-" + i;
      try {
        return system.systemActorOf(Behaviors.receiveMessage((CallInstruction msg) -> {
          onInstruction(msg);
          return Behaviors.same();
        }), name, Props.empty());
      } catch (InvalidActorNameException e) {
        if (i > 100) {
          throw e;
        }
      }
    }
  }

  private SipKit createStack() {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", stackName);
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
    p.setProperty("gov.nist.javax.sip.LOG_MESSAGE_CONTENT", "false");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(settings.threadPoolSize()));
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE",
        Integer.toString(Math.max(STACK_MESSAGE_SIZE, settings.maxMessageSize())));
    p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(settings.udpBufferSize()));
    p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(settings.udpBufferSize()));
    p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", LenientMessageParserFactory.class.getName());
    p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", ReusedBufferMessageProcessorFactory.class.getName());
    p.setProperty("gov.nist.javax.sip.PASS_INVITE_NON_2XX_ACK_TO_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.AUTOMATIC_DIALOG_ERROR_HANDLING", "false");
    p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
    // Terminated and completed transactions keep their messages as bytes (re-parsed on demand), not as parsed
    // objects, while they linger: a quarter less to copy at each young collection (docs/performance.md, stop 10).
    p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Normal");
    LenientMessageParserFactory.register(stackName, settings.maxMessageSize(), reason -> {
      malformedRequests.incrementAndGet();
      LOG.debug("malformed request dropped: {}", reason);
    });
    SipStackImpl stack;
    try {
      stack = new SipStackImpl(p);
    } catch (Exception e) {
      LenientMessageParserFactory.unregister(stackName);
      throw new IllegalStateException("JAIN-SIP stack did not start: " + e.getMessage(), e);
    }
    SipProvider provider = null;
    try {
      for (String transport : settings.transports()) {
        int port = "tcp".equals(transport) ? settings.tcpPort() : settings.udpPort();
        ListeningPoint lp;
        try {
          lp = stack.createListeningPoint(settings.host(), port, transport);
        } catch (Exception e) {
          throw new IllegalStateException(
              "cannot listen on " + transport + " " + settings.host() + ":" + port + ": " + e.getMessage(), e);
        }
        if (provider == null) {
          provider = stack.createSipProvider(lp);
        } else {
          provider.addListeningPoint(lp);
        }
      }
      stack.start();
    } catch (IllegalStateException e) {
      stopStack(stack);
      LenientMessageParserFactory.unregister(stackName);
      timers.shutdownNow();
      workers.shutdownNow();
      throw e;
    } catch (Exception e) {
      stopStack(stack);
      LenientMessageParserFactory.unregister(stackName);
      timers.shutdownNow();
      workers.shutdownNow();
      throw new IllegalStateException("JAIN-SIP stack did not start: " + e.getMessage(), e);
    }
    return new SipKit(stack, provider, new AddressFactoryImpl(), new HeaderFactoryImpl(), new MessageFactoryImpl(),
        settings);
  }

  /**
   * Stops a JAIN-SIP stack (closes its sockets; JAIN-SIP then sleeps 1 s in {@code stopStack}). JAIN-SIP's
   * {@code stop()} only flags its non-daemon {@code EventScannerThread}, which stays blocked on its queue and would
   * keep the JVM alive: a no-op event wakes it so it sees the flag and ends.
   */
  private static void stopStack(SipStackImpl stack) {
    gov.nist.javax.sip.EventScanner scanner = stack.getEventScanner();
    stack.stop();
    if (scanner != null) {
      scanner.addEvent(new gov.nist.javax.sip.EventWrapper(new IOExceptionEvent(stack, "0.0.0.0", 0, "udp"), null));
    }
  }

  private static ThreadFactory threads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Result of matching an in-dialog request to a call. */
  private record Match(B2buaCall call, boolean fromCaller) {}

  private Match find(Request request) {
    String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    String fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
    B2buaCall call = byCallerKey.get(callerKey(callId, fromTag));
    if (call != null) {
      return new Match(call, true);
    }
    call = byForwardCallId.get(callId);
    return call == null ? null : new Match(call, false);
  }

  /** Whether the gateway takes an INVITE for {@code uri}: its scheme (any case) is in {@link #SERVED_SCHEMES}. */
  static boolean servesScheme(URI uri) {
    String scheme = uri == null ? null : uri.getScheme();
    return scheme != null && SERVED_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
  }

  private static String callIdOf(Request request) {
    CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
    return callId == null ? "?" : callId.getCallId();
  }

  private static String callerKey(String callId, String fromTag) {
    return callId + "|" + (fromTag == null ? "" : fromTag);
  }

  /** JAIN-SIP's listener: matches and queues, never blocks. */
  private final class Listener implements SipListener {
    @Override
    public void processRequest(RequestEvent event) {
      try {
        handleRequest(event);
      } catch (RuntimeException e) {
        LOG.warn("request handling failed: {}", event.getRequest().getMethod(), e);
      }
    }

    private void handleRequest(RequestEvent event) {
      Request request = event.getRequest();
      Object mark = request instanceof SIPRequest ? ((SIPRequest) request).getApplicationData() : null;
      if (mark instanceof LenientMessageParserFactory.Malformed) {
        refuse(request, (LenientMessageParserFactory.Malformed) mark);
        return;
      }
      if (kit.answeredAgain(request)) {
        return; // a retransmission of a non-INVITE request answered statelessly (RFC 3261 section 17.2.2)
      }
      String method = request.getMethod();
      String toTag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
      switch (method) {
        case Request.INVITE:
          if (toTag == null) {
            onNewInvite(event);
          } else {
            inDialog(event);
          }
          return;
        case Request.ACK:
          onAck(event);
          return;
        case Request.CANCEL: {
          Match m = find(request);
          if (m != null && m.fromCaller()) {
            m.call().exec.execute(() -> m.call().onCallerCancel(event));
          } else {
            kit.reply(event.getServerTransaction(), request, kit.response(481, request, kit.newTag()));
          }
          return;
        }
        case Request.BYE: {
          Match m = find(request);
          if (m == null) {
            kit.reply(event.getServerTransaction(), request, kit.response(481, request, kit.newTag()));
          } else if (m.fromCaller()) {
            m.call().exec.execute(() -> m.call().onCallerBye(event));
          } else {
            m.call().exec.execute(() -> m.call().onCalleeBye(event));
          }
          return;
        }
        case Request.OPTIONS:
          if (toTag == null) {
            Response r = kit.withAllow(kit.response(accepting ? 200 : 503, request, kit.newTag()));
            try {
              r.setHeader(kit.headers.createAcceptHeader("application", "sdp"));
            } catch (ParseException e) {
              // not added
            }
            kit.reply(event.getServerTransaction(), request, accepting ? r : kit.withRetryAfter(r));
          } else {
            inDialog(event);
          }
          return;
        default:
          if (toTag != null) {
            inDialog(event);
          } else {
            int status = KNOWN_METHODS.contains(method) ? 405 : 501;
            kit.reply(event.getServerTransaction(), request, kit.withAllow(kit.response(status, request,
                kit.newTag())));
          }
      }
    }

    /**
     * Answers a request the parser refused (400, 414, 505, 513) statelessly: no transaction, the phrase followed by
     * the reason in parentheses, To tag added; an ACK is only counted (RFC 3261 section 17.1.1.3: never answered).
     * {@code provider.sendResponse} sends it to the top Via's received/rport/sent-by (section 18.2.2, RFC 3581).
     */
    private void refuse(Request request, LenientMessageParserFactory.Malformed malformed) {
      malformedRequests.incrementAndGet();
      LOG.debug("malformed {} answered {}: {}", request.getMethod(), malformed.status(), malformed.reason());
      if (Request.ACK.equals(request.getMethod())) {
        return;
      }
      try {
        Response refusal = kit.withReason(kit.response(malformed.status(), request, kit.newTag()),
            malformed.phrase() + " (" + malformed.reason() + ")");
        kit.provider.sendResponse(refusal);
      } catch (SipException | RuntimeException e) {
        LOG.debug("could not send {}: {}", malformed.status(), e.toString());
      }
    }

    private void inDialog(RequestEvent event) {
      Request request = event.getRequest();
      Match m = find(request);
      if (m == null) {
        kit.reply(event.getServerTransaction(), request, kit.response(481, request, null));
      } else {
        m.call().exec.execute(() -> m.call().onInDialogRequest(event, m.fromCaller()));
      }
    }

    private void onAck(RequestEvent event) {
      ServerTransaction st = event.getServerTransaction();
      if (st != null && st.getRequest() != null && !Request.INVITE.equals(st.getRequest().getMethod())) {
        st = null; // not the INVITE transaction of a non-2xx final response
      }
      Match m = find(event.getRequest());
      if (m != null && m.fromCaller()) {
        ServerTransaction acked = st;
        m.call().exec.execute(() -> m.call().onCallerAck(acked));
      } else if (st != null) {
        kit.release(st); // ACK of a final response of a call already forgotten (e.g. 404, 503)
      }
    }

    /**
     * A new INVITE (no To tag): server transaction, then {@link #admit}. Anything unexpected after the transaction
     * exists ends in {@link #failNewInvite} (500), never in silence.
     */
    private void onNewInvite(RequestEvent event) {
      Request request = event.getRequest();
      String key = callerKey(((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId(),
          ((FromHeader) request.getHeader(FromHeader.NAME)).getTag());
      if (byCallerKey.containsKey(key)) {
        return; // a retransmission that reached us before its transaction existed
      }
      int maxForwards = maxForwardsOf(request);
      ServerTransaction st = inviteTransaction(event);
      if (st == null) {
        return;
      }
      try {
        admit(request, st, key, maxForwards);
      } catch (RuntimeException e) {
        failNewInvite(request, st, e);
      }
    }

    /** Max-Forwards of a request; a missing one is set to 70 (RFC 3261 section 8.1.1.6) and read as 70. */
    private int maxForwardsOf(Request request) {
      MaxForwardsHeader mf = (MaxForwardsHeader) request.getHeader(MaxForwardsHeader.NAME);
      if (mf != null) {
        return mf.getMaxForwards();
      }
      try {
        request.setHeader(kit.headers.createMaxForwardsHeader(70));
      } catch (InvalidArgumentException e) {
        // cannot happen for 70
      }
      return 70;
    }

    /**
     * The server transaction of a new INVITE (made here: JAIN-SIP makes none with automatic dialogs off), or null when
     * there is nothing more to do: a retransmission whose transaction exists, or no transaction possible (then 500
     * went out statelessly).
     */
    private ServerTransaction inviteTransaction(RequestEvent event) {
      Request request = event.getRequest();
      ServerTransaction st = event.getServerTransaction();
      if (st != null) {
        return st;
      }
      try {
        return kit.provider.getNewServerTransaction(request);
      } catch (TransactionAlreadyExistsException e) {
        return null;
      } catch (Exception e) {
        LOG.warn("no server transaction for INVITE {}: {}", callIdOf(request), e.toString());
        kit.reply(null, request, kit.response(500, request, kit.newTag()));
        return null;
      }
    }

    /**
     * Decides a new INVITE in the order of RFC 3261 section 8.2 and this gateway's rules: 503 when not accepting,
     * 483 when Max-Forwards is used up, 416 for a Request-URI scheme other than sip and tel (section 8.2.2.1), 420
     * for a Require header (section 8.2.2.3), 415 for a body that is not SDP (section 8.2.3), 404 when the
     * Request-URI is not a phone number; otherwise 100 Trying and a new call asking the cluster.
     */
    private void admit(Request request, ServerTransaction st, String key, int maxForwards) {
      if (!accepting) {
        respond(st, kit.withRetryAfter(kit.response(503, request, kit.newTag())));
        return;
      }
      if (maxForwards <= 0) {
        respond(st, kit.response(483, request, kit.newTag()));
        return;
      }
      if (!servesScheme(request.getRequestURI())) {
        respond(st, kit.response(416, request, kit.newTag()));
        return;
      }
      ListIterator<?> require = request.getHeaders(RequireHeader.NAME);
      if (require.hasNext() && !onlyTimerRequired(request)) {
        respond(st, badExtension(request, request.getHeaders(RequireHeader.NAME)));
        return;
      }
      Response tooSmall = intervalTooSmall(request);
      if (tooSmall != null) {
        respond(st, tooSmall);
        return;
      }
      Response unsupportedBody = unsupportedBody(request);
      if (unsupportedBody != null) {
        respond(st, unsupportedBody);
        return;
      }
      Optional<PhoneNumber> dialled = dialledNumber.apply(request.getRequestURI());
      if (dialled.isEmpty()) {
        unknownNumbers.incrementAndGet();
        respond(st, kit.response(404, request, kit.newTag()));
        return;
      }
      respond(st, kit.response(100, request, null));
      startCall(request, st, key, dialled.get(), maxForwards);
    }

    /** Whether every Require option tag is {@code timer} (RFC 4028 section 3) and session timers are on. */
    private boolean onlyTimerRequired(Request request) {
      if (!settings.sessionTimer().enabled()) {
        return false;
      }
      ListIterator<?> require = request.getHeaders(RequireHeader.NAME);
      while (require.hasNext()) {
        if (!"timer".equalsIgnoreCase(((RequireHeader) require.next()).getOptionTag())) {
          return false;
        }
      }
      return true;
    }

    /**
     * 422 Session Interval Too Small with our {@code Min-SE} (RFC 4028 section 9) for a caller that supports timers
     * and asks for a Session-Expires below {@code hankyo.sip.session-timer.min-se}; null otherwise (a caller without
     * timer support gets the interval raised in our 2xx instead, as section 9 requires).
     */
    private Response intervalTooSmall(Request request) {
      SipGatewaySettings.SessionTimer timer = settings.sessionTimer();
      OptionalInt asked = SessionTimers.sessionExpires(request);
      if (!timer.enabled() || asked.isEmpty() || asked.getAsInt() >= timer.minSeSeconds()
          || !SessionTimers.supportsTimer(request)) {
        return null;
      }
      Response r = kit.response(422, request, kit.newTag());
      try {
        r.setHeader(kit.headers.createHeader("Min-SE", String.valueOf(timer.minSeSeconds())));
      } catch (ParseException e) {
        // not added
      }
      return r;
    }

    /** 420 Bad Extension listing every Require option tag as Unsupported (RFC 3261 section 8.2.2.3). */
    private Response badExtension(Request request, ListIterator<?> require) {
      Response r = kit.response(420, request, kit.newTag());
      while (require.hasNext()) {
        try {
          r.addHeader(kit.headers.createUnsupportedHeader(((RequireHeader) require.next()).getOptionTag()));
        } catch (ParseException e) {
          // skip
        }
      }
      return r;
    }

    /**
     * 415 Unsupported Media Type for an INVITE whose body the gateway cannot pass on as the caller's session offer
     * (RFC 3261 sections 8.2.3 and 21.4.13), or null when it has no body (an offer in the 2xx, section 13.2.1) or an
     * SDP body in the identity coding. A body whose type is not {@code application/sdp} (multipart bodies too: the
     * forward leg would carry them unread) or that has no Content-Type at all (section 20.15 requires one) gets
     * {@code Accept: application/sdp}; a Content-Encoding other than {@code identity} gets {@code Accept-Encoding:
     * identity} (both when both are wrong).
     */
    private Response unsupportedBody(Request request) {
      if (!SipKit.hasBody(request)) {
        return null;
      }
      ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
      boolean sdp = type != null && "application".equalsIgnoreCase(type.getContentType())
          && "sdp".equalsIgnoreCase(type.getContentSubType());
      boolean identity = true;
      ListIterator<?> encodings = request.getHeaders(ContentEncodingHeader.NAME);
      while (encodings.hasNext()) {
        String encoding = ((ContentEncodingHeader) encodings.next()).getEncoding();
        identity &= encoding != null && IDENTITY.equalsIgnoreCase(encoding.strip());
      }
      if (sdp && identity) {
        return null;
      }
      // RFC 3261 section 21.4.13's phrase; JAIN-SIP's own is "Unsupported media type"
      Response r = kit.withReason(kit.response(415, request, kit.newTag()), "Unsupported Media Type");
      try {
        if (!sdp) {
          r.addHeader(kit.headers.createAcceptHeader("application", "sdp"));
        }
        if (!identity) {
          r.addHeader(kit.headers.createAcceptEncodingHeader(IDENTITY));
        }
      } catch (ParseException e) {
        // not added
      }
      return r;
    }

    /** Registers a new call and queues its start; a call registered but not started is forgotten again. */
    private void startCall(Request request, ServerTransaction st, String key, PhoneNumber dialled, int maxForwards) {
      String trnId = kit.randomHex(12);
      B2buaCall call = new B2buaCall(SipGateway.this, trnId, key, request, st, dialled, maxForwards - 1,
          Instant.now());
      if (byCallerKey.putIfAbsent(key, call) != null) {
        return;
      }
      try {
        byTrnId.put(trnId, call);
        call.exec.execute(call::start);
      } catch (RuntimeException e) {
        forget(call);
        throw e;
      }
    }

    /**
     * A new INVITE whose handling threw: 500 Server Internal Error on its transaction, which then waits for the ACK
     * like after any final response (RFC 3261 section 17.2.1) and is released by {@link #onAck}; when even that
     * cannot be sent, the transaction is released at once. No call exists for it ({@link #startCall} forgets one).
     */
    private void failNewInvite(Request request, ServerTransaction st, RuntimeException failure) {
      LOG.warn("new INVITE {} could not be handled; answering 500", callIdOf(request), failure);
      try {
        if (respond(st, kit.response(500, request, kit.newTag()))) {
          return;
        }
      } catch (RuntimeException e) {
        LOG.warn("could not build a 500 for INVITE {}: {}", callIdOf(request), e.toString());
      }
      kit.release(st);
    }

    /** Sends a response on a server transaction; false (logged) when it could not be sent. */
    private boolean respond(ServerTransaction st, Response response) {
      try {
        st.sendResponse(response);
        return true;
      } catch (SipException | InvalidArgumentException | RuntimeException e) {
        LOG.debug("could not send {}: {}", response.getStatusCode(), e.toString());
        return false;
      }
    }

    @Override
    public void processResponse(ResponseEvent event) {
      try {
        handleResponse(event);
      } catch (RuntimeException e) {
        LOG.warn("response handling failed", e);
      }
    }

    private void handleResponse(ResponseEvent event) {
      Response response = event.getResponse();
      String method = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getMethod();
      javax.sip.ClientTransaction ct = event.getClientTransaction();
      Object app = ct == null ? null : ct.getApplicationData();
      if (app instanceof B2buaCall.Refresh rf) {
        if (response.getStatusCode() >= 200) {
          kit.release(ct);
          rf.call().exec.execute(() -> rf.call().onRefreshResponse(rf, response));
        }
        return;
      }
      if (app instanceof B2buaCall) {
        if (Request.INVITE.equals(method)) {
          B2buaCall call = (B2buaCall) app;
          call.exec.execute(() -> call.onForwardResponse(response));
        }
        return;
      }
      if (app == AUXILIARY) {
        if (response.getStatusCode() >= 200) {
          kit.release(ct);
        }
        return;
      }
      if (!Request.INVITE.equals(method) || response.getStatusCode() < 200) {
        return;
      }
      String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
      B2buaCall call = byForwardCallId.get(callId);
      if (call != null) {
        call.exec.execute(() -> call.onForwardResponse(response));
      } else if (callId.startsWith(SipKit.CALL_ID_PREFIX)) {
        kit.strayFinalResponse(response);
      } else if (response.getStatusCode() < 300) {
        // a 2xx retransmission of our refresh re-INVITE on a caller leg (we are the From there, the caller the To)
        B2buaCall caller = byCallerKey.get(callerKey(callId, ((ToHeader) response.getHeader(ToHeader.NAME)).getTag()));
        if (caller != null) {
          caller.exec.execute(() -> caller.onCallerLegResponse(response));
        }
      }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
      if (event.isServerTransaction()) {
        return;
      }
      javax.sip.ClientTransaction ct = event.getClientTransaction();
      Object app = ct == null ? null : ct.getApplicationData();
      if (app instanceof B2buaCall.Refresh rf) {
        kit.release(ct);
        rf.call().exec.execute(() -> rf.call().onRefreshTimeout(rf));
        return;
      }
      if (app instanceof B2buaCall && Request.INVITE.equals(ct.getRequest().getMethod())) {
        B2buaCall call = (B2buaCall) app;
        String callId = ((CallIdHeader) ct.getRequest().getHeader(CallIdHeader.NAME)).getCallId();
        call.exec.execute(() -> call.onForwardTimeout(callId));
      }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
      LOG.debug("SIP transport error toward {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
      // nothing: the gateway terminates what it no longer needs
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
      // no JAIN-SIP dialogs are used
    }
  }

  /** E.g. {@code sip:127.0.0.1 udp:5060 tcp:5060}, for logs and the start banner. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("sip:").append(settings.host());
    for (String t : settings.transports()) {
      b.append(' ').append(t).append(':').append("tcp".equals(t) ? settings.tcpPort() : settings.udpPort());
    }
    return b.toString();
  }
}
