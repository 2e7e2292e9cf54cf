package io.hankyo.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.RequestLineParser;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * JAIN-SIP {@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY} that makes malformed requests answerable and countable.
 * Public with a no-argument constructor only because JAIN-SIP instantiates it by class name; not part of the API.
 *
 * <p>What stock JAIN-SIP 1.3.0-91 does with malformed requests (read from its sources and observed):
 *
 * <ul>
 *   <li>A bad Content-Length (e.g. {@code -329}): {@code ContentLengthParser} fails, {@code UDPMessageChannel
 *       .handleException} rethrows for Content-Length, and the UDP channel builds an "automatic 400" with
 *       {@code MessageChannel.createBadReqRes}. That reason phrase embeds the parser's message, which contains the
 *       raw header line <em>with its line feed</em> ({@code "Content-Length: -329\n:For input string"}), so the
 *       400's status line is broken and peers discard it: the request is in effect dropped silently. Over TCP
 *       {@code PipelinedMsgParser} ignores the ParseException without any answer.
 *   <li>A request missing Call-ID, From, To, CSeq or Via parses, then {@code UDPMessageChannel} drops it and logs
 *       "bad message" at error level; no response can be formed (RFC 3261 section 8.2.6.2 copies those headers).
 *   <li>Any SIP version is read as {@code SIP/2.0}: {@code Parser.sipVersion()} builds its "Expecting SIP/2.0"
 *       exception with {@code createParseException} but never throws it, so the channels' own 505 checks never
 *       fire and an {@code INVITE ... SIP/3.0} became a call.
 *   <li>An unparsable request line (bad Request-URI, {@code HTTP/1.1} instead of a SIP version) gets the automatic
 *       400 over UDP; over TCP the connection is closed without an answer ("Malformed mandatory headers").
 *   <li>A UDP datagram longer than {@code gov.nist.javax.sip.MAX_MESSAGE_SIZE} is cut to that size by the receive
 *       buffer; when the cut falls before Call-ID or CSeq (a long Request-URI repeated in To does that), the request
 *       is dropped as "missing a required header", and when it falls in the body the stock parser throws "Invalid
 *       content length" (an automatic 400). The gateway therefore gives JAIN-SIP a 65,535-byte limit
 *       ({@link SipGateway#STACK_MESSAGE_SIZE}, so no datagram is cut) and enforces its own {@code
 *       max-message-size} here.
 *   <li>Over TCP {@code PipelinedMsgParser} closes the connection without an answer when Content-Length exceeds
 *       {@code MAX_MESSAGE_SIZE}; it checks that after this parser returns, so such a request (marked 513 here) is
 *       never answered. With the 65,535-byte limit that is only a Content-Length over 64 KiB.
 * </ul>
 *
 * <p>This parser wraps the stock {@link StringMsgParser}. A request it refuses is returned marked with
 * {@link Malformed} as application data; the gateway's listener answers it statelessly (To tag added, Via copied so
 * that the response goes where RFC 3261 section 18.2.2 says), creates no transaction and counts it. The checks, in
 * this order:
 *
 * <ol>
 *   <li>without one of Via, From, To, Call-ID, CSeq: counted and dropped quietly (returns null, which the channels
 *       treat as "nothing to do"); nothing can be answered;
 *   <li>a SIP version other than {@code SIP/2.0} (read from the raw request line): 505 Version Not Supported (RFC
 *       3261 sections 7.1 and 21.5.6);
 *   <li>a Request-URI longer than {@link #MAX_REQUEST_URI_LENGTH}: 414 Request-URI Too Long (section 21.4.12);
 *   <li>longer than the gateway's {@code max-message-size} (UDP: the datagram; TCP: headers + Content-Length), or a
 *       datagram that fills JAIN-SIP's receive buffer (so was cut to it, e.g. a 30 KB body): 513 Message Too Large
 *       (sections 18.1.1 and 21.5.7). Such a datagram is parsed without its body: a cut body no longer matches its
 *       Content-Length, and that mismatch (a 400 from the stock parser) must not hide the size;
 *   <li>a request line that does not parse (bad Request-URI, not a SIP version) while the method and the headers
 *       do: 400 Bad Request; the request line is replaced by a stand-in so that the stack can carry the request to
 *       the listener (over TCP too);
 *   <li>a Content-Length that does not parse or is negative: the header and the body are dropped, 400 Bad Request.
 * </ol>
 *
 * <p>Other parse failures of a request (bad From/To/CSeq/Via/Call-ID syntax, a Content-Length larger than a datagram
 * within the size limit, a method that does not parse) are counted and left to JAIN-SIP's automatic 400 (UDP only;
 * over TCP {@code PipelinedMsgParser} drops them), but with the exception message reduced to one clean line so that
 * the 400's status line is well-formed. That 400 copies Via/CSeq/Call-ID/From/To as text, adds {@code ;tag=badreq} to
 * To and carries the request as {@code message/sipfrag}; because JAIN-SIP appends the Content-Type header with its own
 * CRLF, an empty line ends the header block before Content-Length, so the body starts with that Content-Length line
 * (still a valid UDP response, RFC 3261 section 18.3).
 *
 * <p>Responses and the stack's internal re-parsing (no listener) go through the stock parser unchanged.
 */
public final class LenientMessageParserFactory implements MessageParserFactory {
  /**
   * Longest Request-URI accepted, in characters (octets: the Request-URI is ASCII, RFC 3261 section 25.1); a longer
   * one gets 414 Request-URI Too Long (section 21.4.12) before any transaction, number parsing or logging. Why 256: a
   * tracking number's Request-URI is short (at most 15 E.164 digits, a '+' or a few visual separators, a host, a port
   * and parameters such as {@code user=phone}: under 100 characters), and libphonenumber refuses more than 250
   * characters of input ({@code PhoneNumberUtil.MAX_INPUT_STRING_LENGTH}), so a longer user part can never be a
   * number. 256 leaves room for long host names and parameters and refuses abuse such as a 5000-digit user part.
   */
  static final int MAX_REQUEST_URI_LENGTH = 256;

  /** The only SIP version the gateway speaks (RFC 3261 section 7.1; compared case-insensitively). */
  static final String SIP_VERSION = "SIP/2.0";

  /**
   * Request-URI of the stand-in request line given to a request whose own request line does not parse (RFC 2606
   * {@code .invalid}: it never routes anywhere). The request is refused with 400; the URI only lets the stack carry it.
   */
  static final String STAND_IN_URI = "sip:unparsable-request-uri.invalid";

  /** A SIP-Version token (RFC 3261 section 25.1: "SIP" "/" 1*DIGIT "." 1*DIGIT), "SIP" in any case. */
  private static final Pattern SIP_VERSION_SHAPE = Pattern.compile("(?i)SIP/[0-9]{1,9}\\.[0-9]{1,9}");

  private static final Map<String, Registration> STACKS = new ConcurrentHashMap<>();
  private static final StringMsgParser STOCK = new StringMsgParser();

  /** Called by JAIN-SIP. */
  public LenientMessageParserFactory() {}

  /**
   * Marks a request the gateway must refuse without a transaction (see the class comment for when).
   *
   * @param reason what is wrong, one printable line of at most 80 characters (goes into the reason phrase)
   * @param status the final response: 400, 414, 505 or 513
   */
  record Malformed(String reason, int status) {
    /** The standard reason phrase of {@link #status} (RFC 3261 section 21). */
    String phrase() {
      switch (status) {
        case 414:
          return "Request-URI Too Long";
        case 505:
          return "Version Not Supported";
        case 513:
          return "Message Too Large";
        default:
          return "Bad Request";
      }
    }
  }

  /** What the gateway of one stack asked for: its own message size limit and where refusals are counted. */
  private record Registration(int maxMessageSize, Consumer<String> sink) {}

  /**
   * Registers the gateway of the stack named {@code stackName}: requests longer than {@code maxMessageSize} bytes are
   * refused with 513, and dropped-request notices go to {@code sink} (a counter). Call before the stack starts.
   */
  static void register(String stackName, int maxMessageSize, Consumer<String> sink) {
    STACKS.put(stackName, new Registration(maxMessageSize, sink));
  }

  static void unregister(String stackName) {
    STACKS.remove(stackName);
  }

  @Override
  public MessageParser createMessageParser(SIPTransactionStack stack) {
    String name = stack instanceof SipStackImpl ? ((SipStackImpl) stack).getStackName() : null;
    return new Parser(name, datagramBuffer(stack.getMaxMessageSize()));
  }

  /**
   * The size of JAIN-SIP's UDP receive buffer for a stack's {@code MAX_MESSAGE_SIZE}, as {@code UDPMessageProcessor}
   * sizes it: that value when positive and below {@link SipStackImpl#MAX_DATAGRAM_SIZE} (64 KiB), else 64 KiB. A
   * datagram that fills it was (or may have been) cut to it.
   */
  static int datagramBuffer(int stackMaxMessageSize) {
    int max = SipStackImpl.MAX_DATAGRAM_SIZE;
    return stackMaxMessageSize > 0 && stackMaxMessageSize < max ? stackMaxMessageSize : max;
  }

  private static final class Parser implements MessageParser {
    private final String stackName;
    private final int datagramBuffer;

    Parser(String stackName, int datagramBuffer) {
      this.stackName = stackName;
      this.datagramBuffer = datagramBuffer;
    }

    private Registration registration() {
      return stackName == null ? null : STACKS.get(stackName);
    }

    private void count(String reason) {
      Registration r = registration();
      if (r != null) {
        r.sink().accept(reason);
      }
    }

    @Override
    public SIPMessage parseSIPMessage(byte[] msgBytes, boolean readBody, boolean strict,
        ParseExceptionListener exhandler) throws ParseException {
      if (exhandler == null) {
        return STOCK.parseSIPMessage(msgBytes, readBody, strict, null);
      }
      // An oversize datagram is read without its body: the receive buffer may have cut it, and a cut body no longer
      // matches its Content-Length. Read whole, the stock parser would throw for that mismatch and JAIN-SIP would
      // answer 400 instead of the 513 that the size calls for.
      boolean oversizeDatagram = readBody && oversize(msgBytes.length) && looksLikeRequest(msgBytes);
      Recorder recorder = new Recorder(exhandler);
      SIPMessage message;
      try {
        message = STOCK.parseSIPMessage(msgBytes, readBody && !oversizeDatagram, strict, recorder);
      } catch (ParseException | RuntimeException e) {
        String reason = reasonOf(e.getMessage());
        if (looksLikeRequest(msgBytes)) {
          count("unparsable request: " + reason);
        }
        // JAIN-SIP puts this message into the reason phrase of its automatic 400: it must be one clean line
        throw new ParseException(reason, e instanceof ParseException ? ((ParseException) e).getErrorOffset() : 0);
      }
      if (!(message instanceof SIPRequest)) {
        return message;
      }
      SIPRequest request = (SIPRequest) message;
      String missing = missingRequiredHeader(request);
      if (missing != null) {
        count("request without " + missing);
        return null;
      }
      if (recorder.badContentLength != null) {
        request.removeContent();
        request.setApplicationData(new Malformed(reasonOf("bad Content-Length: " + recorder.badContentLength), 400));
      }
      int size = readBody ? msgBytes.length : msgBytes.length + declaredContentLength(request);
      Malformed refusal = refusal(RawRequestLine.of(msgBytes), recorder.badRequestLine, size,
          readBody && msgBytes.length >= datagramBuffer);
      if (refusal != null) {
        if (readBody) {
          request.removeContent(); // over TCP the Content-Length must stay: the pipeline still reads the body
        }
        request.setApplicationData(refusal);
      }
      return request;
    }

    /**
     * Whether a message of {@code size} bytes gets 513: longer than the gateway's {@code max-message-size}, or (a
     * datagram) filling JAIN-SIP's receive buffer, which cuts longer datagrams to it.
     */
    private boolean oversize(int size) {
      Registration r = registration();
      return (r != null && r.maxMessageSize() > 0 && size > r.maxMessageSize()) || size >= datagramBuffer;
    }

    /**
     * The refusal of a request whose required headers are present, by the class comment's order, or null. A bad
     * Content-Length (400) was marked before and is overridden by any of these.
     *
     * @param line the request line as sent, null when it is not three space-separated tokens
     * @param badRequestLine why the request line did not parse, or null when it did
     * @param size the message size in bytes (UDP: datagram; TCP: headers without CRs + declared body)
     * @param filledBuffer a datagram as long as JAIN-SIP's receive buffer: cut to it, or at least at the limit
     */
    private Malformed refusal(RawRequestLine line, String badRequestLine, int size, boolean filledBuffer) {
      if (line != null && !line.version().equalsIgnoreCase(SIP_VERSION)
          && SIP_VERSION_SHAPE.matcher(line.version()).matches()) {
        return new Malformed(reasonOf(line.version() + " is not supported, only " + SIP_VERSION), 505);
      }
      if (line != null && line.uri().length() > MAX_REQUEST_URI_LENGTH) {
        return new Malformed("Request-URI of " + line.uri().length() + " characters, at most "
            + MAX_REQUEST_URI_LENGTH, 414);
      }
      Registration r = registration();
      if (r != null && r.maxMessageSize() > 0 && size > r.maxMessageSize()) {
        return new Malformed("longer than " + r.maxMessageSize() + " bytes", 513);
      }
      if (filledBuffer) {
        return new Malformed("fills the " + datagramBuffer + "-byte receive buffer", 513);
      }
      if (badRequestLine != null) {
        return new Malformed(reasonOf("bad request line: " + badRequestLine), 400);
      }
      return null;
    }
  }

  /** The Content-Length a request declares (0 when absent): its body still to be read over TCP. */
  private static int declaredContentLength(SIPRequest request) {
    javax.sip.header.ContentLengthHeader cl = request.getContentLength();
    return cl == null ? 0 : Math.max(0, cl.getContentLength());
  }

  /**
   * The first line of a request as sent, split at its first and last space: JAIN-SIP's parsed request line cannot be
   * trusted for the version (it always says {@code SIP/2.0}) and is gone when the line does not parse.
   *
   * @param method the method token as sent
   * @param uri the Request-URI text as sent (RFC 3261 section 7.1 allows no spaces inside it)
   * @param version the SIP-Version token as sent, e.g. {@code SIP/3.0}
   */
  record RawRequestLine(String method, String uri, String version) {
    /**
     * Reads the request line of a raw message (leading control characters skipped, like JAIN-SIP does).
     *
     * @return null for a response ({@code SIP/...}) or a first line that is not three space-separated tokens
     */
    static RawRequestLine of(byte[] msg) {
      int start = 0;
      while (start < msg.length && (msg[start] & 0xff) < 0x20) {
        start++;
      }
      int end = start;
      while (end < msg.length && msg[end] != '\r' && msg[end] != '\n') {
        end++;
      }
      String line = new String(msg, start, end - start, StandardCharsets.ISO_8859_1).strip();
      int first = line.indexOf(' ');
      int last = line.lastIndexOf(' ');
      if (line.startsWith("SIP/") || first <= 0 || last <= first) {
        return null;
      }
      String uri = line.substring(first + 1, last).strip();
      return uri.isEmpty() ? null : new RawRequestLine(line.substring(0, first), uri, line.substring(last + 1));
    }
  }

  /**
   * A request line with the method as sent, {@link #STAND_IN_URI} and {@link #SIP_VERSION}, for a request whose own
   * request line does not parse; null when the method does not parse either (then the request stays unanswerable
   * by the listener and JAIN-SIP's automatic 400 applies).
   */
  static RequestLine standInRequestLine(String rawLine) {
    if (rawLine == null) {
      return null;
    }
    String line = rawLine.strip();
    int space = line.indexOf(' ');
    if (space <= 0) {
      return null;
    }
    try {
      return new RequestLineParser(line.substring(0, space) + " " + STAND_IN_URI + " " + SIP_VERSION + "\n").parse();
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Swallows Content-Length failures and request lines that can be stood in for (remembering both), and passes every
   * other parse problem on.
   */
  private static final class Recorder implements ParseExceptionListener {
    private final ParseExceptionListener delegate;
    String badContentLength;
    String badRequestLine;

    Recorder(ParseExceptionListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void handleException(ParseException ex, SIPMessage sipMessage, Class headerClass, String headerText,
        String messageText) throws ParseException {
      if (ContentLength.class.equals(headerClass)) {
        String value = headerText == null ? "" : headerText;
        int colon = value.indexOf(':');
        badContentLength = (colon >= 0 ? value.substring(colon + 1) : value).strip();
        return;
      }
      if (RequestLine.class.equals(headerClass) && sipMessage instanceof SIPRequest) {
        RequestLine standIn = standInRequestLine(headerText);
        if (standIn != null) {
          ((SIPRequest) sipMessage).setRequestLine(standIn);
          badRequestLine = reasonOf(ex.getMessage());
          return;
        }
      }
      delegate.handleException(ex, sipMessage, headerClass, headerText, messageText);
    }
  }

  static String missingRequiredHeader(SIPRequest r) {
    if (r.getTopmostVia() == null) {
      return "Via";
    }
    if (r.getFrom() == null) {
      return "From";
    }
    if (r.getTo() == null) {
      return "To";
    }
    if (r.getCallId() == null || r.getCallId().getCallId() == null || r.getCallId().getCallId().isEmpty()) {
      return "Call-ID";
    }
    if (r.getCSeq() == null) {
      return "CSeq";
    }
    return null;
  }

  private static boolean looksLikeRequest(byte[] bytes) {
    int n = Math.min(bytes.length, 64);
    String head = new String(bytes, 0, n, StandardCharsets.ISO_8859_1).stripLeading();
    return !head.isEmpty() && !head.startsWith("SIP/");
  }

  /**
   * A parse error as one short printable line. JAIN-SIP's messages embed the offending header line with its line
   * feed ({@code "CSeq: x INVITE\n:Unexpected token"}); left as is it splits the status line of the automatic 400.
   */
  static String reasonOf(String message) {
    if (message == null || message.isBlank()) {
      return "malformed message";
    }
    String flat = message.replaceAll("[\\r\\n]+", " ").replaceAll("[^\\x20-\\x7e]", "?").strip();
    return flat.length() > 80 ? flat.substring(0, 80) : flat;
  }
}
