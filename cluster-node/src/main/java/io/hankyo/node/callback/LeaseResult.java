package io.hankyo.node.callback;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;

/**
 * The answer to a callback-number lease request (issue 4, callback tracking): what the missed-call notification shows.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = LeaseResult.Leased.class, name = "leased"),
  @JsonSubTypes.Type(value = LeaseResult.PoolEmpty.class, name = "pool_empty"),
  @JsonSubTypes.Type(value = LeaseResult.NoCaller.class, name = "no_caller")
})
public sealed interface LeaseResult extends JsonSerializable {
  /**
   * A number is held for the missed call (the same one again when the same {@code trn_id} asks again).
   *
   * @param number the callback number to show
   * @param until when the number stops forwarding to the caller
   */
  record Leased(@JsonProperty("number") PhoneNumber number, @JsonProperty("until") Instant until)
      implements LeaseResult {
    @JsonCreator
    public Leased {}
  }

  /**
   * Every number of the pool is held by another missed call (or the operator has no pool): the notification says that
   * no callback number could be given, and no held number is reused.
   */
  record PoolEmpty() implements LeaseResult {
    @JsonCreator
    public PoolEmpty {}
  }

  /** The caller was withheld (非通知): there is nobody to forward to, so no number is leased. */
  record NoCaller() implements LeaseResult {
    @JsonCreator
    public NoCaller {}
  }
}
