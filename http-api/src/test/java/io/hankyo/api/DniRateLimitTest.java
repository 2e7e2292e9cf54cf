package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token buckets, remembered sessions and client keys of {@link DniRateLimit}, on a driven clock. */
class DniRateLimitTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void aBucketGivesItsBurstThenOneTokenPerRefillIntervalAndSaysHowLongToWait() {
    AtomicLong now = new AtomicLong(5 * SECOND);
    DniRateLimit limit = new DniRateLimit(new DniRateLimit.Settings(true, 6, 2, List.of()), now::get);
    assertEquals(0, limit.take("a"));
    assertEquals(0, limit.take("a"));
    // 6 a minute: one token each 10 s
    assertEquals(10, limit.take("a"));
    assertEquals(0, limit.take("b"));
    now.addAndGet(4 * SECOND);
    assertEquals(6, limit.take("a"));
    now.addAndGet(6 * SECOND);
    assertEquals(0, limit.take("a"));
    assertEquals(10, limit.take("a"));
    // never more than the burst, however long it rested
    now.addAndGet(3600 * SECOND);
    assertEquals(0, limit.take("a"));
    assertEquals(0, limit.take("a"));
    assertTrue(limit.take("a") > 0);
  }

  @Test
  void aSessionHoldsItsNumberUntilItsHeldUntil() {
    DniRateLimit limit = new DniRateLimit(DniRateLimit.Settings.defaults());
    Instant t = Instant.parse("2026-11-30T00:00:00Z");
    assertFalse(limit.holds("pool-1", "s-1", t));
    limit.held("pool-1", "s-1", t.plusSeconds(1800));
    assertTrue(limit.holds("pool-1", "s-1", t.plusSeconds(1799)));
    assertFalse(limit.holds("pool-1", "s-1", t.plusSeconds(1800)));
    assertFalse(limit.holds("pool-2", "s-1", t));
  }

  @Test
  void theClientIsThePeerUnlessItIsATrustedProxyAndIpv6CountsPerSlash64() throws Exception {
    DniRateLimit plain = new DniRateLimit(DniRateLimit.Settings.defaults());
    InetAddress peer = InetAddress.getByName("192.0.2.7");
    assertEquals("192.0.2.7", plain.clientKey(peer, "198.51.100.1"));
    assertEquals("2001:db8:0:1:0:0:0:0/64", plain.clientKey(InetAddress.getByName("2001:db8:0:1::99"), null));
    assertEquals(plain.clientKey(InetAddress.getByName("2001:db8:0:1:aaaa::1"), null),
        plain.clientKey(InetAddress.getByName("2001:db8:0:1:bbbb::2"), null));

    DniRateLimit proxied = new DniRateLimit(new DniRateLimit.Settings(true, 120, 120,
        List.of("192.0.2.7", "10.0.0.1")));
    assertEquals("198.51.100.1", proxied.clientKey(peer, "203.0.113.5, 198.51.100.1"));
    // a chain of trusted proxies is walked back; a port or brackets are dropped
    assertEquals("198.51.100.1", proxied.clientKey(peer, "203.0.113.5, 198.51.100.1:4711,10.0.0.1"));
    assertEquals("2001:db8:0:0:0:0:0:0/64", proxied.clientKey(peer, "[2001:db8::5]:443"));
    // nothing usable: the proxy itself
    assertEquals("192.0.2.7", proxied.clientKey(peer, "unknown"));
    assertEquals("192.0.2.7", proxied.clientKey(peer, null));
    // only trusted proxies in it: the furthest of them (as far back as can be believed)
    assertEquals("10.0.0.1", proxied.clientKey(peer, "10.0.0.1"));
    // not from a trusted proxy: ignored
    assertEquals("192.0.2.8", proxied.clientKey(InetAddress.getByName("192.0.2.8"), "198.51.100.1"));
  }

  @Test
  void onlyIpLiteralsAreAddressesAndNothingIsLookedUp() {
    for (String bad : List.of("localhost", "example.com", "1.2.3.400", "1.2.3", "1:2:3", "::g", "", "999.1.1.1")) {
      assertNull(DniRateLimit.address(bad), bad);
    }
    assertEquals("192.0.2.1", DniRateLimit.address("192.0.2.1").getHostAddress());
    assertEquals("0:0:0:0:0:0:0:1", DniRateLimit.address("::1").getHostAddress());
  }

  @Test
  void settingsComeFromHankyoDniAndAreCheckedLikeTheRestOfTheConfiguration() {
    assertEquals(DniRateLimit.Settings.defaults(), DniRateLimit.Settings.fromConfig(ConfigFactory.load()));
    assertEquals(DniRateLimit.Settings.defaults(), DniRateLimit.Settings.fromConfig(ConfigFactory.empty()));
    assertEquals(new DniRateLimit.Settings(false, 30, 60, List.of("10.0.0.1", "::1")),
        DniRateLimit.Settings.fromConfig(ConfigFactory.parseString("hankyo.dni { rate-limit { enabled = false, "
            + "per-minute = 30, burst = 60 }, trusted-proxies = [\"10.0.0.1\", \"::1\"] }")));
    for (String bad : List.of("hankyo.dni.rate-limit.per-minute = 0", "hankyo.dni.rate-limit.burst = -1",
        "hankyo.dni.trusted-proxies = [proxy.example]")) {
      assertThrows(ConfigException.class, () -> HttpApiSettings.fromConfig(ConfigFactory.parseString(bad)), bad);
    }
  }
}
