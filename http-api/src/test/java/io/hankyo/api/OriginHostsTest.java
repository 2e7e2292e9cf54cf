package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolApi#origin} and {@link OriginHosts}: IPv6 hosts in the RFC 5952 canonical form a browser's {@code Origin}
 * header has, numeric hosts only as canonical dotted quads.
 */
class OriginHostsTest {

  @Test
  void ipv6HostsAreWrittenInTheCanonicalFormOfRfc5952() {
    Map<String, String> cases = Map.ofEntries(
        Map.entry("http://[0:0::1]:8080", "http://[::1]:8080"),
        Map.entry("http://[0:0:0:0:0:0:0:1]", "http://[::1]"),
        Map.entry("http://[::1]:8080", "http://[::1]:8080"),
        Map.entry("http://[::]", "http://[::]"),
        Map.entry("https://[2001:DB8:0000:0000:0001:0000:0000:0001]:443", "https://[2001:db8::1:0:0:1]"),
        Map.entry("http://[2001:db8:0:0:1:0:0:0]", "http://[2001:db8:0:0:1::]"),
        Map.entry("http://[2001:0db8:0:1:1:1:1:1]", "http://[2001:db8:0:1:1:1:1:1]"),
        Map.entry("http://[1::2:3:4:5:6:7]", "http://[1:0:2:3:4:5:6:7]"),
        Map.entry("http://[1:0::]", "http://[1::]"),
        Map.entry("http://[::ffff:192.0.2.1]", "http://[::ffff:c000:201]"),
        Map.entry("http://[fe80::0:0:1]:1", "http://[fe80::1]:1"));
    cases.forEach((in, out) -> assertEquals(out, PoolApi.origin(in), in));
    for (String bad : new String[] {"http://[1:::2]", "http://[1::2::3]", "http://[:1::2]", "http://[1::2:]",
        "http://[1:2:3:4:5:6:7]", "http://[1:2:3:4:5:6:7:8:9]", "http://[1:2:3:4:5:6:7::8]", "http://[12345::1]",
        "http://[::1.2.3.256]", "http://[::01.2.3.4]", "http://[1.2.3.4::]", "http://[::1.2.3]", "http://[]",
        "http://[:]", "http://[.]"}) {
      assertNull(PoolApi.origin(bad), bad);
    }
  }

  @Test
  void aNumericHostMustBeACanonicalDottedQuad() {
    assertEquals("http://127.0.0.1:8080", PoolApi.origin("http://127.0.0.1:8080"));
    assertEquals("https://255.255.255.255", PoolApi.origin("https://255.255.255.255"));
    assertEquals("http://0.0.0.0", PoolApi.origin("http://0.0.0.0"));
    for (String bad : new String[] {"http://999.1.1.1", "http://1.1.1.256", "http://127.1", "http://1.2.3.4.5",
        "http://010.0.0.1", "http://0x7f.0.0.1", "http://shop.example.0x1", "http://shop.123", "http://4294967295"}) {
      assertNull(PoolApi.origin(bad), bad);
    }
    // a digit-only label that is not the last one is an ordinary DNS name
    assertEquals("https://123.shop.example", PoolApi.origin("https://123.shop.example"));
    assertEquals("https://1x.example", PoolApi.origin("https://1x.example"));
  }
}
