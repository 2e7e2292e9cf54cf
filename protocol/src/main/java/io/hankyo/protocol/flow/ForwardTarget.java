package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import java.util.Objects;

/**
 * One destination of a {@link ForwardStep} or {@link QueueStep} (順次転送: tried in the order listed).
 *
 * <p>In the document: {@code {"to": "03-1111-1111", "ring_sec": 15}}. In the journal {@code to} is the whole parsed
 * {@link PhoneNumber} object, so that a stored flow reads back without parsing the number again (a later numbering-plan
 * change must not make an old event unreadable).
 *
 * @param to the destination, accepted by {@link io.hankyo.protocol.number.ForwardDestinations}
 * @param ringSec how long it may ring, in seconds ({@link #MIN_RING_SEC}..{@link #MAX_RING_SEC}, default
 *     {@link #DEFAULT_RING_SEC})
 */
public record ForwardTarget(@JsonProperty("to") PhoneNumber to, @JsonProperty("ring_sec") int ringSec)
    implements JsonSerializable {
  /** Shortest ring timeout a document may give, seconds. */
  public static final int MIN_RING_SEC = 5;
  /** Longest ring timeout a document may give, seconds. */
  public static final int MAX_RING_SEC = 120;
  /** Ring timeout when a target gives none, seconds. */
  public static final int DEFAULT_RING_SEC = 20;

  public ForwardTarget {
    Objects.requireNonNull(to, "to");
    if (ringSec <= 0) {
      throw new IllegalArgumentException("ring_sec must be positive: " + ringSec);
    }
  }

  /** The ring timeout in milliseconds. */
  public long ringMillis() {
    return ringSec * 1000L;
  }
}
