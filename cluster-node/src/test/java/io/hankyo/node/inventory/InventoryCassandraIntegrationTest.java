package io.hankyo.node.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.hankyo.api.ApiProblem;
import io.hankyo.api.InventoryBackend;
import io.hankyo.node.api.ClusterApiBackend;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.directory.Operator;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The number inventory (issue 5) on a single-node cluster with the real Cassandra journal: import with per-number
 * results, listing by state and range, and the link with static tracking numbers (only the owner may make an
 * inventory number a tracking number; deleting it cools the number down; numbers in no inventory work as before).
 */
class InventoryCassandraIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(10);
  private static ActorTestKit testKit;
  private static ActorSystem<Void> system;
  private static ClusterSharding sharding;
  private static ClusterInventoryBackend inventory;
  private static ClusterApiBackend api;

  @BeforeAll
  static void start() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("inventory");
    testKit = DirectoryTestConfig.singleNodeCluster("InventoryCassandraIntegrationTest",
        TestCassandra.persistenceConfig(keyspace).withFallback(DirectoryTestConfig.cluster())
            .withFallback(ConfigFactory.load()));
    system = testKit.system();
    sharding = ClusterSharding.get(system);
    inventory = new ClusterInventoryBackend(system, sharding, ASK, Duration.ofHours(1), Clock.systemUTC());
    CallerNumberCipher cipher = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
    api = new ClusterApiBackend(system, sharding, ASK, (op, from, to) -> Source.empty(), cipher)
        .withInventory(inventory);
    for (String op : List.of("op-a", "op-b")) {
      await(sharding.entityRefFor(Operator.ENTITY_KEY, op)
          .<Operator.CreateResult>askWithStatus(r -> new Operator.Create("Operator " + op, r), ASK));
    }
    await(api.createAdvertiser("op-a", "shop-a", "Shop A"));
    await(api.createAdvertiser("op-b", "shop-b", "Shop B"));
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private static String key() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static ApiProblem problem(int status, CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
    ApiProblem p = assertInstanceOf(ApiProblem.class, e.getCause(), "cause: " + e.getCause());
    assertEquals(status, p.status(), p.getMessage());
    return p;
  }

  private static Map<PhoneNumber, NumberRange> numbers(String... ns) {
    Map<PhoneNumber, NumberRange> m = new LinkedHashMap<>();
    for (String n : ns) {
      PhoneNumber p = PhoneNumbers.parse(n);
      m.put(p, NumberRange.of(p));
    }
    return m;
  }

  private static List<String> listed(String op, String state, NumberRange range) throws Exception {
    return await(inventory.list(op, state, range, null, 100)).entries().stream()
        .map(InventoryBackend.Entry::national).toList();
  }

  @Test
  void importListAssignAndCoolDown() throws Exception {
    PhoneNumber fwd = PhoneNumbers.parse("03-1234-5678");
    // a number that is a tracking number before any inventory: still works, and nobody else may import it
    PhoneNumber legacy = PhoneNumbers.parse("0120-999-001");
    assertNotNull(await(api.createNumber("op-b", "shop-b", "dn-legacy", legacy, "legacy", fwd)));

    Map<String, InventoryBackend.Result> first = await(inventory.importNumbers("op-a",
        numbers("0120-000-101", "0120-000-102", "050-2222-0001", "0120-999-001")));
    assertEquals(InventoryBackend.Outcome.IMPORTED, first.get("+81120000101").outcome());
    assertEquals(InventoryBackend.Outcome.IMPORTED, first.get("+815022220001").outcome());
    assertEquals(new InventoryBackend.Result(InventoryBackend.Outcome.ERROR, "a tracking number of another operator"),
        first.get("+81120999001"));
    assertEquals(new InventoryBackend.Result(InventoryBackend.Outcome.ERROR, "in another operator's inventory"),
        await(inventory.importNumbers("op-b", numbers("0120-000-101"))).get("+81120000101"));
    assertEquals(InventoryBackend.Outcome.ALREADY_OWNED,
        await(inventory.importNumbers("op-a", numbers("0120-000-101"))).get("+81120000101").outcome());

    assertEquals(List.of("0120-000-101", "0120-000-102"), listed("op-a", "available", NumberRange.R0120));
    assertEquals(List.of("0120-000-101", "0120-000-102", "050-2222-0001"), listed("op-a", null, null));
    assertEquals(List.of(), listed("op-b", null, null));
    InventoryBackend.Page page = await(inventory.list("op-a", null, null, null, 2));
    assertEquals("+81120000102", page.lastE164());
    assertEquals(List.of("050-2222-0001"), await(inventory.list("op-a", null, null, page.lastE164(), 2)).entries()
        .stream().map(InventoryBackend.Entry::national).toList());

    // only the owner may make an inventory number a tracking number
    PhoneNumber n101 = PhoneNumbers.parse("0120-000-101");
    ApiProblem foreign = problem(409, api.createNumber("op-b", "shop-b", "dn-x", n101, "x", fwd));
    assertEquals("0120-000-101 is in another operator's inventory", foreign.detail());
    assertFalse(await(api.isTrackingNumber(n101)), "nothing half-created");
    await(api.createNumber("op-a", "shop-a", "dn-1", n101, "top page", fwd));
    List<InventoryBackend.Entry> assigned = await(inventory.list("op-a", "assigned", null, null, 10)).entries();
    assertEquals(1, assigned.size());
    assertEquals("shop-a", assigned.get(0).clientId());
    assertEquals("dn-1", assigned.get(0).dialinId());
    problem(409, api.createNumber("op-a", "shop-a", "dn-2", n101, "again", fwd));
    assertEquals(List.of("0120-000-101"), listed("op-a", "assigned", null), "the first assignment stays");

    // deleting the tracking number cools the number down (1 h here), then it is available again
    await(api.deleteNumber("op-a", "shop-a", "dn-1"));
    List<InventoryBackend.Entry> cooling = await(inventory.list("op-a", "cooling_down", null, null, 10)).entries();
    assertEquals(List.of("0120-000-101"), cooling.stream().map(InventoryBackend.Entry::national).toList());
    assertNotNull(cooling.get(0).until());
    ApiProblem early = problem(409, api.createNumber("op-a", "shop-a", "dn-3", n101, "soon", fwd));
    assertTrue(early.detail().contains("is cooling_down until"), early.detail());

    // deleting the advertiser cools its inventory numbers down too
    PhoneNumber n102 = PhoneNumbers.parse("0120-000-102");
    await(api.createAdvertiser("op-a", "shop-gone", "Gone"));
    await(api.createNumber("op-a", "shop-gone", "dn-g", n102, "gone", fwd));
    assertEquals(List.of("0120-000-102"), listed("op-a", "assigned", null));
    await(api.deleteAdvertiser("op-a", "shop-gone"));
    assertEquals(List.of("0120-000-101", "0120-000-102"), listed("op-a", "cooling_down", null));

    // a number in no inventory still becomes a tracking number as before
    assertNotNull(await(api.createNumber("op-b", "shop-b", "dn-free", PhoneNumbers.parse("0120-999-002"), "f", fwd)));
    await(api.deleteNumber("op-b", "shop-b", "dn-free"));
  }

  @Test
  void aThousandNumbersAreImportedAndListedInPages() throws Exception {
    Map<PhoneNumber, NumberRange> many = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      PhoneNumber p = PhoneNumbers.parse(String.format("050-3000-%04d", i));
      many.put(p, NumberRange.R050);
    }
    long start = System.nanoTime();
    Map<String, InventoryBackend.Result> results = await(inventory.importNumbers("op-c", many));
    System.out.printf("imported 1000 numbers in %d ms%n", (System.nanoTime() - start) / 1_000_000);
    assertEquals(1000, results.values().stream()
        .filter(r -> r.outcome() == InventoryBackend.Outcome.IMPORTED).count(), results.toString());
    int listed = 0;
    String after = null;
    do {
      InventoryBackend.Page page = await(inventory.list("op-c", "available", NumberRange.R050, after, 300));
      listed += page.entries().size();
      after = page.lastE164();
    } while (after != null);
    assertEquals(1000, listed);
  }
}
