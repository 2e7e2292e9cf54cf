package io.hankyo.node.notify;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one {@link SmsSender#send} (issue 4): like {@link EmailSendResult}, the outbox marks the notification
 * delivered on {@link Sent}, tries again later on {@link Retryable}, and gives up (recording the reason) on {@link
 * Permanent}.
 *
 * <p>The SMSC's {@code command_status} of submit_sm_resp decides where it answered (SMPP 3.4 section 5.1.3); see
 * {@link SmsSender#classify(int)}. Failures without an answer (connection refused, bind failure, lost connection,
 * response timeout) are {@link Retryable}. A retry sends all parts again (with a new concatenation reference).
 */
public sealed interface SmsSendResult {

  /** A short human-readable description for logs and the delivery record. */
  String describe();

  /**
   * The SMSC accepted every part (submit_sm_resp with ESME_ROK). Acceptance by the SMSC is not delivery to the handset
   * (delivery receipts are not requested).
   *
   * @param messageIds the SMSC's message_id of each part, in order
   * @param truncated whether the text was cut to the configured most parts (see {@link SmsText})
   */
  record Sent(List<String> messageIds, boolean truncated) implements SmsSendResult {
    /** Copies the ids. */
    public Sent {
      messageIds = List.copyOf(messageIds);
    }

    @Override
    public String describe() {
      return "sent as " + messageIds.size() + " part(s) " + messageIds + (truncated ? " (truncated)" : "");
    }
  }

  /**
   * Not sent (or not all parts), and trying again later may succeed.
   *
   * @param reason what happened, e.g. {@code submit_sm refused: ESME_RTHROTTLED (0x58)}
   * @param commandStatus the SMSC's command_status, or 0 when it gave none (network failure, timeout)
   */
  record Retryable(String reason, int commandStatus) implements SmsSendResult {
    /** @throws NullPointerException when reason is null */
    public Retryable {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String describe() {
      return "retryable failure: " + reason;
    }
  }

  /**
   * Not sent, and sending the same message again will fail the same way.
   *
   * @param reason what happened, e.g. {@code submit_sm refused: ESME_RINVDSTADR (0x0b)}
   * @param commandStatus the SMSC's command_status, or 0 when the failure came before SMPP (an empty text)
   */
  record Permanent(String reason, int commandStatus) implements SmsSendResult {
    /** @throws NullPointerException when reason is null */
    public Permanent {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String describe() {
      return "permanent failure: " + reason;
    }
  }
}
