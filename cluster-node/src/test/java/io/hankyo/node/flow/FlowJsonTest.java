package io.hankyo.node.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.flow.FlowTimer.Kind;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.CallFlowParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The flow, the state, signals, actions and facts go through Pekko's jackson-json serializer (journal events,
 * snapshots, remoting) and read back equal. A local actor system: no ports.
 */
class FlowJsonTest {
  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("FlowJsonTest",
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(DirectoryTestConfig.SERIALIZATION));
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static Object roundTrip(Object o) {
    Serializer serializer = serialization.findSerializerFor(o);
    assertTrue(serializer instanceof JacksonJsonSerializer, "jackson-json for " + o);
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o)).get();
  }

  private static String json(Object o) {
    assertEquals(o, roundTrip(o));
    return new String(serialization.serialize(o).get(), StandardCharsets.UTF_8);
  }

  @Test
  void theFlowOfAllStepTypes() {
    CallFlow flow = CallFlowParser.parse(FlowInterpreterTest.MAIN);
    String json = json(flow);
    assertTrue(json.contains("\"exceptions\":[{\"date\":\"2026-12-31\",\"closed\":true,\"hours\":null}]"), json);
    assertTrue(json.contains("\"fri\":[\"09:00-18:00\",\"22:00-02:00\"]"), json);
    json(CallFlowParser.parse(FlowInterpreterTest.MultiDigit.TERMINATED));
    json(CallFlowParser.parse(FlowInterpreterTest.queueFlow(true)));
    json(CallFlow.defaultFor(FlowInterpreterTest.A, 25));
  }

  @Test
  void everyStateAlongACallAndEveryResultReadBack() {
    FlowDriver d = new FlowDriver(FlowInterpreterTest.MAIN);
    List<FlowResult> results = new ArrayList<>();
    json(d.state);
    results.add(d.arrive());
    results.add(d.promptEnds());
    results.add(d.promptEnds());
    results.add(d.press("1"));
    results.add(d.busy());
    String ringing = json(d.state);
    assertTrue(ringing.contains("\"phase\":\"RINGING\""), ringing);
    assertTrue(ringing.contains("\"refused\":[\"+81311111111\"]"), ringing);
    assertTrue(ringing.contains("\"timers\":[{\"kind\":\"RING\",\"token\":5,\"deadline\":\""), ringing);
    results.add(d.answered());
    results.add(d.callerHangsUp());
    for (FlowResult r : results) {
      json(r.state());
      r.actions().forEach(FlowJsonTest::json);
      r.facts().forEach(FlowJsonTest::json);
    }
    FlowDriver q = new FlowDriver(FlowInterpreterTest.queueFlow(true));
    q.arrive();
    q.position(2).actions().forEach(FlowJsonTest::json);
    json(q.state);
    q.expire(Kind.QUEUE_MAX_WAIT).facts().forEach(FlowJsonTest::json);
  }

  @Test
  void signalsAndTheRestOfTheActionsAndFacts() {
    Instant at = Instant.parse("2026-06-01T01:00:00.123Z");
    List<Object> all = List.of(
        new FlowSignal.CallArrived(at, true),
        new FlowSignal.PromptFinished(at, 7),
        new FlowSignal.Digit(at, "#"),
        new FlowSignal.TimerFired(at, Kind.INTER_DIGIT, 9),
        new FlowSignal.ForwardAnswered(at, 2),
        new FlowSignal.ForwardFailed(at, 2, EndCause.DECLINED, 603),
        new FlowSignal.QueueLineGranted(at),
        new FlowSignal.QueuePosition(at, 3),
        new FlowSignal.CallerHungUp(at),
        new FlowSignal.DestinationHungUp(at),
        new FlowAction.AnnouncePosition(3, 4),
        new FlowAction.CancelForward(2),
        new FlowAction.EnterQueue("support", 2),
        new FlowAction.LeaveQueue("support"),
        new FlowAction.Bridge(2),
        new FlowAction.Hangup(EndCause.FLOW_ENDED, DialStatus.INCOMPLETE, HangupParty.SYSTEM, 480),
        new FlowFact.AttemptSkipped(at, "sales", FlowInterpreterTest.A),
        new FlowFact.FlowEnded(at, "sorry", FlowFact.EndReason.TRANSITION_CAP, EndCause.FLOW_ERROR));
    for (Object o : all) {
      json(o);
    }
    String hangup = json(all.get(15));
    assertTrue(hangup.contains("\"dial_stat\":\"INCOMPLETE\",\"hup_usr\":\"SYSTEM\",\"sip_status\":480"), hangup);
  }

  @Test
  void aRestoredStateGoesOnLikeTheOriginal() {
    FlowDriver d = new FlowDriver(FlowInterpreterTest.SALES);
    d.arrive();
    FlowState restored = (FlowState) roundTrip(d.state);
    FlowTimer ring = restored.timer(Kind.RING);
    FlowSignal fired = new FlowSignal.TimerFired(ring.deadline(), Kind.RING, ring.token());
    assertEquals(FlowDriver.INTERPRETER.apply(d.flow, d.state, fired),
        FlowDriver.INTERPRETER.apply(d.flow, restored, fired));
  }

  @Test
  void aStateWrittenBeforeTheCallLogTalliesReadsBackWithNone() {
    FlowDriver d = new FlowDriver(FlowInterpreterTest.SALES);
    d.arrive();
    Serializer serializer = serialization.findSerializerFor(d.state);
    String written = new String(serialization.serialize(d.state).get(), StandardCharsets.UTF_8);
    assertTrue(written.contains("\"menu_inputs\":[],\"queue_wait_millis\":0"), written);
    String old = written.replace(",\"menu_inputs\":[],\"queue_wait_millis\":0", "");
    FlowState read = (FlowState) serialization.deserialize(old.getBytes(StandardCharsets.UTF_8),
        serializer.identifier(), Serializers.manifestFor(serializer, d.state)).get();
    assertEquals(d.state, read);
  }
}
