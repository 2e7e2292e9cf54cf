package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.hankyo.protocol.number.PhoneNumbers;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EmailSender} against GreenMail (a real SMTP server in this JVM) and a scripted SMTP server for replies. */
class EmailSenderTest {
  private static final Instant NOW = Instant.parse("2017-11-10T00:23:00Z");
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private GreenMail greenMail(GreenMailConfiguration config) {
    GreenMail gm = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)).withConfiguration(config);
    gm.start();
    toClose.add(gm::stop);
    return gm;
  }

  private static SmtpSettings settingsFor(int port) {
    return new SmtpSettings("127.0.0.1", port, SmtpSettings.StartTls.OFF, "", "",
        SmtpSettings.parseFrom("Hankyo 通知 <notify@example.jp>"), Duration.ofSeconds(5));
  }

  private static CallEmail missedEmail() {
    return CallEmail.compose(CallEmailTest.missedCall(), "+81312345678", "Google 広告",
        PhoneNumbers.parse("050-3333-4444"), CallEmail.Kind.MISSED_CALL);
  }

  private static EmailSender sender(SmtpSettings settings) {
    return new EmailSender(settings, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @Test
  void greenMailReceivesTheMissedCallEmailInJapanese() throws Exception {
    GreenMail gm = greenMail(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    CallEmail email = missedEmail();

    EmailSendResult result = sender(settingsFor(gm.getSmtp().getPort()))
        .send(email, List.of("shop@example.jp", "owner@example.com"));

    EmailSendResult.Sent sent = assertInstanceOf(EmailSendResult.Sent.class, result, result.describe());
    assertEquals("<0123456789abcdef01234567.missed@example.jp>", sent.messageId());
    assertTrue(gm.waitForIncomingEmail(5_000, 2));
    MimeMessage[] received = gm.getReceivedMessages();
    assertEquals(2, received.length, "one copy per recipient mailbox");
    MimeMessage m = received[0];
    assertEquals("【不在着信】0120-111-222 (ショップ本店) 03-1234-5678 から", m.getSubject());
    String rawSubject = m.getHeader("Subject", null);
    assertTrue(rawSubject.startsWith("=?UTF-8?B?"), "RFC 2047 encoded-word: " + rawSubject);
    for (String headerLine : rawSubject.split("\r\n")) {
      assertTrue(("Subject: " + headerLine).length() <= 78, "folded (RFC 5322 2.1.1): " + rawSubject);
    }
    assertEquals("base64", m.getEncoding());
    assertTrue(m.getContentType().replace(" ", "").toLowerCase().contains("text/plain;charset=utf-8"),
        m.getContentType());
    String body = ((String) m.getContent()).replace("\r\n", "\n");
    assertEquals(email.body(), body);
    assertTrue(body.contains("\n発信者番号: 03-1234-5678\n"), body);
    assertTrue(body.contains("\n着信日時: 2017/11/10 09:21:55\n"), body);
    assertTrue(body.contains("\n流入元: Google 広告\n"), body);
    assertTrue(body.contains("\n折返し番号: 050-3333-4444\n"), body);
    InternetAddress from = (InternetAddress) m.getFrom()[0];
    assertEquals("notify@example.jp", from.getAddress());
    assertEquals("Hankyo 通知", from.getPersonal());
    List<String> to = new ArrayList<>();
    for (var a : m.getRecipients(Message.RecipientType.TO)) {
      to.add(((InternetAddress) a).getAddress());
    }
    assertEquals(List.of("shop@example.jp", "owner@example.com"), to);
    assertEquals("<0123456789abcdef01234567.missed@example.jp>", m.getMessageID());
    assertEquals("0123456789abcdef01234567", m.getHeader("X-Hankyo-Trn-Id", null));
    assertEquals("missed", m.getHeader("X-Hankyo-Notification", null));
    assertEquals("auto-generated", m.getHeader("Auto-Submitted", null));
    assertEquals(NOW, m.getSentDate().toInstant());
  }

  @Test
  void aResendOfTheSameNotificationHasTheSameMessageId() throws Exception {
    GreenMail gm = greenMail(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    EmailSender s = sender(settingsFor(gm.getSmtp().getPort()));
    s.send(missedEmail(), List.of("shop@example.jp"));
    s.send(missedEmail(), List.of("shop@example.jp"));
    assertTrue(gm.waitForIncomingEmail(5_000, 2));
    MimeMessage[] received = gm.getReceivedMessages();
    assertEquals(received[0].getMessageID(), received[1].getMessageID());
  }

  @Test
  void aServerThatIsDownIsRetryable() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    EmailSendResult r = sender(settingsFor(port)).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Retryable retry = assertInstanceOf(EmailSendResult.Retryable.class, r, r.describe());
    assertEquals(0, retry.replyCode());
    assertTrue(retry.reason().contains("cannot connect"), retry.reason());
  }

  @Test
  void aServerThatNeverGreetsTimesOutAndIsRetryable() throws IOException {
    ServerSocket silent = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
    toClose.add(silent);
    SmtpSettings s = settingsFor(silent.getLocalPort()).withTimeout(Duration.ofMillis(300));
    long t0 = System.nanoTime();
    EmailSendResult r = sender(s).send(missedEmail(), List.of("shop@example.jp"));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    EmailSendResult.Retryable t = assertInstanceOf(EmailSendResult.Retryable.class, r, r.describe());
    assertTrue(t.reason().contains("timed out"), t.reason());
    assertTrue(ms < 5_000, "took " + ms + " ms");
  }

  @Test
  void authWithTheRightPasswordSends() {
    GreenMail gm = greenMail(GreenMailConfiguration.aConfig().withUser("notify@example.jp", "notify", "right"));
    SmtpSettings s = settingsFor(gm.getSmtp().getPort()).withCredentials("notify", "right");
    EmailSendResult r = sender(s).send(missedEmail(), List.of("shop@example.jp"));
    assertInstanceOf(EmailSendResult.Sent.class, r, r.describe());
    assertTrue(gm.waitForIncomingEmail(5_000, 1));
  }

  @Test
  void authWithAWrongPasswordIsPermanent535() {
    GreenMail gm = greenMail(GreenMailConfiguration.aConfig().withUser("notify@example.jp", "notify", "right"));
    SmtpSettings s = settingsFor(gm.getSmtp().getPort()).withCredentials("notify", "wrong");
    EmailSendResult r = sender(s).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertEquals(535, p.replyCode(), p.reason());
    assertEquals(0, gm.getReceivedMessages().length);
  }

  @Test
  void startTlsRequiredAgainstAServerWithoutStartTlsIsPermanentAndSendsNothing() {
    // GreenMail's SMTP does not offer STARTTLS (no STARTTLS command in 2.1), so `required` must refuse to send.
    GreenMail gm = greenMail(GreenMailConfiguration.aConfig().withDisabledAuthentication());
    SmtpSettings s = settingsFor(gm.getSmtp().getPort()).withStartTls(SmtpSettings.StartTls.REQUIRED);
    EmailSendResult r = sender(s).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertTrue(p.reason().contains("STARTTLS"), p.reason());
    assertEquals(0, gm.getReceivedMessages().length);

    // `optional` falls back to plain SMTP with the same server.
    EmailSendResult optional = sender(s.withStartTls(SmtpSettings.StartTls.OPTIONAL))
        .send(missedEmail(), List.of("shop@example.jp"));
    assertInstanceOf(EmailSendResult.Sent.class, optional, optional.describe());
  }

  @Test
  void startTlsWithACertificateTheJvmDoesNotTrustIsPermanentAndSendsNothing(@TempDir Path dir) throws Exception {
    // A relay that offers STARTTLS with a self-signed certificate (not in the JVM trust store): `required` must not
    // send in the clear nor to an unverified server. Angus Mail does not fall back to plain SMTP after a failed
    // handshake, so `optional` fails the same way (documented in docs/architecture.md).
    SSLContext tls = selfSignedServerContext(dir);
    ScriptedSmtp smtp = new ScriptedSmtp("220 test ESMTP", cmd -> null, tls);
    toClose.add(smtp);
    for (SmtpSettings.StartTls mode : List.of(SmtpSettings.StartTls.REQUIRED, SmtpSettings.StartTls.OPTIONAL)) {
      SmtpSettings s = settingsFor(smtp.port()).withStartTls(mode);
      EmailSendResult r = sender(s).send(missedEmail(), List.of("shop@example.jp"));
      EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, mode + ": " + r.describe());
      assertTrue(p.reason().startsWith("TLS handshake failed"), p.reason());
    }
    assertTrue(smtp.commands().contains("STARTTLS"), smtp.commands().toString());
    assertTrue(smtp.commands().stream().noneMatch(c -> c.startsWith("MAIL FROM")), smtp.commands().toString());

    // `off` never tries STARTTLS and sends in the clear.
    EmailSendResult off = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    assertInstanceOf(EmailSendResult.Sent.class, off, off.describe());
  }

  /** A server-side TLS context with a fresh self-signed EC certificate for 127.0.0.1 made by the JDK's keytool. */
  private static SSLContext selfSignedServerContext(Path dir) throws Exception {
    Path store = dir.resolve("smtp.p12");
    char[] pass = "changeit".toCharArray();
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "smtp", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, pass);
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  @Test
  void anInvalidRecipientIsPermanentWithoutConnecting() throws IOException {
    ServerSocket listener = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
    toClose.add(listener);
    EmailSender s = sender(settingsFor(listener.getLocalPort()));
    for (String bad : List.of("not an address", "shop@", "@example.jp", "shop@example.jp, other@example.jp",
        "shop@exa mple.jp", "")) {
      EmailSendResult r = s.send(missedEmail(), List.of("ok@example.jp", bad));
      EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, bad + ": " + r.describe());
      assertTrue(p.reason().startsWith("invalid recipient address"), p.reason());
    }
    EmailSendResult none = s.send(missedEmail(), List.of());
    assertInstanceOf(EmailSendResult.Permanent.class, none);
    listener.setSoTimeout(300);
    assertThrows(SocketTimeoutException.class, listener::accept, "no SMTP connection was made");
  }

  @Test
  void aRecipientRefused550IsPermanentAndNamesTheAddress() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP", cmd -> cmd.startsWith("RCPT TO:<gone@")
        ? "550 5.1.1 <gone@example.jp>: Recipient address rejected: User unknown" : null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("gone@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertEquals(550, p.replyCode());
    assertTrue(p.reason().contains("gone@example.jp"), p.reason());
    assertTrue(smtp.commands().stream().noneMatch(c -> c.equals("DATA")), smtp.commands().toString());
  }

  @Test
  void aRecipientDeferred451IsRetryable() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP",
        cmd -> cmd.startsWith("RCPT TO:") ? "451 4.7.1 Greylisted, try again later" : null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Retryable t = assertInstanceOf(EmailSendResult.Retryable.class, r, r.describe());
    assertEquals(451, t.replyCode());
  }

  @Test
  void oneRefusedAndOneDeferredRecipientIsPermanent() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP", cmd -> {
      if (cmd.startsWith("RCPT TO:<gone@")) {
        return "550 5.1.1 User unknown";
      }
      return cmd.startsWith("RCPT TO:<busy@") ? "450 4.2.1 Mailbox busy" : null;
    });
    EmailSendResult r = sender(settingsFor(smtp.port()))
        .send(missedEmail(), List.of("busy@example.jp", "gone@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertEquals(550, p.replyCode());
  }

  @Test
  void a552ToRcptIsTreatedAs452PerRfc5321() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP",
        cmd -> cmd.startsWith("RCPT TO:") ? "552 5.2.2 Mailbox full" : null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Retryable t = assertInstanceOf(EmailSendResult.Retryable.class, r, r.describe());
    assertEquals(452, t.replyCode());
  }

  @Test
  void aGreeting421IsRetryable() throws IOException {
    ScriptedSmtp smtp = scripted("421 4.3.2 Service not available, closing channel", cmd -> null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Retryable t = assertInstanceOf(EmailSendResult.Retryable.class, r, r.describe());
    assertEquals(421, t.replyCode());
  }

  @Test
  void aMessageRejectedAfterData554IsPermanent() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP",
        cmd -> cmd.equals(ScriptedSmtp.END_OF_DATA) ? "554 5.7.1 Message rejected as spam" : null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertEquals(554, p.replyCode());
  }

  @Test
  void aSenderRefused553IsPermanent() throws IOException {
    ScriptedSmtp smtp = scripted("220 test ESMTP",
        cmd -> cmd.startsWith("MAIL FROM:") ? "553 5.7.1 Sender address rejected" : null);
    EmailSendResult r = sender(settingsFor(smtp.port())).send(missedEmail(), List.of("shop@example.jp"));
    EmailSendResult.Permanent p = assertInstanceOf(EmailSendResult.Permanent.class, r, r.describe());
    assertEquals(553, p.replyCode());
  }

  @Test
  void sessionPropertiesFollowTheSettings() {
    SmtpSettings plain = settingsFor(2525).withTimeout(Duration.ofMillis(1500));
    var p = EmailSender.sessionProperties(plain);
    assertEquals("127.0.0.1", p.getProperty("mail.smtp.host"));
    assertEquals("2525", p.getProperty("mail.smtp.port"));
    assertEquals("false", p.getProperty("mail.smtp.auth"));
    assertEquals("false", p.getProperty("mail.smtp.starttls.enable"));
    assertEquals("false", p.getProperty("mail.smtp.starttls.required"));
    assertEquals("1500", p.getProperty("mail.smtp.connectiontimeout"));
    assertEquals("1500", p.getProperty("mail.smtp.timeout"));
    assertEquals("1500", p.getProperty("mail.smtp.writetimeout"));
    assertEquals("notify@example.jp", p.getProperty("mail.smtp.from"));

    var optional = EmailSender.sessionProperties(plain.withStartTls(SmtpSettings.StartTls.OPTIONAL));
    assertEquals("true", optional.getProperty("mail.smtp.starttls.enable"));
    assertEquals("false", optional.getProperty("mail.smtp.starttls.required"));
    var required = EmailSender.sessionProperties(
        plain.withStartTls(SmtpSettings.StartTls.REQUIRED).withCredentials("u", "p"));
    assertEquals("true", required.getProperty("mail.smtp.starttls.enable"));
    assertEquals("true", required.getProperty("mail.smtp.starttls.required"));
    assertEquals("true", required.getProperty("mail.smtp.ssl.checkserveridentity"));
    assertEquals("true", required.getProperty("mail.smtp.auth"));
  }

  private ScriptedSmtp scripted(String greeting, Function<String, String> replies) throws IOException {
    ScriptedSmtp s = new ScriptedSmtp(greeting, replies);
    toClose.add(s);
    return s;
  }

  /**
   * A minimal SMTP server on 127.0.0.1 for replies GreenMail does not give: it answers each command with the reply
   * the script returns, or with a 250/354 default (EHLO lists no extensions). {@link #END_OF_DATA} stands for the
   * final "." of the message data.
   */
  static final class ScriptedSmtp implements AutoCloseable {
    static final String END_OF_DATA = "<end of data>";
    private final ServerSocket server;
    private final Function<String, String> replies;
    private final String greeting;
    private final List<String> commands = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    private final SSLContext tls;

    ScriptedSmtp(String greeting, Function<String, String> replies) throws IOException {
      this(greeting, replies, null);
    }

    /** @param tls when not null, EHLO offers STARTTLS and STARTTLS switches to TLS with this server context */
    ScriptedSmtp(String greeting, Function<String, String> replies, SSLContext tls) throws IOException {
      this.server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
      this.greeting = greeting;
      this.replies = replies;
      this.tls = tls;
      this.thread = new Thread(this::serve, "scripted-smtp");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    List<String> commands() {
      return List.copyOf(commands);
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.setSoTimeout(10_000);
          converse(s);
        } catch (IOException e) {
          // closed by the test, or the client went away
        }
      }
    }

    private void converse(Socket plain) throws IOException {
      Socket s = plain;
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      reply(out, greeting);
      if (!greeting.startsWith("2")) {
        return;
      }
      String line;
      while ((line = in.readLine()) != null) {
        commands.add(line);
        String upper = line.toUpperCase();
        String scripted = replies.apply(line);
        if (scripted != null) {
          reply(out, scripted);
          if (scripted.startsWith("421")) {
            return;
          }
          continue;
        }
        if (tls != null && upper.startsWith("EHLO")) {
          reply(out, "250-test\r\n250 STARTTLS");
        } else if (tls != null && upper.equals("STARTTLS")) {
          reply(out, "220 2.0.0 Ready to start TLS");
          SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
          ssl.setUseClientMode(false);
          ssl.startHandshake(); // throws when the client refuses the certificate
          s = ssl;
          in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
          out = s.getOutputStream();
        } else if (upper.equals("DATA")) {
          reply(out, "354 End data with <CR><LF>.<CR><LF>");
          while ((line = in.readLine()) != null && !line.equals(".")) {
            // message text
          }
          commands.add(END_OF_DATA);
          String end = replies.apply(END_OF_DATA);
          reply(out, end != null ? end : "250 2.0.0 Ok: queued");
        } else if (upper.startsWith("QUIT")) {
          reply(out, "221 2.0.0 Bye");
          return;
        } else {
          reply(out, "250 OK");
        }
      }
    }

    private static void reply(OutputStream out, String text) throws IOException {
      out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
