package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.recording.RecordingMode;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonJsonSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The journal holds plain JSON with stable snake_case keys (analysts replay it), and it reads back equal. */
class DirectoryJsonTest {
  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("DirectoryJsonTest", DirectoryTestConfig.eventSourced());
    serialization = SerializationExtension.get(testKit.system());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static Object roundTrip(Object o) {
    Serializer serializer = serialization.findSerializerFor(o);
    byte[] bytes = serialization.serialize(o).get();
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, o)).get();
  }

  private static String json(Object o) {
    assertTrue(serialization.findSerializerFor(o) instanceof JacksonJsonSerializer, "jackson-json for " + o);
    assertEquals(o, roundTrip(o));
    return new String(serialization.serialize(o).get(), StandardCharsets.UTF_8);
  }

  /** A reply as it crosses nodes: inside StatusReply (pekko's serializer), the value with jackson-json. */
  private static void crossesNodes(Object reply) {
    json(reply);
    assertEquals(StatusReply.success(reply), roundTrip(StatusReply.success(reply)));
  }

  @Test
  void eventsAndStatesAreSnakeCaseJson() {
    Instant at = Instant.parse("2024-04-01T09:21:55.123456Z");
    String assigned = json(new TrackingNumber.NumberAssigned("op-1", "shop-1", "Shop", "d1", "Top",
        PhoneNumbers.parse("0120-123-456"), PhoneNumbers.parse("03-1234-5678"), at));
    assertTrue(assigned.contains("\"dialin_id\":\"d1\""), assigned);
    assertTrue(assigned.contains("\"forward_to\":{\"e164\":\"+81312345678\""), assigned);
    assertTrue(assigned.contains("\"at\":\"2024-04-01T09:21:55.123456Z\""), assigned);

    String active = json(new Advertiser.Active("op-1", "shop-1", "Shop", Map.of("d1", "+81120123456"), at, at));
    assertTrue(active.contains("\"numbers\":{\"d1\":\"+81120123456\"}"), active);
    assertTrue(active.contains("\"client_name\":\"Shop\""), active);

    json(new Operator.AdvertiserIndexed("shop-1", at));
    json(new ApiKey.KeyRegistered("op-1", at));
    json(new TrackingNumber.Unassigned());

    String stored = json(new TrackingNumber.JudgmentStored(3, JudgmentRulesParser.parse(
        "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"advertiser\", \"period_sec\": 604800}}"), at));
    assertTrue(stored.contains("\"version\":3"), stored);
    assertTrue(stored.contains("\"rules\":{\"min_talk_sec\":30,\"duplicate\":{\"scope\":\"advertiser\""),
        stored);
    String cleared = json(new TrackingNumber.JudgmentCleared(4, at));
    assertTrue(cleared.contains("\"version\":4"), cleared);
  }

  /** Replies to asks are not covered by serialize-messages (they go to a temporary ref): check each type here. */
  @Test
  void repliesSerialize() {
    Instant at = Instant.parse("2024-04-01T09:21:55Z");
    PhoneNumber din = PhoneNumbers.parse("0120-123-456");
    PhoneNumber fwd = PhoneNumbers.parse("03-1234-5678");
    Operator.Summary operator = new Operator.Summary("op-1", "Agency", at, 2);
    crossesNodes(operator);
    crossesNodes(new Operator.CreateResult(operator, true));
    crossesNodes(new Operator.ClientIds(List.of("a", "b")));
    crossesNodes(new Advertiser.Summary("op-1", "shop-1", "Shop", Map.of("d1", din.e164()), at, at));
    crossesNodes(new Advertiser.Removed(Map.of("d1", din.e164())));
    crossesNodes(new TrackingNumber.Details("op-1", "shop-1", "Shop", "d1", "Top", din, fwd, at, at, true,
        new Versioned<>(CallFlow.defaultFor(fwd, 20), 4, at), new Versioned<>(JudgmentRules.threshold(30), 2, at),
        new Versioned<>(null, 3, at), new Versioned<>(new RecordingSettings(RecordingMode.BOTH, "recording-notice"), 1,
        at)));
    crossesNodes(new TrackingNumber.Details("op-1", "shop-1", "Shop", "d1", "Top", din, fwd, at, at, false,
        null, null, null, null));
    json(new TrackingNumber.Route(Optional.of(new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", din, fwd, true,
        CallFlow.defaultFor(fwd, 20), 4))));
    json(new TrackingNumber.Route(Optional.of(new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", din, fwd, true,
        null, 0, JudgmentRules.threshold(30), 5))));
    json(new TrackingNumber.Route(Optional.empty()));
    assertTrue(json(new TrackingNumber.Route(Optional.of(new NumberRoute("op-1", "shop-1", "Shop", "d1", "Top", din,
        fwd, false, null, 0)), at)).contains("\"created_at\""), "the record's creation crosses nodes");
    json(new ApiKey.Resolution(Optional.of("op-1")));
    json(new ApiKey.Resolution(Optional.empty()));
    StatusReply<Object> error = StatusReply.error("advertiser 'x' not found");
    assertEquals(error.getError().getMessage(), ((StatusReply<?>) roundTrip(error)).getError().getMessage());
    assertEquals(StatusReply.ack(), roundTrip(StatusReply.ack()));
  }
}
