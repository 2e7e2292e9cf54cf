package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorTest {
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<Operator.Command, Operator.Event, Operator.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("OperatorTest", DirectoryTestConfig.eventSourced());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshEntity() {
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), Operator.create("op-1"));
    kit.clear();
  }

  private CommandResultWithReply<Operator.Command, Operator.Event, Operator.State, StatusReply<Operator.CreateResult>>
      create(String name) {
    return kit.runCommand(r -> new Operator.Create(name, r));
  }

  @Test
  void createPersistsAndRepliesNewlyCreated() {
    var result = create("Agency One");
    assertTrue(result.reply().isSuccess());
    Operator.CreateResult created = result.reply().getValue();
    assertTrue(created.newlyCreated());
    assertEquals("op-1", created.operator().operatorId());
    assertEquals("Agency One", created.operator().name());
    assertEquals(0, created.operator().advertiserCount());
    Operator.OperatorCreated event = result.eventOfType(Operator.OperatorCreated.class);
    assertEquals("Agency One", event.name());
    Operator.Created state = result.stateOfType(Operator.Created.class);
    assertEquals(event.at(), state.createdAt());
  }

  @Test
  void createIsIdempotentForTheSameName() {
    var first = create("Agency One");
    var again = create("Agency One");
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());
    assertFalse(again.reply().getValue().newlyCreated());
    assertEquals(first.reply().getValue().operator(), again.reply().getValue().operator());
  }

  @Test
  void createWithAnotherNameIsRejected() {
    create("Agency One");
    var other = create("Agency Two");
    assertTrue(other.hasNoEvents());
    assertTrue(other.reply().isError());
    assertTrue(other.reply().getError().getMessage().contains("already exists with another name"));
    assertEquals("Agency One", kit.getState() instanceof Operator.Created c ? c.name() : null);
  }

  @Test
  void createWithBlankNameIsRejected() {
    var result = create(" ");
    assertTrue(result.hasNoEvents());
    assertEquals("operator name must not be blank", result.reply().getError().getMessage());
    assertInstanceOf(Operator.NotCreated.class, kit.getState());
  }

  @Test
  void everyCommandButCreateIsRejectedBeforeCreation() {
    var get = kit.<StatusReply<Operator.Summary>>runCommand(Operator.Get::new);
    assertEquals("operator 'op-1' does not exist", get.reply().getError().getMessage());
    var added = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("c1", r));
    assertTrue(added.reply().isError());
    assertTrue(added.hasNoEvents());
    var removed = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserRemoved("c1", r));
    assertTrue(removed.reply().isError());
    var list = kit.<StatusReply<Operator.ClientIds>>runCommand(Operator.ListAdvertisers::new);
    assertTrue(list.reply().isError());
    assertInstanceOf(Operator.NotCreated.class, kit.getState());
  }

  @Test
  void advertiserIndexIsMaintainedIdempotently() {
    create("Agency One");
    var added = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("zeta", r));
    assertEquals(StatusReply.ack(), added.reply());
    assertEquals("zeta", added.eventOfType(Operator.AdvertiserIndexed.class).clientId());
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("alpha", r));
    var again = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("zeta", r));
    assertTrue(again.hasNoEvents());
    assertTrue(again.reply().isSuccess());

    var list = kit.<StatusReply<Operator.ClientIds>>runCommand(Operator.ListAdvertisers::new);
    assertEquals(List.of("alpha", "zeta"), list.reply().getValue().clientIds());
    assertTrue(list.hasNoEvents());
    var get = kit.<StatusReply<Operator.Summary>>runCommand(Operator.Get::new);
    assertEquals(2, get.reply().getValue().advertiserCount());

    var removed = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserRemoved("zeta", r));
    assertEquals("zeta", removed.eventOfType(Operator.AdvertiserUnindexed.class).clientId());
    var removedAgain = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserRemoved("zeta", r));
    assertTrue(removedAgain.hasNoEvents());
    assertTrue(removedAgain.reply().isSuccess());
    assertEquals(Set.of("alpha"), ((Operator.Created) kit.getState()).clientIds());

    var blank = kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("", r));
    assertTrue(blank.reply().isError());
  }

  @Test
  void listReplyIsImmutable() {
    create("Agency One");
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("a", r));
    var list = kit.<StatusReply<Operator.ClientIds>>runCommand(Operator.ListAdvertisers::new);
    assertThrows(UnsupportedOperationException.class, () -> list.reply().getValue().clientIds().add("x"));
  }

  @Test
  void recoveryRestoresTheSameState() {
    create("Agency One");
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("a", r));
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("b", r));
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserRemoved("a", r));
    Operator.State before = kit.getState();
    Operator.State after = kit.restart().state();
    assertEquals(before, after);
    assertEquals(Set.of("b"), ((Operator.Created) after).clientIds());
  }

  @Test
  void idsWithSlashAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Operator.create("a/b"));
    assertThrows(IllegalArgumentException.class, () -> Operator.create(" "));
  }

  private CommandResultWithReply<Operator.Command, Operator.Event, Operator.State, StatusReply<Operator.Settings>>
      setRetention(Integer days) {
    return kit.runCommand(r -> new Operator.SetSettings(new Operator.Settings(days), r));
  }

  @Test
  void recordingRetentionIsKeptForeverUntilSetAndSurvivesRecovery() {
    assertTrue(kit.<StatusReply<Operator.Settings>>runCommand(Operator.GetSettings::new).reply().isError(),
        "no settings for an operator that does not exist");
    assertTrue(setRetention(30).reply().isError());
    create("Agency One");
    assertEquals(Operator.Settings.DEFAULTS,
        kit.<StatusReply<Operator.Settings>>runCommand(Operator.GetSettings::new).reply().getValue());
    assertNull(Operator.Settings.DEFAULTS.recordingRetentionDays(), "default: keep forever");

    var set = setRetention(30);
    assertEquals(new Operator.Settings(30), set.reply().getValue());
    assertEquals(new Operator.Settings(30), set.eventOfType(Operator.SettingsChanged.class).settings());
    assertTrue(setRetention(30).hasNoEvents(), "the same setting again persists nothing");
    kit.<StatusReply<Done>>runCommand(r -> new Operator.AdvertiserAdded("a", r));
    Operator.Created recovered = (Operator.Created) kit.restart().state();
    assertEquals(new Operator.Settings(30), recovered.settings());
    assertEquals(Set.of("a"), recovered.clientIds(), "the advertiser index keeps the settings and vice versa");

    var cleared = setRetention(null);
    assertNull(cleared.reply().getValue().recordingRetentionDays());
    assertEquals(Operator.Settings.DEFAULTS, ((Operator.Created) kit.restart().state()).settings());
  }

  @Test
  void recordingRetentionOutsideOneToThreeThousandSixHundredFiftyDaysIsRefused() {
    create("Agency One");
    for (int bad : new int[] {0, -1, 3651}) {
      var r = setRetention(bad);
      assertTrue(r.reply().isError(), "" + bad);
      assertTrue(r.hasNoEvents());
      assertTrue(r.reply().getError().getMessage().contains("from 1 to 3650"), r.reply().getError().getMessage());
    }
    assertEquals(new Operator.Settings(1), setRetention(1).reply().getValue());
    assertEquals(new Operator.Settings(3650), setRetention(3650).reply().getValue());
  }
}
