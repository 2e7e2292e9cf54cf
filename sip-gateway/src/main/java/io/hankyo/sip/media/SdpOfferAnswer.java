package io.hankyo.sip.media;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicLong;
import javax.sdp.Attribute;
import javax.sdp.Connection;
import javax.sdp.Media;
import javax.sdp.MediaDescription;
import javax.sdp.SdpException;
import javax.sdp.SdpFactory;
import javax.sdp.SessionDescription;

/**
 * SDP offer/answer (RFC 3264) for one audio stream of one call leg, with JAIN-SIP's {@code javax.sdp}.
 *
 * <p>One instance per leg: it keeps our {@code o=} session id and increments the version in every SDP it writes
 * (RFC 3264 section 8). It answers a peer's offer ({@link #answer}), writes our own offer ({@link #offer}) and reads
 * the peer's answer to it ({@link #acceptAnswer}). What we take:
 *
 * <ul>
 *   <li>the first {@code m=audio} stream with a non-zero port and transport {@code RTP/AVP} (RFC 3551) that has a
 *       codec we speak; every other stream is refused in the answer with port 0 (RFC 3264 section 6);
 *   <li>codecs in our order of preference (default PCMU, then PCMA), whether named by static payload type (0, 8;
 *       RFC 3551 section 6) or by {@code a=rtpmap} to a dynamic number at 8000 Hz;
 *   <li>{@code telephone-event/8000} (RFC 4733 section 7) with the peer's payload type number, when offered;
 *   <li>the connection address of the media level, else of the session level (RFC 4566 section 5.7);
 *   <li>the direction: our answer mirrors the offer's (sendonly ↔ recvonly, RFC 3264 section 6.1).
 * </ul>
 *
 * <p>Our SDP sends 20 ms packets ({@code a=ptime:20}) and lists {@code a=fmtp:<pt> 0-15} for the DTMF events.
 * Thread-safe.
 */
public final class SdpOfferAnswer {
  /** Our telephone-event payload type in our own offers. */
  public static final int DEFAULT_TELEPHONE_EVENT_PT = 101;

  private static final SdpFactory FACTORY = SdpFactory.getInstance();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String localAddress;
  private final List<Codec> preference;
  private final long sessionId;
  private final AtomicLong version = new AtomicLong();

  /**
   * @param localAddress our RTP address for {@code c=} and {@code o=} (a literal IPv4 or IPv6 address)
   * @param preference the codecs we take, best first (non-empty)
   */
  public SdpOfferAnswer(String localAddress, List<Codec> preference) {
    this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
    if (preference.isEmpty()) {
      throw new IllegalArgumentException("at least one codec");
    }
    this.preference = List.copyOf(preference);
    this.sessionId = RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL; // o= numbers are decimal; keep them positive
  }

  /** A leg preferring PCMU, then PCMA. */
  public SdpOfferAnswer(String localAddress) {
    this(localAddress, List.of(Codec.PCMU, Codec.PCMA));
  }

  /**
   * Answers a peer's offer.
   *
   * @param offerSdp the offer (the INVITE's body), any line ends
   * @param localPort our RTP port for the accepted stream
   * @return {@link SdpNegotiation.Accepted} with our answer, or {@link SdpNegotiation.Rejected} saying why (for a
   *     488, or 400 when unparseable)
   */
  public SdpNegotiation answer(String offerSdp, int localPort) {
    checkPort(localPort);
    Parsed parsed;
    try {
      parsed = parse(offerSdp);
    } catch (SdpException | RuntimeException e) {
      return new SdpNegotiation.Rejected(400, 399, "SDP offer cannot be parsed: " + e.getMessage());
    }
    Choice choice = choose(parsed, null);
    if (choice instanceof Refusal r) {
      return r.rejected;
    }
    Chosen c = (Chosen) choice;
    try {
      SessionDescription answer = newSession();
      Vector<MediaDescription> out = new Vector<>();
      for (int i = 0; i < parsed.streams.size(); i++) {
        Stream s = parsed.streams.get(i);
        if (i == c.index) {
          List<String> formats = new ArrayList<>();
          formats.add(Integer.toString(c.codecPt));
          if (c.telephoneEventPt >= 0) {
            formats.add(Integer.toString(c.telephoneEventPt));
          }
          out.add(audio(localPort, formats, c.codec, c.codecPt, c.telephoneEventPt, c.offerDirection.answer()));
        } else {
          // refused stream: port 0, same media and transport, at least one format (RFC 3264 section 6)
          String format = s.formats.isEmpty() ? "0" : s.formats.get(0);
          out.add(FACTORY.createMediaDescription(s.type, 0, 1, s.protocol, new String[] {format}));
        }
      }
      answer.setMediaDescriptions(out);
      return new SdpNegotiation.Accepted(c.media(c.offerDirection.answer()), answer.toString());
    } catch (SdpException e) {
      throw new IllegalStateException("building our SDP answer failed", e);
    }
  }

  /**
   * Our offer: one audio stream on {@code localPort} with all our codecs in preference order and telephone-event
   * {@link #DEFAULT_TELEPHONE_EVENT_PT}, sendrecv.
   *
   * @return the SDP text (CRLF line ends)
   */
  public String offer(int localPort) {
    checkPort(localPort);
    try {
      SessionDescription sd = newSession();
      List<String> formats = new ArrayList<>();
      for (Codec c : preference) {
        formats.add(Integer.toString(c.payloadType()));
      }
      formats.add(Integer.toString(DEFAULT_TELEPHONE_EVENT_PT));
      MediaDescription md = audio(localPort, formats, null, -1, DEFAULT_TELEPHONE_EVENT_PT, MediaDirection.SENDRECV);
      Vector<MediaDescription> mds = new Vector<>();
      mds.add(md);
      sd.setMediaDescriptions(mds);
      return sd.toString();
    } catch (SdpException e) {
      throw new IllegalStateException("building our SDP offer failed", e);
    }
  }

  /**
   * Reads the peer's answer to our {@link #offer}: the codec it chose (the first of its formats we speak, RFC 3264
   * section 6.1), its address and port, its telephone-event payload type.
   *
   * @return {@link SdpNegotiation.Accepted} with an empty answer text, or {@link SdpNegotiation.Rejected} when the
   *     answer refuses the audio stream or picks nothing we offered (the caller then ends the leg)
   */
  public SdpNegotiation acceptAnswer(String answerSdp) {
    Parsed parsed;
    try {
      parsed = parse(answerSdp);
    } catch (SdpException | RuntimeException e) {
      return new SdpNegotiation.Rejected(400, 399, "SDP answer cannot be parsed: " + e.getMessage());
    }
    if (parsed.streams.isEmpty() || !"audio".equals(parsed.streams.get(0).type)
        || parsed.streams.get(0).port == 0) {
      return new SdpNegotiation.Rejected(488, 304, "the answer refuses our audio stream");
    }
    Choice choice = choose(parsed, 0);
    if (choice instanceof Refusal r) {
      return r.rejected;
    }
    Chosen c = (Chosen) choice;
    // the answerer's direction is its own: if it says recvonly, we may only send, and so on
    MediaDirection ours = c.offerDirection.answer();
    return new SdpNegotiation.Accepted(c.media(ours), "");
  }

  /**
   * Whether a session description (an offer of a re-INVITE or UPDATE, RFC 3261 section 14; RFC 3311) puts its audio
   * on hold (RFC 3264 section 8.4): the first audio stream (or the session) is {@code a=sendonly}, {@code
   * a=recvonly} or {@code a=inactive}, or has the RFC 2543 hold address {@code c=0.0.0.0}. A side on hold may
   * legitimately send no RTP, so the RTP inactivity timeout does not apply to it.
   *
   * @return false for {@code sendrecv} (the default), for no audio stream and for text that does not parse
   */
  public static boolean isHold(String sdp) {
    Parsed parsed;
    try {
      parsed = parse(sdp);
    } catch (SdpException | RuntimeException e) {
      return false;
    }
    for (Stream s : parsed.streams) {
      if ("audio".equals(s.type) && s.port > 0) {
        return s.direction != MediaDirection.SENDRECV
            || s.connection.map(c -> c.equals("0.0.0.0")).orElse(false);
      }
    }
    return false;
  }

  /**
   * The direction an offer asks for on its first audio stream (RFC 3264 section 6.1), seen from the offerer:
   * {@code a=sendonly}, {@code recvonly}, {@code inactive} or {@code sendrecv} (the default, also for text that does
   * not parse or has no audio stream). The RFC 2543 hold address {@code c=0.0.0.0} without a direction attribute
   * counts as {@code inactive} (the offerer can receive nothing there).
   */
  public static MediaDirection offeredDirection(String sdp) {
    Parsed parsed;
    try {
      parsed = parse(sdp);
    } catch (SdpException | RuntimeException e) {
      return MediaDirection.SENDRECV;
    }
    for (Stream s : parsed.streams) {
      if ("audio".equals(s.type) && s.port > 0) {
        if (s.direction == MediaDirection.SENDRECV && s.connection.map(c -> c.equals("0.0.0.0")).orElse(false)) {
          return MediaDirection.INACTIVE;
        }
        return s.direction;
      }
    }
    return MediaDirection.SENDRECV;
  }

  /**
   * The answerer's direction for an offered one (RFC 3264 section 6.1): sendonly → recvonly, recvonly → sendonly,
   * inactive → inactive, sendrecv → sendrecv.
   */
  public static MediaDirection answerDirection(MediaDirection offered) {
    switch (offered) {
      case SENDONLY:
        return MediaDirection.RECVONLY;
      case RECVONLY:
        return MediaDirection.SENDONLY;
      case INACTIVE:
        return MediaDirection.INACTIVE;
      default:
        return MediaDirection.SENDRECV;
    }
  }

  /**
   * Our earlier session description with its direction set to {@code direction} (RFC 3264 section 8.4, e.g. {@code
   * a=recvonly} answering a hold offer): every direction attribute is removed and {@code a=<direction>} is put at the
   * end of the first audio section, then the {@code o=} version is incremented because the description changed
   * (section 8). When the direction is already the one asked for, {@code sdp} is returned unchanged (same version: no
   * change, section 8). Lines keep {@code sdp}'s line ending (CRLF unless it used bare LF).
   *
   * @param sdp a description written by us (one audio stream)
   * @param direction the direction to state
   */
  public static String withDirection(String sdp, MediaDirection direction) {
    String eol = sdp.contains("\r\n") ? "\r\n" : "\n";
    String[] lines = sdp.split("\r?\n");
    MediaDirection current = MediaDirection.SENDRECV;
    for (String line : lines) {
      for (MediaDirection d : MediaDirection.values()) {
        if (line.strip().equalsIgnoreCase("a=" + d.attribute())) {
          current = d;
        }
      }
    }
    if (current == direction) {
      return sdp;
    }
    List<String> out = new ArrayList<>();
    int audioEnd = -1;
    boolean inAudio = false;
    for (String line : lines) {
      boolean isDirection = false;
      for (MediaDirection d : MediaDirection.values()) {
        if (line.strip().equalsIgnoreCase("a=" + d.attribute())) {
          isDirection = true;
        }
      }
      if (isDirection || line.isEmpty()) {
        continue;
      }
      if (line.startsWith("m=")) {
        if (inAudio) {
          audioEnd = out.size();
        }
        inAudio = line.startsWith("m=audio") && audioEnd < 0;
      }
      if (line.startsWith("o=")) {
        String[] f = line.split(" ");
        if (f.length >= 3) {
          try {
            f[2] = Long.toString(Long.parseLong(f[2]) + 1);
            line = String.join(" ", f);
          } catch (NumberFormatException e) {
            // leave it: not ours
          }
        }
      }
      out.add(line);
    }
    if (audioEnd < 0) {
      audioEnd = out.size();
    }
    out.add(audioEnd, "a=" + direction.attribute());
    return String.join(eol, out) + eol;
  }

  // ---------------------------------------------------------------------------------------------------------------

  private record Stream(String type, int port, String protocol, List<String> formats, Map<Integer, String> rtpmap,
      Optional<String> connection, int ptime, MediaDirection direction) {}

  private record Parsed(List<Stream> streams) {}

  private sealed interface Choice permits Chosen, Refusal {}

  private record Refusal(SdpNegotiation.Rejected rejected) implements Choice {}

  private record Chosen(int index, Stream stream, Codec codec, int codecPt, int telephoneEventPt,
      MediaDirection offerDirection, String address) implements Choice {
    NegotiatedMedia media(MediaDirection local) {
      return new NegotiatedMedia(address, stream.port, codec, codecPt, telephoneEventPt, stream.ptime, local);
    }
  }

  @SuppressWarnings("unchecked")
  private static Parsed parse(String sdp) throws SdpException {
    if (sdp == null || sdp.isBlank()) {
      throw new SdpException("empty body");
    }
    String text = sdp.strip().replace("\r\n", "\n").replace("\n", "\r\n");
    if (!text.startsWith("v=0\r\n")) {
      throw new SdpException("does not begin with v=0 (RFC 4566 section 5)");
    }
    if (!text.endsWith("\r\n")) {
      text = text + "\r\n";
    }
    SessionDescription sd = FACTORY.createSessionDescription(text);
    Optional<String> sessionConnection = address(sd.getConnection());
    MediaDirection sessionDirection = direction(sd.getAttributes(false), MediaDirection.SENDRECV);
    List<Stream> streams = new ArrayList<>();
    Vector<MediaDescription> mds = sd.getMediaDescriptions(false);
    if (mds != null) {
      for (MediaDescription md : mds) {
        Media m = md.getMedia();
        Vector<Object> formats = m.getMediaFormats(false);
        List<String> fs = new ArrayList<>();
        if (formats != null) {
          for (Object f : formats) {
            fs.add(f.toString().strip());
          }
        }
        Vector<Attribute> attrs = md.getAttributes(false);
        Map<Integer, String> rtpmap = new LinkedHashMap<>();
        int ptime = -1;
        if (attrs != null) {
          for (Attribute a : attrs) {
            String name = a.getName() == null ? "" : a.getName().strip().toLowerCase(Locale.ROOT);
            String value = a.hasValue() && a.getValue() != null ? a.getValue().strip() : "";
            if (name.equals("rtpmap")) {
              int sp = value.indexOf(' ');
              if (sp > 0) {
                try {
                  rtpmap.put(Integer.parseInt(value.substring(0, sp).strip()), value.substring(sp + 1).strip());
                } catch (NumberFormatException ignored) {
                  // a bad rtpmap names no payload type we could use
                }
              }
            } else if (name.equals("ptime")) {
              try {
                ptime = Integer.parseInt(value);
              } catch (NumberFormatException ignored) {
                // keep -1
              }
            }
          }
        }
        Optional<String> conn = address(md.getConnection());
        streams.add(new Stream(m.getMediaType() == null ? "" : m.getMediaType().toLowerCase(Locale.ROOT),
            m.getMediaPort(), m.getProtocol() == null ? "" : m.getProtocol().strip(), fs, rtpmap,
            conn.isPresent() ? conn : sessionConnection, ptime, direction(attrs, sessionDirection)));
      }
    }
    return new Parsed(streams);
  }

  /** Picks the stream and codec; {@code onlyIndex} restricts to one stream (reading an answer). */
  private Choice choose(Parsed parsed, Integer onlyIndex) {
    boolean sawAudio = false;
    boolean sawAvp = false;
    List<String> offered = new ArrayList<>();
    for (int i = 0; i < parsed.streams.size(); i++) {
      if (onlyIndex != null && i != onlyIndex) {
        continue;
      }
      Stream s = parsed.streams.get(i);
      if (!s.type.equals("audio") || s.port == 0) {
        continue;
      }
      if (s.port < 0 || s.port > 65535) {
        return new Refusal(new SdpNegotiation.Rejected(488, 399, "audio stream " + i + " has port " + s.port));
      }
      sawAudio = true;
      if (!s.protocol.equalsIgnoreCase("RTP/AVP")) {
        continue;
      }
      sawAvp = true;
      // an offer is read in our order of preference; an answer in the answerer's (RFC 3264 section 6.1)
      int chosen = onlyIndex == null ? pickOurs(s) : pickTheirs(s);
      if (chosen >= 0) {
        if (s.connection.isEmpty()) {
          return new Refusal(new SdpNegotiation.Rejected(488, 399,
              "audio stream " + i + " has no connection address (c=)"));
        }
        String address = s.connection.get();
        if (address.equals("0.0.0.0") || address.equals("::")) {
          address = "";
        }
        return new Chosen(i, s, codecOf(chosen, s.rtpmap).orElseThrow(), chosen, telephoneEventPt(s), s.direction,
            address);
      }
      for (String f : s.formats) {
        int pt = parsePt(f);
        String map = s.rtpmap.get(pt);
        offered.add(f + (map != null ? " (" + map + ")" : ""));
      }
    }
    if (!sawAudio) {
      return new Refusal(new SdpNegotiation.Rejected(488, 304, "no audio stream offered"));
    }
    if (!sawAvp) {
      return new Refusal(new SdpNegotiation.Rejected(488, 302,
          "no audio stream over RTP/AVP (SRTP and other profiles are not supported)"));
    }
    StringBuilder ours = new StringBuilder();
    for (Codec c : preference) {
      ours.append(ours.length() == 0 ? "" : ", ").append(c.encodingName()).append(" (").append(c.payloadType())
          .append(')');
    }
    return new Refusal(new SdpNegotiation.Rejected(488, 305,
        "no common codec: offered " + String.join(", ", offered) + "; we take " + ours));
  }

  /** The payload type of our most preferred codec in the stream, or -1. */
  private int pickOurs(Stream s) {
    for (Codec want : preference) {
      for (String f : s.formats) {
        int pt = parsePt(f);
        if (pt >= 0 && codecOf(pt, s.rtpmap).orElse(null) == want) {
          return pt;
        }
      }
    }
    return -1;
  }

  /** The payload type of the stream's first format that is one of our codecs, or -1. */
  private int pickTheirs(Stream s) {
    for (String f : s.formats) {
      int pt = parsePt(f);
      if (pt >= 0 && codecOf(pt, s.rtpmap).filter(preference::contains).isPresent()) {
        return pt;
      }
    }
    return -1;
  }

  private static Optional<Codec> codecOf(int pt, Map<Integer, String> rtpmap) {
    String map = rtpmap.get(pt);
    if (map != null) {
      String[] parts = map.split("/");
      if (parts.length >= 2 && parts[1].strip().equals("8000") && (parts.length == 2 || parts[2].strip().equals("1"))) {
        return Codec.ofEncodingName(parts[0]);
      }
      return Optional.empty();
    }
    return pt < 96 ? Codec.ofPayloadType(pt) : Optional.empty();
  }

  private static int telephoneEventPt(Stream s) {
    for (String f : s.formats) {
      int pt = parsePt(f);
      String map = s.rtpmap.get(pt);
      if (map != null && map.replace(" ", "").toLowerCase(Locale.ROOT).startsWith("telephone-event/8000")) {
        return pt;
      }
    }
    return -1;
  }

  private static int parsePt(String f) {
    try {
      int pt = Integer.parseInt(f.strip());
      return pt >= 0 && pt <= 127 ? pt : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Optional<String> address(Connection c) throws SdpException {
    if (c == null || c.getAddress() == null || c.getAddress().isBlank()) {
      return Optional.empty();
    }
    String a = c.getAddress().strip();
    int slash = a.indexOf('/'); // multicast TTL / count
    return Optional.of(slash < 0 ? a : a.substring(0, slash));
  }

  private static MediaDirection direction(Vector<Attribute> attrs, MediaDirection dflt) throws SdpException {
    if (attrs != null) {
      for (Attribute a : attrs) {
        String name = a.getName() == null ? "" : a.getName().strip().toLowerCase(Locale.ROOT);
        for (MediaDirection d : MediaDirection.values()) {
          if (d.attribute().equals(name)) {
            return d;
          }
        }
      }
    }
    return dflt;
  }

  private SessionDescription newSession() throws SdpException {
    String addrType = localAddress.contains(":") ? "IP6" : "IP4";
    SessionDescription sd = FACTORY.createSessionDescription("v=0\r\no=hankyo " + sessionId + " "
        + version.incrementAndGet() + " IN " + addrType + " " + localAddress + "\r\ns=-\r\nt=0 0\r\n");
    sd.setConnection(FACTORY.createConnection("IN", addrType, localAddress));
    return sd;
  }

  /** One audio m= section; {@code codec} null = all preferred codecs with their static numbers. */
  private MediaDescription audio(int port, List<String> formats, Codec codec, int codecPt, int tePt,
      MediaDirection direction) throws SdpException {
    MediaDescription md = FACTORY.createMediaDescription("audio", port, 1, "RTP/AVP", formats.toArray(new String[0]));
    @SuppressWarnings("unchecked")
    Vector<Attribute> attrs = md.getAttributes(true);
    if (codec != null) {
      attrs.add(FACTORY.createAttribute("rtpmap", codecPt + " " + codec.encodingName() + "/8000"));
    } else {
      for (Codec c : preference) {
        attrs.add(FACTORY.createAttribute("rtpmap", c.payloadType() + " " + c.encodingName() + "/8000"));
      }
    }
    if (tePt >= 0) {
      attrs.add(FACTORY.createAttribute("rtpmap", tePt + " telephone-event/8000"));
      attrs.add(FACTORY.createAttribute("fmtp", tePt + " 0-15"));
    }
    attrs.add(FACTORY.createAttribute("ptime", Integer.toString(Prompt.FRAME_MILLIS)));
    attrs.add(FACTORY.createAttribute(direction.attribute(), null));
    md.setAttributes(attrs);
    return md;
  }

  private static void checkPort(int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("RTP port must be 1-65535: " + port);
    }
  }
}
