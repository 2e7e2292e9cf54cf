package io.hankyo.sip;

import java.util.ListIterator;
import java.util.Locale;
import java.util.OptionalInt;
import javax.sip.header.Header;
import javax.sip.message.Message;

/**
 * Reading the RFC 4028 headers of a request or response, and the arithmetic of section 10. Values are read from the
 * header text (JAIN-SIP parses {@code Session-Expires} and {@code Min-SE} into its own classes; the text is the same
 * either way), long and compact forms ({@code x} for Session-Expires, {@code k} for Supported).
 */
final class SessionTimers {
  private SessionTimers() {}

  /** The negotiated timer of one leg: {@code intervalSeconds} and whether the gateway is the refresher. */
  record Negotiated(int intervalSeconds, boolean weRefresh) {}

  /** The delta-seconds of Session-Expires (RFC 4028 section 4), when present and numeric. */
  static OptionalInt sessionExpires(Message m) {
    String v = value(m, "Session-Expires", "x");
    if (v == null) {
      return OptionalInt.empty();
    }
    String n = v.split(";", 2)[0].strip();
    try {
      return OptionalInt.of(Integer.parseInt(n));
    } catch (NumberFormatException e) {
      return OptionalInt.empty();
    }
  }

  /** The {@code refresher} parameter of Session-Expires ({@code uac} or {@code uas}, lower case), else null. */
  static String refresher(Message m) {
    String v = value(m, "Session-Expires", "x");
    if (v == null) {
      return null;
    }
    for (String p : v.split(";")) {
      String[] kv = p.strip().split("=", 2);
      if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("refresher")) {
        return kv[1].strip().toLowerCase(Locale.ROOT);
      }
    }
    return null;
  }

  /** Min-SE delta-seconds (RFC 4028 section 5), 0 when absent or not numeric. */
  static int minSe(Message m) {
    String v = value(m, "Min-SE", null);
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v.split(";", 2)[0].strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** Whether a Supported header lists the option tag {@code timer} (RFC 4028 section 3). */
  static boolean supportsTimer(Message m) {
    return lists(m, "Supported", "k", "timer");
  }

  /** Whether an Allow header lists {@code method} (RFC 3261 section 20.5). */
  static boolean allows(Message m, String method) {
    return lists(m, "Allow", null, method);
  }

  /**
   * When the non-refresher gives up waiting (RFC 4028 section 10): {@code interval - min(32 s, interval / 3)}.
   *
   * @param intervalSeconds the session interval, s
   * @return the wait, ms
   */
  static long expiryMillis(int intervalSeconds) {
    long interval = intervalSeconds * 1000L;
    return interval - Math.min(32_000L, interval / 3);
  }

  /** When the refresher refreshes: half the interval (RFC 4028 section 10), ms. */
  static long refreshMillis(int intervalSeconds) {
    return intervalSeconds * 500L;
  }

  /**
   * Our side as UAS of a request that may carry a session timer (the caller's INVITE, or a refresh re-INVITE/UPDATE
   * of either peer), RFC 4028 section 9: the interval is the request's Session-Expires lowered to ours but never
   * below the larger Min-SE (ours, the request's), or ours when the request has none; the refresher is the one the
   * request chose, else the requester when it supports timers ({@code uac}), else we ({@code uas}, also forced
   * when the requester does not support timers).
   */
  static Negotiated asUas(Message request, SipGatewaySettings.SessionTimer ours) {
    int floor = Math.max(ours.minSeSeconds(), minSe(request));
    OptionalInt asked = sessionExpires(request);
    int interval = asked.isPresent()
        ? Math.max(floor, Math.min(asked.getAsInt(), ours.sessionExpiresSeconds()))
        : Math.max(floor, ours.sessionExpiresSeconds());
    boolean supports = supportsTimer(request);
    String chosen = refresher(request);
    boolean weRefresh = !supports || "uas".equals(chosen);
    return new Negotiated(interval, weRefresh);
  }

  private static boolean lists(Message m, String name, String compact, String token) {
    for (String header : new String[] {name, compact}) {
      if (header == null) {
        continue;
      }
      ListIterator<?> it = m.getHeaders(header);
      while (it != null && it.hasNext()) {
        for (String t : text((Header) it.next()).split(",")) {
          if (t.strip().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static String value(Message m, String name, String compact) {
    Header h = m.getHeader(name);
    if (h == null && compact != null) {
      h = m.getHeader(compact);
    }
    return h == null ? null : text(h);
  }

  private static String text(Header h) {
    String s = h.toString().strip();
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(colon + 1).strip();
  }
}
