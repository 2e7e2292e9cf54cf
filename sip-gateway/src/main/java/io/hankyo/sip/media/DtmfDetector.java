package io.hankyo.sip.media;

import java.util.ArrayDeque;
import java.util.Optional;

/**
 * Turns a stream of RFC 4733 telephone-event packets into key presses: one {@link DtmfDigit} per event.
 *
 * <p>An event is identified by the RTP timestamp of its start (RFC 4733 section 2.5.1.1: all packets of an event
 * carry the timestamp of its beginning) together with the SSRC and the event code (so that a sender which does not
 * advance the timestamp between two different keys still gives both). The digit is reported at the first packet seen of
 * an event, whichever it is, so:
 *
 * <ul>
 *   <li>the start packet, the updates of a long press and the three end packets (section 2.5.1.4) give one digit;
 *   <li>the same key pressed twice is two events with two timestamps, so two digits;
 *   <li>a lost or late start packet still gives the digit once (from the first update or end packet), and packets
 *       arriving after a newer event (reordering, late end packets) are recognised as belonging to the old one;
 *   <li>a press longer than the 16-bit duration (section 2.5.1.3, about 8.2 s at 8 kHz) continues in a new segment
 *       whose timestamp is the previous segment's start + 65535 with the same event code and no E bit seen yet:
 *       that is the same press, no new digit;
 *   <li>the marker bit is not looked at (senders disagree on it and it is lost with the start packet).
 * </ul>
 *
 * <p>The detector remembers the last {@value #REMEMBERED} events. Not thread-safe: feed it from one thread (the
 * session's receive path).
 */
public final class DtmfDetector {

  /** How many recent events are remembered to recognise their late packets. */
  public static final int REMEMBERED = 32;

  private static final long SEGMENT = 0xFFFF;

  private final int clockRate;
  private final ArrayDeque<Seen> recent = new ArrayDeque<>();

  private static final class Seen {
    final long ssrc;
    final int event;
    final long firstStart; // timestamp of the press's first segment
    long segmentStart; // timestamp of the latest segment of this press
    boolean ended;

    Seen(long ssrc, int event, long start) {
      this.ssrc = ssrc;
      this.event = event;
      this.firstStart = start;
      this.segmentStart = start;
    }
  }

  /** A detector for telephone-events at 8,000 Hz (the rate we negotiate, RFC 4733 section 2.1). */
  public DtmfDetector() {
    this(Codec.CLOCK_RATE);
  }

  /** @param clockRate the telephone-event clock rate in Hz, for converting durations to ms */
  public DtmfDetector(int clockRate) {
    if (clockRate <= 0) {
      throw new IllegalArgumentException("clock rate must be positive: " + clockRate);
    }
    this.clockRate = clockRate;
  }

  /**
   * Feeds one packet whose payload type was negotiated as telephone-event.
   *
   * @return the digit when this packet is the first one seen of a DTMF event; empty for later packets of a known
   *     event, for non-DTMF events (flash, tones) and for malformed payloads
   */
  public Optional<DtmfDigit> accept(RtpPacket packet) {
    TelephoneEvent e;
    try {
      e = TelephoneEvent.decode(packet.payload());
    } catch (MalformedPacketException bad) {
      return Optional.empty();
    }
    return accept(packet.ssrc(), packet.timestamp(), e);
  }

  /**
   * Feeds one decoded event.
   *
   * @param ssrc the packet's SSRC
   * @param timestamp the packet's RTP timestamp (the event's start), 0-2^32-1
   * @param e the payload
   * @return the digit when this is the first packet seen of a DTMF event, else empty
   */
  public Optional<DtmfDigit> accept(long ssrc, long timestamp, TelephoneEvent e) {
    Seen known = find(ssrc, timestamp, e.event());
    if (known != null) {
      if (e.end() && known.segmentStart == timestamp) {
        known.ended = true;
      }
      return Optional.empty();
    }
    Seen continued = continuedSegment(ssrc, timestamp, e.event());
    if (continued != null) {
      continued.segmentStart = timestamp;
      continued.ended = e.end();
      return Optional.empty();
    }
    Seen s = new Seen(ssrc, e.event(), timestamp);
    s.ended = e.end();
    recent.addFirst(s);
    if (recent.size() > REMEMBERED) {
      recent.removeLast();
    }
    if (!e.isDtmf()) {
      return Optional.empty();
    }
    return Optional.of(new DtmfDigit(e.digit(), DtmfDigit.Source.RTP_EVENT, timestamp,
        (int) (e.duration() * 1000L / clockRate)));
  }

  private Seen find(long ssrc, long timestamp, int event) {
    for (Seen s : recent) {
      if (s.ssrc == ssrc && s.event == event && (s.segmentStart == timestamp || isEarlierSegment(s, timestamp))) {
        return s;
      }
    }
    return null;
  }

  /** A late packet of an earlier segment of a long press: firstStart + k * 65535, before the latest segment. */
  private static boolean isEarlierSegment(Seen s, long timestamp) {
    long fromFirst = (timestamp - s.firstStart) & 0xFFFFFFFFL;
    long latest = (s.segmentStart - s.firstStart) & 0xFFFFFFFFL;
    return fromFirst < latest && fromFirst % SEGMENT == 0;
  }

  private Seen continuedSegment(long ssrc, long timestamp, int event) {
    for (Seen s : recent) {
      if (s.ssrc == ssrc && s.event == event && !s.ended
          && ((timestamp - s.segmentStart) & 0xFFFFFFFFL) == SEGMENT) {
        return s;
      }
    }
    return null;
  }
}
