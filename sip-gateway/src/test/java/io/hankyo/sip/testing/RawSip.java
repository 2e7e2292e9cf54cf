package io.hankyo.sip.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends raw SIP text and reads what comes back, for cases a SIP stack would refuse to produce (malformed requests,
 * exact field cases) and for playing a scripted peer. Text helpers read status, method, headers and tags.
 */
public final class RawSip {
  private RawSip() {}

  /**
   * Loads a field case file (e.g. {@code /work/shared/cases/sip/*.txt}): the leading {@code #} comment lines are
   * removed and line ends become CRLF; the Content-Length is left as written, even when wrong on purpose.
   */
  public static String loadCase(Path file) throws IOException {
    List<String> lines = new ArrayList<>(List.of(Files.readString(file, StandardCharsets.UTF_8).split("\n", -1)));
    while (!lines.isEmpty() && lines.get(0).startsWith("#")) {
      lines.remove(0);
    }
    return crlf(String.join("\n", lines));
  }

  /**
   * A request of a raw UDP caller at 127.0.0.1:{@code callerPort} inside the dialog that the gateway's 2xx {@code ok}
   * to {@code invite} set up (RFC 3261 section 12.2.1.1: Request-URI = the 2xx's Contact, To with its tag, the
   * INVITE's From and Call-ID; a new branch).
   *
   * @param contentType empty for none
   * @param body the body (LF line ends; made CRLF), empty for none
   */
  public static String callerInDialog(String invite, String ok, int callerPort, String method, int cseq,
      String contentType, String body) {
    String b = crlf(body);
    return crlf(method + " " + uri(header(ok, "Contact")) + " SIP/2.0\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + callerPort + ";branch=z9hG4bK-" + method + "-" + System.nanoTime() + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + header(invite, "From") + "\n"
        + "To: " + header(ok, "To") + "\n"
        + "Call-ID: " + header(invite, "Call-ID") + "\n"
        + "CSeq: " + cseq + " " + method + "\n"
        + (contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\n")
        + "Content-Length: " + b.length() + "\n\n") + b;
  }

  /**
   * The ACK of a non-2xx final response to {@code invite} (RFC 3261 section 17.1.1.3): same Request-URI, top Via,
   * From, Call-ID and CSeq number as the INVITE, the To of {@code finalResponse} (with its tag), CRLF line ends.
   */
  public static String ackFor(String invite, String finalResponse) {
    String requestLine = invite.substring(0, invite.indexOf('\n')).trim();
    String requestUri = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
    return crlf("ACK " + requestUri + " SIP/2.0\n"
        + "Via: " + header(invite, "Via") + "\n"
        + "Max-Forwards: 70\n"
        + "From: " + header(invite, "From") + "\n"
        + "To: " + header(finalResponse, "To") + "\n"
        + "Call-ID: " + header(invite, "Call-ID") + "\n"
        + "CSeq: " + header(invite, "CSeq").split(" ")[0] + " ACK\n"
        + "Content-Length: 0\n\n");
  }

  /** Turns LF (or CRLF) line ends into CRLF. */
  public static String crlf(String text) {
    return text.replace("\r\n", "\n").replace("\n", "\r\n");
  }

  /**
   * A response of a raw UAS to a request it received (RFC 3261 section 8.2.6: Via, From, Call-ID and CSeq copied, To
   * copied with {@code toTag} added when it has none).
   *
   * @param extra further header lines, each ending in a newline (e.g. a Contact), or ""
   * @param body an SDP body (Content-Type application/sdp), or "" for none
   */
  public static String response(String request, int status, String reason, String toTag, String extra,
      String body) {
    String to = header(request, "To");
    if (toTag != null && tag(to) == null) {
      to = to + ";tag=" + toTag;
    }
    String b = crlf(body);
    return crlf("SIP/2.0 " + status + " " + reason + "\n"
        + "Via: " + header(request, "Via") + "\n"
        + "From: " + header(request, "From") + "\n"
        + "To: " + to + "\n"
        + "Call-ID: " + header(request, "Call-ID") + "\n"
        + "CSeq: " + header(request, "CSeq") + "\n"
        + extra
        + (body.isEmpty() ? "" : "Content-Type: application/sdp\n")
        + "Content-Length: " + b.length() + "\n\n") + b;
  }

  /** The status code of a response, or -1 for a request. */
  public static int status(String message) {
    Matcher m = Pattern.compile("^SIP/2\\.0 (\\d{3})").matcher(message);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The method of a request, or the CSeq method of a response. */
  public static String method(String message) {
    if (message.startsWith("SIP/")) {
      String cseq = header(message, "CSeq");
      return cseq == null ? null : cseq.replaceAll("^\\s*\\d+\\s+", "").strip();
    }
    int sp = message.indexOf(' ');
    return sp > 0 ? message.substring(0, sp) : null;
  }

  /** The first value of a header (case-insensitive name; compact forms of the usual headers accepted), or null. */
  public static String header(String message, String name) {
    List<String> all = headers(message, name);
    return all.isEmpty() ? null : all.get(0);
  }

  /** All values of a header, in order. */
  public static List<String> headers(String message, String name) {
    String compact = compactForm(name);
    List<String> out = new ArrayList<>();
    String head = message.split("\r?\n\r?\n", 2)[0];
    for (String line : head.split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String n = line.substring(0, colon).strip();
      if (n.equalsIgnoreCase(name) || (compact != null && n.equalsIgnoreCase(compact))) {
        out.add(line.substring(colon + 1).strip());
      }
    }
    return out;
  }

  /** The message body (after the blank line), possibly empty. */
  public static String body(String message) {
    String[] parts = message.split("\r?\n\r?\n", 2);
    return parts.length > 1 ? parts[1] : "";
  }

  /** The {@code tag} parameter of a From/To value, or null. */
  public static String tag(String headerValue) {
    if (headerValue == null) {
      return null;
    }
    Matcher m = Pattern.compile(";\\s*tag=([^;>\\s]+)", Pattern.CASE_INSENSITIVE).matcher(headerValue);
    return m.find() ? m.group(1) : null;
  }

  /** The URI inside {@code <...>} of an address value, or the value itself. */
  public static String uri(String addressValue) {
    int lt = addressValue.indexOf('<');
    int gt = addressValue.indexOf('>');
    return lt >= 0 && gt > lt ? addressValue.substring(lt + 1, gt) : addressValue.split(";")[0].strip();
  }

  private static String compactForm(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "via":
        return "v";
      case "from":
        return "f";
      case "to":
        return "t";
      case "call-id":
        return "i";
      case "contact":
        return "m";
      case "content-length":
        return "l";
      case "content-type":
        return "c";
      default:
        return null;
    }
  }

  /**
   * Sends one message over a fresh TCP connection and reads responses for up to {@code wait} (or until a final
   * response arrived).
   *
   * @return everything read, split into messages by Content-Length framing
   */
  public static List<String> tcpExchange(String host, int port, String message, Duration wait) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 2000);
      s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      s.setSoTimeout(100);
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      long until = System.nanoTime() + wait.toNanos();
      byte[] b = new byte[8192];
      while (System.nanoTime() < until) {
        try {
          int n = in.read(b);
          if (n < 0) {
            break;
          }
          buf.write(b, 0, n);
          List<String> msgs = splitStream(buf.toString(StandardCharsets.UTF_8));
          if (msgs.stream().anyMatch(m -> status(m) >= 200)) {
            return msgs;
          }
        } catch (SocketTimeoutException e) {
          // keep waiting
        }
      }
      return splitStream(buf.toString(StandardCharsets.UTF_8));
    }
  }

  private static List<String> splitStream(String data) {
    List<String> out = new ArrayList<>();
    int pos = 0;
    while (pos < data.length()) {
      int end = data.indexOf("\r\n\r\n", pos);
      if (end < 0) {
        break;
      }
      String head = data.substring(pos, end + 4);
      String cl = header(head, "Content-Length");
      int len = cl == null ? 0 : Integer.parseInt(cl.strip());
      int stop = Math.min(data.length(), end + 4 + len);
      out.add(data.substring(pos, stop));
      pos = stop;
    }
    return out;
  }

  /**
   * A UDP SIP endpoint on 127.0.0.1 that sends raw text and collects what arrives (a scripted caller or callee).
   */
  public static final class Endpoint implements AutoCloseable {
    private final DatagramSocket socket;
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

    private Endpoint(DatagramSocket socket) {
      this.socket = socket;
    }

    /** Binds UDP 127.0.0.1:{@code port}. */
    public static Endpoint udp(int port) throws IOException {
      DatagramSocket s = new DatagramSocket(null);
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return new Endpoint(s);
    }

    /** The local port. */
    public int port() {
      return socket.getLocalPort();
    }

    /** Sends text as one datagram to {@code host:port}. */
    public void send(String text, String host, int port) throws IOException {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(host), port));
    }

    /** The next datagram within {@code timeout}, or empty. */
    public Optional<String> receive(Duration timeout) throws IOException {
      byte[] b = new byte[65535];
      DatagramPacket p = new DatagramPacket(b, b.length);
      long until = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = (until - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return Optional.empty();
        }
        socket.setSoTimeout((int) Math.max(1, left));
        try {
          socket.receive(p);
          String msg = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
          if (msg.isBlank()) {
            continue; // keep-alive
          }
          seen.add(msg);
          return Optional.of(msg);
        } catch (SocketTimeoutException e) {
          return Optional.empty();
        }
      }
    }

    /**
     * Reads until a message matches, skipping others.
     *
     * @throws AssertionError listing everything received when nothing matched in time
     */
    public String expect(Duration timeout, String what, Predicate<String> match) throws IOException {
      long until = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + what + " within " + timeout + "; received:\n" + String.join(
              "\n----\n", seen));
        }
        Optional<String> m = receive(Duration.ofNanos(left));
        if (m.isPresent() && match.test(m.get())) {
          return m.get();
        }
      }
    }

    /** Everything received so far. */
    public List<String> received() {
      synchronized (seen) {
        return List.copyOf(seen);
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
