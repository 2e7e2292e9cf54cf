package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdvertiserTest {
  private static final String OP = "op-1";
  private static final String CLIENT = "shop-1";
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<Advertiser.Command, Advertiser.Event, Advertiser.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("AdvertiserTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshEntity() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Advertiser.create(Advertiser.entityId(OP, CLIENT)));
    kit.clear();
  }

  private CommandResultWithReply<Advertiser.Command, Advertiser.Event, Advertiser.State,
      StatusReply<Advertiser.Summary>> create(String name) {
    return kit.runCommand(r -> new Advertiser.Create(OP, CLIENT, name, r));
  }

  private CommandResultWithReply<Advertiser.Command, Advertiser.Event, Advertiser.State, StatusReply<Done>> reserve(
      String dialinId, String e164) {
    return kit.runCommand(r -> new Advertiser.ReserveNumber(dialinId, e164, r));
  }

  private StatusReply<Advertiser.Summary> get() {
    var result = kit.<StatusReply<Advertiser.Summary>>runCommand(Advertiser.Get::new);
    assertTrue(result.hasNoEvents());
    return result.reply();
  }

  @Test
  void entityIdJoinsOperatorAndClient() {
    assertEquals("op-1/shop-1", Advertiser.entityId("op-1", "shop-1"));
    assertEquals("op-1/a/b", Advertiser.entityId("op-1", "a/b"));
    assertThrows(IllegalArgumentException.class, () -> Advertiser.entityId("op/1", "x"));
    assertThrows(IllegalArgumentException.class, () -> Advertiser.entityId("op-1", " "));
    assertThrows(IllegalArgumentException.class, () -> Advertiser.create("no-separator"));
  }

  @Test
  void createPersistsAndReplies() {
    var result = create("Shop One");
    Advertiser.Summary s = result.reply().getValue();
    assertEquals(OP, s.operatorId());
    assertEquals(CLIENT, s.clientId());
    assertEquals("Shop One", s.clientName());
    assertEquals(Map.of(), s.numbers());
    assertEquals(s.createdAt(), s.updatedAt());
    assertEquals("Shop One", result.eventOfType(Advertiser.AdvertiserCreated.class).clientName());
    assertEquals(0, s.toView().numberCount());
    assertEquals(s, get().getValue());
  }

  @Test
  void createRejections() {
    assertEquals("client_name must not be blank", create(" ").reply().getError().getMessage());
    var wrongEntity = kit.<StatusReply<Advertiser.Summary>>runCommand(
        r -> new Advertiser.Create("op-2", CLIENT, "Other", r));
    assertTrue(wrongEntity.reply().getError().getMessage().contains("was sent to advertiser entity"));
    assertTrue(wrongEntity.hasNoEvents());
    assertInstanceOf(Advertiser.Absent.class, kit.getState());

    create("Shop One");
    var taken = create("Shop One");
    assertTrue(taken.hasNoEvents());
    assertEquals("client_id 'shop-1' is already taken", taken.reply().getError().getMessage());
  }

  @Test
  void absentAdvertiserIsNotFound() {
    assertEquals("advertiser 'shop-1' not found", get().getError().getMessage());
    assertTrue(kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("x", r)).reply().isError());
    assertTrue(kit.<StatusReply<Advertiser.Removed>>runCommand(Advertiser.Delete::new).reply().isError());
    assertTrue(reserve("d1", "+81120123456").reply().isError());
    var unreserve = kit.<StatusReply<Done>>runCommand(r -> new Advertiser.UnreserveNumber("d1", r));
    assertTrue(unreserve.reply().isSuccess());
    assertTrue(unreserve.hasNoEvents());
    assertInstanceOf(Advertiser.Absent.class, kit.getState());
  }

  @Test
  void renameChangesTheNameOnlyWhenItDiffers() {
    create("Shop One");
    var renamed = kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("Shop Uno", r));
    assertEquals("Shop Uno", renamed.reply().getValue().clientName());
    assertEquals("Shop Uno", renamed.eventOfType(Advertiser.AdvertiserRenamed.class).clientName());
    var same = kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("Shop Uno", r));
    assertTrue(same.hasNoEvents());
    assertEquals("Shop Uno", same.reply().getValue().clientName());
    var blank = kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("", r));
    assertTrue(blank.reply().isError());
    assertTrue(blank.hasNoEvents());
  }

  @Test
  void reserveAndUnreserveNumbers() {
    create("Shop One");
    var reserved = reserve("d1", "+81120123456");
    assertTrue(reserved.reply().isSuccess());
    assertEquals("+81120123456", reserved.eventOfType(Advertiser.NumberReserved.class).e164());

    var taken = reserve("d1", "+815012345678");
    assertTrue(taken.hasNoEvents());
    assertEquals("dialin_id 'd1' is already taken in advertiser 'shop-1'", taken.reply().getError().getMessage());
    var takenSameNumber = reserve("d1", "+81120123456");
    assertTrue(takenSameNumber.reply().isError());
    assertTrue(reserve(" ", "+81120123456").reply().isError());
    assertTrue(reserve("d2", "0120123456").reply().isError());

    reserve("d2", "+815012345678");
    assertEquals(Map.of("d1", "+81120123456", "d2", "+815012345678"), get().getValue().numbers());
    assertEquals(2, get().getValue().toView().numberCount());

    var unreserved = kit.<StatusReply<Done>>runCommand(r -> new Advertiser.UnreserveNumber("d1", r));
    assertEquals("d1", unreserved.eventOfType(Advertiser.NumberUnreserved.class).dialinId());
    var again = kit.<StatusReply<Done>>runCommand(r -> new Advertiser.UnreserveNumber("d1", r));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());
    assertEquals(Map.of("d2", "+815012345678"), get().getValue().numbers());
  }

  @Test
  void deleteRepliesTheNumbersAndAllowsRecreation() {
    create("Shop One");
    reserve("d1", "+81120123456");
    var deleted = kit.<StatusReply<Advertiser.Removed>>runCommand(Advertiser.Delete::new);
    assertEquals(Map.of("d1", "+81120123456"), deleted.reply().getValue().numbers());
    deleted.eventOfType(Advertiser.AdvertiserDeleted.class);
    assertInstanceOf(Advertiser.Deleted.class, deleted.state());

    assertTrue(get().isError());
    var deleteAgain = kit.<StatusReply<Advertiser.Removed>>runCommand(Advertiser.Delete::new);
    assertTrue(deleteAgain.hasNoEvents());
    assertEquals("advertiser 'shop-1' not found", deleteAgain.reply().getError().getMessage());
    assertTrue(kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("x", r)).reply().isError());
    assertTrue(reserve("d2", "+81120123456").reply().isError());
    assertTrue(kit.<StatusReply<Done>>runCommand(r -> new Advertiser.UnreserveNumber("d1", r)).reply().isSuccess());

    var recreated = create("Shop Again");
    assertEquals("Shop Again", recreated.reply().getValue().clientName());
    assertEquals(Map.of(), recreated.reply().getValue().numbers());
  }

  @Test
  void repliesAreImmutable() {
    create("Shop One");
    reserve("d1", "+81120123456");
    Map<String, String> numbers = get().getValue().numbers();
    assertThrows(UnsupportedOperationException.class, () -> numbers.put("x", "+81120000000"));
  }

  @Test
  void recoveryRestoresTheSameState() {
    create("Shop One");
    reserve("d1", "+81120123456");
    reserve("d2", "+815012345678");
    kit.<StatusReply<Done>>runCommand(r -> new Advertiser.UnreserveNumber("d2", r));
    kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Rename("Shop Uno", r));
    Advertiser.State active = kit.getState();
    assertEquals(active, kit.restart().state());

    kit.<StatusReply<Advertiser.Removed>>runCommand(Advertiser.Delete::new);
    Advertiser.State deleted = kit.getState();
    assertEquals(deleted, kit.restart().state());

    create("Shop Again");
    Advertiser.State recreated = kit.getState();
    assertEquals(recreated, kit.restart().state());
  }
}
