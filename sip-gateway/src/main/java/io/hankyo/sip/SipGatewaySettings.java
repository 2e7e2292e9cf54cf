package io.hankyo.sip;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Settings of the {@link SipGateway}, read from the {@code hankyo.sip} section of the configuration. Defaults are in
 * this module's {@code reference.conf}.
 *
 * <pre>
 * hankyo.sip {
 *   host = "127.0.0.1"            # IP to bind UDP/TCP and to put into Via and Contact; a concrete address
 *   udp-port = 5060               # UDP listening port (RFC 3261 section 18)
 *   tcp-port = 5060               # TCP listening port
 *   transports = [udp, tcp]       # which of udp, tcp to listen on (at least one)
 *   outbound-route = "sip:{number}&#64;127.0.0.1:5080"
 *                                 # Request-URI template of the forward leg: {number} = national digits of the
 *                                 # destination (0312345678), {e164} = E.164 (+81312345678)
 *   outbound-transport = udp      # udp or tcp for the forward leg (tcp adds ;transport=tcp to the Request-URI)
 *   system-caller-number = ""     # the service's own number presented as caller on the forward leg when the
 *                                 # tracking number is a FREE_CALL number (0120/0800, spec section 2);
 *                                 # empty = present the caller's number
 *   node-id = ""                  # gatewayNode in CallArrival; empty = the actor system's address
 *   decision-timeout = 3s         # how long CallControl.arrive may take; then 503 to the caller
 *   ring-timeout-margin = 5s      # failsafe: not answered/ended within ringTimeoutMillis + margin = NO_ANSWER
 *   instruction-timeout = 5s      # sequential forwarding: after LegFailed, how long to wait for the next Forward
 *                                 # or Release before answering the caller with the last failure's response
 *   max-call-duration = 4h        # answered calls are released (BYE both legs) after this long
 *   drain-timeout = 30s           # default of SipGateway.drain()
 *   retry-after = 30s             # Retry-After of 503 Service Unavailable (RFC 3261 section 20.33), whole seconds
 *   thread-pool-size = 4          # JAIN-SIP gov.nist.javax.sip.THREAD_POOL_SIZE
 *   worker-threads = 4            # threads running the call state machines
 *   max-message-size = 8192       # longest request accepted, bytes; longer ones get 513
 *   udp-buffer-size = 1MiB        # JAIN-SIP RECEIVE_UDP_BUFFER_SIZE and SEND_UDP_BUFFER_SIZE, bytes
 *   actor-name = "sip-gateway"    # name of the CallInstruction actor (suffixed when taken)
 * }
 * </pre>
 *
 * @param host IP address to bind and advertise
 * @param udpPort UDP port, 1-65535
 * @param tcpPort TCP port, 1-65535
 * @param transports lower-case transports to listen on, a non-empty subset of {@code udp}, {@code tcp}
 * @param outboundRoute forward-leg Request-URI template with {@code {number}} and/or {@code {e164}}
 * @param outboundTransport {@code udp} or {@code tcp}
 * @param systemCallerNumber the service's own number for FREE_CALL tracking numbers, or empty
 * @param nodeId node id for {@code CallArrival.gatewayNode}; empty = the actor system's address
 * @param decisionTimeout maximum wait for the cluster's {@code RouteDecision}
 * @param ringTimeoutMargin added to the decision's ring timeout for the gateway's own no-answer failsafe
 * @param instructionTimeout sequential forwarding (issue 3): after {@code CallProgress.LegFailed}, the longest wait
 *     for the Call entity's {@code CallInstruction.Forward} or {@code Release}; when it passes, the caller gets the
 *     final response the last failure maps to and the call is reported {@code Ended}; positive
 * @param maxCallDuration maximum talk time
 * @param drainTimeout default drain time
 * @param retryAfter Retry-After of 503 responses (whole seconds are used)
 * @param threadPoolSize JAIN-SIP message processing threads, at least 1
 * @param workerThreads call state machine threads, at least 1
 * @param maxMessageSize longest request accepted, in bytes (UDP datagram; TCP headers + body); longer requests get
 *     513 Message Too Large (RFC 3261 section 21.5.7). JAIN-SIP itself reads up to 65,535 bytes
 *     ({@link SipGateway#STACK_MESSAGE_SIZE}) so that such requests arrive whole and can be answered
 * @param udpBufferSize UDP socket receive/send buffer in bytes
 * @param actorName preferred name of the instruction actor
 * @param sessionTimer RFC 4028 session timers of both legs ({@code hankyo.sip.session-timer})
 */
public record SipGatewaySettings(
    String host,
    int udpPort,
    int tcpPort,
    List<String> transports,
    String outboundRoute,
    String outboundTransport,
    String systemCallerNumber,
    String nodeId,
    Duration decisionTimeout,
    Duration ringTimeoutMargin,
    Duration instructionTimeout,
    Duration maxCallDuration,
    Duration drainTimeout,
    Duration retryAfter,
    int threadPoolSize,
    int workerThreads,
    int maxMessageSize,
    int udpBufferSize,
    String actorName,
    SessionTimer sessionTimer) {

  /**
   * RFC 4028 session timers ({@code hankyo.sip.session-timer}): the gateway, a B2BUA, runs one timer per leg.
   *
   * @param enabled whether the gateway requests, honours and watches session timers at all
   * @param sessionExpiresSeconds the session interval we ask for on the callee leg and the largest we grant on the
   *     caller leg, in seconds (RFC 4028 section 4, {@code Session-Expires}; default 1800)
   * @param minSeSeconds the smallest session interval we accept, in seconds ({@code Min-SE}, section 5; default 90,
   *     the RFC's floor). Values below 90 break RFC 4028 section 4 and exist for tests only; at least 1
   */
  public record SessionTimer(boolean enabled, int sessionExpiresSeconds, int minSeSeconds) {
    /**
     * Validates the values.
     *
     * @throws IllegalArgumentException when min-se is below 1 s or session-expires below min-se
     */
    public SessionTimer {
      if (minSeSeconds < 1) {
        throw new IllegalArgumentException("hankyo.sip.session-timer.min-se must be at least 1s: " + minSeSeconds);
      }
      if (sessionExpiresSeconds < minSeSeconds) {
        throw new IllegalArgumentException("hankyo.sip.session-timer.session-expires must be at least min-se: "
            + sessionExpiresSeconds + " < " + minSeSeconds);
      }
    }
  }

  private static final Set<String> KNOWN_TRANSPORTS = Set.of("udp", "tcp");

  /**
   * Validates and normalizes (transports lower-cased, null strings to empty).
   *
   * @throws IllegalArgumentException when a value is out of range (names the key)
   */
  public SipGatewaySettings {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("hankyo.sip.host must not be empty");
    }
    checkPort("udp-port", udpPort);
    checkPort("tcp-port", tcpPort);
    transports = transports.stream().map(t -> t.toLowerCase(Locale.ROOT).strip()).distinct().toList();
    if (transports.isEmpty() || !KNOWN_TRANSPORTS.containsAll(transports)) {
      throw new IllegalArgumentException("hankyo.sip.transports must be a non-empty subset of [udp, tcp]: " + transports);
    }
    Objects.requireNonNull(outboundRoute, "outboundRoute");
    if (!outboundRoute.contains("{number}") && !outboundRoute.contains("{e164}")) {
      throw new IllegalArgumentException("hankyo.sip.outbound-route must contain {number} or {e164}: " + outboundRoute);
    }
    outboundTransport = outboundTransport == null ? "udp" : outboundTransport.toLowerCase(Locale.ROOT).strip();
    if (!KNOWN_TRANSPORTS.contains(outboundTransport)) {
      throw new IllegalArgumentException("hankyo.sip.outbound-transport must be udp or tcp: " + outboundTransport);
    }
    systemCallerNumber = systemCallerNumber == null ? "" : systemCallerNumber.strip();
    if (!systemCallerNumber.isEmpty()) {
      PhoneNumbers.parse(systemCallerNumber); // throws InvalidPhoneNumberException with a readable message
    }
    nodeId = nodeId == null ? "" : nodeId.strip();
    checkPositive("decision-timeout", decisionTimeout);
    checkPositive("max-call-duration", maxCallDuration);
    checkPositive("instruction-timeout", instructionTimeout);
    Objects.requireNonNull(ringTimeoutMargin, "ringTimeoutMargin");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (threadPoolSize < 1 || workerThreads < 1) {
      throw new IllegalArgumentException("hankyo.sip.thread-pool-size and worker-threads must be at least 1");
    }
    if (maxMessageSize < 1024) {
      throw new IllegalArgumentException("hankyo.sip.max-message-size must be at least 1024: " + maxMessageSize);
    }
    if (udpBufferSize < 65536) {
      throw new IllegalArgumentException("hankyo.sip.udp-buffer-size must be at least 64KiB: " + udpBufferSize);
    }
    actorName = actorName == null || actorName.isBlank() ? "sip-gateway" : actorName.strip();
    Objects.requireNonNull(sessionTimer, "sessionTimer");
  }

  /**
   * Reads {@code hankyo.sip} from the application configuration, falling back to this module's
   * {@code reference.conf} for missing keys.
   *
   * @param config the root configuration (e.g. {@code system.settings().config()} or {@code ConfigFactory.load()})
   * @throws com.typesafe.config.ConfigException when a key has the wrong type
   * @throws IllegalArgumentException when a value is out of range
   */
  public static SipGatewaySettings fromConfig(Config config) {
    Config defaults = ConfigFactory.parseResources(SipGatewaySettings.class.getClassLoader(), "reference.conf")
        .getConfig("hankyo.sip");
    Config c = (config.hasPath("hankyo.sip") ? config.getConfig("hankyo.sip") : ConfigFactory.empty())
        .withFallback(defaults)
        .resolve();
    return new SipGatewaySettings(
        c.getString("host"),
        c.getInt("udp-port"),
        c.getInt("tcp-port"),
        c.getStringList("transports"),
        c.getString("outbound-route"),
        c.getString("outbound-transport"),
        c.getString("system-caller-number"),
        c.getString("node-id"),
        c.getDuration("decision-timeout"),
        c.getDuration("ring-timeout-margin"),
        c.getDuration("instruction-timeout"),
        c.getDuration("max-call-duration"),
        c.getDuration("drain-timeout"),
        c.getDuration("retry-after"),
        c.getInt("thread-pool-size"),
        c.getInt("worker-threads"),
        (int) c.getBytes("max-message-size").longValue(),
        (int) c.getBytes("udp-buffer-size").longValue(),
        c.getString("actor-name"),
        new SessionTimer(c.getBoolean("session-timer.enabled"),
            (int) c.getDuration("session-timer.session-expires").toSeconds(),
            (int) c.getDuration("session-timer.min-se").toSeconds()));
  }

  /** The defaults of {@code reference.conf} (127.0.0.1:5060, UDP and TCP). */
  public static SipGatewaySettings defaults() {
    return fromConfig(ConfigFactory.empty());
  }

  /** A copy listening on other ports (handy in tests). */
  public SipGatewaySettings withPorts(int newUdpPort, int newTcpPort) {
    return new SipGatewaySettings(host, newUdpPort, newTcpPort, transports, outboundRoute, outboundTransport,
        systemCallerNumber, nodeId, decisionTimeout, ringTimeoutMargin, instructionTimeout, maxCallDuration, drainTimeout, retryAfter,
        threadPoolSize, workerThreads, maxMessageSize, udpBufferSize, actorName, sessionTimer);
  }

  /** A copy with another forward-leg Request-URI template. */
  public SipGatewaySettings withOutboundRoute(String newOutboundRoute) {
    return new SipGatewaySettings(host, udpPort, tcpPort, transports, newOutboundRoute, outboundTransport,
        systemCallerNumber, nodeId, decisionTimeout, ringTimeoutMargin, instructionTimeout, maxCallDuration, drainTimeout, retryAfter,
        threadPoolSize, workerThreads, maxMessageSize, udpBufferSize, actorName, sessionTimer);
  }

  /** The parsed system caller number, when configured. */
  public Optional<PhoneNumber> systemCaller() {
    return systemCallerNumber.isEmpty() ? Optional.empty() : Optional.of(PhoneNumbers.parse(systemCallerNumber));
  }

  /** The forward-leg Request-URI for a destination, from {@link #outboundRoute()}. */
  public String outboundUriFor(PhoneNumber destination) {
    String uri = outboundRoute.replace("{number}", destination.nationalDigits()).replace("{e164}", destination.e164());
    if ("tcp".equals(outboundTransport) && !uri.toLowerCase(Locale.ROOT).contains("transport=")) {
      uri = uri + ";transport=tcp";
    }
    return uri;
  }

  private static void checkPort(String key, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("hankyo.sip." + key + " must be 1-65535: " + port);
    }
  }

  private static void checkPositive(String key, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("hankyo.sip." + key + " must be positive: " + d);
    }
  }
}
