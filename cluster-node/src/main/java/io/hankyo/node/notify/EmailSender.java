package io.hankyo.node.notify;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link CallEmail}s over SMTP (RFC 5321) with Jakarta Mail / Angus Mail (issue 4, メール通知).
 *
 * <p>Each {@link #send} opens one SMTP connection to the relay of {@link SmtpSettings} (STARTTLS and AUTH per the
 * settings; connect, read and write timeouts = {@link SmtpSettings#timeout()}), sends one message to all recipients
 * and closes the connection. It blocks for up to a few timeouts: callers run it on a blocking dispatcher, never on an
 * actor's thread. Thread-safe: one instance serves all senders.
 *
 * <p>The message (RFC 5322): From = the configured address, To = the recipients, Subject RFC 2047-encoded UTF-8,
 * Date, {@code Message-ID: <trn_id.kind@from-domain>} (the same for a resend of the same notification), {@code
 * Auto-Submitted: auto-generated} (RFC 3834: auto-responders do not answer), {@code X-Hankyo-Trn-Id}, {@code
 * X-Hankyo-Notification}, and a {@code text/plain; charset=UTF-8} body.
 *
 * <p>Recipients are all-or-nothing (Angus's {@code mail.smtp.sendpartial} is off): when the relay refuses one RCPT TO,
 * nothing is sent and the result names the refused address. An outbox that wants per-address delivery sends one
 * message per address. See {@link EmailSendResult} for the classification of failures.
 */
public final class EmailSender {
  private static final Logger log = LoggerFactory.getLogger(EmailSender.class);
  /** An SMTP reply code at the start of a server response, e.g. {@code 535 5.7.8 ...} (RFC 5321 section 4.2). */
  private static final Pattern LEADING_CODE = Pattern.compile("^\\s*([2-5][0-9][0-9])(?:[ -]|$)");
  /** Angus's "bad greeting" message quotes the reply after {@code response: }. */
  private static final Pattern QUOTED_RESPONSE = Pattern.compile("response: ([2-5][0-9][0-9])(?:[ -]|$)");

  private final SmtpSettings settings;
  private final Session session;
  private final Clock clock;

  /** A sender with the system clock for the Date header. */
  public EmailSender(SmtpSettings settings) {
    this(settings, Clock.systemUTC());
  }

  /**
   * @param settings the relay and credentials
   * @param clock the clock of the Date header
   */
  public EmailSender(SmtpSettings settings, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.session = Session.getInstance(sessionProperties(settings));
  }

  /** The settings this sender uses. */
  public SmtpSettings settings() {
    return settings;
  }

  /**
   * The Jakarta Mail session properties of the settings ({@code mail.smtp.*}, Angus Mail's SMTP provider).
   *
   * @param s the settings
   * @return new properties; timeouts in milliseconds
   */
  static Properties sessionProperties(SmtpSettings s) {
    Properties p = new Properties();
    p.setProperty("mail.transport.protocol", "smtp");
    p.setProperty("mail.smtp.host", s.host());
    p.setProperty("mail.smtp.port", Integer.toString(s.port()));
    p.setProperty("mail.smtp.connectiontimeout", Integer.toString(s.timeoutMillis()));
    p.setProperty("mail.smtp.timeout", Integer.toString(s.timeoutMillis()));
    p.setProperty("mail.smtp.writetimeout", Integer.toString(s.timeoutMillis()));
    p.setProperty("mail.smtp.from", s.from().getAddress());
    p.setProperty("mail.smtp.auth", Boolean.toString(s.authenticates()));
    p.setProperty("mail.smtp.starttls.enable", Boolean.toString(s.startTls() != SmtpSettings.StartTls.OFF));
    p.setProperty("mail.smtp.starttls.required", Boolean.toString(s.startTls() == SmtpSettings.StartTls.REQUIRED));
    // After STARTTLS the certificate must match the host name (RFC 6125), not only chain to a trusted root.
    p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
    p.setProperty("mail.smtp.sendpartial", "false");
    p.setProperty("mail.mime.charset", StandardCharsets.UTF_8.name());
    return p;
  }

  /**
   * Sends the email to the recipients. Never throws for a mail failure: the result says what happened.
   *
   * @param email the email
   * @param recipients one or more addresses ({@code a@example.jp}); each is checked strictly (RFC 5322 section
   *     3.4.1) before any connection is made
   * @return {@link EmailSendResult.Sent}, {@link EmailSendResult.Retryable} or {@link EmailSendResult.Permanent}
   */
  public EmailSendResult send(CallEmail email, List<String> recipients) {
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(recipients, "recipients");
    if (recipients.isEmpty()) {
      return new EmailSendResult.Permanent("no recipients", 0);
    }
    InternetAddress[] to = new InternetAddress[recipients.size()];
    for (int i = 0; i < to.length; i++) {
      String r = recipients.get(i);
      try {
        to[i] = parseRecipient(r);
      } catch (AddressException e) {
        return new EmailSendResult.Permanent("invalid recipient address '" + r + "': " + e.getMessage(), 0);
      }
    }
    String messageId = email.messageId(domainOf(settings.from()));
    MimeMessage message;
    try {
      message = toMime(email, to, messageId);
    } catch (MessagingException e) {
      // Building headers cannot fail for validated addresses and UTF-8 text; if it does, retrying will not help.
      return new EmailSendResult.Permanent("could not build the message: " + e.getMessage(), 0);
    }
    boolean accepted = false;
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect(settings.host(), settings.port(),
          settings.authenticates() ? settings.username() : null,
          settings.authenticates() ? settings.password() : null);
      transport.sendMessage(message, to);
      accepted = true;
    } catch (MessagingException e) {
      if (accepted) {
        // Only closing failed (QUIT lost) after the relay answered 250 to the data: the message was sent.
        log.debug("email {} sent; closing the SMTP connection failed", messageId, e);
      } else {
        EmailSendResult result = classify(e);
        log.debug("email {} to {} not sent: {}", messageId, recipients, result.describe(), e);
        return result;
      }
    }
    return new EmailSendResult.Sent(messageId, recipients);
  }

  /**
   * Parses one recipient strictly: exactly one address, no group, with a local part and a domain.
   *
   * @throws AddressException when the text is not such an address
   */
  static InternetAddress parseRecipient(String text) throws AddressException {
    if (text == null || text.isBlank()) {
      throw new AddressException("empty address");
    }
    InternetAddress[] parsed = InternetAddress.parseHeader(text.strip(), true);
    if (parsed.length != 1) {
      throw new AddressException("expected one address, got " + parsed.length, text);
    }
    InternetAddress a = parsed[0];
    if (a.isGroup()) {
      throw new AddressException("a group is not a recipient", text);
    }
    a.validate();
    String address = a.getAddress();
    int at = address.lastIndexOf('@');
    if (at < 1 || at == address.length() - 1) {
      throw new AddressException("missing local part or domain", text);
    }
    return a;
  }

  private MimeMessage toMime(CallEmail email, InternetAddress[] to, String messageId) throws MessagingException {
    MimeMessage m = new FixedIdMimeMessage(session, messageId);
    m.setFrom(settings.from());
    m.setRecipients(Message.RecipientType.TO, to);
    // RFC 2047 "B" encoded-words, as Japanese mail does: Jakarta Mail would pick "Q" for a subject with many ASCII
    // characters (numbers), three times longer for the Japanese part. Folded at 76 characters (RFC 5322 2.1.1).
    try {
      m.setHeader("Subject", MimeUtility.fold(9,
          MimeUtility.encodeText(email.subject(), StandardCharsets.UTF_8.name(), "B")));
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is not supported", e);
    }
    m.setSentDate(Date.from(clock.instant()));
    m.setHeader("Auto-Submitted", "auto-generated");
    m.setHeader("X-Hankyo-Trn-Id", email.trnId());
    m.setHeader("X-Hankyo-Notification", email.kind().code());
    m.setText(email.body(), StandardCharsets.UTF_8.name());
    m.saveChanges();
    return m;
  }

  private static String domainOf(InternetAddress address) {
    String a = address.getAddress();
    return a.substring(a.lastIndexOf('@') + 1);
  }

  /**
   * Classifies a Jakarta Mail failure (RFC 5321 section 4.2.1: 4yz transient, 5yz permanent).
   *
   * <ul>
   *   <li>an SMTP reply in the exception chain (RCPT TO, MAIL FROM, DATA, AUTH, greeting): 5yz → {@link
   *       EmailSendResult.Permanent}, 4yz → {@link EmailSendResult.Retryable}; when several recipients were refused,
   *       one permanent refusal makes the whole send permanent (all-or-nothing recipients). A 552 to RCPT TO counts as
   *       452 (RFC 5321 section 4.5.3.1.10);
   *   <li>TLS: STARTTLS required but not offered, or a handshake / certificate failure → permanent (needs an
   *       operator);
   *   <li>connection refused, unknown host, timeouts and other I/O failures → retryable;
   *   <li>anything else → retryable (the outbox's retry window bounds it).
   * </ul>
   */
  static EmailSendResult classify(MessagingException e) {
    List<Throwable> chain = chain(e);
    int permanentCode = 0;
    int transientCode = 0;
    String permanentReason = null;
    String transientReason = null;
    for (Throwable t : chain) {
      int code = replyCode(t);
      if (code == 0) {
        continue;
      }
      if (code == 552 && t instanceof SMTPAddressFailedException) {
        code = 452;
      }
      String reason = describe(t, code);
      if (code >= 500 && permanentCode == 0) {
        permanentCode = code;
        permanentReason = reason;
      } else if (code >= 400 && code < 500 && transientCode == 0) {
        transientCode = code;
        transientReason = reason;
      }
    }
    if (permanentCode != 0) {
      return new EmailSendResult.Permanent(permanentReason, permanentCode);
    }
    if (transientCode != 0) {
      return new EmailSendResult.Retryable(transientReason, transientCode);
    }
    for (Throwable t : chain) {
      if (t instanceof SSLHandshakeException) {
        return new EmailSendResult.Permanent("TLS handshake failed: " + t.getMessage(), 0);
      }
    }
    String top = String.valueOf(e.getMessage());
    if (top.contains("STARTTLS")) {
      return new EmailSendResult.Permanent(top, 0);
    }
    if (e instanceof AuthenticationFailedException) {
      // No reply code: e.g. no mechanism in common, or AUTH not offered at all. A configuration problem.
      return new EmailSendResult.Permanent("authentication failed: " + top, 0);
    }
    for (Throwable t : chain) {
      if (t instanceof ConnectException) {
        return new EmailSendResult.Retryable("cannot connect: " + t.getMessage(), 0);
      }
      if (t instanceof UnknownHostException) {
        return new EmailSendResult.Retryable("unknown host: " + t.getMessage(), 0);
      }
      if (t instanceof IOException) {
        return new EmailSendResult.Retryable(top + ": " + t, 0);
      }
    }
    return new EmailSendResult.Retryable(top, 0);
  }

  /** The SMTP reply code a failure carries, or 0. */
  private static int replyCode(Throwable t) {
    if (t instanceof SMTPAddressFailedException a) {
      return a.getReturnCode();
    }
    if (t instanceof SMTPSenderFailedException s) {
      return s.getReturnCode();
    }
    if (t instanceof SMTPSendFailedException s) {
      return s.getReturnCode();
    }
    if (t instanceof MessagingException && t.getMessage() != null) {
      Matcher m = LEADING_CODE.matcher(t.getMessage());
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
      m = QUOTED_RESPONSE.matcher(t.getMessage());
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    return 0;
  }

  private static String describe(Throwable t, int code) {
    String msg = t.getMessage() == null ? Integer.toString(code) : t.getMessage().strip();
    if (t instanceof SMTPAddressFailedException a) {
      return msg + " (recipient " + a.getAddress() + ")";
    }
    if (t instanceof SMTPSenderFailedException s) {
      return msg + " (sender " + s.getAddress() + ")";
    }
    return msg;
  }

  /** The exception and its causes / next exceptions (Jakarta Mail chains refused recipients), each once. */
  private static List<Throwable> chain(Throwable start) {
    List<Throwable> out = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> todo = new ArrayList<>();
    todo.add(start);
    while (!todo.isEmpty() && out.size() < 50) {
      Throwable t = todo.remove(0);
      if (t == null || !seen.add(t)) {
        continue;
      }
      out.add(t);
      if (t instanceof MessagingException m) {
        todo.add(m.getNextException());
      }
      todo.add(t.getCause());
    }
    return out;
  }

  /**
   * A MimeMessage whose Message-ID is the notification's, not a random one: {@link MimeMessage#saveChanges()} would
   * otherwise replace it (RFC 5322 section 3.6.4 lets the sender choose; ours is unique per call and trigger).
   */
  private static final class FixedIdMimeMessage extends MimeMessage {
    private final String messageId;

    FixedIdMimeMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }
}
