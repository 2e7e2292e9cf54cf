package io.hankyo.sip;

import gov.nist.javax.sip.SipStackImpl;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipProvider;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AllowHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JAIN-SIP objects of one gateway and the message builders its calls share. Package-private: SIP objects never
 * leave this module.
 */
final class SipKit {
  private static final Logger LOG = LoggerFactory.getLogger(SipKit.class);
  static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS";
  /** Prefix of the Call-IDs the gateway makes for forward legs; used to recognize stray responses as ours. */
  static final String CALL_ID_PREFIX = "hk-";

  final SipStackImpl stack;
  final SipProvider provider;
  final AddressFactory addresses;
  final HeaderFactory headers;
  final MessageFactory messages;
  final SipGatewaySettings settings;
  /** Final responses sent statelessly to non-INVITE requests over UDP, kept for their retransmissions. */
  final CompletedRequests completed = new CompletedRequests(100_000);
  private final SecureRandom random = new SecureRandom();

  SipKit(SipStackImpl stack, SipProvider provider, AddressFactory addresses, HeaderFactory headers,
      MessageFactory messages, SipGatewaySettings settings) {
    this.stack = stack;
    this.provider = provider;
    this.addresses = addresses;
    this.headers = headers;
    this.messages = messages;
    this.settings = settings;
  }

  String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  String newTag() {
    return randomHex(6);
  }

  String newCallId() {
    return CALL_ID_PREFIX + randomHex(12) + "@" + settings.host();
  }

  String newBranch() {
    return "z9hG4bK" + randomHex(8);
  }

  /** Contact of the gateway for the given transport (RFC 3261 section 8.1.1.8). */
  ContactHeader contact(String transport) {
    try {
      int port = "tcp".equalsIgnoreCase(transport) ? settings.tcpPort() : settings.udpPort();
      SipURI uri = addresses.createSipURI(null, settings.host());
      uri.setPort(port);
      if ("tcp".equalsIgnoreCase(transport)) {
        uri.setTransportParam("tcp");
      }
      return headers.createContactHeader(addresses.createAddress(uri));
    } catch (ParseException e) {
      throw new IllegalStateException("cannot build Contact for " + settings.host(), e);
    }
  }

  /** The transport a request arrived on (top Via), lower case. */
  static String transportOf(Request request) {
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    return via == null || via.getTransport() == null ? "udp" : via.getTransport().toLowerCase(Locale.ROOT);
  }

  /**
   * A response to {@code request} (RFC 3261 section 8.2.6): Via, From, To, Call-ID, CSeq copied; {@code toTag} added
   * to To unless the response is 100 or To already has a tag.
   */
  Response response(int status, Request request, String toTag) {
    try {
      Response r = messages.createResponse(status, request);
      if (status > 100 && toTag != null) {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null) {
          to.setTag(toTag);
        }
      }
      return r;
    } catch (ParseException e) {
      throw new IllegalStateException("cannot build " + status + " response", e);
    }
  }

  Response withReason(Response r, String reason) {
    if (reason != null && !reason.isBlank()) {
      try {
        r.setReasonPhrase(reason.replaceAll("[\\r\\n]", " "));
      } catch (ParseException e) {
        // keep the default phrase
      }
    }
    return r;
  }

  Response withRetryAfter(Response r) {
    try {
      r.setHeader(headers.createRetryAfterHeader((int) Math.max(1, settings.retryAfter().toSeconds())));
    } catch (InvalidArgumentException e) {
      // not added
    }
    return r;
  }

  Response withAllow(Response r) {
    try {
      AllowHeader allow = headers.createAllowHeader(ALLOW);
      r.setHeader(allow);
    } catch (ParseException e) {
      // not added
    }
    return r;
  }

  /** Copies body and Content-Type from one message to another (SDP pass-through). */
  static void copyBody(Message from, Message to) {
    byte[] body = from.getRawContent();
    ContentTypeHeader type = (ContentTypeHeader) from.getHeader(ContentTypeHeader.NAME);
    if (body != null && body.length > 0 && type != null) {
      try {
        to.setContent(body, (ContentTypeHeader) type.clone());
      } catch (ParseException e) {
        throw new IllegalStateException("cannot copy body", e);
      }
    }
  }

  /**
   * Answers a retransmitted non-INVITE request over UDP with the final response it already got, as its server
   * transaction in the Completed state would (RFC 3261 section 17.2.2).
   *
   * @return true when the request was such a retransmission (and is answered), false when it is new
   */
  boolean answeredAgain(Request request) {
    if (!answeredStatelessly(request)) {
      return false;
    }
    java.util.Optional<String> sent = completed.responseTo(request);
    if (sent.isEmpty()) {
      return false;
    }
    try {
      provider.sendResponse(((gov.nist.javax.sip.message.MessageFactoryImpl) messages).createResponse(sent.get()));
    } catch (ParseException | SipException | RuntimeException e) {
      LOG.debug("could not resend the response to a retransmitted {}: {}", request.getMethod(), e.toString());
    }
    return true;
  }

  /** A non-INVITE request other than ACK that arrived over UDP: {@link #reply} answers it without a transaction. */
  static boolean answeredStatelessly(Request request) {
    String method = request.getMethod();
    return !Request.INVITE.equals(method) && !Request.ACK.equals(method) && overUdp(request);
  }

  /** Whether the request arrived over UDP (its topmost Via's transport). */
  static boolean overUdp(Request request) {
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    return via != null && "UDP".equalsIgnoreCase(via.getTransport());
  }

  static boolean hasBody(Message m) {
    byte[] body = m.getRawContent();
    return body != null && body.length > 0;
  }

  /**
   * Sends a response without keeping a transaction: on the request's own server transaction when JAIN-SIP made one
   * (then terminated at once for non-INVITE requests), else statelessly. INVITE transactions are kept: they must
   * retransmit the final response until the ACK (RFC 3261 section 17.2.1); the gateway terminates them on the ACK.
   *
   * <p>A non-INVITE request over UDP with no transaction yet (BYE, CANCEL, OPTIONS …) is answered statelessly, not on
   * a new transaction: the transaction would be terminated right after the response anyway, but JAIN-SIP has by then
   * scheduled its Timer J (64·T1 = 32 s, section 17.2.2) on a {@code java.util.Timer}, whose queue keeps the
   * transaction and its request alive for those 32 s (≈ 5,000 finished transactions at 200 calls/s, promoted into
   * the old generation; docs/performance.md). Over TCP a transaction is still made, so that the response goes back
   * on the request's connection (section 18.2.2); Timer J is 0 there.
   *
   * @return the server transaction used, or null when the response went out statelessly
   */
  ServerTransaction reply(ServerTransaction st, Request request, Response response) {
    ServerTransaction tx = st;
    try {
      boolean stateless = answeredStatelessly(request);
      if (tx == null && !stateless && !Request.ACK.equals(request.getMethod())) {
        try {
          tx = provider.getNewServerTransaction(request);
        } catch (Exception e) {
          tx = null; // e.g. missing Max-Forwards: answer statelessly below
        }
      }
      if (tx != null) {
        tx.sendResponse(response);
        if (!Request.INVITE.equals(request.getMethod())) {
          release(tx);
        }
      } else {
        provider.sendResponse(response);
        if (stateless) {
          completed.remember(request, response);
        }
      }
    } catch (SipException | InvalidArgumentException | RuntimeException e) {
      LOG.debug("could not send {} to {}: {}", response.getStatusCode(), request.getMethod(), e.toString());
    }
    return tx;
  }

  /**
   * Ends a transaction and takes it out of the stack's tables now. JAIN-SIP's {@code terminate()} only marks it:
   * removal would wait for the next transaction timer (Timer K, 5 s, for non-INVITE client transactions) or the
   * connection linger timer (8 s) for server transactions.
   */
  void release(javax.sip.Transaction tx) {
    if (tx == null) {
      return;
    }
    try {
      tx.terminate();
    } catch (Exception e) {
      LOG.trace("terminate {}: {}", tx, e.toString());
    }
    if (tx instanceof gov.nist.javax.sip.stack.SIPTransaction) {
      try {
        stack.removeTransaction((gov.nist.javax.sip.stack.SIPTransaction) tx);
      } catch (RuntimeException e) {
        LOG.trace("remove {}: {}", tx, e.toString());
      }
    }
  }

  /** The next hop of a request as JAIN-SIP's router sees it (Route set first, then Request-URI). */
  Hop nextHop(Request request) throws SipException {
    return stack.getRouter((gov.nist.javax.sip.message.SIPRequest) request).getNextHop(request);
  }

  /** Adds a Via of the listening point matching the request's next hop (for requests sent without transaction). */
  void addVia(Request request) throws SipException {
    Hop hop = nextHop(request);
    String transport = hop.getTransport() == null ? "udp" : hop.getTransport();
    ListeningPoint lp = provider.getListeningPoint(transport);
    if (lp == null) {
      lp = provider.getListeningPoints()[0];
    }
    try {
      ViaHeader via = headers.createViaHeader(lp.getIPAddress(), lp.getPort(), lp.getTransport(), newBranch());
      request.setHeader(via);
    } catch (ParseException | InvalidArgumentException e) {
      throw new SipException("cannot build Via", e);
    }
  }

  /**
   * The state needed to send requests inside one dialog (RFC 3261 section 12): the gateway keeps it itself instead of
   * using JAIN-SIP dialogs.
   *
   * @param callId Call-ID
   * @param local our address (From of the requests we send)
   * @param localTag our tag
   * @param remote the peer's address (To of the requests we send)
   * @param remoteTag the peer's tag
   * @param remoteTarget the peer's Contact URI (Request-URI of our requests)
   * @param routeSet Route headers to add, in order
   * @param transport the transport the peer is reached on (udp/tcp), for a target without transport parameter
   */
  record Leg(String callId, Address local, String localTag, Address remote, String remoteTag, URI remoteTarget,
      List<Address> routeSet, String transport) {}

  /** The caller leg (we are the UAS): route set = Record-Route of the request in order (section 12.1.1). */
  Leg callerLeg(Request invite, String localTag) {
    FromHeader from = (FromHeader) invite.getHeader(FromHeader.NAME);
    ToHeader to = (ToHeader) invite.getHeader(ToHeader.NAME);
    ContactHeader contact = (ContactHeader) invite.getHeader(ContactHeader.NAME);
    URI target = contact != null && contact.getAddress() != null && contact.getAddress().getURI() != null
        ? (URI) contact.getAddress().getURI().clone()
        : (URI) from.getAddress().getURI().clone();
    List<Address> routes = new ArrayList<>();
    ListIterator<?> rr = invite.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) {
      routes.add((Address) ((RecordRouteHeader) rr.next()).getAddress().clone());
    }
    return new Leg(((CallIdHeader) invite.getHeader(CallIdHeader.NAME)).getCallId(),
        (Address) to.getAddress().clone(), localTag, (Address) from.getAddress().clone(), from.getTag(), target,
        List.copyOf(routes), transportOf(invite));
  }

  /** The forward leg after a 2xx (we are the UAC): route set = Record-Route of the response reversed (12.1.2). */
  Leg calleeLeg(Request invite, Response ok) {
    FromHeader from = (FromHeader) invite.getHeader(FromHeader.NAME);
    ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
    ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
    URI target = contact != null && contact.getAddress() != null && contact.getAddress().getURI() != null
        ? (URI) contact.getAddress().getURI().clone()
        : (URI) invite.getRequestURI().clone();
    List<Address> routes = new ArrayList<>();
    ListIterator<?> rr = ok.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) {
      routes.add((Address) ((RecordRouteHeader) rr.next()).getAddress().clone());
    }
    Collections.reverse(routes);
    return new Leg(((CallIdHeader) ok.getHeader(CallIdHeader.NAME)).getCallId(),
        (Address) from.getAddress().clone(), from.getTag(), (Address) to.getAddress().clone(), to.getTag(), target,
        List.copyOf(routes), settings.outboundTransport());
  }

  /**
   * A request inside a dialog leg (RFC 3261 section 12.2.1.1): Request-URI = remote target, Route = route set,
   * From = local (our tag), To = remote (its tag). Via is left to the client transaction (or {@link #addVia}).
   */
  Request inDialog(Leg leg, String method, long cseq) throws ParseException, InvalidArgumentException {
    URI target = (URI) leg.remoteTarget().clone();
    if (target instanceof SipURI && leg.routeSet().isEmpty() && "tcp".equals(leg.transport())
        && ((SipURI) target).getTransportParam() == null) {
      ((SipURI) target).setTransportParam("tcp");
    }
    CallIdHeader callId = headers.createCallIdHeader(leg.callId());
    CSeqHeader cs = headers.createCSeqHeader(cseq, method);
    FromHeader from = headers.createFromHeader((Address) leg.local().clone(), leg.localTag());
    ToHeader to = headers.createToHeader((Address) leg.remote().clone(), leg.remoteTag());
    MaxForwardsHeader mf = headers.createMaxForwardsHeader(70);
    Request r = messages.createRequest(target, method, callId, cs, from, to, new ArrayList<ViaHeader>(), mf);
    for (Address route : leg.routeSet()) {
      RouteHeader rh = headers.createRouteHeader((Address) route.clone());
      r.addHeader(rh);
    }
    return r;
  }

  /**
   * Handles a final response to an INVITE of ours that no transaction or call claims any more (a 2xx that crossed a
   * CANCEL after we gave the leg up, or a retransmission): ACK it, and for a 2xx also BYE it (RFC 5407 section 3.1.2;
   * RFC 3261 sections 13.2.2.4 and 17.1.1.3). Everything needed is in the response itself.
   */
  void strayFinalResponse(Response r) {
    try {
      FromHeader from = (FromHeader) r.getHeader(FromHeader.NAME);
      ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
      long cseq = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
      if (r.getStatusCode() < 300) {
        ContactHeader contact = (ContactHeader) r.getHeader(ContactHeader.NAME);
        URI target = contact != null ? contact.getAddress().getURI() : to.getAddress().getURI();
        List<Address> routes = new ArrayList<>();
        ListIterator<?> rr = r.getHeaders(RecordRouteHeader.NAME);
        while (rr.hasNext()) {
          routes.add((Address) ((RecordRouteHeader) rr.next()).getAddress().clone());
        }
        Collections.reverse(routes);
        Leg leg = new Leg(((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId(), from.getAddress(),
            from.getTag(), to.getAddress(), to.getTag(), (URI) target.clone(), List.copyOf(routes),
            settings.outboundTransport());
        Request ack = inDialog(leg, Request.ACK, cseq);
        addVia(ack);
        provider.sendRequest(ack);
        Request bye = inDialog(leg, Request.BYE, cseq + 1);
        addVia(bye);
        javax.sip.ClientTransaction ct = provider.getNewClientTransaction(bye);
        ct.setApplicationData(SipGateway.AUXILIARY);
        ct.sendRequest();
      } else {
        // ACK of a non-2xx final: same branch as the INVITE (its Via), Request-URI as close as we know (To)
        URI target = (URI) to.getAddress().getURI().clone();
        Request ack = messages.createRequest(target, Request.ACK,
            (CallIdHeader) r.getHeader(CallIdHeader.NAME), headers.createCSeqHeader(cseq, Request.ACK),
            (FromHeader) from.clone(), (ToHeader) to.clone(), new ArrayList<ViaHeader>(),
            headers.createMaxForwardsHeader(70));
        ViaHeader via = (ViaHeader) ((ViaHeader) r.getHeader(ViaHeader.NAME)).clone();
        via.removeParameter("received");
        via.removeParameter("rport");
        ack.setHeader(via);
        provider.sendRequest(ack);
      }
    } catch (ParseException | InvalidArgumentException | SipException | RuntimeException e) {
      LOG.debug("could not answer a stray {} response: {}", r.getStatusCode(), e.toString());
    }
  }
}
