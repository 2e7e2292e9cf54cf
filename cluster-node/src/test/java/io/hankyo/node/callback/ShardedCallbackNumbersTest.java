package io.hankyo.node.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.CallbackBackend;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.directory.NumberRoutes;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Callback numbers over real sharding (single-node cluster, in-memory journal): the pool API backend, leasing,
 * routing of a leased number through {@link NumberRoutes#withCallbacks}, release (issue 4, callback tracking).
 */
class ShardedCallbackNumbersTest {
  private static final Duration ASK = Duration.ofSeconds(5);
  private static ActorTestKit testKit;
  private static ClusterSharding sharding;
  private static CallerNumberCipher cipher;

  @BeforeAll
  static void startCluster() throws Exception {
    testKit = DirectoryTestConfig.singleNodeCluster("ShardedCallbackNumbersTest", DirectoryTestConfig.cluster());
    sharding = ClusterSharding.get(testKit.system());
    cipher = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  private static String key() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aLeasedNumberRoutesToTheCallerUntilReleasedAndPoolsAreExclusive() throws Exception {
    PhoneNumber tracking = PhoneNumbers.parse("0120-700-001");
    PhoneNumber n1 = PhoneNumbers.parse("050-7000-0001");
    PhoneNumber n2 = PhoneNumbers.parse("050-7000-0002");
    CallbackBackend pools = new ClusterCallbackBackend(sharding, ASK); // registers the entity types
    StatusReply<TrackingNumber.Details> assigned = await(sharding.entityRefFor(TrackingNumber.ENTITY_KEY,
            tracking.e164())
        .ask(r -> new TrackingNumber.Assign("op-a", "shop", "Shop", "top", "Top", tracking,
            PhoneNumbers.parse("03-1234-5678"), r), ASK));
    assertTrue(assigned.isSuccess());
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(pools.putPool("op-a", List.of(tracking), 3600)));
    assertEquals(409, ((ApiProblem) refused.getCause()).status());
    assertEquals(List.of(n1, n2), await(pools.putPool("op-a", List.of(n1, n2), 3600)).numbers());
    ExecutionException taken = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(pools.putPool("op-b", List.of(n2), 3600)));
    assertEquals(409, ((ApiProblem) taken.getCause()).status());

    CallbackNumbers callbacks = new ShardedCallbackNumbers(sharding, ASK, Clock.systemUTC());
    NumberRoutes routes = new NumberRoutes(testKit.system(), sharding, ASK).withCallbacks(callbacks, cipher);
    assertEquals(Optional.empty(), await(routes.lookup(n1.e164())), "not leased yet: no route");
    LeaseResult.Leased leased = assertInstanceOf(LeaseResult.Leased.class,
        await(callbacks.lease("op-a", "trn-1", "shop", "top", cipher.encrypt("+819011112222"))));
    assertEquals(n1, leased.number());
    assertEquals(leased, await(callbacks.lease("op-a", "trn-1", "shop", "top", cipher.encrypt("+819011112222"))));
    assertInstanceOf(LeaseResult.NoCaller.class, await(callbacks.lease("op-a", "trn-2", "shop", "top", null)));

    NumberRoute route = await(routes.lookup(n1.e164())).orElseThrow();
    assertEquals("+819011112222", route.forwardTo().e164());
    assertEquals("trn-1", route.callbackOf());
    assertEquals("shop", route.clientId());
    assertEquals(null, await(routes.lookup(tracking.e164())).orElseThrow().callbackOf(), "tracking numbers first");
    assertEquals(1, await(pools.getPool("op-a")).leased());

    assertEquals(Optional.of(n1), await(callbacks.release("op-a", "trn-1")));
    assertEquals(Optional.empty(), await(routes.lookup(n1.e164())), "released: no route");
    assertEquals(Optional.empty(), await(callbacks.activeLease(n1.e164())));

    // a number taken out of the pool is free for another operator
    await(pools.putPool("op-a", List.of(n1), 3600));
    assertEquals(List.of(n2), await(pools.putPool("op-b", List.of(n2), 3600)).numbers());
  }

  /**
   * The documented maximum of 1000 numbers is stored on the first PUT (the newcomer trial saw 503 and nothing stored),
   * every number is claimed (another operator is refused one), and a smaller PUT unclaims the rest.
   */
  @Test
  void aThousandNumberPoolIsStoredOnTheFirstPut() throws Exception {
    CallbackBackend pools = new ClusterCallbackBackend(sharding, ASK);
    List<PhoneNumber> numbers = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      numbers.add(PhoneNumbers.parse(String.format("050-7100-%04d", i)));
    }
    CallbackBackend.Pool pool = pools.putPool("op-k", numbers, 3600).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(numbers, pool.numbers());
    assertEquals(numbers, await(pools.getPool("op-k")).numbers());
    ExecutionException taken = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(pools.putPool("op-l", List.of(numbers.get(999)), 3600)));
    assertEquals(409, ((ApiProblem) taken.getCause()).status());
    pools.putPool("op-k", numbers.subList(0, 1), 3600).toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(List.of(numbers.get(999)), await(pools.putPool("op-l", List.of(numbers.get(999)), 3600)).numbers());
  }
}
