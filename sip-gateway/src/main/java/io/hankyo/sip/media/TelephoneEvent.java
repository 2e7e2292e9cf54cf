package io.hankyo.sip.media;

/**
 * The payload of an RFC 4733 telephone-event RTP packet (section 2.3), 4 bytes:
 *
 * <pre>
 * |     event     |E|R| volume    |          duration             |
 * </pre>
 *
 * @param event the event code, 0-255 (section 3.2: 0-9 digits, 10 = *, 11 = #, 12-15 = A-D, 16 = flash)
 * @param end the E bit: the last packet(s) of the event
 * @param volume power level, 0-63, in -dBm0 (0 = loudest)
 * @param duration 0-65535, in timestamp units (samples at 8 kHz) since the event began (the packet's RTP timestamp)
 */
public record TelephoneEvent(int event, boolean end, int volume, int duration) {

  /** Bytes of the payload. */
  public static final int BYTES = 4;

  /** Event codes 0-15 as the digits they stand for (section 3.2). */
  private static final String DIGITS = "0123456789*#ABCD";

  /** @throws IllegalArgumentException when a field is out of range */
  public TelephoneEvent {
    if (event < 0 || event > 255) {
      throw new IllegalArgumentException("event must be 0-255: " + event);
    }
    if (volume < 0 || volume > 63) {
      throw new IllegalArgumentException("volume must be 0-63: " + volume);
    }
    if (duration < 0 || duration > 0xFFFF) {
      throw new IllegalArgumentException("duration must be 0-65535: " + duration);
    }
  }

  /**
   * Reads the first 4 bytes of an RTP payload. Longer payloads (RFC 2198 redundancy is not negotiated by us) are read
   * for their first event only; the R bit is ignored as the RFC says.
   *
   * @throws MalformedPacketException when the payload is shorter than 4 bytes
   */
  public static TelephoneEvent decode(byte[] payload) throws MalformedPacketException {
    if (payload == null || payload.length < BYTES) {
      throw new MalformedPacketException("telephone-event payload of " + (payload == null ? 0 : payload.length)
          + " bytes, need 4 (RFC 4733 section 2.3)");
    }
    int b1 = payload[1] & 0xFF;
    return new TelephoneEvent(payload[0] & 0xFF, (b1 & 0x80) != 0, b1 & 0x3F,
        ((payload[2] & 0xFF) << 8) | (payload[3] & 0xFF));
  }

  /** The 4 payload bytes (R bit zero). */
  public byte[] encode() {
    return new byte[] {(byte) event, (byte) ((end ? 0x80 : 0) | volume), (byte) (duration >>> 8), (byte) duration};
  }

  /** True for the DTMF events 0-15. */
  public boolean isDtmf() {
    return event < DIGITS.length();
  }

  /**
   * The digit of a DTMF event: '0'-'9', '*', '#', 'A'-'D'.
   *
   * @throws IllegalStateException when the event is not DTMF (see {@link #isDtmf()})
   */
  public char digit() {
    if (!isDtmf()) {
      throw new IllegalStateException("event " + event + " is not a DTMF digit");
    }
    return DIGITS.charAt(event);
  }

  /**
   * The event code of a digit (inverse of {@link #digit()}; lower-case a-d accepted).
   *
   * @throws IllegalArgumentException when {@code digit} is not one of 0-9 * # A-D
   */
  public static int eventOf(char digit) {
    int i = DIGITS.indexOf(Character.toUpperCase(digit));
    if (i < 0) {
      throw new IllegalArgumentException("not a DTMF digit: '" + digit + "'");
    }
    return i;
  }
}
