package io.hankyo.node.notify;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.io.UnsupportedEncodingException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Where and how email notifications (issue 4) are handed to an SMTP relay (RFC 5321).
 *
 * <p>Configuration, {@code hankyo.notify.smtp} in {@code application.conf} (each key also from the environment):
 *
 * <pre>
 * hankyo.notify.smtp {
 *   host = "127.0.0.1"          # HANKYO_SMTP_HOST
 *   port = 25                   # HANKYO_SMTP_PORT (587 for submission with STARTTLS and auth)
 *   starttls = off              # HANKYO_SMTP_STARTTLS: off | optional | required (RFC 3207)
 *   username = ""               # HANKYO_SMTP_USERNAME: empty = no SMTP AUTH (RFC 4954)
 *   password = ""               # HANKYO_SMTP_PASSWORD
 *   from = "hankyo@localhost"   # HANKYO_SMTP_FROM: From header and envelope sender, e.g. "Hankyo &lt;noreply@example.jp&gt;"
 *   timeout = 10s               # HANKYO_SMTP_TIMEOUT: connect, read and write timeout of each SMTP exchange
 * }
 * </pre>
 *
 * @param host the relay's host name or address; not blank
 * @param port the relay's TCP port, 1..65535
 * @param startTls whether the connection is upgraded to TLS with STARTTLS
 * @param username the SMTP AUTH user; empty = no authentication
 * @param password the SMTP AUTH password; empty without a user
 * @param from the From address (RFC 5322 section 3.6.2; an optional display name) and envelope sender (MAIL FROM)
 * @param timeout connect, read and write timeout of the SMTP connection; 1 ms .. 24 days (an int of milliseconds)
 */
public record SmtpSettings(
    String host, int port, StartTls startTls, String username, String password, InternetAddress from,
    Duration timeout) {

  /** STARTTLS (RFC 3207) use toward the relay. */
  public enum StartTls {
    /** Plain SMTP: no STARTTLS even when offered (a relay on the same host or network). */
    OFF,
    /** STARTTLS when the relay offers it, plain otherwise (opportunistic; not protection against an active attacker). */
    OPTIONAL,
    /** STARTTLS or no mail: a relay that does not offer it, or whose certificate does not verify, fails the send. */
    REQUIRED;

    /** Parses {@code off}, {@code optional} or {@code required} (any case). */
    static StartTls parse(String text) {
      switch (text.strip().toLowerCase(Locale.ROOT)) {
        case "off":
        case "false":
        case "no":
          return OFF;
        case "optional":
          return OPTIONAL;
        case "required":
          return REQUIRED;
        default:
          throw new IllegalArgumentException(
              "starttls must be off, optional or required, got '" + text + "'");
      }
    }
  }

  /** Default relay host: the local mail transfer agent. */
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** Default relay port: 25 (SMTP relay, RFC 5321). */
  public static final int DEFAULT_PORT = 25;
  /** Default From address. */
  public static final String DEFAULT_FROM = "hankyo@localhost";
  /** Default timeout: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** @throws IllegalArgumentException with a message naming the setting when a value is out of range */
  public SmtpSettings {
    Objects.requireNonNull(startTls, "startTls");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(timeout, "timeout");
    username = username == null ? "" : username;
    password = password == null ? "" : password;
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("hankyo.notify.smtp.host must not be empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("hankyo.notify.smtp.port must be 1..65535, got " + port);
    }
    if (username.isEmpty() && !password.isEmpty()) {
      throw new IllegalArgumentException(
          "hankyo.notify.smtp.password is set but username is empty: set both for SMTP AUTH, or neither");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("hankyo.notify.smtp.timeout must be 1ms..24d, got " + timeout);
    }
  }

  /** The local relay: 127.0.0.1:25, no STARTTLS, no auth, From {@value #DEFAULT_FROM}, 10 s timeout. */
  public static SmtpSettings defaults() {
    return new SmtpSettings(DEFAULT_HOST, DEFAULT_PORT, StartTls.OFF, "", "", parseFrom(DEFAULT_FROM),
        DEFAULT_TIMEOUT);
  }

  /** True when SMTP AUTH is used (a user name is set). */
  public boolean authenticates() {
    return !username.isEmpty();
  }

  /** The timeout in milliseconds, as Jakarta Mail's {@code mail.smtp.*timeout} properties want it. */
  public int timeoutMillis() {
    return (int) timeout.toMillis();
  }

  /** A copy with another relay address (tests: a server on a free port). */
  public SmtpSettings withServer(String newHost, int newPort) {
    return new SmtpSettings(newHost, newPort, startTls, username, password, from, timeout);
  }

  /** A copy with other credentials; empty user = no auth. */
  public SmtpSettings withCredentials(String newUsername, String newPassword) {
    return new SmtpSettings(host, port, startTls, newUsername, newPassword, from, timeout);
  }

  /** A copy with another STARTTLS mode. */
  public SmtpSettings withStartTls(StartTls mode) {
    return new SmtpSettings(host, port, mode, username, password, from, timeout);
  }

  /** A copy with another timeout. */
  public SmtpSettings withTimeout(Duration newTimeout) {
    return new SmtpSettings(host, port, startTls, username, password, from, newTimeout);
  }

  /** Like the record's, with the password masked: settings are logged at start. */
  @Override
  public String toString() {
    return "SmtpSettings[host=" + host + ", port=" + port + ", startTls=" + startTls + ", username=" + username
        + ", password=" + (password.isEmpty() ? "" : "****") + ", from=" + from + ", timeout=" + timeout + "]";
  }

  /**
   * Reads {@code hankyo.notify.smtp}; missing keys take the defaults of {@link #defaults()}.
   *
   * @param config the application configuration (the root)
   * @throws ConfigException.BadValue naming the key when a value has the wrong form or is out of range (the node does
   *     not start with a broken mail configuration)
   */
  public static SmtpSettings fromConfig(Config config) {
    String base = "hankyo.notify.smtp";
    if (!config.hasPath(base)) {
      return defaults();
    }
    Config c = config.getConfig(base);
    String host = c.hasPath("host") ? c.getString("host") : DEFAULT_HOST;
    int port;
    try {
      port = c.hasPath("port") ? c.getInt("port") : DEFAULT_PORT;
    } catch (ConfigException.WrongType e) {
      throw new ConfigException.BadValue(c.origin(), base + ".port", "not a port number: " + e.getMessage(), e);
    }
    StartTls startTls;
    try {
      startTls = c.hasPath("starttls") ? StartTls.parse(c.getString("starttls")) : StartTls.OFF;
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), base + ".starttls", e.getMessage(), e);
    }
    String username = c.hasPath("username") ? c.getString("username") : "";
    String password = c.hasPath("password") ? c.getString("password") : "";
    InternetAddress from;
    try {
      from = parseFrom(c.hasPath("from") ? c.getString("from") : DEFAULT_FROM);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), base + ".from", e.getMessage(), e);
    }
    Duration timeout;
    try {
      timeout = c.hasPath("timeout") ? c.getDuration("timeout") : DEFAULT_TIMEOUT;
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw new ConfigException.BadValue(c.origin(), base + ".timeout", "not a duration (e.g. 10s): "
          + e.getMessage(), e);
    }
    try {
      return new SmtpSettings(host, port, startTls, username, password, from, timeout);
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), base, e.getMessage(), e);
    }
  }

  /**
   * Parses a From address strictly (RFC 5322 section 3.4), e.g. {@code noreply@example.jp} or {@code Hankyo 通知
   * <noreply@example.jp>}; a display name is kept as UTF-8 text and RFC 2047-encoded when the header is written.
   *
   * @throws IllegalArgumentException when the text is not exactly one valid address
   */
  public static InternetAddress parseFrom(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("from address is empty");
    }
    try {
      InternetAddress[] parsed = InternetAddress.parseHeader(text.strip(), true);
      if (parsed.length != 1) {
        throw new IllegalArgumentException("from must be one address, got " + parsed.length + ": '" + text + "'");
      }
      InternetAddress a = parsed[0];
      a.validate();
      if (a.getAddress() == null || a.getAddress().indexOf('@') < 1) {
        throw new IllegalArgumentException("from address has no domain: '" + text + "'");
      }
      return a.getPersonal() == null
          ? new InternetAddress(a.getAddress())
          : new InternetAddress(a.getAddress(), a.getPersonal(), "UTF-8");
    } catch (AddressException e) {
      throw new IllegalArgumentException("from is not a valid email address: '" + text + "' (" + e.getMessage() + ")",
          e);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is not supported", e);
    }
  }
}
