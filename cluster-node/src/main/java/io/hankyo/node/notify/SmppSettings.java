package io.hankyo.node.notify;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.TypeOfNumber;

/**
 * The SMSC that SMS notifications (issue 4) are submitted to over SMPP 3.4, and how.
 *
 * <p>Configuration, {@code hankyo.notify.smpp} in {@code application.conf} (each key also from the environment):
 *
 * <pre>
 * hankyo.notify.smpp {
 *   host = ""                       # HANKYO_SMPP_HOST: empty = SMS disabled
 *   port = 2775                     # HANKYO_SMPP_PORT
 *   system-id = ""                  # HANKYO_SMPP_SYSTEM_ID: bind system_id, at most 15 characters (SMPP 3.4 4.1.1)
 *   password = ""                   # HANKYO_SMPP_PASSWORD: at most 8 characters
 *   system-type = ""                # HANKYO_SMPP_SYSTEM_TYPE: at most 12 characters
 *   source-address = ""             # HANKYO_SMPP_SOURCE_ADDRESS: source_addr of submit_sm, at most 20 characters
 *   source-ton = international      # unknown | international | national | network-specific | subscriber-number
 *                                   #   | alphanumeric | abbreviated, or the number 0..6 (SMPP 3.4 5.2.5)
 *   source-npi = isdn               # unknown | isdn | data | telex | land-mobile | national | private | ermes
 *                                   #   | internet | wap, or the number (SMPP 3.4 5.2.6)
 *   bind-timeout = 10s              # connect + bind_transmitter response
 *   enquire-link-interval = 30s     # idle time before an enquire_link keeps the session alive
 *   response-timeout = 10s          # wait for submit_sm_resp
 *   max-parts = 3                   # most parts of one concatenated SMS, 1..255; longer texts are cut (SmsText)
 * }
 * </pre>
 *
 * @param host the SMSC's host name or address; empty = SMS disabled ({@link #enabled()})
 * @param port the SMSC's TCP port, 1..65535
 * @param systemId bind {@code system_id}; not empty when enabled, at most 15 characters
 * @param password bind {@code password}, at most 8 characters
 * @param systemType bind {@code system_type}, at most 12 characters
 * @param sourceAddress {@code source_addr} of each submit_sm (a number or, with TON alphanumeric, a name); at most 20
 *     characters; empty = the SMSC's default
 * @param sourceTon {@code source_addr_ton}
 * @param sourceNpi {@code source_addr_npi}
 * @param bindTimeout connect and bind response timeout, 1 ms .. 24 days
 * @param enquireLinkInterval idle time before an enquire_link, 1 ms .. 24 days
 * @param responseTimeout submit_sm_resp timeout, 1 ms .. 24 days
 * @param maxParts most parts of one concatenated SMS, 1..255
 */
public record SmppSettings(
    String host, int port, String systemId, String password, String systemType, String sourceAddress,
    TypeOfNumber sourceTon, NumberingPlanIndicator sourceNpi, Duration bindTimeout, Duration enquireLinkInterval,
    Duration responseTimeout, int maxParts) {

  private static final String BASE = "hankyo.notify.smpp";
  /** Default SMPP port (IANA "smpp", 2775). */
  public static final int DEFAULT_PORT = 2775;
  /** Default bind, response timeout: 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  /** Default enquire_link interval: 30 s. */
  public static final Duration DEFAULT_ENQUIRE_LINK = Duration.ofSeconds(30);
  /** Default most parts: 3 (201 UCS-2 characters). */
  public static final int DEFAULT_MAX_PARTS = 3;

  /** @throws IllegalArgumentException with a message naming the setting when a value is out of range */
  public SmppSettings {
    host = host == null ? "" : host.strip();
    systemId = systemId == null ? "" : systemId;
    password = password == null ? "" : password;
    systemType = systemType == null ? "" : systemType;
    sourceAddress = sourceAddress == null ? "" : sourceAddress;
    Objects.requireNonNull(sourceTon, "sourceTon");
    Objects.requireNonNull(sourceNpi, "sourceNpi");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(BASE + ".port must be 1..65535, got " + port);
    }
    if (!host.isEmpty() && systemId.isEmpty()) {
      throw new IllegalArgumentException(BASE + ".system-id must not be empty when host is set");
    }
    maxLength("system-id", systemId, 15);
    maxLength("password", password, 8);
    maxLength("system-type", systemType, 12);
    maxLength("source-address", sourceAddress, 20);
    duration("bind-timeout", bindTimeout);
    duration("enquire-link-interval", enquireLinkInterval);
    duration("response-timeout", responseTimeout);
    if (maxParts < 1 || maxParts > SmsText.MAX_PARTS) {
      throw new IllegalArgumentException(BASE + ".max-parts must be 1.." + SmsText.MAX_PARTS + ", got " + maxParts);
    }
  }

  private static void maxLength(String key, String value, int max) {
    // SMPP 3.4 section 4: C-Octet Strings of at most max characters plus the NULL; ASCII only.
    if (value.length() > max) {
      throw new IllegalArgumentException(BASE + "." + key + " must be at most " + max + " characters, got "
          + value.length());
    }
    if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(BASE + "." + key + " must be printable ASCII");
    }
  }

  private static void duration(String key, Duration d) {
    Objects.requireNonNull(d, key);
    if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(BASE + "." + key + " must be 1ms..24d, got " + d);
    }
  }

  /** SMS off: no host. */
  public static SmppSettings disabled() {
    return new SmppSettings("", DEFAULT_PORT, "", "", "", "", TypeOfNumber.INTERNATIONAL,
        NumberingPlanIndicator.ISDN, DEFAULT_TIMEOUT, DEFAULT_ENQUIRE_LINK, DEFAULT_TIMEOUT, DEFAULT_MAX_PARTS);
  }

  /** True when an SMSC is configured (host not empty). */
  public boolean enabled() {
    return !host.isEmpty();
  }

  /** A copy with another SMSC address and system id (tests: a server on a free port). */
  public SmppSettings withServer(String newHost, int newPort, String newSystemId, String newPassword) {
    return new SmppSettings(newHost, newPort, newSystemId, newPassword, systemType, sourceAddress, sourceTon,
        sourceNpi, bindTimeout, enquireLinkInterval, responseTimeout, maxParts);
  }

  /** A copy with other timeouts. */
  public SmppSettings withTimeouts(Duration newBind, Duration newEnquireLink, Duration newResponse) {
    return new SmppSettings(host, port, systemId, password, systemType, sourceAddress, sourceTon, sourceNpi,
        newBind, newEnquireLink, newResponse, maxParts);
  }

  /** A copy with another source address. */
  public SmppSettings withSource(String address, TypeOfNumber ton, NumberingPlanIndicator npi) {
    return new SmppSettings(host, port, systemId, password, systemType, address, ton, npi, bindTimeout,
        enquireLinkInterval, responseTimeout, maxParts);
  }

  /** A copy with another most number of parts. */
  public SmppSettings withMaxParts(int newMaxParts) {
    return new SmppSettings(host, port, systemId, password, systemType, sourceAddress, sourceTon, sourceNpi,
        bindTimeout, enquireLinkInterval, responseTimeout, newMaxParts);
  }

  /** Like the record's, with the password masked: settings are logged at start. */
  @Override
  public String toString() {
    return "SmppSettings[host=" + host + ", port=" + port + ", systemId=" + systemId + ", password="
        + (password.isEmpty() ? "" : "****") + ", systemType=" + systemType + ", source=" + sourceAddress + " ("
        + sourceTon + "/" + sourceNpi + "), bindTimeout=" + bindTimeout + ", enquireLinkInterval="
        + enquireLinkInterval + ", responseTimeout=" + responseTimeout + ", maxParts=" + maxParts + "]";
  }

  /**
   * Reads {@code hankyo.notify.smpp}; missing keys take the defaults of {@link #disabled()}.
   *
   * @param config the application configuration (the root)
   * @throws ConfigException.BadValue naming the key when a value has the wrong form or is out of range (the node does
   *     not start with a broken SMS configuration)
   */
  public static SmppSettings fromConfig(Config config) {
    if (!config.hasPath(BASE)) {
      return disabled();
    }
    Config c = config.getConfig(BASE);
    SmppSettings d = disabled();
    String host = string(c, "host", "");
    int port = integer(c, "port", DEFAULT_PORT);
    TypeOfNumber ton;
    try {
      ton = c.hasPath("source-ton") ? parseTon(c.getString("source-ton")) : d.sourceTon();
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), BASE + ".source-ton", e.getMessage(), e);
    }
    NumberingPlanIndicator npi;
    try {
      npi = c.hasPath("source-npi") ? parseNpi(c.getString("source-npi")) : d.sourceNpi();
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), BASE + ".source-npi", e.getMessage(), e);
    }
    try {
      return new SmppSettings(host, port, string(c, "system-id", ""), string(c, "password", ""),
          string(c, "system-type", ""), string(c, "source-address", ""), ton, npi,
          duration(c, "bind-timeout", DEFAULT_TIMEOUT), duration(c, "enquire-link-interval", DEFAULT_ENQUIRE_LINK),
          duration(c, "response-timeout", DEFAULT_TIMEOUT), integer(c, "max-parts", DEFAULT_MAX_PARTS));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(c.origin(), BASE, e.getMessage(), e);
    }
  }

  private static String string(Config c, String key, String def) {
    return c.hasPath(key) ? c.getString(key) : def;
  }

  private static int integer(Config c, String key, int def) {
    try {
      return c.hasPath(key) ? c.getInt(key) : def;
    } catch (ConfigException.WrongType e) {
      throw new ConfigException.BadValue(c.origin(), BASE + "." + key, "not a whole number: " + e.getMessage(), e);
    }
  }

  private static Duration duration(Config c, String key, Duration def) {
    try {
      return c.hasPath(key) ? c.getDuration(key) : def;
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw new ConfigException.BadValue(c.origin(), BASE + "." + key, "not a duration (e.g. 10s): "
          + e.getMessage(), e);
    }
  }

  /**
   * Parses a type of number (SMPP 3.4 section 5.2.5): a name such as {@code international} or {@code
   * alphanumeric} (any case, {@code -} or {@code _}), or its value 0..6.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static TypeOfNumber parseTon(String text) {
    String t = normalise(text);
    if (t.equals("SUBSCRIBER")) {
      return TypeOfNumber.SUBSCRIBER_NUMBER;
    }
    for (TypeOfNumber v : TypeOfNumber.values()) {
      if (v.name().equals(t) || Integer.toString(v.value()).equals(t)) {
        return v;
      }
    }
    throw new IllegalArgumentException("source-ton must be unknown, international, national, network-specific, "
        + "subscriber-number, alphanumeric, abbreviated or 0..6, got '" + text + "'");
  }

  /**
   * Parses a numbering plan indicator (SMPP 3.4 section 5.2.6): a name such as {@code isdn} or {@code unknown} (any
   * case), or its value (0, 1, 3, 4, 6, 8, 9, 10, 14, 18).
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static NumberingPlanIndicator parseNpi(String text) {
    String t = normalise(text);
    for (NumberingPlanIndicator v : NumberingPlanIndicator.values()) {
      if (v.name().equals(t) || Integer.toString(v.value()).equals(t)) {
        return v;
      }
    }
    throw new IllegalArgumentException("source-npi must be unknown, isdn, data, telex, land-mobile, national, "
        + "private, ermes, internet, wap or its number, got '" + text + "'");
  }

  private static String normalise(String text) {
    return text == null ? "" : text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
  }
}
