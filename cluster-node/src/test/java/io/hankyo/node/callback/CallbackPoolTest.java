package io.hankyo.node.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.testing.ManualClock;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The callback number pool (issue 4, callback tracking): leases, idempotence, an empty pool, expiry, withheld. */
class CallbackPoolTest {
  private static final PhoneNumber A = PhoneNumbers.parse("050-1111-2222");
  private static final PhoneNumber B = PhoneNumbers.parse("050-1111-3333");
  private static final EncryptedValue CALLER = new EncryptedValue("k1", "c2VjcmV0");
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static ActorTestKit testKit;
  private final ManualClock clock = new ManualClock(T0);
  private EventSourcedBehaviorTestKit<CallbackPool.Command, CallbackPool.Event, CallbackPool.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("CallbackPoolTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshPool() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CallbackPool.create("op-1", clock));
    kit.clear();
  }

  private StatusReply<CallbackPool.PoolView> configure(List<PhoneNumber> numbers, long holdSec) {
    return kit.<StatusReply<CallbackPool.PoolView>>runCommand(r -> new CallbackPool.Configure(numbers, holdSec, r))
        .reply();
  }

  private CallbackPool.Granted lease(String trnId, EncryptedValue caller) {
    return kit.<CallbackPool.Granted>runCommand(r -> new CallbackPool.Lease(trnId, "shop-1", "top", caller, r))
        .reply();
  }

  @Test
  void aMissedCallLeasesAFreeNumberForTheHoldPeriod() {
    assertTrue(configure(List.of(A, B), 3600).isSuccess());
    CallbackPool.Granted g = lease("trn-1", CALLER);
    LeaseResult.Leased leased = assertInstanceOf(LeaseResult.Leased.class, g.result());
    assertEquals(A, leased.number());
    assertEquals(T0.plusSeconds(3600), leased.until());
    assertEquals("trn-1", g.lease().origTrnId());
    assertEquals(CALLER, g.lease().callerCipher(), "the journal holds the cipher, never the number");
    assertEquals("shop-1", g.lease().clientId());
    assertEquals("op-1", g.lease().operatorId());
    assertEquals(1, kit.<CallbackPool.PoolView>runCommand(CallbackPool.Get::new).reply().leased());
  }

  @Test
  void theSameMissedCallGetsTheSameLeaseBackWithoutANewEvent() {
    configure(List.of(A, B), 3600);
    CallbackPool.Granted first = lease("trn-1", CALLER);
    clock.advance(Duration.ofMinutes(10));
    var again = kit.<CallbackPool.Granted>runCommand(r -> new CallbackPool.Lease("trn-1", "shop-1", "top", CALLER, r));
    assertTrue(again.hasNoEvents());
    assertEquals(first.result(), again.reply().result());
    assertEquals(B, ((LeaseResult.Leased) lease("trn-2", CALLER).result()).number(), "another call, another number");
  }

  @Test
  void anEmptyPoolSaysSoInsteadOfReusingAHeldNumber() {
    configure(List.of(A), 3600);
    lease("trn-1", CALLER);
    CallbackPool.Granted g = lease("trn-2", CALLER);
    assertInstanceOf(LeaseResult.PoolEmpty.class, g.result());
    assertNull(g.lease());
    freshPool();
    assertInstanceOf(LeaseResult.PoolEmpty.class, lease("trn-3", CALLER).result(), "no pool configured");
  }

  @Test
  void anExpiredLeaseReturnsItsNumberToThePoolAndTheOldestEndedIsReusedFirst() {
    configure(List.of(A, B), 3600);
    lease("trn-1", CALLER); // A until T0+1h
    clock.advance(Duration.ofMinutes(30));
    lease("trn-2", CALLER); // B until T0+1h30m
    assertInstanceOf(LeaseResult.PoolEmpty.class, lease("trn-3", CALLER).result());
    clock.set(T0.plusSeconds(3600)); // A's lease ends (exclusive), B still held
    LeaseResult.Leased reused = (LeaseResult.Leased) lease("trn-3", CALLER).result();
    assertEquals(A, reused.number());
    assertEquals(T0.plusSeconds(7200), reused.until());
    clock.set(T0.plusSeconds(10_000)); // both ended: A (ends T0+2h) vs B (ended T0+1h30m) → B, the older end
    assertEquals(B, ((LeaseResult.Leased) lease("trn-4", CALLER).result()).number());
    // the state survives recovery from the journal
    kit.restart();
    assertEquals(B, kit.getState().leases().get(B.e164()).number());
    assertEquals("trn-4", kit.getState().leases().get(B.e164()).origTrnId());
  }

  @Test
  void aWithheldCallerGetsNoLease() {
    configure(List.of(A), 3600);
    var result = kit.<CallbackPool.Granted>runCommand(r -> new CallbackPool.Lease("trn-1", "shop-1", "top", null, r));
    assertInstanceOf(LeaseResult.NoCaller.class, result.reply().result());
    assertTrue(result.hasNoEvents());
    assertInstanceOf(LeaseResult.Leased.class, lease("trn-2", CALLER).result(), "the number stayed free");
  }

  @Test
  void aReleasedNumberIsFreeAgain() {
    configure(List.of(A), 3600);
    lease("trn-1", CALLER);
    var rel = kit.<CallbackPool.Released>runCommand(r -> new CallbackPool.Release("trn-1", r)).reply();
    assertEquals(Optional.of(A), rel.number());
    LeaseResult.Leased next = (LeaseResult.Leased) lease("trn-2", CALLER).result();
    assertEquals(A, next.number());
    assertEquals(Optional.empty(),
        kit.<CallbackPool.Released>runCommand(r -> new CallbackPool.Release("nope", r)).reply().number());
  }

  @Test
  void holdAndNumbersAreValidated() {
    assertTrue(configure(List.of(A), 3599).isError());
    assertTrue(configure(List.of(A), 90L * 86400 + 1).isError());
    assertTrue(configure(List.of(A, A), 3600).isError());
    assertTrue(configure(List.of(A), 90L * 86400).isSuccess());
    assertNotEquals(0, kit.getState().numbers().size());
  }
}
