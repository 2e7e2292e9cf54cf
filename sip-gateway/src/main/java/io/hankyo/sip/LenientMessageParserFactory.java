package io.hankyo.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

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
 * </ul>
 *
 * <p>This parser wraps the stock {@link StringMsgParser}:
 *
 * <ul>
 *   <li>a request whose Content-Length does not parse or is negative is returned <em>without</em> that header and
 *       without a body, marked with {@link Malformed} as application data; the gateway's listener answers it
 *       statelessly with 400 Bad Request (To tag added), creates no transaction and counts it;
 *   <li>a request without one of Via, From, To, Call-ID, CSeq is counted and dropped quietly (returns null, which
 *       the channels treat as "nothing to do");
 *   <li>other parse failures of a request (bad request line, bad From/To/CSeq/Via/Call-ID syntax, a Content-Length
 *       larger than the datagram) are counted and left to JAIN-SIP's automatic 400 (UDP only; over TCP
 *       {@code PipelinedMsgParser} drops them), but with the exception message reduced to one clean line so that
 *       the 400's status line is well-formed. That 400 copies Via/CSeq/Call-ID/From/To as text, adds
 *       {@code ;tag=badreq} to To and carries the request as {@code message/sipfrag}; because JAIN-SIP appends the
 *       Content-Type header with its own CRLF, an empty line ends the header block before Content-Length, so the
 *       body starts with that Content-Length line (still a valid UDP response, RFC 3261 section 18.3).
 * </ul>
 *
 * Responses and the stack's internal re-parsing (no listener) go through the stock parser unchanged.
 */
public final class LenientMessageParserFactory implements MessageParserFactory {
  private static final Map<String, Consumer<String>> SINKS = new ConcurrentHashMap<>();
  private static final StringMsgParser STOCK = new StringMsgParser();

  /** Called by JAIN-SIP. */
  public LenientMessageParserFactory() {}

  /**
   * Marks a request the gateway must refuse without a transaction: 400 for a request that parsed only after dropping
   * a malformed header, 513 Message Too Large (RFC 3261 section 21.5.11) for a datagram that filled the stack's
   * receive buffer ({@code gov.nist.javax.sip.MAX_MESSAGE_SIZE}) and so arrived cut off.
   */
  record Malformed(String reason, int status) {}

  /** Routes malformed-request notices of the stack named {@code stackName} to {@code sink} (a counter). */
  static void register(String stackName, Consumer<String> sink) {
    SINKS.put(stackName, sink);
  }

  static void unregister(String stackName) {
    SINKS.remove(stackName);
  }

  @Override
  public MessageParser createMessageParser(SIPTransactionStack stack) {
    String name = stack instanceof SipStackImpl ? ((SipStackImpl) stack).getStackName() : null;
    return new Parser(name, stack == null ? 0 : stack.getMaxMessageSize());
  }

  private static final class Parser implements MessageParser {
    private final String stackName;
    private final int maxMessageSize;

    Parser(String stackName, int maxMessageSize) {
      this.stackName = stackName;
      this.maxMessageSize = maxMessageSize;
    }

    private void count(String reason) {
      Consumer<String> sink = stackName == null ? null : SINKS.get(stackName);
      if (sink != null) {
        sink.accept(reason);
      }
    }

    @Override
    public SIPMessage parseSIPMessage(byte[] msgBytes, boolean readBody, boolean strict,
        ParseExceptionListener exhandler) throws ParseException {
      if (exhandler == null) {
        return STOCK.parseSIPMessage(msgBytes, readBody, strict, null);
      }
      Recorder recorder = new Recorder(exhandler);
      SIPMessage message;
      try {
        message = STOCK.parseSIPMessage(msgBytes, readBody, strict, recorder);
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
      if (maxMessageSize > 0 && msgBytes.length >= maxMessageSize) {
        // The datagram filled the receive buffer: what follows the cut (headers, body) is lost.
        request.removeContent();
        request.setApplicationData(new Malformed("longer than " + maxMessageSize + " bytes", 513));
        return request;
      }
      if (recorder.badContentLength != null) {
        request.removeContent();
        request.setApplicationData(new Malformed("bad Content-Length: " + recorder.badContentLength, 400));
      }
      return request;
    }
  }

  /** Swallows Content-Length failures (remembering them) and passes every other parse problem on. */
  private static final class Recorder implements ParseExceptionListener {
    private final ParseExceptionListener delegate;
    String badContentLength;

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
