package io.hankyo.node.call;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Shared inputs of the call tests. */
final class CallFixtures {
  static final CallerNumberCipher CIPHER = new CallerNumberCipher(
      Map.of("t1", Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes())), "t1",
      Base64.getEncoder().encodeToString("hash-key-hash-key-hash-key-hash-".getBytes()));

  static final Config TESTKIT_CONFIG = ConfigFactory.parseString(
          "pekko.actor.serialization-bindings { \"io.hankyo.protocol.JsonSerializable\" = jackson-json }\n"
              + "pekko.actor.serialize-messages = on\n")
      .withFallback(EventSourcedBehaviorTestKit.config());

  private CallFixtures() {}

  static NumberRoute route() {
    return new NumberRoute("op1", "cl1", "広告主A", "dn1", "本店", PhoneNumbers.parse("0120-123-456"),
        PhoneNumbers.parse("03-1111-2222"));
  }

  /** A Call entity under test without queues (the kit checks serialization and recovery of every event). */
  static EventSourcedBehaviorTestKit<Call.Command, Call.Event, Call.State> callKit(
      ActorTestKit testKit, String trnId, CallLogWriter writer) {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Call.create(trnId, new Call.Dependencies(new CallOutcomes(CallCharges.defaults()), writer, 4), null));
  }

  static CallArrival arrival(String trnId, Instant at) {
    String caller = "+819011112222";
    return new CallArrival(trnId, "sip-call-1@127.0.0.1", "node-1", PhoneNumbers.parse("0120123456"),
        new CallerInfo(CIPHER.encrypt(caller), CIPHER.keyedHash(caller), null, null, DeviceType.MOBILE), at);
  }

  static CallArrival withheldArrival(String trnId, Instant at) {
    String pai = "+819011112222";
    return new CallArrival(trnId, "sip-call-2@127.0.0.1", "node-1", PhoneNumbers.parse("0120123456"),
        new CallerInfo(null, null, CIPHER.encrypt(pai), CIPHER.keyedHash(pai), DeviceType.WITHHELD), at);
  }

  /** Records upserts; a test double of the Cassandra writer. */
  static final class RecordingWriter implements CallLogWriter {
    final List<CallLogRecord> rows = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Done> upsert(CallLogRecord record) {
      rows.add(record);
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }
}
