package io.hankyo.node.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF guard of webhook receivers (issue 4, finding "webhook URLs may point at the node's own ports"): which
 * addresses a webhook may not be sent to unless {@code hankyo.notify.webhook-allow-private = on}.
 *
 * <p>Refused: loopback (127.0.0.0/8, ::1), link-local (169.254.0.0/16, fe80::/10), site-local/private (RFC 1918
 * 10/8, 172.16/12, 192.168/16; RFC 4193 fc00::/7; the deprecated site-local fec0::/10), multicast (224/4, ff00::/8),
 * any-local / "this network" (0.0.0.0/8, ::), and the same ranges written as IPv4-mapped (::ffff:a.b.c.d, RFC 4291
 * 2.5.5.2) or IPv4-compatible (::a.b.c.d) IPv6 addresses. Plain class, no state.
 */
public final class WebhookAddressGuard {
  /** The setting that lifts the guard (cluster-node {@code application.conf}). */
  public static final String SETTING = "hankyo.notify.webhook-allow-private";

  private WebhookAddressGuard() {}

  /**
   * Why an address may not receive a webhook.
   *
   * @return e.g. {@code "127.0.0.1 is a loopback address"}, or empty for a public address
   */
  public static Optional<String> problem(InetAddress address) {
    String kind = kind(address);
    return kind == null ? Optional.empty()
        : Optional.of(address.getHostAddress() + " is " + kind);
  }

  /**
   * The refusal written to the delivery log for {@code address}: "refused: 127.0.0.1 is a loopback address; set
   * hankyo.notify.webhook-allow-private = on to allow private receivers", or empty for a public address.
   */
  public static Optional<String> refusal(InetAddress address) {
    return problem(address).map(p -> "refused: " + p + "; set " + SETTING + " = on to allow private receivers");
  }

  /**
   * Resolves {@code host} (blocking DNS) and checks every address it has (the HTTP client may connect to any of
   * them).
   *
   * @return the refusal for the first forbidden address, or empty when all are public
   * @throws UnknownHostException when the name does not resolve
   */
  public static Optional<String> checkHost(String host) throws UnknownHostException {
    for (InetAddress a : InetAddress.getAllByName(host)) {
      Optional<String> r = refusal(a);
      if (r.isPresent()) {
        return r;
      }
    }
    return Optional.empty();
  }

  /**
   * The PUT-time check without DNS: a host that is {@code localhost} (or a name under {@code .localhost}, RFC 6761
   * 6.3) or an IP literal in a forbidden range.
   *
   * @param host the URL's host as {@link java.net.URI#getHost()} gives it (IPv6 literals may keep their brackets)
   * @return why the host is refused, e.g. {@code "127.0.0.1 is a loopback address"}; empty for a host name (checked
   *     again at send time) or a public literal
   */
  public static Optional<String> literalProblem(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals("localhost") || h.endsWith(".localhost")) {
      return Optional.of(host + " is a loopback address");
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    boolean literal = h.contains(":") || h.matches("[0-9.]+");
    if (!literal) {
      return Optional.empty();
    }
    try {
      return problem(InetAddress.getByName(h)); // a literal: parsed, no DNS
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  /** The forbidden kind of {@code a} ("a loopback address"...), or null when it is public. */
  static String kind(InetAddress a) {
    if (a instanceof Inet6Address v6) {
      byte[] b = v6.getAddress();
      boolean zero10 = true;
      for (int i = 0; i < 10; i++) {
        zero10 &= b[i] == 0;
      }
      boolean mapped = zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      boolean compatible = zero10 && b[10] == 0 && b[11] == 0
          && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1)); // not :: or ::1
      if (mapped || compatible) {
        try {
          InetAddress v4 = InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
          String k = kind(v4);
          return k == null ? null : k + " (IPv4-mapped)";
        } catch (UnknownHostException e) {
          throw new IllegalStateException(e); // 4 bytes are always an IPv4 address
        }
      }
      if ((b[0] & 0xfe) == 0xfc) {
        return "a private address (RFC 4193 unique local)";
      }
    }
    if (a.isAnyLocalAddress() || (a instanceof Inet4Address && a.getAddress()[0] == 0)) {
      return "an any-local address";
    }
    if (a.isLoopbackAddress()) {
      return "a loopback address";
    }
    if (a.isLinkLocalAddress()) {
      return "a link-local address";
    }
    if (a.isSiteLocalAddress()) {
      return "a private address";
    }
    if (a.isMulticastAddress()) {
      return "a multicast address";
    }
    return null;
  }
}
