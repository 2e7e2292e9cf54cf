package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Call entity's part of crash recovery: the {@link OpenCalls} index writes (one insert when the arrival is
 * persisted, one delete when the end is) and {@link Call.Wake} in every state.
 *
 * <p>A crashed node is modelled by its journal: the events a call left behind are stored ({@link
 * PersistenceTestKit#persistForRecovery}) with the gateway ref the dead node had, and the entity then starts from them,
 * as sharding starts it when the sweeper's Wake arrives. The stale ref is made as it is after a restart on the same
 * host:port: the old gateway actor's serialized ref (path + UID) resolved while a new gateway actor of the same name
 * runs, so it resolves to no actor rather than to the new gateway.
 */
class CallWakeTest {
  private static final ActorTestKit testKit = ActorTestKit.create(CallFixtures.TESTKIT_CONFIG);
  private static int counter;

  private String trnId;
  private CallFixtures.RecordingWriter writer;
  private RecordingIndex index;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    trnId = String.format("%024x", ++counter + 0xbee000L);
    writer = new CallFixtures.RecordingWriter();
    index = new RecordingIndex();
  }

  /** Records the index writes; a test double of {@link CassandraOpenCalls}. */
  static final class RecordingIndex implements OpenCalls {
    final List<String> ops = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Done> opened(String trnId, Instant arrivedAt) {
      ops.add("opened " + trnId + " " + arrivedAt);
      return CompletableFuture.completedFuture(Done.getInstance());
    }

    @Override
    public CompletionStage<Done> closed(String trnId) {
      ops.add("closed " + trnId);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }

  /**
   * An entity whose journal holds {@code events}, written by a node that then crashed: the kit's entity is restarted
   * so that it recovers from them, as sharding starts it when the Wake arrives.
   */
  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> recovered(List<Object> events) {
    var kit = kit();
    kit.persistenceTestKit().persistForRecovery("Call|" + trnId, events);
    kit.restart();
    return kit;
  }

  private EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit() {
    return EventSourcedBehaviorTestKit.create(testKit.system(), Call.create(trnId,
        new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4, Call.Queues.NONE, index), null));
  }

  private StatusReply<Done> wake(EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit) {
    return kit.<StatusReply<Done>>runCommand(Call.Wake::new).reply();
  }

  /**
   * The gateway ref of a node that was killed and restarted on the same address: serialized while the old gateway
   * actor lived, resolved after a new gateway actor of the same name started.
   */
  private ActorRef<CallInstruction> gatewayOfRestartedNode() {
    String name = "gateway-" + trnId;
    ActorRefResolver resolver = ActorRefResolver.get(testKit.system());
    ActorRef<CallInstruction> old = testKit.spawn(Behaviors.<CallInstruction>ignore(), name);
    String serialized = resolver.toSerializationFormat(old);
    TestProbe<Object> probe = testKit.createTestProbe();
    testKit.stop(old);
    probe.awaitAssert(() -> {
      ActorRef<CallInstruction> again = testKit.spawn(Behaviors.<CallInstruction>ignore(), name);
      assertNotEquals(serialized, resolver.toSerializationFormat(again), "a new incarnation has a new UID");
      return null;
    });
    ActorRef<CallInstruction> stale = resolver.resolveActorRef(serialized);
    assertEquals(old.path(), stale.path(), "same path as the dead gateway");
    return stale;
  }

  private Call.CallArrived arrived(Instant at, ActorRef<CallInstruction> gateway) {
    return new Call.CallArrived(CallFixtures.arrival(trnId, at), CallFixtures.route(), 7, gateway, 30_000);
  }

  private Call.ForwardAttemptStarted attempt(Instant at, Duration ring) {
    return new Call.ForwardAttemptStarted(1, CallFixtures.route().forwardTo(), at, at.plus(ring));
  }

  private Call.State awaitEnded(EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> kit) {
    TestProbe<Object> probe = testKit.createTestProbe();
    return probe.awaitAssert(Duration.ofSeconds(5), () -> {
      Call.State s = kit.getState();
      assertInstanceOf(Call.Ended.class, s);
      return s;
    });
  }

  @Test
  void aCallIsIndexedOnceWhenItsArrivalIsPersistedAndRemovedOnceWhenItsEndIs() {
    var kit = kit();
    TestProbe<CallInstruction> gateway = testKit.createTestProbe();
    Instant at = Instant.now();
    var start = kit.<StatusReply<RouteDecision>>runCommand(r -> new Call.Start(
        CallFixtures.arrival(trnId, at), CallFixtures.route(), 1, gateway.getRef(), 30_000, r));
    assertInstanceOf(RouteDecision.Forward.class, start.reply().getValue());
    assertEquals(List.of("opened " + trnId + " " + at), index.ops);

    kit.<StatusReply<Done>>runCommand(r -> new Call.Report(new CallProgress.Answered(trnId, 1, Instant.now()), r));
    assertEquals(1, index.ops.size(), "answering writes nothing to the index");
    kit.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0), r));
    assertEquals(List.of("opened " + trnId + " " + at, "closed " + trnId), index.ops,
        "one insert and one delete per call");
  }

  @Test
  void wakingALiveForwardingCallChangesNothing() {
    TestProbe<CallInstruction> gateway = testKit.createTestProbe();
    Instant at = Instant.now();
    var kit = recovered(List.<Object>of(arrived(at, gateway.getRef()), attempt(at, Duration.ofMinutes(5))));
    var result = kit.<StatusReply<Done>>runCommand(Call.Wake::new);
    assertTrue(result.reply().isSuccess());
    assertTrue(result.events().isEmpty());
    assertInstanceOf(Call.Forwarding.class, result.state());
    gateway.expectNoMessage(Duration.ofMillis(300));
    assertInstanceOf(Call.Forwarding.class, kit.getState(), "a live gateway keeps the call open");
    assertTrue(index.ops.isEmpty());
  }

  @Test
  void aForwardingCallWhoseGatewayDiedWithARestartedNodeEndsAsStatusErrorWhenWoken() {
    Instant at = Instant.now().minusSeconds(90);
    var kit = recovered(List.<Object>of(arrived(at, gatewayOfRestartedNode()), attempt(at, Duration.ofMinutes(5))));
    assertTrue(wake(kit).isSuccess());
    Call.Ended ended = (Call.Ended) awaitEnded(kit);
    assertEquals(DialStatus.STATUS_ERROR, ended.record().dialStatus());
    assertEquals(HangupParty.SYSTEM, ended.record().hangupParty());
    // the row is written by the end's side effect: on a loaded machine the state may be read a moment before it
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5),
        () -> {
          assertEquals(List.of(ended.record()), writer.rows, "the call-log row is written");
          return null;
        });
    // recovery may deliver the gateway's death before the Wake: then the Wake finds the call ended and deletes again
    assertEquals(List.of("closed " + trnId), index.ops.stream().distinct().toList(), "and the index row removed");
  }

  @Test
  void aConnectedCallWhoseGatewayDiedWithARestartedNodeEndsByTheSystemWhenWoken() {
    Instant at = Instant.now().minusSeconds(120);
    Instant answeredAt = at.plusSeconds(5);
    var kit = recovered(List.<Object>of(arrived(at, gatewayOfRestartedNode()), attempt(at, Duration.ofSeconds(30)),
            new Call.CallAnswered(1, answeredAt, null)));
    assertTrue(wake(kit).isSuccess());
    Call.Ended ended = (Call.Ended) awaitEnded(kit);
    // an answered call keeps 正常通話 (CallOutcomes.status: the forward succeeded); who ended it says システム
    assertEquals(DialStatus.NORMAL, ended.record().dialStatus());
    assertEquals(HangupParty.SYSTEM, ended.record().hangupParty());
    assertEquals("GATEWAY_FAILURE", ended.record().endCause());
    assertTrue(ended.record().talkingSec() >= 114, "talk counted from the answer to the end: "
        + ended.record().talkingSec());
    assertEquals(List.of("closed " + trnId), index.ops.stream().distinct().toList());
  }

  @Test
  void anEndedCallRemovesItsLeftoverIndexRowAndPersistsNothing() {
    TestProbe<CallInstruction> gateway = testKit.createTestProbe();
    var first = kit();
    Instant at = Instant.now();
    first.<StatusReply<RouteDecision>>runCommand(r -> new Call.Start(
        CallFixtures.arrival(trnId, at), CallFixtures.route(), 1, gateway.getRef(), 30_000, r));
    first.<StatusReply<Done>>runCommand(r -> new Call.Report(
        new CallProgress.Ended(trnId, 1, Instant.now(), HangupParty.CALLER, EndCause.NORMAL_CLEARING, 0), r));
    index.ops.clear();
    writer.rows.clear();

    var result = first.<StatusReply<Done>>runCommand(Call.Wake::new);
    assertTrue(result.reply().isSuccess());
    assertTrue(result.events().isEmpty(), "nothing persisted");
    assertInstanceOf(Call.Ended.class, result.state());
    assertEquals(List.of("closed " + trnId), index.ops);
    assertTrue(writer.rows.isEmpty(), "the row was written when the call ended");
  }

  @Test
  void aCallThatNeverStartedRemovesTheIndexRow() {
    var kit = kit();
    var result = kit.<StatusReply<Done>>runCommand(Call.Wake::new);
    assertTrue(result.reply().isSuccess());
    assertTrue(result.events().isEmpty());
    assertInstanceOf(Call.Idle.class, result.state());
    assertEquals(List.of("closed " + trnId), index.ops);
  }

  @Test
  void anArrivalRejectedAtOnceCostsTheIndexNothing() {
    var kit = kit();
    // a number whose flow hangs up at once: the call is rejected in the arrival's own write
    var route = CallFixtures.route();
    var absent = new io.hankyo.protocol.call.NumberRoute(route.operatorId(), route.clientId(), route.clientName(),
        route.dialinId(), route.dialinName(), route.din(), route.forwardTo(), false,
        io.hankyo.protocol.flow.CallFlowParser.parse(
            "{\"start\": \"closed\", \"steps\": {\"closed\": {\"type\": \"hangup\"}}}"), 1);
    var start = kit.<StatusReply<RouteDecision>>runCommand(r -> new Call.Start(
        CallFixtures.arrival(trnId, Instant.now()), absent, 1, testKit.<CallInstruction>createTestProbe().getRef(),
        30_000, r));
    assertInstanceOf(RouteDecision.Reject.class, start.reply().getValue());
    assertInstanceOf(Call.Ended.class, start.state());
    assertTrue(index.ops.isEmpty(), "arrival and end in one write: never open");
  }
}
