package io.hankyo.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

/** {@link CompletedRequests}: matching by method + branch + sent-by (RFC 3261 17.2.3), Timer J, the bound. */
class CompletedRequestsTest {
  private static final MessageFactoryImpl MESSAGES = new MessageFactoryImpl();
  private final AtomicLong clock = new AtomicLong();
  private final CompletedRequests completed = new CompletedRequests(3, clock::get);

  @Test
  void aRetransmissionGetsTheSameResponseUntilTimerJ() throws Exception {
    Request bye = request("BYE", "z9hG4bK-1", "127.0.0.1:5070");
    Response ok = MESSAGES.createResponse(200, bye);
    completed.remember(bye, ok);
    String sent = completed.responseTo(request("BYE", "z9hG4bK-1", "127.0.0.1:5070")).orElseThrow();
    assertEquals(200, MESSAGES.createResponse(sent).getStatusCode());
    clock.addAndGet(CompletedRequests.TIMER_J_NANOS - 1);
    assertTrue(completed.responseTo(bye).isPresent(), "still within Timer J");
    clock.addAndGet(1);
    assertTrue(completed.responseTo(bye).isEmpty(), "Timer J has fired");
    assertEquals(0, completed.size());
  }

  @Test
  void onlyTheSameTransactionMatches() throws Exception {
    Request bye = request("BYE", "z9hG4bK-2", "127.0.0.1:5070");
    completed.remember(bye, MESSAGES.createResponse(200, bye));
    assertTrue(completed.responseTo(request("BYE", "z9hG4bK-3", "127.0.0.1:5070")).isEmpty(), "other branch");
    assertTrue(completed.responseTo(request("BYE", "z9hG4bK-2", "127.0.0.1:5071")).isEmpty(), "other sent-by");
    assertTrue(completed.responseTo(request("CANCEL", "z9hG4bK-2", "127.0.0.1:5070")).isEmpty(), "other method");
  }

  @Test
  void provisionalResponsesPreRfc3261BranchesAndTheBoundAreNotKept() throws Exception {
    Request old = request("BYE", "1234", "127.0.0.1:5070"); // RFC 2543 branch: no reliable transaction key
    completed.remember(old, MESSAGES.createResponse(200, old));
    Request options = request("OPTIONS", "z9hG4bK-4", "127.0.0.1:5070");
    completed.remember(options, MESSAGES.createResponse(100, options));
    assertEquals(0, completed.size());
    for (int i = 0; i < 5; i++) {
      Request r = request("BYE", "z9hG4bK-b" + i, "127.0.0.1:5070");
      completed.remember(r, MESSAGES.createResponse(200, r));
    }
    assertEquals(3, completed.size(), "at most maxEntries");
  }

  private static Request request(String method, String branch, String sentBy) throws Exception {
    return MESSAGES.createRequest(method + " sip:gw@127.0.0.1:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + sentBy + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\n"
        + "Call-ID: c1@127.0.0.1\r\nCSeq: 2 " + method + "\r\nContent-Length: 0\r\n\r\n");
  }
}
