package io.hankyo.node.rejudge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.ApiProblem;
import io.hankyo.node.call.CassandraCallerHistory;
import io.hankyo.node.cassandra.DevelopmentSchema;
import io.hankyo.node.calllog.CassandraCallLog;
import io.hankyo.node.directory.Advertiser;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.RejudgmentView;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Re-judgment against the test Cassandra (issue 4): call-log rows judged under the advertiser's version 1 (30 s) are
 * re-judged under its stricter version 2 (60 s), read back from the journal; the changed rows carry the new judgment
 * and the stored Rejudgment keeps the before and after.
 */
class RejudgmentCassandraIntegrationTest {
  private static final Duration ASK = Duration.ofSeconds(20);
  private static final Instant FROM = Instant.parse("2026-10-31T15:00:00Z"); // 2026-11-01 00:00 JST
  private static ActorTestKit testKit;
  private static ActorSystem<Void> system;
  private static ClusterSharding sharding;
  private static CassandraCallLog callLog;
  private static CallerNumberCipher cipher;
  private static Rejudger rejudger;
  private static CassandraCallerHistory callerHistory;

  @BeforeAll
  static void start() throws Exception {
    String keyspace = TestCassandra.uniqueKeyspace("rejudge");
    testKit = DirectoryTestConfig.singleNodeCluster("RejudgmentCassandraIntegrationTest",
        TestCassandra.persistenceConfig(keyspace).withFallback(DirectoryTestConfig.cluster())
            .withFallback(ConfigFactory.load()));
    system = testKit.system();
    sharding = ClusterSharding.get(system);
    Advertiser.init(sharding);
    CassandraSession session = CassandraSessionRegistry.get(system)
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    String read = keyspace + "_rd";
    // the journal's tables up front (not lazily at the first write), then the read side's (call_log, caller_calls, …)
    DevelopmentSchema.create(system, session, read, 1).toCompletableFuture().get(120, TimeUnit.SECONDS);
    ObjectMapper json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    callLog = new CassandraCallLog(session, read, json);
    cipher = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
    callerHistory = new CassandraCallerHistory(session, read);
    rejudger = new Rejudger(system, sharding, ASK, callLog, callLog, callerHistory,
        cipher, RuleVersions.cassandra(system), Duration.ofDays(31), 50_000);
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  private static String key() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static CallLogRecord row(String trn, String clientId, int minute, int talk) {
    Instant at = FROM.plusSeconds(60L * minute);
    return new CallLogRecord("op1", minute, trn, PhoneNumbers.parse("0120-111-222"), clientId, "Shop", "d1", "",
        PhoneNumbers.parse("03-9876-5432"), cipher.encrypt("+8131234000" + minute), DeviceType.FIXED,
        DeviceType.FIXED, at, at.plusSeconds(5), at.plusSeconds(5 + talk), 5, talk, 5 + talk, DialStatus.NORMAL,
        HangupParty.CALLER, Map.of("valid_res", "有効", "valid_code", "valid", "judgment_version", "1",
            "valid_reason", "talked " + talk + " s; at least 30 s are needed"), false, false, 0, "NORMAL_CLEARING",
        0);
  }

  @Test
  void aStricterAdvertiserVersionChangesTheShortCallsRowsAndIsStored() throws Exception {
    var adv = sharding.entityRefFor(Advertiser.ENTITY_KEY, Advertiser.entityId("op1", "shop"));
    await(adv.<Advertiser.Summary>askWithStatus(r -> new Advertiser.Create("op1", "shop", "Shop", r), ASK));
    await(adv.<Advertiser.AdvertiserJudgment>askWithStatus(
        r -> new Advertiser.StoreJudgment(JudgmentRules.threshold(30), r), ASK));
    await(adv.<Advertiser.AdvertiserJudgment>askWithStatus(
        r -> new Advertiser.StoreJudgment(JudgmentRules.threshold(60), r), ASK));
    await(callLog.upsertAll(List.of(row("t1", "shop", 1, 45), row("t2", "shop", 2, 90), row("t3", "shop", 3, 30),
        row("t4", "other", 4, 10))));

    RejudgmentView.Request req = new RejudgmentView.Request("op1", "shop", null, FROM, FROM.plusSeconds(86_400),
        "advertiser", 2);
    RejudgmentView done = await(rejudger.run(req));
    assertTrue(done.id().startsWith("rjd_"), done.id());
    assertEquals(3, done.examined(), "the other advertiser's call is not examined");
    assertEquals(List.of("t1", "t3"), done.changes().stream().map(c -> c.trnId()).toList());
    assertEquals("valid", done.changes().get(0).before().validCode());
    assertEquals("invalid_short", done.changes().get(0).after().validCode());
    assertEquals("2", done.changes().get(0).after().judgmentVersion());
    assertTrue(done.applied());

    List<CallLogRecord> rows = await(callLog.read("op1", FROM, FROM.plusSeconds(86_400)).runWith(Sink.seq(), system));
    Map<String, CallLogRecord> byTrn = new HashMap<>();
    rows.forEach(r -> byTrn.put(r.trnId(), r));
    assertEquals("無効(未満)", byTrn.get("t1").logvars().get("valid_res"));
    assertEquals("invalid_short", byTrn.get("t3").logvars().get("valid_code"));
    assertEquals("2", byTrn.get("t3").logvars().get("judgment_version"));
    assertEquals("advertiser", byTrn.get("t3").logvars().get("judgment_scope"));
    assertEquals(done.id(), byTrn.get("t1").logvars().get("rejudgment_id"));
    assertEquals("talked 30 s; at least 60 s are needed", byTrn.get("t3").logvars().get("valid_reason"));
    assertEquals("valid", byTrn.get("t2").logvars().get("valid_code"), "unchanged rows are left alone");
    assertNull(byTrn.get("t2").logvars().get("rejudgment_id"));
    assertEquals("valid", byTrn.get("t4").logvars().get("valid_code"));

    assertEquals(done, await(rejudger.get("op1", done.id())));

    // unknown version, another operator, an empty or too long range
    assertProblem(404, rejudger.run(new RejudgmentView.Request("op1", "shop", null, FROM, FROM.plusSeconds(60),
        "advertiser", 9)));
    assertProblem(404, rejudger.run(new RejudgmentView.Request("op2", "shop", null, FROM, FROM.plusSeconds(60),
        "advertiser", 2)));
    assertProblem(400, rejudger.run(new RejudgmentView.Request("op1", "shop", null, FROM, FROM, "advertiser", 2)));
    assertProblem(400, rejudger.run(new RejudgmentView.Request("op1", "shop", null, FROM,
        FROM.plus(Duration.ofDays(32)), "advertiser", 2)));
    assertProblem(404, rejudger.get("op2", done.id()));
  }

  @Test
  void duplicatesSeeTheIndexBeforeTheRangeAndTheRangeInArrivalOrder() throws Exception {
    var adv = sharding.entityRefFor(Advertiser.ENTITY_KEY, Advertiser.entityId("op1", "dup"));
    await(adv.<Advertiser.Summary>askWithStatus(r -> new Advertiser.Create("op1", "dup", "Dup", r), ASK));
    JudgmentRules dupRules = io.hankyo.protocol.judgment.JudgmentRulesParser.parse(
        "{\"min_talk_sec\": 10, \"duplicate\": {\"scope\": \"advertiser\", \"period_sec\": 86400}}");
    await(adv.<Advertiser.AdvertiserJudgment>askWithStatus(r -> new Advertiser.StoreJudgment(dupRules, r), ASK));
    // caller A called the day before the range (in the index only); caller B calls twice in the range
    String callerA = cipher.keyedHash("+81312340000");
    await(callerHistory.record(new io.hankyo.node.call.CallerHistory.Entry(
        io.hankyo.protocol.judgment.JudgmentRules.Scope.ADVERTISER, "op1", "dup", callerA,
        FROM.minusSeconds(3600), "before-range", io.hankyo.protocol.judgment.Verdict.VALID)));
    Instant day2 = FROM.plus(Duration.ofDays(3));
    CallLogRecord a = dupRow("d-a", 0, day2.minusSeconds(60 * 60 * 24 * 3 - 600), "+81312340000");
    CallLogRecord b2 = dupRow("d-b2", 2, day2.plusSeconds(1200), "+81312340001");
    CallLogRecord b1 = dupRow("d-b1", 1, day2.plusSeconds(600), "+81312340001");
    await(callLog.upsertAll(List.of(a, b2, b1)));

    RejudgmentView done = await(rejudger.run(new RejudgmentView.Request("op1", "dup", null, FROM,
        FROM.plus(Duration.ofDays(5)), "advertiser", 1)));
    assertEquals(3, done.examined());
    assertEquals(List.of("d-a", "d-b2"), done.changes().stream().map(c -> c.trnId()).toList());
    assertTrue(done.changes().get(0).after().reason().contains("(before-range)"), done.changes().get(0).after()
        .reason());
    assertTrue(done.changes().get(1).after().reason().contains("600 s earlier (d-b1)"),
        done.changes().get(1).after().reason());
  }

  @Test
  void aNumbersOwnVersionIsReadFromItsJournalAndOnlyThatNumberIsRejudged() throws Exception {
    var adv = sharding.entityRefFor(Advertiser.ENTITY_KEY, Advertiser.entityId("op1", "nums"));
    await(adv.<Advertiser.Summary>askWithStatus(r -> new Advertiser.Create("op1", "nums", "Nums", r), ASK));
    var din = PhoneNumbers.parse("0120-111-444");
    await(adv.<org.apache.pekko.Done>askWithStatus(r -> new Advertiser.ReserveNumber("n1", din.e164(), r), ASK));
    io.hankyo.node.directory.TrackingNumber.init(sharding);
    var number = sharding.entityRefFor(io.hankyo.node.directory.TrackingNumber.ENTITY_KEY, din.e164());
    await(number.<io.hankyo.node.directory.TrackingNumber.Details>askWithStatus(
        r -> new io.hankyo.node.directory.TrackingNumber.Assign("op1", "nums", "Nums", "n1", "", din,
            PhoneNumbers.parse("03-9876-5432"), r), ASK));
    for (int sec : new int[] {20, 50}) {
      await(number.<io.hankyo.node.directory.TrackingNumber.Details>askWithStatus(
          r -> new io.hankyo.node.directory.TrackingNumber.StoreJudgment("op1", "nums", "n1",
              JudgmentRules.threshold(sec), r), ASK));
    }
    Instant at = FROM.plus(Duration.ofDays(10));
    CallLogRecord mine = numRow("n-1", "n1", at, 30);
    CallLogRecord other = numRow("n-2", "n2", at.plusSeconds(60), 30);
    await(callLog.upsertAll(List.of(mine, other)));

    RejudgmentView v2 = await(rejudger.run(new RejudgmentView.Request("op1", "nums", "n1", at.minusSeconds(1),
        at.plusSeconds(3600), "number", 2)));
    assertEquals(1, v2.examined(), "only the number's calls");
    assertEquals(List.of("n-1"), v2.changes().stream().map(c -> c.trnId()).toList());
    assertEquals("talked 30 s; at least 50 s are needed", v2.changes().get(0).after().reason());
    RejudgmentView v1 = await(rejudger.run(new RejudgmentView.Request("op1", "nums", "n1", at.minusSeconds(1),
        at.plusSeconds(3600), "number", 1)));
    assertEquals("valid", v1.changes().get(0).after().validCode(), "version 1 (20 s) makes it valid again");
    assertEquals("invalid_short", v1.changes().get(0).before().validCode(), "as version 2 left the row");
    assertProblem(404, rejudger.run(new RejudgmentView.Request("op1", "nums", "n1", at, at.plusSeconds(60),
        "number", 3)));
    assertProblem(404, rejudger.run(new RejudgmentView.Request("op1", "nums", "n9", at, at.plusSeconds(60),
        "number", 1)));
  }

  private static CallLogRecord numRow(String trn, String dialin, Instant at, int talk) {
    return new CallLogRecord("op1", 200, trn, PhoneNumbers.parse("0120-111-444"), "nums", "Nums", dialin, "",
        PhoneNumbers.parse("03-9876-5432"), null, DeviceType.WITHHELD, DeviceType.FIXED, at, at.plusSeconds(5),
        at.plusSeconds(5 + talk), 5, talk, 5 + talk, DialStatus.NORMAL, HangupParty.CALLER,
        Map.of("valid_res", "有効", "valid_code", "valid", "judgment_version", "1"), false, false, 0,
        "NORMAL_CLEARING", 0);
  }

  private static CallLogRecord dupRow(String trn, int seq, Instant at, String caller) {
    return new CallLogRecord("op1", 100 + seq, trn, PhoneNumbers.parse("0120-111-333"), "dup", "Dup", "d9", "",
        PhoneNumbers.parse("03-9876-5432"), cipher.encrypt(caller), DeviceType.FIXED, DeviceType.FIXED, at,
        at.plusSeconds(5), at.plusSeconds(65), 5, 60, 65, DialStatus.NORMAL, HangupParty.CALLER,
        Map.of("valid_res", "有効", "valid_code", "valid", "judgment_version", "1"), false, false, 0,
        "NORMAL_CLEARING", 0);
  }

  private static void assertProblem(int status, CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
    ApiProblem p = assertInstanceOf(ApiProblem.class, cause, "cause: " + cause);
    assertEquals(status, p.status(), p.getMessage());
  }
}
