package io.hankyo.protocol.number;

/**
 * Thrown when text is not a valid phone number. The message is meant for API users: it names the input and why it was
 * refused (e.g. "0120-12-345 is not a valid Japanese number: 0120 numbers have 6 digits after the prefix").
 */
public final class InvalidPhoneNumberException extends IllegalArgumentException {
  private final String input;

  public InvalidPhoneNumberException(String input, String message) {
    super(message);
    this.input = input;
  }

  /** The text that was refused, as given. */
  public String input() {
    return input;
  }
}
