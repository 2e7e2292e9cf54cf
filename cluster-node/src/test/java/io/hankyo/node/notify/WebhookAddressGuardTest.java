package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link WebhookAddressGuard}: which receiver addresses the SSRF guard refuses (issue 4). */
class WebhookAddressGuardTest {
  private static String kind(String literal) throws Exception {
    return WebhookAddressGuard.kind(InetAddress.getByName(literal)); // literals: parsed, no DNS
  }

  @Test
  void ipv4Ranges() throws Exception {
    assertEquals("a loopback address", kind("127.0.0.1"));
    assertEquals("a loopback address", kind("127.255.0.9"));
    assertEquals("a link-local address", kind("169.254.169.254"));
    assertEquals("a private address", kind("10.1.2.3"));
    assertEquals("a private address", kind("172.16.0.1"));
    assertEquals("a private address", kind("172.31.255.255"));
    assertEquals("a private address", kind("192.168.0.10"));
    assertEquals("a multicast address", kind("224.0.0.1"));
    assertEquals("an any-local address", kind("0.0.0.0"));
    assertEquals("an any-local address", kind("0.1.2.3"));
    assertEquals(null, kind("172.32.0.1"));
    assertEquals(null, kind("8.8.8.8"));
    assertEquals(null, kind("203.0.113.7"));
  }

  @Test
  void ipv6RangesAndMappedForms() throws Exception {
    assertEquals("a loopback address", kind("::1"));
    assertEquals("an any-local address", kind("::"));
    assertEquals("a link-local address", kind("fe80::1"));
    assertEquals("a private address (RFC 4193 unique local)", kind("fc00::1"));
    assertEquals("a private address (RFC 4193 unique local)", kind("fd12:3456::1"));
    assertEquals("a private address", kind("fec0::1"));
    assertEquals("a multicast address", kind("ff02::1"));
    assertEquals("a loopback address", kind("::ffff:127.0.0.1"));
    assertEquals("a private address", kind("::ffff:10.0.0.1"));
    assertEquals("a private address (IPv4-mapped)", kind("::10.0.0.1"));
    assertEquals("a link-local address (IPv4-mapped)", kind("::169.254.1.1"));
    assertEquals(null, kind("::ffff:8.8.8.8"));
    assertEquals(null, kind("2001:db8::1"));
    assertEquals(null, kind("2606:4700::1111"));
  }

  @Test
  void refusalNamesTheAddressAndTheSetting() throws Exception {
    assertEquals(Optional.of("refused: 127.0.0.1 is a loopback address; set hankyo.notify.webhook-allow-private = on "
        + "to allow private receivers"), WebhookAddressGuard.refusal(InetAddress.getByName("127.0.0.1")));
    assertEquals(Optional.empty(), WebhookAddressGuard.refusal(InetAddress.getByName("93.184.216.34")));
  }

  @Test
  void hostNamesAreCheckedByWhatTheyResolveTo() throws Exception {
    Optional<String> r = WebhookAddressGuard.checkHost("localhost");
    assertTrue(r.isPresent() && r.get().contains("is a loopback address"), r.toString());
    assertTrue(WebhookAddressGuard.checkHost("10.9.8.7").get().contains("10.9.8.7 is a private address"));
    assertEquals(Optional.empty(), WebhookAddressGuard.checkHost("198.51.100.1"));
  }

  @Test
  void putTimeCheckSeesLiteralsAndLocalhostOnly() {
    assertEquals(Optional.of("localhost is a loopback address"), WebhookAddressGuard.literalProblem("localhost"));
    assertEquals(Optional.of("LocalHost. is a loopback address"), WebhookAddressGuard.literalProblem("LocalHost."));
    assertEquals(Optional.of("a.localhost is a loopback address"), WebhookAddressGuard.literalProblem("a.localhost"));
    assertEquals(Optional.of("127.0.0.1 is a loopback address"), WebhookAddressGuard.literalProblem("127.0.0.1"));
    assertEquals(Optional.of("0:0:0:0:0:0:0:1 is a loopback address"), WebhookAddressGuard.literalProblem("[::1]"));
    assertEquals(Optional.of("192.168.1.1 is a private address"),
        WebhookAddressGuard.literalProblem("[::ffff:192.168.1.1]"));
    assertEquals(Optional.empty(), WebhookAddressGuard.literalProblem("hooks.example.jp"));
    assertEquals(Optional.empty(), WebhookAddressGuard.literalProblem("203.0.113.9"));
    assertEquals(Optional.empty(), WebhookAddressGuard.literalProblem(null));
  }
}
