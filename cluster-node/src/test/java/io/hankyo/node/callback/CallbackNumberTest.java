package io.hankyo.node.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One callback number (issue 4): owned by one operator's pool, holding the lease routing reads. */
class CallbackNumberTest {
  private static final PhoneNumber N = PhoneNumbers.parse("050-1111-2222");
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<CallbackNumber.Command, CallbackNumber.Event, CallbackNumber.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("CallbackNumberTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), CallbackNumber.create(N.e164()));
    kit.clear();
  }

  private StatusReply<Done> claim(String op) {
    return kit.<StatusReply<Done>>runCommand(r -> new CallbackNumber.Claim(op, r)).reply();
  }

  private static CallbackLease lease(String trnId) {
    return new CallbackLease(N, "op-1", trnId, "shop-1", "top", new EncryptedValue("k1", "AAAA"), T0,
        T0.plusSeconds(3600));
  }

  private Optional<CallbackLease> current() {
    return kit.<CallbackNumber.Current>runCommand(CallbackNumber.GetLease::new).reply().lease();
  }

  @Test
  void onlyOneOperatorsPoolMayHaveTheNumber() {
    assertTrue(claim("op-1").isSuccess());
    assertTrue(claim("op-1").isSuccess(), "claiming again is fine");
    assertTrue(claim("op-2").isError());
    kit.<Done>runCommand(r -> new CallbackNumber.Unclaim("op-2", r)); // not the owner: no effect
    assertTrue(claim("op-2").isError());
    kit.<Done>runCommand(r -> new CallbackNumber.Unclaim("op-1", r));
    assertTrue(claim("op-2").isSuccess());
  }

  @Test
  void theOwnerIsReadForTheTrackingNumberCheck() {
    assertEquals(Optional.empty(), owner());
    assertTrue(claim("op-1").isSuccess());
    kit.restart();
    assertEquals(Optional.of("op-1"), owner());
    kit.<Done>runCommand(r -> new CallbackNumber.Unclaim("op-1", r));
    assertEquals(Optional.empty(), owner());
  }

  private Optional<String> owner() {
    var result = kit.<CallbackNumber.Owner>runCommand(CallbackNumber.GetOwner::new);
    assertTrue(result.hasNoEvents(), "a read");
    return result.reply().operatorId();
  }

  @Test
  void theLeaseIsRecordedReplacedAndClearedAndSurvivesRecovery() {
    assertEquals(Optional.empty(), current());
    kit.<Done>runCommand(r -> new CallbackNumber.Assign(lease("trn-1"), r));
    assertTrue(kit.<Done>runCommand(r -> new CallbackNumber.Assign(lease("trn-1"), r)).hasNoEvents(), "idempotent");
    kit.<Done>runCommand(r -> new CallbackNumber.Assign(lease("trn-2"), r));
    kit.<Done>runCommand(r -> new CallbackNumber.Clear("trn-1", r)); // not the current lease: no effect
    kit.restart();
    assertEquals("trn-2", current().orElseThrow().origTrnId());
    kit.<Done>runCommand(r -> new CallbackNumber.Clear("trn-2", r));
    assertEquals(Optional.empty(), current());
  }
}
