package io.hankyo.sip.media;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * Settings of the media plane, read from {@code hankyo.sip.media} (defaults in this module's
 * {@code reference.conf}).
 *
 * <pre>
 * hankyo.sip.media {
 *   address = ""                 # IP to bind RTP sockets to and to put in SDP c=; empty = hankyo.sip.host
 *   rtp-port-min = 20000         # first RTP port (even); RTCP of each is the odd port above (RFC 3550 section 11)
 *   rtp-port-max = 29999         # last port of the range (RTP or RTCP)
 *   prompt-max-bytes = 8MiB      # largest WAV accepted as a prompt
 *   prompt-max-duration = 5m     # longest prompt accepted
 *   pacer-threads = 1            # threads sending paced 20 ms packets for all sessions
 *   receive-buffer-size = 64KiB  # SO_RCVBUF of each RTP socket
 *   rtp-timeout = 60s            # no RTP received this long on an anchored call: it ends (0 = never)
 * }
 * </pre>
 *
 * @param address the IP address RTP binds to and SDP advertises
 * @param rtpPortMin first port of the range, 1024-65534
 * @param rtpPortMax last port of the range, at least {@code rtpPortMin + 1}, at most 65535
 * @param promptMaxBytes largest prompt file in bytes
 * @param promptMaxDuration longest prompt
 * @param pacerThreads threads of the shared pacing scheduler, at least 1
 * @param receiveBufferSize socket receive buffer of each session in bytes
 * @param rtpTimeout RTP inactivity (media) timeout: a call whose anchored media received no RTP for this long ends
 *     with {@code EndCause.MEDIA_TIMEOUT} (the caller's RTP while it talks to the gateway; both sides' when bridged;
 *     never while a side is on hold, RFC 3264 section 8.4); {@link Duration#ZERO} turns it off. Whole milliseconds.
 */
public record MediaSettings(
    String address,
    int rtpPortMin,
    int rtpPortMax,
    long promptMaxBytes,
    Duration promptMaxDuration,
    int pacerThreads,
    int receiveBufferSize,
    Duration rtpTimeout) {

  /** Default of {@code rtp-timeout}: 60 s. */
  public static final Duration DEFAULT_RTP_TIMEOUT = Duration.ofSeconds(60);

  /** Settings with the default {@code rtp-timeout} (60 s). */
  public MediaSettings(String address, int rtpPortMin, int rtpPortMax, long promptMaxBytes,
      Duration promptMaxDuration, int pacerThreads, int receiveBufferSize) {
    this(address, rtpPortMin, rtpPortMax, promptMaxBytes, promptMaxDuration, pacerThreads, receiveBufferSize,
        DEFAULT_RTP_TIMEOUT);
  }

  /** @throws IllegalArgumentException when a value is out of range (names the key) */
  public MediaSettings {
    if (address == null || address.isBlank()) {
      throw new IllegalArgumentException("hankyo.sip.media.address must not be empty");
    }
    address = address.strip();
    if (rtpPortMin < 1024 || rtpPortMax > 65535 || rtpPortMax < rtpPortMin + 1) {
      throw new IllegalArgumentException("hankyo.sip.media.rtp-port-min/max must be a range within 1024-65535 "
          + "holding at least one RTP/RTCP pair: " + rtpPortMin + "-" + rtpPortMax);
    }
    if (promptMaxBytes < 44) {
      throw new IllegalArgumentException("hankyo.sip.media.prompt-max-bytes must be at least 44: " + promptMaxBytes);
    }
    if (promptMaxDuration == null || promptMaxDuration.isNegative() || promptMaxDuration.isZero()) {
      throw new IllegalArgumentException("hankyo.sip.media.prompt-max-duration must be positive: "
          + promptMaxDuration);
    }
    if (pacerThreads < 1) {
      throw new IllegalArgumentException("hankyo.sip.media.pacer-threads must be at least 1: " + pacerThreads);
    }
    if (receiveBufferSize < 4096) {
      throw new IllegalArgumentException("hankyo.sip.media.receive-buffer-size must be at least 4KiB: "
          + receiveBufferSize);
    }
    if (rtpTimeout == null || rtpTimeout.isNegative()) {
      throw new IllegalArgumentException("hankyo.sip.media.rtp-timeout must be 0 (off) or positive: " + rtpTimeout);
    }
  }

  /** True when the RTP inactivity timeout is on ({@code rtp-timeout} above 0). */
  public boolean rtpTimeoutEnabled() {
    return !rtpTimeout.isZero();
  }

  /**
   * Reads {@code hankyo.sip.media}, falling back to {@code reference.conf}; an empty address takes
   * {@code hankyo.sip.host}.
   *
   * @throws com.typesafe.config.ConfigException when a key has the wrong type
   * @throws IllegalArgumentException when a value is out of range
   */
  public static MediaSettings fromConfig(Config config) {
    Config defaults = ConfigFactory.parseResources(MediaSettings.class.getClassLoader(), "reference.conf")
        .getConfig("hankyo.sip");
    Config sip = (config.hasPath("hankyo.sip") ? config.getConfig("hankyo.sip") : ConfigFactory.empty())
        .withFallback(defaults)
        .resolve();
    Config c = sip.getConfig("media");
    String address = c.getString("address").strip();
    return new MediaSettings(
        address.isEmpty() ? sip.getString("host") : address,
        c.getInt("rtp-port-min"),
        c.getInt("rtp-port-max"),
        c.getBytes("prompt-max-bytes"),
        c.getDuration("prompt-max-duration"),
        c.getInt("pacer-threads"),
        (int) c.getBytes("receive-buffer-size").longValue(),
        c.getDuration("rtp-timeout"));
  }

  /** The defaults of {@code reference.conf}. */
  public static MediaSettings defaults() {
    return fromConfig(ConfigFactory.empty());
  }

  /** A copy with another port range (handy in tests). */
  public MediaSettings withPorts(int min, int max) {
    return new MediaSettings(address, min, max, promptMaxBytes, promptMaxDuration, pacerThreads, receiveBufferSize,
        rtpTimeout);
  }

  /** A copy with another {@code rtp-timeout} (handy in tests); {@link Duration#ZERO} turns it off. */
  public MediaSettings withRtpTimeout(Duration timeout) {
    return new MediaSettings(address, rtpPortMin, rtpPortMax, promptMaxBytes, promptMaxDuration, pacerThreads,
        receiveBufferSize, timeout);
  }
}
