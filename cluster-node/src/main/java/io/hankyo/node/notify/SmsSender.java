package io.hankyo.node.notify;

import io.hankyo.protocol.number.PhoneNumber;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.jsmpp.InvalidResponseException;
import org.jsmpp.PDUException;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BindType;
import org.jsmpp.bean.DataCodings;
import org.jsmpp.bean.ESMClass;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.RegisteredDelivery;
import org.jsmpp.bean.SMSCDeliveryReceipt;
import org.jsmpp.bean.TypeOfNumber;
import org.jsmpp.extra.NegativeResponseException;
import org.jsmpp.extra.ResponseTimeoutException;
import org.jsmpp.extra.SessionState;
import org.jsmpp.session.BindParameter;
import org.jsmpp.session.SMPPSession;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.Connection;
import org.jsmpp.session.connection.socket.SocketConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SMS notifications (issue 4) to the SMSC of {@link SmppSettings} over SMPP 3.4 with jSMPP.
 *
 * <p>One session, bound as a transmitter ({@code bind_transmitter}, SMPP 3.4 section 4.1.1), serves all sends; it is
 * bound on the first send and bound again on the next send after it dropped (the SMSC closed it, unbind, network
 * failure). While bound, jSMPP sends an {@code enquire_link} after {@link SmppSettings#enquireLinkInterval()} of
 * silence. A send whose connection turns out to be dead (an I/O error on submit) binds a new session and submits that
 * part once more before it reports {@link SmsSendResult.Retryable}.
 *
 * <p>Each part is one {@code submit_sm} (section 4.4.1): source address, TON and NPI from the settings; destination
 * the E.164 number without '+' with TON international (1) and NPI ISDN/E.164 (1); {@code data_coding} 0x08 (UCS-2);
 * {@code esm_class} 0x40 (UDHI) for the parts of a concatenated SMS, 0 otherwise; {@code registered_delivery} 0 (no
 * delivery receipt); protocol_id, priority, schedule and validity left to the SMSC's defaults. The splitting and the
 * truncation rule are those of {@link SmsText}; the 8-bit concatenation reference counts up per message.
 *
 * <p>{@link #send} blocks for up to twice the bind timeout (connect, then bind) plus one response timeout per part: callers run it on a blocking
 * dispatcher, never on an actor's thread. Thread-safe: sends are serialised on the one session (SMPP windowing is not
 * used).
 */
public final class SmsSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmsSender.class);

  private final SmppSettings settings;
  private final AtomicInteger reference = new AtomicInteger(ThreadLocalRandom.current().nextInt(256));
  private SMPPSession session; // guarded by this
  private int binds; // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param settings the SMSC; must be {@link SmppSettings#enabled()}
   * @throws IllegalArgumentException when SMS is disabled (no host)
   */
  public SmsSender(SmppSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    if (!settings.enabled()) {
      throw new IllegalArgumentException("SMS is disabled: hankyo.notify.smpp.host is empty");
    }
  }

  /** The settings this sender uses. */
  public SmppSettings settings() {
    return settings;
  }

  /**
   * Sends a text to a number. Never throws for an SMPP or network failure: the result says what happened.
   *
   * @param destination the handset's number (any valid number; whether it should get an SMS is the caller's decision,
   *     e.g. {@link CallerSmsRule})
   * @param text the text, Japanese or not; split or cut per {@link SmsText} with {@link SmppSettings#maxParts()}
   * @return {@link SmsSendResult.Sent}, {@link SmsSendResult.Retryable} or {@link SmsSendResult.Permanent}
   */
  public synchronized SmsSendResult send(PhoneNumber destination, String text) {
    Objects.requireNonNull(destination, "destination");
    if (closed) {
      return new SmsSendResult.Retryable("the SMS sender is closed (node stopping)", 0);
    }
    if (text == null || text.isEmpty()) {
      return new SmsSendResult.Permanent("empty SMS text", 0);
    }
    SmsText sms = SmsText.split(text, settings.maxParts());
    String address = destination.e164().startsWith("+") ? destination.e164().substring(1) : destination.e164();
    List<byte[]> pdus = sms.shortMessages(reference.getAndIncrement() & 0xFF);
    ESMClass esm = new ESMClass(sms.concatenated() ? SmsText.ESM_CLASS_UDHI : 0);
    List<String> ids = new ArrayList<>(pdus.size());
    for (int i = 0; i < pdus.size(); i++) {
      SmsSendResult failure = null;
      for (int attempt = 1; attempt <= 2; attempt++) {
        try {
          SMPPSession s = bound();
          SubmitSmResult r = s.submitShortMessage("", settings.sourceTon(), settings.sourceNpi(),
              settings.sourceAddress(), TypeOfNumber.INTERNATIONAL, NumberingPlanIndicator.ISDN, address, esm,
              (byte) 0, (byte) 0, null, null, new RegisteredDelivery(SMSCDeliveryReceipt.DEFAULT), (byte) 0,
              DataCodings.newInstance(SmsText.DATA_CODING_UCS2), (byte) 0, pdus.get(i));
          ids.add(r.getMessageId());
          failure = null;
          break;
        } catch (BindFailure e) {
          failure = new SmsSendResult.Retryable(e.getMessage(), e.status);
          break;
        } catch (NegativeResponseException e) {
          if (e.getCommandStatus() == SMPPConstant.STAT_ESME_RINVBNDSTS) {
            drop(); // the SMSC no longer considers us bound: bind afresh on the next send
          }
          failure = classify(e.getCommandStatus());
          break;
        } catch (ResponseTimeoutException e) {
          failure = new SmsSendResult.Retryable("no submit_sm_resp within " + settings.responseTimeout(), 0);
          break;
        } catch (PDUException e) {
          failure = new SmsSendResult.Permanent("submit_sm cannot be encoded: " + e.getMessage(), 0);
          break;
        } catch (InvalidResponseException e) {
          drop();
          failure = new SmsSendResult.Retryable("invalid response from the SMSC: " + e.getMessage(), 0);
          break;
        } catch (IOException e) {
          // The session was dead (closed by the SMSC, network): bind afresh and submit this part once more.
          drop();
          failure = new SmsSendResult.Retryable("connection to the SMSC lost: " + e.getMessage(), 0);
          log.debug("SMS to {} part {}: connection lost (attempt {})", address, i + 1, attempt, e);
        }
      }
      if (failure != null) {
        if (!ids.isEmpty()) {
          failure = withPrefix(failure, "part " + (i + 1) + " of " + pdus.size() + " (parts " + ids
              + " were accepted): ");
        }
        log.debug("SMS to {} not sent: {}", address, failure.describe());
        return failure;
      }
    }
    return new SmsSendResult.Sent(ids, sms.truncated());
  }

  private static SmsSendResult withPrefix(SmsSendResult r, String prefix) {
    if (r instanceof SmsSendResult.Permanent p) {
      return new SmsSendResult.Permanent(prefix + p.reason(), p.commandStatus());
    }
    SmsSendResult.Retryable t = (SmsSendResult.Retryable) r;
    return new SmsSendResult.Retryable(prefix + t.reason(), t.commandStatus());
  }

  /**
   * Classifies a negative submit_sm_resp (SMPP 3.4 section 5.1.3).
   *
   * <ul>
   *   <li>retryable: the SMSC is busy or failing for now: ESME_RTHROTTLED (0x58), ESME_RMSGQFUL (0x14), ESME_RSYSERR
   *       (0x08), ESME_RSUBMITFAIL (0x45), ESME_RX_T_APPN (0x64, temporary application error), ESME_RINVBNDSTS (0x04,
   *       the session was not bound: re-bound on the next send), ESME_RUNKNOWNERR (0xFF), ESME_RDELIVERYFAILURE
   *       (0xFE) and the vendor-specific range 0x400-0x4FF;
   *   <li>permanent: everything else, in particular the destination (ESME_RINVDSTADR 0x0B, ESME_RINVDSTTON 0x50,
   *       ESME_RINVDSTNPI 0x51), the source (0x0A, 0x48, 0x49), the message (ESME_RINVMSGLEN 0x01, ESME_RINVESMCLASS
   *       0x43, ESME_RINVDCS 0x104), ESME_RX_P_APPN (0x65, permanent application error) and ESME_RX_R_APPN (0x66,
   *       rejected), ESME_RPROHIBITED (0x101).
   * </ul>
   */
  public static SmsSendResult classify(int commandStatus) {
    String reason = "submit_sm refused: " + statusName(commandStatus);
    switch (commandStatus) {
      case SMPPConstant.STAT_ESME_RTHROTTLED:
      case SMPPConstant.STAT_ESME_RMSGQFUL:
      case SMPPConstant.STAT_ESME_RSYSERR:
      case SMPPConstant.STAT_ESME_RSUBMITFAIL:
      case SMPPConstant.STAT_ESME_RX_T_APPN:
      case SMPPConstant.STAT_ESME_RINVBNDSTS:
      case SMPPConstant.STAT_ESME_RUNKNOWNERR:
      case SMPPConstant.STAT_ESME_RDELIVERYFAILURE:
        return new SmsSendResult.Retryable(reason, commandStatus);
      default:
        if (commandStatus >= 0x400 && commandStatus <= 0x4FF) {
          return new SmsSendResult.Retryable(reason + " (SMSC vendor-specific)", commandStatus);
        }
        return new SmsSendResult.Permanent(reason, commandStatus);
    }
  }

  /** {@code ESME_RTHROTTLED (0x58)}: the SMPP 3.4 name of a command_status when known, and its hex value. */
  public static String statusName(int commandStatus) {
    for (var f : SMPPConstant.class.getFields()) {
      if (f.getName().startsWith("STAT_ESME_") && f.getType() == int.class) {
        try {
          if (f.getInt(null) == commandStatus) {
            return f.getName().substring("STAT_".length()) + String.format(" (0x%02x)", commandStatus);
          }
        } catch (IllegalAccessException e) {
          // public constants: cannot happen
        }
      }
    }
    return String.format("0x%02x", commandStatus);
  }

  /** The bound session, binding a new one when there is none or it dropped. */
  private SMPPSession bound() throws BindFailure {
    if (session != null && session.getSessionState().isBound()) {
      return session;
    }
    drop();
    SMPPSession s = new SMPPSession(this::connect);
    s.setTransactionTimer(settings.responseTimeout().toMillis());
    s.setEnquireLinkTimer((int) settings.enquireLinkInterval().toMillis());
    try {
      s.connectAndBind(settings.host(), settings.port(), new BindParameter(BindType.BIND_TX, settings.systemId(),
          settings.password(), settings.systemType(), TypeOfNumber.UNKNOWN, NumberingPlanIndicator.UNKNOWN, null),
          settings.bindTimeout().toMillis());
    } catch (IOException e) {
      s.close();
      throw BindFailure.of(settings, e);
    }
    session = s;
    binds++;
    log.info("SMPP session {} bound as transmitter to {}:{} (bind {})", s.getSessionId(), settings.host(),
        settings.port(), binds);
    return s;
  }

  /** A TCP connection to the SMSC within the bind timeout (jSMPP's default factory connects without a timeout). */
  private Connection connect(String host, int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) settings.bindTimeout().toMillis());
      return new SocketConnection(socket);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private void drop() {
    if (session != null) {
      SMPPSession s = session;
      session = null;
      if (s.getSessionState().isBound()) {
        s.unbindAndClose();
      } else {
        s.close();
      }
    }
  }

  /** How many times a session was bound (diagnostics and tests). */
  public synchronized int binds() {
    return binds;
  }

  /** The state of the current session, {@link SessionState#CLOSED} when there is none (diagnostics and tests). */
  public synchronized SessionState sessionState() {
    return session == null ? SessionState.CLOSED : session.getSessionState();
  }

  /** Unbinds and closes the session; later sends return {@link SmsSendResult.Retryable}. */
  @Override
  public synchronized void close() {
    closed = true;
    drop();
  }

  /** A failed connect or bind, with the SMSC's command_status when it answered. */
  private static final class BindFailure extends Exception {
    final int status;

    private BindFailure(String message, int status, Throwable cause) {
      super(message, cause);
      this.status = status;
    }

    static BindFailure of(SmppSettings settings, IOException e) {
      String where = settings.host() + ":" + settings.port();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof NegativeResponseException n) {
          return new BindFailure("bind_transmitter to " + where + " as " + settings.systemId() + " refused: "
              + statusName(n.getCommandStatus()), n.getCommandStatus(), e);
        }
        if (t instanceof ConnectException) {
          return new BindFailure("cannot connect to the SMSC " + where + ": " + t.getMessage(), 0, e);
        }
        if (t instanceof UnknownHostException) {
          return new BindFailure("unknown SMSC host " + settings.host(), 0, e);
        }
        if (t instanceof SocketTimeoutException) {
          return new BindFailure("no connection to the SMSC " + where + " within " + settings.bindTimeout(), 0, e);
        }
        if (t instanceof ResponseTimeoutException) {
          return new BindFailure("no bind response from " + where + " within " + settings.bindTimeout(), 0, e);
        }
      }
      return new BindFailure("bind_transmitter to " + where + " failed: " + e, 0, e);
    }
  }
}
