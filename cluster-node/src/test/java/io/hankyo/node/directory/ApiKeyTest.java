package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ApiKeyTest {
  private static final String KEY_ID = ApiKey.idFor("hk_test-key-for-unit-tests");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<ApiKey.Command, ApiKey.Event, ApiKey.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("ApiKeyTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshEntity() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), ApiKey.create(KEY_ID));
    kit.clear();
  }

  private StatusReply<Done> register(String operatorId) {
    return kit.<StatusReply<Done>>runCommand(r -> new ApiKey.Register(operatorId, r)).reply();
  }

  private Optional<String> resolve() {
    var result = kit.<ApiKey.Resolution>runCommand(ApiKey.Resolve::new);
    assertTrue(result.hasNoEvents());
    return result.reply().operatorId();
  }

  @Test
  void idIsLowercaseSha256Hex() {
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKey.idFor("abc"));
  }

  @Test
  void entityRefusesAnIdThatIsNotAHash() {
    assertThrows(IllegalArgumentException.class, () -> ApiKey.create("hk_plain-text-key-1234"));
    assertThrows(IllegalArgumentException.class, () -> ApiKey.create(KEY_ID.toUpperCase()));
  }

  @Test
  void unknownKeyResolvesEmptyAndCannotBeRevoked() {
    assertEquals(Optional.empty(), resolve());
    var revoke = kit.<StatusReply<Done>>runCommand(ApiKey.Revoke::new);
    assertTrue(revoke.hasNoEvents());
    assertEquals("unknown API key", revoke.reply().getError().getMessage());
  }

  @Test
  void registerBindsTheKeyIdempotently() {
    var first = kit.<StatusReply<Done>>runCommand(r -> new ApiKey.Register("op-1", r));
    assertTrue(first.reply().isSuccess());
    assertEquals("op-1", first.eventOfType(ApiKey.KeyRegistered.class).operatorId());
    assertEquals(Optional.of("op-1"), resolve());

    var again = kit.<StatusReply<Done>>runCommand(r -> new ApiKey.Register("op-1", r));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());
  }

  @Test
  void registerForAnotherOperatorIsRejected() {
    register("op-1");
    var other = kit.<StatusReply<Done>>runCommand(r -> new ApiKey.Register("op-2", r));
    assertTrue(other.hasNoEvents());
    assertEquals("this API key is already registered for another operator", other.reply().getError().getMessage());
    assertEquals(Optional.of("op-1"), resolve());
  }

  @Test
  void registerWithBlankOperatorIsRejected() {
    assertTrue(register(" ").isError());
    assertInstanceOf(ApiKey.Unregistered.class, kit.getState());
  }

  @Test
  void revokeStopsResolutionAndIsFinal() {
    register("op-1");
    var revoke = kit.<StatusReply<Done>>runCommand(ApiKey.Revoke::new);
    assertTrue(revoke.reply().isSuccess());
    revoke.eventOfType(ApiKey.KeyRevoked.class);
    assertEquals(Optional.empty(), resolve());

    var again = kit.<StatusReply<Done>>runCommand(ApiKey.Revoke::new);
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());

    StatusReply<Done> reRegister = register("op-1");
    assertTrue(reRegister.getError().getMessage().contains("revoked"));
    assertEquals(Optional.empty(), resolve());
  }

  @Test
  void recoveryRestoresTheSameState() {
    register("op-1");
    ApiKey.State registered = kit.getState();
    assertEquals(registered, kit.restart().state());
    kit.<StatusReply<Done>>runCommand(ApiKey.Revoke::new);
    ApiKey.State revoked = kit.getState();
    ApiKey.State after = kit.restart().state();
    assertEquals(revoked, after);
    assertEquals("op-1", ((ApiKey.Revoked) after).operatorId());
    assertEquals(Optional.empty(), resolve());
  }
}
