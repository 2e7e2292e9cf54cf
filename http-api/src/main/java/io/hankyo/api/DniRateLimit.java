package io.hankyo.api;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The per-client limit of new sessions at the JS tag's key-less {@code POST /v1/dni/pools/{pool_id}/assignments}
 * ({@link DniApi}): a bot sending a new session id per request would otherwise take a number of a dynamic pool for
 * each (held {@code hold_sec}), and a few hundred requests exhaust the pool so that real visitors get the fallback.
 *
 * <p>A token bucket per client ({@link #take}): {@code burst} tokens, refilled at {@code perMinute} a minute; a new
 * session takes one token; with none left the request is refused (429, {@link DniApi}). A repeat of a session that
 * already holds its number ({@link #holds}: this node answered it a number held until a later time, remembered per
 * pool and session id) takes no token: it takes no further number. A repeat answered by another node of the cluster
 * (or forgotten: at most {@value #MAX_SESSIONS} are remembered) counts as new, which errs on the strict side.
 *
 * <p>The client ({@link #clientKey}) is the address of the TCP peer (Pekko's remote-address attribute, turned on by
 * {@link HttpApi#serverSettings}); {@code X-Forwarded-For} is read only when that peer is one of {@code
 * trustedProxies}: then the client is the rightmost address of the field that is not itself a trusted proxy (each
 * proxy appends the address it was connected from; what is left of the last trusted one may be forged by the client).
 * IPv6 clients are counted per /64 prefix (one subscriber's network, RFC 6177: a client rotating addresses inside it
 * is one client).
 *
 * <p>Thread-safe. Bounded memory: at most {@value #MAX_CLIENTS} buckets (least recently used dropped first, and a bucket
 * is forgotten once it would be full again).
 */
public final class DniRateLimit {
  /** Most client buckets kept. */
  public static final int MAX_CLIENTS = 100_000;
  /** Most sessions remembered as holding a number. */
  public static final int MAX_SESSIONS = 200_000;

  /**
   * Configuration {@code hankyo.dni} ({@link #fromConfig}; {@code reference.conf} of this module holds the defaults):
   *
   * <pre>
   * hankyo.dni {
   *   rate-limit {
   *     enabled = true    # off: no limit
   *     per-minute = 120  # new sessions a minute per client address (token refill rate), &gt; 0
   *     burst = 120       # new sessions at once per client address (bucket size), &gt; 0
   *   }
   *   trusted-proxies = []  # IP addresses of reverse proxies whose X-Forwarded-For is believed
   * }
   * </pre>
   *
   * @param trustedProxies IP address literals (no host names: nothing is looked up)
   */
  public record Settings(boolean enabled, int perMinute, int burst, List<String> trustedProxies) {
    /** Default refill rate: 120 tokens a minute. */
    public static final int DEFAULT_PER_MINUTE = 120;
    /** Default bucket size: 120. */
    public static final int DEFAULT_BURST = 120;

    /** @throws IllegalArgumentException when a number is not positive or a proxy is not an IP address literal */
    public Settings {
      trustedProxies = List.copyOf(trustedProxies);
      if (perMinute <= 0) {
        throw new IllegalArgumentException("hankyo.dni.rate-limit.per-minute must be > 0, got " + perMinute);
      }
      if (burst <= 0) {
        throw new IllegalArgumentException("hankyo.dni.rate-limit.burst must be > 0, got " + burst);
      }
      for (String p : trustedProxies) {
        if (address(p) == null) {
          throw new IllegalArgumentException("hankyo.dni.trusted-proxies: not an IP address: '" + p + "'");
        }
      }
    }

    /** On, 120 a minute, burst 120, no trusted proxy. */
    public static Settings defaults() {
      return new Settings(true, DEFAULT_PER_MINUTE, DEFAULT_BURST, List.of());
    }

    /** No limit. */
    public static Settings disabled() {
      return new Settings(false, DEFAULT_PER_MINUTE, DEFAULT_BURST, List.of());
    }

    /**
     * Reads {@code hankyo.dni.rate-limit.enabled}, {@code .per-minute}, {@code .burst} and {@code
     * hankyo.dni.trusted-proxies}; missing keys take the defaults.
     *
     * @param config the application configuration (the root)
     * @throws ConfigException.BadValue when a value is out of range or a proxy is not an IP address
     */
    public static Settings fromConfig(Config config) {
      String base = "hankyo.dni.rate-limit.";
      boolean enabled = !config.hasPath(base + "enabled") || config.getBoolean(base + "enabled");
      int perMinute = config.hasPath(base + "per-minute") ? config.getInt(base + "per-minute") : DEFAULT_PER_MINUTE;
      int burst = config.hasPath(base + "burst") ? config.getInt(base + "burst") : DEFAULT_BURST;
      List<String> proxies = config.hasPath("hankyo.dni.trusted-proxies")
          ? config.getStringList("hankyo.dni.trusted-proxies") : List.of();
      try {
        return new Settings(enabled, perMinute, burst, proxies);
      } catch (IllegalArgumentException e) {
        throw new ConfigException.BadValue(config.origin(), "hankyo.dni", e.getMessage(), e);
      }
    }
  }

  private final Settings settings;
  private final LongSupplier nanos;
  private final Set<InetAddress> proxies;
  private final Cache<String, Bucket> buckets;
  private final Cache<String, Instant> sessions;

  /** A limit timed by {@link System#nanoTime}. */
  public DniRateLimit(Settings settings) {
    this(settings, System::nanoTime);
  }

  /** @param nanos a monotonic clock in nanoseconds (tests drive it) */
  DniRateLimit(Settings settings, LongSupplier nanos) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.nanos = Objects.requireNonNull(nanos, "nanos");
    this.proxies = Set.copyOf(settings.trustedProxies().stream().map(DniRateLimit::address).toList());
    // a bucket untouched for the time it takes to fill up is the same as a new one
    Duration refill = Duration.ofMillis(Math.max(60_000L, 60_000L * settings.burst() / settings.perMinute()));
    this.buckets = Caffeine.newBuilder().maximumSize(MAX_CLIENTS).expireAfterAccess(refill).build();
    this.sessions = Caffeine.newBuilder().maximumSize(MAX_SESSIONS).expireAfterWrite(Duration.ofDays(1)).build();
  }

  /** Whether requests are limited at all. */
  public boolean enabled() {
    return settings.enabled();
  }

  /**
   * Takes one token of {@code client}'s bucket.
   *
   * @return 0 when taken; otherwise the whole seconds (&ge; 1) until a token is there, for {@code Retry-After}
   */
  public long take(String client) {
    return buckets.get(client, c -> new Bucket(settings.burst(), nanos.getAsLong()))
        .take(nanos.getAsLong(), settings.burst(), settings.perMinute());
  }

  /** Whether session {@code sessionId} of pool {@code poolId} was answered a number held after {@code now}. */
  public boolean holds(String poolId, String sessionId, Instant now) {
    Instant until = sessions.getIfPresent(poolId + " " + sessionId);
    return until != null && until.isAfter(now);
  }

  /** Remembers that session {@code sessionId} of pool {@code poolId} holds a number until {@code heldUntil}. */
  public void held(String poolId, String sessionId, Instant heldUntil) {
    sessions.put(poolId + " " + sessionId, heldUntil);
  }

  /**
   * The key of the client of a connection from {@code peer} with the {@code X-Forwarded-For} field value {@code
   * forwardedFor} (its lines joined by commas; null: none): the peer's address, or when the peer is a trusted proxy the
   * rightmost address of the field that is not a trusted proxy (the last address read when an element that is not
   * an IP address is reached first, or the field holds only trusted proxies; the peer's own when the field's last
   * element is not an IP address). IPv4 as is ({@code 192.0.2.1}), IPv6 as its /64 prefix
   * ({@code 2001:db8:0:1::/64}).
   */
  public String clientKey(InetAddress peer, String forwardedFor) {
    InetAddress client = peer;
    if (forwardedFor != null && proxies.contains(peer)) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        InetAddress hop = address(hop(hops[i]));
        if (hop == null) {
          break;
        }
        client = hop;
        if (!proxies.contains(hop)) {
          break;
        }
      }
    }
    return key(client);
  }

  /** {@code a} as a bucket key: IPv4 as is, IPv6 (an IPv4-mapped one as its IPv4) as its /64 prefix. */
  static String key(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 4) {
      return a.getHostAddress();
    }
    byte[] prefix = java.util.Arrays.copyOf(java.util.Arrays.copyOf(b, 8), 16);
    try {
      return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One element of X-Forwarded-For without blanks, an IPv6 literal's brackets or an IPv4 address's port. */
  private static String hop(String element) {
    String s = element.strip();
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      return end < 0 ? s : s.substring(1, end);
    }
    int colon = s.indexOf(':');
    return colon > 0 && s.indexOf(':', colon + 1) < 0 ? s.substring(0, colon) : s;
  }

  /** The address of an IP literal (IPv4 dotted quad or IPv6 text), or null for anything else; never a DNS lookup. */
  static InetAddress address(String literal) {
    if (literal == null || literal.isEmpty() || literal.length() > 45
        || !literal.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      return null;
    }
    boolean v4 = literal.indexOf(':') < 0;
    if (v4) {
      for (String octet : literal.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return null;
        }
      }
    }
    try {
      // brackets: a malformed IPv6 text fails instead of being looked up as a host name
      return InetAddress.getByName(v4 ? literal : "[" + literal + "]");
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** A token bucket: {@code tokens} at {@code at} nanoseconds. */
  private static final class Bucket {
    private double tokens;
    private long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }

    synchronized long take(long now, int burst, int perMinute) {
      double perNano = perMinute / 60e9;
      tokens = Math.min(burst, tokens + Math.max(0, now - at) * perNano);
      at = Math.max(at, now);
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / perNano / 1e9));
    }
  }
}
