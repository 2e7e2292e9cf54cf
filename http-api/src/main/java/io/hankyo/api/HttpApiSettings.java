package io.hankyo.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Limits and defaults of the HTTP API.
 *
 * <p>Configuration keys (all optional; {@code reference.conf} of this module holds the defaults):
 *
 * <pre>
 * hankyo.http {
 *   max-body-bytes = 64 KiB      # largest accepted request body; larger bodies get 413
 *   max-call-log-range = 31 days # longest from..to range of GET /v1/calls; longer ranges get 400
 *   zone = "Asia/Tokyo"          # zone of rendered times and of dates given without an offset
 * }
 * hankyo.sip.media.prompt-max-bytes = 8 MiB  # largest WAV body of PUT /v1/prompts/{name} (the media plane's limit)
 * hankyo.dni { rate-limit { enabled = true, per-minute = 120, burst = 120 }, trusted-proxies = [] }
 *                              # new sessions per client at the JS tag endpoint ({@link DniRateLimit.Settings})
 * </pre>
 *
 * @param maxBodyBytes the largest request body accepted, in bytes (&gt; 0)
 * @param maxCallLogRange the longest {@code [from, to)} range of one call-log request (&gt; 0)
 * @param zone the zone in which times are rendered (ISO-8601 offsets, {@code yyyy/MM/dd HH:mm:ss}) and in which
 *     dates and date-times without an offset are read
 * @param maxPromptBytes the largest WAV body of {@code PUT /v1/prompts/{name}}, in bytes (&gt; 0); independent of
 *     {@code maxBodyBytes}, which limits JSON bodies
 * @param dniRateLimit the limit of new sessions per client address at the JS tag's key-less assignment endpoint
 *     ({@link DniApi}, {@link DniRateLimit})
 */
public record HttpApiSettings(long maxBodyBytes, Duration maxCallLogRange, ZoneId zone, long maxPromptBytes,
    DniRateLimit.Settings dniRateLimit) {
  /** Default largest request body: 64 KiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  /** Default longest call-log range: 31 days. */
  public static final Duration DEFAULT_MAX_CALL_LOG_RANGE = Duration.ofDays(31);
  /** Default largest prompt upload: 8 MiB (the media plane's default {@code prompt-max-bytes}). */
  public static final long DEFAULT_MAX_PROMPT_BYTES = 8L * 1024 * 1024;
  /** Default zone: Japan time. */
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Tokyo");

  /** @throws IllegalArgumentException when a limit is not positive */
  public HttpApiSettings {
    Objects.requireNonNull(maxCallLogRange, "maxCallLogRange");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(dniRateLimit, "dniRateLimit");
    if (maxBodyBytes <= 0) {
      throw new IllegalArgumentException("maxBodyBytes must be > 0, got " + maxBodyBytes);
    }
    if (maxPromptBytes <= 0) {
      throw new IllegalArgumentException("maxPromptBytes must be > 0, got " + maxPromptBytes);
    }
    if (maxCallLogRange.isZero() || maxCallLogRange.isNegative()) {
      throw new IllegalArgumentException("maxCallLogRange must be > 0, got " + maxCallLogRange);
    }
  }

  /** Settings with the default JS tag limit, {@link DniRateLimit.Settings#defaults()}. */
  public HttpApiSettings(long maxBodyBytes, Duration maxCallLogRange, ZoneId zone, long maxPromptBytes) {
    this(maxBodyBytes, maxCallLogRange, zone, maxPromptBytes, DniRateLimit.Settings.defaults());
  }

  /** Settings with the default prompt limit, {@link #DEFAULT_MAX_PROMPT_BYTES}. */
  public HttpApiSettings(long maxBodyBytes, Duration maxCallLogRange, ZoneId zone) {
    this(maxBodyBytes, maxCallLogRange, zone, DEFAULT_MAX_PROMPT_BYTES);
  }

  /** 64 KiB bodies, 31-day call-log ranges, Asia/Tokyo, 8 MiB prompts, the JS tag limit on at 120 a minute. */
  public static HttpApiSettings defaults() {
    return new HttpApiSettings(DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CALL_LOG_RANGE, DEFAULT_ZONE);
  }

  /** A copy with another prompt upload limit, in bytes. */
  public HttpApiSettings withMaxPromptBytes(long bytes) {
    return new HttpApiSettings(maxBodyBytes, maxCallLogRange, zone, bytes, dniRateLimit);
  }

  /** A copy with another JS tag limit. */
  public HttpApiSettings withDniRateLimit(DniRateLimit.Settings limit) {
    return new HttpApiSettings(maxBodyBytes, maxCallLogRange, zone, maxPromptBytes, limit);
  }

  /**
   * Reads {@code hankyo.http.max-body-bytes} (a HOCON size, e.g. {@code 64 KiB}), {@code
   * hankyo.http.max-call-log-range} (a HOCON duration, e.g. {@code 31 days}) and {@code hankyo.http.zone} (a zone id,
   * e.g. {@code Asia/Tokyo}) and {@code hankyo.sip.media.prompt-max-bytes} (a HOCON size; the media plane's limit, so
   * that the API takes no upload the media plane would refuse) and {@code hankyo.dni} ({@link
   * DniRateLimit.Settings#fromConfig}). Missing keys take the defaults.
   *
   * @param config the application configuration (the root, not the {@code hankyo.http} section)
   * @throws ConfigException.BadValue when a value has the wrong form or is out of range
   */
  public static HttpApiSettings fromConfig(Config config) {
    String base = "hankyo.http.";
    long maxBody = config.hasPath(base + "max-body-bytes")
        ? config.getBytes(base + "max-body-bytes")
        : DEFAULT_MAX_BODY_BYTES;
    Duration maxRange = config.hasPath(base + "max-call-log-range")
        ? config.getDuration(base + "max-call-log-range")
        : DEFAULT_MAX_CALL_LOG_RANGE;
    ZoneId zone = DEFAULT_ZONE;
    if (config.hasPath(base + "zone")) {
      String text = config.getString(base + "zone");
      try {
        zone = ZoneId.of(text);
      } catch (DateTimeException e) {
        throw new ConfigException.BadValue(config.origin(), base + "zone", "not a zone id: '" + text + "'", e);
      }
    }
    long maxPrompt = config.hasPath("hankyo.sip.media.prompt-max-bytes")
        ? config.getBytes("hankyo.sip.media.prompt-max-bytes")
        : DEFAULT_MAX_PROMPT_BYTES;
    try {
      return new HttpApiSettings(maxBody, maxRange, zone, maxPrompt, DniRateLimit.Settings.fromConfig(config));
    } catch (IllegalArgumentException e) {
      throw new ConfigException.BadValue(config.origin(), "hankyo.http", e.getMessage(), e);
    }
  }
}
