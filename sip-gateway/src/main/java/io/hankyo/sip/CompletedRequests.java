package io.hankyo.sip;

import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The Completed state of the non-INVITE server transactions that the gateway answers statelessly over UDP
 * ({@link SipKit#reply}): for Timer J (64·T1 = 32 s, RFC 3261 section 17.2.2) it keeps the text of each final
 * response, so that a retransmission of the request (the caller did not get the response) is answered with the same
 * response again instead of reaching the call logic a second time (where a BYE of a call that has just ended would
 * get 481).
 *
 * <p>Requests are matched as RFC 3261 section 17.2.3 matches them to a server transaction: the topmost Via's branch
 * (only RFC 3261 branches, starting with {@code z9hG4bK}) and sent-by, and the method. Only the response text is kept
 * (about 400 bytes per request), not JAIN-SIP objects; at most {@code maxEntries} at a time (beyond that a
 * retransmission is handled like a new request, as before). Thread-safe.
 */
final class CompletedRequests {
  /** Timer J for UDP: 64·T1 with T1 = 500 ms (RFC 3261 section 17.2.2 and table 4). */
  static final long TIMER_J_NANOS = 32_000_000_000L;

  private final ConcurrentHashMap<String, String> responses = new ConcurrentHashMap<>();
  private final ArrayDeque<Expiry> expiries = new ArrayDeque<>();
  private final int maxEntries;
  private final LongSupplier nanoClock;

  private record Expiry(String key, long at) {}

  CompletedRequests(int maxEntries) {
    this(maxEntries, System::nanoTime);
  }

  CompletedRequests(int maxEntries, LongSupplier nanoClock) {
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
  }

  /** Keeps {@code response} (final) to {@code request} (non-INVITE, over UDP) for Timer J. */
  void remember(Request request, Response response) {
    String key = key(request);
    if (key == null || response.getStatusCode() < 200) {
      return;
    }
    long now = nanoClock.getAsLong();
    synchronized (expiries) {
      expireUntil(now);
      if (responses.size() >= maxEntries) {
        return;
      }
      if (responses.put(key, response.toString()) == null) {
        expiries.addLast(new Expiry(key, now + TIMER_J_NANOS));
      }
    }
  }

  /** The text of the final response already sent to this request, while its Timer J runs. */
  Optional<String> responseTo(Request request) {
    String key = key(request);
    if (key == null || responses.isEmpty()) {
      return Optional.empty();
    }
    synchronized (expiries) {
      expireUntil(nanoClock.getAsLong());
    }
    return Optional.ofNullable(responses.get(key));
  }

  /** Requests whose response is kept. */
  int size() {
    return responses.size();
  }

  private void expireUntil(long now) {
    Expiry head;
    while ((head = expiries.peekFirst()) != null && now - head.at() >= 0) {
      expiries.removeFirst();
      responses.remove(head.key());
    }
  }

  private static String key(Request request) {
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    if (via == null) {
      return null;
    }
    String branch = via.getBranch();
    if (branch == null || !branch.startsWith("z9hG4bK")) {
      return null;
    }
    return request.getMethod() + ' ' + branch + ' ' + via.getHost() + ':' + via.getPort();
  }
}
