package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The advertiser's own judgment rules (issue 4: "configuration per tracking number or advertiser, versioned"). */
class AdvertiserJudgmentTest {
  private static final String OP = "op-1";
  private static final String CLIENT = "shop-1";
  private static final JudgmentRules STRICT = JudgmentRulesParser.parse(
      "{\"min_talk_sec\": 60, \"duplicate\": {\"scope\": \"advertiser\", \"period_sec\": 86400}}");
  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<Advertiser.Command, Advertiser.Event, Advertiser.State> kit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("AdvertiserJudgmentTest", DirectoryTestConfig.eventSourced());
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

  private void create() {
    assertTrue(kit.<StatusReply<Advertiser.Summary>>runCommand(r -> new Advertiser.Create(OP, CLIENT, "Shop", r))
        .reply().isSuccess());
  }

  private StatusReply<Advertiser.AdvertiserJudgment> get() {
    var result = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(Advertiser.GetJudgment::new);
    assertTrue(result.hasNoEvents());
    return result.reply();
  }

  @Test
  void aNewAdvertiserHasNoRulesAtVersionZero() {
    create();
    Advertiser.AdvertiserJudgment j = get().getValue();
    assertEquals(0, j.version());
    assertNull(j.rules());
    assertNull(j.updatedAt());
    assertNull(j.toView().dialinId());
    assertEquals(CLIENT, j.toView().clientId());
  }

  @Test
  void storesAreVersionsAndSurviveRecovery() {
    create();
    var first = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(
        r -> new Advertiser.StoreJudgment(JudgmentRules.threshold(30), r));
    assertEquals(1, first.reply().getValue().version());
    assertEquals(JudgmentRules.threshold(30), first.eventOfType(Advertiser.AdvertiserJudgmentStored.class).rules());
    var second = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(
        r -> new Advertiser.StoreJudgment(STRICT, r));
    assertEquals(2, second.reply().getValue().version());
    assertEquals(STRICT, second.reply().getValue().rules());

    kit.restart();
    Advertiser.AdvertiserJudgment after = get().getValue();
    assertEquals(2, after.version());
    assertEquals(STRICT, after.rules());
    // the rest of the advertiser is untouched by its rules
    var summary = kit.<StatusReply<Advertiser.Summary>>runCommand(Advertiser.Get::new).reply().getValue();
    assertEquals("Shop", summary.clientName());
  }

  @Test
  void clearIsAVersionOnlyWhenThereAreRules() {
    create();
    var nothing = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(Advertiser.ClearJudgment::new);
    assertTrue(nothing.hasNoEvents());
    assertEquals(0, nothing.reply().getValue().version());

    kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(r -> new Advertiser.StoreJudgment(STRICT, r));
    var cleared = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(Advertiser.ClearJudgment::new);
    assertEquals(2, cleared.eventOfType(Advertiser.AdvertiserJudgmentCleared.class).version());
    assertNull(cleared.reply().getValue().rules());
    assertEquals(2, get().getValue().version());
  }

  @Test
  void missingRulesAndUnknownAdvertisersAreRefused() {
    var absent = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(
        r -> new Advertiser.StoreJudgment(STRICT, r));
    assertTrue(absent.reply().isError());
    assertTrue(absent.hasNoEvents());
    assertTrue(get().isError());
    create();
    var missing = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(
        r -> new Advertiser.StoreJudgment(null, r));
    assertTrue(missing.reply().isError());
    assertTrue(missing.hasNoEvents());
  }

  @Test
  void aRecreatedAdvertiserStartsWithoutRulesButNeverReusesAVersion() {
    create();
    kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(r -> new Advertiser.StoreJudgment(STRICT, r));
    kit.<StatusReply<Advertiser.Removed>>runCommand(Advertiser.Delete::new);
    assertInstanceOf(Advertiser.Deleted.class, kit.getState());
    assertTrue(get().isError());
    create();
    assertNull(get().getValue().rules());
    assertEquals(1, get().getValue().version());
    var next = kit.<StatusReply<Advertiser.AdvertiserJudgment>>runCommand(
        r -> new Advertiser.StoreJudgment(JudgmentRules.threshold(10), r));
    assertEquals(2, next.reply().getValue().version());
  }
}
