package io.hankyo.node.notify;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of one {@link EmailSender#send} (issue 4): the outbox that drives notifications marks the notification
 * delivered on {@link Sent}, tries again later on {@link Retryable}, and gives up (recording the reason) on {@link
 * Permanent}.
 *
 * <p>SMTP reply codes decide where a server answered (RFC 5321 section 4.2.1): 4yz is a transient negative reply
 * ({@link Retryable}), 5yz a permanent one ({@link Permanent}). Failures without a reply (connection refused, timeout,
 * connection lost) are {@link Retryable}; failures that no retry can fix without a configuration change or a new
 * address (an invalid recipient address, TLS required but not offered or not verifiable) are {@link Permanent}.
 */
public sealed interface EmailSendResult {

  /** A short human-readable description for logs and the delivery record. */
  String describe();

  /**
   * The relay accepted the message for every recipient (the end of DATA was answered 250, RFC 5321 section 4.1.1.4).
   * Acceptance by the relay is not delivery to the mailbox.
   *
   * @param messageId the Message-ID header sent, e.g. {@code <0123456789abcdef01234567.missed@example.jp>}
   * @param recipients the envelope recipients, as given
   */
  record Sent(String messageId, List<String> recipients) implements EmailSendResult {
    /** @throws NullPointerException when a component is null */
    public Sent {
      Objects.requireNonNull(messageId, "messageId");
      recipients = List.copyOf(recipients);
    }

    @Override
    public String describe() {
      return "sent " + messageId + " to " + recipients;
    }
  }

  /**
   * Not sent, and trying again later may succeed.
   *
   * @param reason what happened, e.g. {@code connection refused: 127.0.0.1:25} or the server's reply
   * @param replyCode the SMTP reply code (4yz), or 0 when the server gave none (network failure)
   */
  record Retryable(String reason, int replyCode) implements EmailSendResult {
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
   * @param reason what happened, e.g. {@code 550 5.1.1 no such user: a@example.jp}
   * @param replyCode the SMTP reply code (5yz), or 0 when the failure came before or beside SMTP (an invalid address,
   *     TLS)
   */
  record Permanent(String reason, int replyCode) implements EmailSendResult {
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
