package io.hankyo.node.notify;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.hankyo.protocol.JsonSerializable;

/**
 * What one webhook POST came to, as the {@link WebhookSender} reports it (issue 4: "a delivery log per attempt").
 * Serializable: it travels back to the entity in {@link WebhookDelivery.AttemptFinished}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = AttemptResult.Response.class, name = "response"),
  @JsonSubTypes.Type(value = AttemptResult.Failure.class, name = "failure"),
  @JsonSubTypes.Type(value = AttemptResult.Refused.class, name = "refused")
})
public sealed interface AttemptResult extends JsonSerializable {
  /** Wall time of the attempt in milliseconds, from just before sending to the response headers or the error. */
  long durationMs();

  /**
   * The receiver answered with an HTTP status.
   *
   * @param status the HTTP status code
   * @param retryAfter the raw {@code Retry-After} header (seconds or an HTTP date), null when absent
   * @param durationMs see {@link AttemptResult#durationMs()}
   */
  record Response(
      @JsonProperty("status") int status,
      @JsonProperty("retry_after") String retryAfter,
      @JsonProperty("duration_ms") long durationMs)
      implements AttemptResult {}

  /**
   * No HTTP status: connection refused or reset, DNS failure, TLS failure, a timeout, or a local problem such as a
   * missing secret.
   *
   * @param error a short description for the delivery log
   * @param timeout whether the request timed out
   * @param durationMs see {@link AttemptResult#durationMs()}; -1 when unknown (an attempt cut short by a stop)
   */
  record Failure(
      @JsonProperty("error") String error,
      @JsonProperty("timeout") boolean timeout,
      @JsonProperty("duration_ms") long durationMs)
      implements AttemptResult {}

  /**
   * The receiver refused for good without an HTTP status, e.g. an SMTP 5yz reply or an invalid recipient (email
   * channel, {@link EmailSendResult.Permanent}): no retry ({@link RetryPolicy.Verdict#FINAL}).
   *
   * @param error the reason for the delivery log
   * @param durationMs see {@link AttemptResult#durationMs()}
   */
  record Refused(
      @JsonProperty("error") String error,
      @JsonProperty("duration_ms") long durationMs)
      implements AttemptResult {}
}
