package io.hankyo.node.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import io.hankyo.node.calllog.CallLogReader;
import io.hankyo.node.directory.ApiKey;
import io.hankyo.node.directory.DirectoryBootstrap;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.directory.NumberRoutes;
import io.hankyo.node.directory.Operator;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.directory.AdvertiserView;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The backend on the real entities in a single-node cluster with the in-memory journal. */
class ClusterApiBackendTest {
  private static final Duration ASK = Duration.ofSeconds(10);
  private static final AtomicInteger OPERATORS = new AtomicInteger();

  private static ActorTestKit testKit;
  private static ActorSystem<Void> system;
  private static ClusterSharding sharding;
  private static CallerNumberCipher cipher;
  private static final List<Object[]> readerCalls = new ArrayList<>();
  private static final Source<CallLogRecord, NotUsed> READER_SOURCE = Source.empty();
  private static ClusterApiBackend backend;
  private static NumberRoutes routes;

  @BeforeAll
  static void startCluster() throws Exception {
    testKit = DirectoryTestConfig.singleNodeCluster("ClusterApiBackendTest", DirectoryTestConfig.cluster());
    system = testKit.system();
    sharding = ClusterSharding.get(system);
    cipher = new CallerNumberCipher(Map.of("k1", randomKey()), "k1", randomKey());
    CallLogReader reader = (operatorId, from, to) -> {
      synchronized (readerCalls) {
        readerCalls.add(new Object[] {operatorId, from, to});
      }
      return READER_SOURCE;
    };
    backend = new ClusterApiBackend(system, sharding, ASK, reader, cipher)
        .withPoolUses(new io.hankyo.node.pool.PoolUses(system, sharding, ASK));
    routes = new NumberRoutes(system, sharding, ASK);
  }

  @AfterAll
  static void stopCluster() {
    testKit.shutdownTestKit();
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static String randomKey() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage failed: " + e, e);
    }
  }

  private static ApiProblem problem(int status, CompletionStage<?> stage) {
    ExecutionException e = assertThrows(
        ExecutionException.class, () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    ApiProblem p = assertInstanceOf(ApiProblem.class, e.getCause(), "cause: " + e.getCause());
    assertEquals(status, p.status(), p.getMessage());
    return p;
  }

  /** A fresh operator (so list assertions see only this test's data). */
  private static String newOperator() {
    String id = "op-" + OPERATORS.incrementAndGet();
    Operator.CreateResult r = await(sharding.entityRefFor(Operator.ENTITY_KEY, id)
        .<Operator.CreateResult>askWithStatus(reply -> new Operator.Create("Operator " + id, reply), ASK));
    assertTrue(r.newlyCreated());
    return id;
  }

  private static PhoneNumber num(String s) {
    return PhoneNumbers.parse(s);
  }

  private static Optional<NumberRoute> lookup(String number) {
    return await(routes.lookup(num(number).e164()));
  }

  // -------------------------------------------------------------------------------------------- advertisers

  @Test
  void advertiserLifecycle() {
    String op = newOperator();
    AdvertiserView created = await(backend.createAdvertiser(op, "adv-1", "Shop One"));
    assertEquals("adv-1", created.clientId());
    assertEquals("Shop One", created.clientName());
    assertEquals(0, created.numberCount());
    problem(409, backend.createAdvertiser(op, "adv-1", "Shop One"));
    problem(400, backend.createAdvertiser(op, "adv-2", " "));

    AdvertiserView generated = await(backend.createAdvertiser(op, null, "Generated"));
    assertTrue(generated.clientId().matches("cl_[0-9a-f]{12}"), generated.clientId());

    List<AdvertiserView> list = await(backend.listAdvertisers(op));
    assertEquals(List.of("adv-1", generated.clientId()), list.stream().map(AdvertiserView::clientId).toList());
    assertEquals(created, await(backend.getAdvertiser(op, "adv-1")));

    AdvertiserView renamed = await(backend.updateAdvertiser(op, "adv-1", "Shop Uno"));
    assertEquals("Shop Uno", renamed.clientName());
    assertFalse(renamed.updatedAt().isBefore(created.updatedAt()));
    assertEquals("Shop Uno", await(backend.getAdvertiser(op, "adv-1")).clientName());
    problem(404, backend.updateAdvertiser(op, "missing", "x"));
    problem(404, backend.getAdvertiser(op, "missing"));

    assertEquals(Done.getInstance(), await(backend.deleteAdvertiser(op, "adv-1")));
    problem(404, backend.getAdvertiser(op, "adv-1"));
    problem(404, backend.deleteAdvertiser(op, "adv-1"));
    assertEquals(List.of(generated.clientId()),
        await(backend.listAdvertisers(op)).stream().map(AdvertiserView::clientId).toList());

    AdvertiserView again = await(backend.createAdvertiser(op, "adv-1", "Shop Again"));
    assertEquals("Shop Again", again.clientName());
    assertEquals(2, await(backend.listAdvertisers(op)).size());
  }

  // ------------------------------------------------------------------------------------------------ numbers

  @Test
  void numberLifecycle() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    TrackingNumberView d1 = await(backend.createNumber(
        op, "shop", "d1", num("0120-111-111"), "Top page", num("03-1111-1111")));
    assertEquals("d1", d1.dialinId());
    assertEquals("shop", d1.clientId());
    assertEquals("+81120111111", d1.number().e164());
    assertEquals("0120-111-111", d1.number().raw());
    assertEquals("Top page", d1.name());
    assertEquals("+81311111111", d1.forwardTo().e164());
    assertEquals(
        Optional.of(new NumberRoute(op, "shop", "Shop", "d1", "Top page", num("0120-111-111"), num("03-1111-1111"))),
        lookup("0120-111-111"));
    assertTrue(await(backend.isTrackingNumber(num("0120-111-111"))));
    assertFalse(await(backend.isTrackingNumber(num("03-1111-1111"))));

    TrackingNumberView generated = await(backend.createNumber(
        op, "shop", null, num("050-1111-1111"), null, num("03-1111-1111")));
    assertTrue(generated.dialinId().matches("dn_[0-9a-f]{12}"), generated.dialinId());
    assertEquals("", generated.name());
    assertEquals(List.of("d1", generated.dialinId()),
        await(backend.listNumbers(op, "shop")).stream().map(TrackingNumberView::dialinId).toList());
    assertEquals(2, await(backend.getAdvertiser(op, "shop")).numberCount());
    assertEquals(d1, await(backend.getNumber(op, "shop", "d1")));

    TrackingNumberView renamed = await(backend.updateNumber(op, "shop", "d1", "LP", null));
    assertEquals("LP", renamed.name());
    assertEquals("+81311111111", renamed.forwardTo().e164());
    TrackingNumberView moved = await(backend.updateNumber(op, "shop", "d1", null, num("06-1111-1111")));
    assertEquals("LP", moved.name());
    assertEquals("+81611111111", lookup("0120-111-111").orElseThrow().forwardTo().e164());
    problem(400, backend.updateNumber(op, "shop", "d1", null, num("0120-111-111")));

    await(backend.updateAdvertiser(op, "shop", "Shop Uno"));
    assertEquals("Shop Uno", lookup("0120-111-111").orElseThrow().clientName());
    assertEquals("Shop Uno", lookup("050-1111-1111").orElseThrow().clientName());

    // Taken dialin id: 409, and the other number was not assigned.
    problem(409, backend.createNumber(op, "shop", "d1", num("0120-111-112"), "x", num("03-1111-1111")));
    assertEquals(Optional.empty(), lookup("0120-111-112"));
    problem(400, backend.createNumber(op, "shop", "d3", num("0120-111-113"), "x", num("0120-111-113")));
    problem(404, backend.createNumber(op, "missing", "d3", num("0120-111-113"), "x", num("03-1111-1111")));
    assertEquals(Optional.empty(), lookup("0120-111-113"));
    problem(404, backend.getNumber(op, "shop", "nope"));
    problem(404, backend.updateNumber(op, "shop", "nope", "x", null));
    problem(404, backend.deleteNumber(op, "shop", "nope"));
    problem(404, backend.listNumbers(op, "missing"));

    assertEquals(Done.getInstance(), await(backend.deleteNumber(op, "shop", "d1")));
    assertEquals(Optional.empty(), lookup("0120-111-111"));
    assertFalse(await(backend.isTrackingNumber(num("0120-111-111"))));
    problem(404, backend.getNumber(op, "shop", "d1"));
    problem(404, backend.deleteNumber(op, "shop", "d1"));
    assertEquals(List.of(generated.dialinId()),
        await(backend.listNumbers(op, "shop")).stream().map(TrackingNumberView::dialinId).toList());

    // The number and the dialin id can be used again.
    await(backend.createNumber(op, "shop", "d1", num("0120-111-111"), "Back", num("03-1111-1111")));
    assertEquals("Back", lookup("0120-111-111").orElseThrow().dialinName());
  }

  @Test
  void thePromptsOfStoredFlowsAreFoundByNameAcrossAdvertisers() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    await(backend.createAdvertiser(op, "cafe", "Cafe"));
    await(backend.createNumber(op, "shop", "d1", num("0120-777-101"), "Top", num("03-1111-1111")));
    await(backend.createNumber(op, "shop", "d2", num("0120-777-102"), "Sub", num("03-1111-1111")));
    await(backend.createNumber(op, "cafe", "c1", num("0120-777-103"), "Cafe", num("03-1111-1111")));
    CallFlow greets = io.hankyo.protocol.flow.CallFlowParser.parse("""
        {"start": "hello", "steps": {
          "hello": {"type": "play", "prompt": "welcome", "next": "fwd"},
          "fwd":   {"type": "forward", "targets": [{"to": "03-1111-1111"}]}}}
        """);
    await(backend.storeFlow(op, "shop", "d2", greets));
    await(backend.storeFlow(op, "cafe", "c1", greets));
    await(backend.storeFlow(op, "shop", "d1", CallFlow.defaultFor(num("06-1111-1111"), 15)));
    assertEquals(List.of("cafe/c1", "shop/d2"), await(backend.numbersUsingPrompt(op, "welcome")));
    assertEquals(List.of(), await(backend.numbersUsingPrompt(op, "other")));
    assertEquals(List.of(), await(backend.numbersUsingPrompt(newOperator(), "welcome")), "another operator's flows");
    await(backend.storeFlow(op, "cafe", "c1", null));
    assertEquals(List.of("shop/d2"), await(backend.numbersUsingPrompt(op, "welcome")), "the flow was removed");
  }

  @Test
  void absenceAndFlowVersionsReachTheRouteOfTheNextCall() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    await(backend.createNumber(op, "shop", "d1", num("0120-222-111"), "Top", num("03-1111-1111")));
    assertEquals(0, await(backend.getFlow(op, "shop", "d1")).version());

    assertTrue(await(backend.setAbsence(op, "shop", "d1", true)).absent());
    assertTrue(lookup("0120-222-111").orElseThrow().absent());
    CallFlow flow = CallFlow.defaultFor(num("06-1111-1111"), 15);
    FlowView v1 = await(backend.storeFlow(op, "shop", "d1", flow));
    assertEquals(1, v1.version());
    assertEquals(flow, v1.flow());
    assertEquals(v1, await(backend.getFlow(op, "shop", "d1")));
    NumberRoute route = lookup("0120-222-111").orElseThrow();
    assertEquals(flow, route.flow());
    assertEquals(1, route.flowVersion());
    assertTrue(route.absent());

    FlowView removed = await(backend.storeFlow(op, "shop", "d1", null));
    assertEquals(2, removed.version());
    assertNull(lookup("0120-222-111").orElseThrow().flow());
    assertFalse(await(backend.setAbsence(op, "shop", "d1", false)).absent());

    problem(404, backend.getFlow(op, "shop", "nope"));
    problem(404, backend.storeFlow(op, "shop", "nope", flow));
    problem(404, backend.setAbsence(op, "shop", "nope", true));
    problem(404, backend.storeFlow(newOperator(), "shop", "d1", flow));
  }

  @Test
  void advertiserRulesApplyToItsNumbersWithoutOwnRulesFromTheNextCall() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    await(backend.createNumber(op, "shop", "d1", num("0120-555-001"), null, num("03-1111-1111")));
    await(backend.createNumber(op, "shop", "d2", num("0120-555-002"), null, num("03-1111-1111")));
    JudgmentView none = await(backend.getAdvertiserJudgment(op, "shop"));
    assertEquals(0, none.version());
    assertNull(none.rules());
    assertNull(lookup("0120-555-001").orElseThrow().judgment(), "neither the number nor the advertiser has rules");

    JudgmentRules adv = JudgmentRules.threshold(45);
    JudgmentView a1 = await(backend.storeAdvertiserJudgment(op, "shop", adv));
    assertEquals(1, a1.version());
    assertNull(a1.dialinId());
    NumberRoute r1 = lookup("0120-555-001").orElseThrow();
    assertEquals(adv, r1.judgment(), "the advertiser's rules reach the next call without touching the number");
    assertEquals(1, r1.judgmentVersion());
    assertEquals(NumberRoute.SCOPE_ADVERTISER, r1.judgmentScope());
    assertEquals("a1", r1.judgmentVersionId());

    // the number's own rules win
    JudgmentRules own = JudgmentRules.threshold(5);
    await(backend.storeJudgment(op, "shop", "d2", own));
    NumberRoute r2 = lookup("0120-555-002").orElseThrow();
    assertEquals(own, r2.judgment());
    assertEquals("n1", r2.judgmentVersionId());
    assertEquals(NumberRoute.SCOPE_NUMBER, r2.judgmentScopeOrNumber());

    // a new advertiser version applies at once; removing the number's own rules falls back to the advertiser's
    JudgmentRules stricter = JudgmentRules.threshold(90);
    assertEquals(2, await(backend.storeAdvertiserJudgment(op, "shop", stricter)).version());
    assertEquals("a2", lookup("0120-555-001").orElseThrow().judgmentVersionId());
    await(backend.clearJudgment(op, "shop", "d2"));
    NumberRoute fallback = lookup("0120-555-002").orElseThrow();
    assertEquals(stricter, fallback.judgment());
    assertEquals("a2", fallback.judgmentVersionId());

    // removing the advertiser's rules leaves numbers without rules
    await(backend.clearAdvertiserJudgment(op, "shop"));
    assertNull(lookup("0120-555-001").orElseThrow().judgment());
    assertEquals(3, await(backend.getAdvertiserJudgment(op, "shop")).version());

    // a backend without a Rejudger answers re-judgments with 503
    problem(503, backend.getRejudgment(op, "rjd_000000000000"));

    // unknown advertisers and other operators are 404
    problem(404, backend.getAdvertiserJudgment(op, "ghost"));
    problem(404, backend.storeAdvertiserJudgment(newOperator(), "shop", adv));
    problem(404, backend.clearAdvertiserJudgment(op, "ghost"));
  }

  @Test
  void judgmentVersionsReachTheRouteOfTheNextCallAndTheirPromptCountsAsInUse() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    await(backend.createNumber(op, "shop", "d1", num("0120-222-211"), "Top", num("03-1111-1111")));
    JudgmentView none = await(backend.getJudgment(op, "shop", "d1"));
    assertEquals(0, none.version());
    assertNull(none.rules());
    assertNull(none.updatedAt());
    assertEquals(0, await(backend.clearJudgment(op, "shop", "d1")).version(), "nothing to remove");

    JudgmentRules rules = JudgmentRulesParser.parse("""
        {"min_talk_sec": 30, "duplicate": {"scope": "advertiser", "period_sec": 604800},
         "post_call_button": {"prompt": "rate-call", "valid_digits": ["1"]}}
        """);
    JudgmentView v1 = await(backend.storeJudgment(op, "shop", "d1", rules));
    assertEquals(1, v1.version());
    assertEquals(rules, v1.rules());
    assertEquals("d1", v1.dialinId());
    assertEquals("shop", v1.clientId());
    assertEquals(v1, await(backend.getJudgment(op, "shop", "d1")));
    NumberRoute route = lookup("0120-222-211").orElseThrow();
    assertEquals(rules, route.judgment());
    assertEquals(1, route.judgmentVersion());
    assertEquals(0, route.flowVersion(), "rules and flow are versioned apart");
    assertEquals(List.of("shop/d1"), await(backend.numbersUsingPrompt(op, "rate-call")), "the post-call prompt");

    JudgmentView v2 = await(backend.storeJudgment(op, "shop", "d1", JudgmentRules.threshold(10)));
    assertEquals(2, v2.version());
    assertEquals(JudgmentRules.threshold(10), lookup("0120-222-211").orElseThrow().judgment());
    assertEquals(List.of(), await(backend.numbersUsingPrompt(op, "rate-call")), "no button any more");

    await(backend.storeRecording(op, "shop", "d1",
        new io.hankyo.protocol.recording.RecordingSettings(io.hankyo.protocol.recording.RecordingMode.BOTH,
            "recording-notice")));
    assertEquals(List.of("shop/d1"), await(backend.numbersUsingPrompt(op, "recording-notice")),
        "the recording's consent notice");
    await(backend.clearRecording(op, "shop", "d1"));
    assertEquals(List.of(), await(backend.numbersUsingPrompt(op, "recording-notice")), "no recording any more");

    JudgmentView cleared = await(backend.clearJudgment(op, "shop", "d1"));
    assertEquals(3, cleared.version());
    assertNull(cleared.rules());
    assertNull(lookup("0120-222-211").orElseThrow().judgment());
    assertEquals(3, lookup("0120-222-211").orElseThrow().judgmentVersion());
    assertEquals(cleared, await(backend.getJudgment(op, "shop", "d1")));

    problem(404, backend.getJudgment(op, "shop", "nope"));
    problem(404, backend.storeJudgment(op, "shop", "nope", rules));
    problem(404, backend.clearJudgment(op, "shop", "nope"));
    problem(404, backend.storeJudgment(op, "missing", "d1", rules));
    problem(404, backend.storeJudgment(newOperator(), "shop", "d1", rules));
    problem(404, backend.getJudgment(newOperator(), "shop", "d1"));
    assertEquals(3, await(backend.getJudgment(op, "shop", "d1")).version(), "refused calls changed nothing");
  }

  /** Issue 4 finding: a tracking number on a callback-pool number would silently win the routing of its callbacks. */
  @Test
  void aNumberInAnyOperatorsCallbackPoolIsNoTrackingNumber() {
    String opA = newOperator();
    String opB = newOperator();
    await(backend.createAdvertiser(opA, "a", "A"));
    await(backend.createAdvertiser(opB, "b", "B"));
    var pools = new io.hankyo.node.callback.ClusterCallbackBackend(sharding, ASK);
    await(pools.putPool(opA, List.of(num("050-7300-0001"), num("050-7300-0002")), 3600));

    ApiProblem own = problem(409, backend.createNumber(opA, "a", "a1", num("050-7300-0001"), "x", num("03-1111-1111")));
    assertEquals("din_id 050-7300-0001 is a callback number of this operator's pool (PUT /v1/callback-pool); take it "
        + "out of the pool first", own.detail());
    ApiProblem other = problem(409, backend.createNumber(opB, "b", "b1", num("050-7300-0002"), "x",
        num("03-1111-1111")));
    assertTrue(other.detail().contains("is a callback number of an operator's pool"), other.detail());
    assertFalse(other.detail().contains(opA), "another operator is not named: " + other.detail());
    assertEquals(Optional.empty(), lookup("050-7300-0002"), "nothing routes");
    assertEquals(0, await(backend.getAdvertiser(opB, "b")).numberCount());
    problem(404, backend.createNumber(opB, "missing", "b1", num("050-7300-0002"), "x", num("03-1111-1111")));

    // taken out of the pool, the number can become a tracking number
    await(pools.putPool(opA, List.of(num("050-7300-0001")), 3600));
    await(backend.createNumber(opB, "b", "b1", num("050-7300-0002"), "x", num("03-1111-1111")));
    assertEquals(opB, lookup("050-7300-0002").orElseThrow().operatorId());
  }

  /** The SSRF guard's PUT-time half (issue 4): with webhook-allow-private off, literal private IPs and localhost. */
  @Test
  void webhookUrlsOnPrivateLiteralsAreRefusedWithAPointer() {
    String op = newOperator();
    await(backend.createAdvertiser(op, "shop", "Shop"));
    await(backend.createNumber(op, "shop", "d1", num("0120-730-001"), "x", num("03-1111-1111")));
    for (String url : List.of("http://127.0.0.1:18558/ready", "http://localhost/x", "http://[::1]/x",
        "https://10.0.0.5/x", "http://169.254.169.254/latest/meta-data", "http://[fd00::1]/x")) {
      var settings = io.hankyo.protocol.notify.NotificationSettingsParser.parse(
          "{\"webhook\": {\"url\": \"" + url + "\", \"secret\": \"0123456789abcdef\", \"trigger\": \"every\"}}");
      ApiProblem p = problem(400, backend.storeNotifications(op, "shop", "d1", settings));
      assertEquals(1, p.errors().size(), url);
      assertEquals("/webhook/url", p.errors().get(0).pointer());
      assertTrue(p.errors().get(0).detail().contains("hankyo.notify.webhook-allow-private = off"), p.errors().toString());
    }
    ApiProblem p = problem(400, backend.storeNotifications(op, "shop", "d1",
        io.hankyo.protocol.notify.NotificationSettingsParser.parse("{\"webhook\": {\"url\": "
            + "\"http://127.0.0.1:18558/ready\", \"secret\": \"0123456789abcdef\", \"trigger\": \"every\"}}")));
    assertTrue(p.errors().get(0).detail().startsWith("127.0.0.1 is a loopback address"), p.errors().toString());
    var ok = io.hankyo.protocol.notify.NotificationSettingsParser.parse("{\"webhook\": {\"url\": "
        + "\"https://hooks.example.jp/calls\", \"secret\": \"0123456789abcdef\", \"trigger\": \"every\"}}");
    assertEquals("https://hooks.example.jp/calls", await(backend.storeNotifications(op, "shop", "d1", ok))
        .settings().webhook().url());
  }

  @Test
  void numberOfAnotherOperatorIsAConflictAndNothingIsHalfCreated() {
    String opA = newOperator();
    String opB = newOperator();
    await(backend.createAdvertiser(opA, "a", "A"));
    await(backend.createAdvertiser(opA, "a2", "A2"));
    await(backend.createAdvertiser(opB, "b", "B"));
    await(backend.createNumber(opA, "a", "a1", num("0120-222-222"), "A page", num("03-2222-2222")));

    ApiProblem p = problem(409, backend.createNumber(
        opB, "b", "b1", num("0120-222-222"), "B page", num("03-3333-3333")));
    assertTrue(p.detail().contains("already a tracking number"), p.detail());
    NumberRoute route = lookup("0120-222-222").orElseThrow();
    assertEquals(opA, route.operatorId());
    assertEquals("a1", route.dialinId());
    assertEquals("+81322222222", route.forwardTo().e164());
    assertEquals(List.of(), await(backend.listNumbers(opB, "b")));
    assertEquals(0, await(backend.getAdvertiser(opB, "b")).numberCount());
    problem(404, backend.getNumber(opB, "b", "b1"));
    // The loser can still use its dialin id for another number.
    await(backend.createNumber(opB, "b", "b1", num("0120-222-223"), "B page", num("03-3333-3333")));

    // Same operator, other advertiser: also a conflict.
    problem(409, backend.createNumber(opA, "a2", "x", num("0120-222-222"), "dup", num("03-2222-2222")));
    assertEquals(0, await(backend.getAdvertiser(opA, "a2")).numberCount());
    assertEquals("a", lookup("0120-222-222").orElseThrow().clientId());
  }

  @Test
  void operatorsAreIsolated() {
    String opA = newOperator();
    String opB = newOperator();
    await(backend.createAdvertiser(opA, "same-id", "A's shop"));
    await(backend.createNumber(opA, "same-id", "x1", num("0120-333-333"), "A page", num("03-3333-3333")));

    problem(404, backend.getAdvertiser(opB, "same-id"));
    assertEquals(List.of(), await(backend.listAdvertisers(opB)));
    problem(404, backend.updateAdvertiser(opB, "same-id", "hijack"));
    problem(404, backend.listNumbers(opB, "same-id"));
    problem(404, backend.getNumber(opB, "same-id", "x1"));
    problem(404, backend.updateNumber(opB, "same-id", "x1", "hijack", num("03-9999-9999")));
    problem(404, backend.deleteNumber(opB, "same-id", "x1"));
    problem(404, backend.deleteAdvertiser(opB, "same-id"));
    problem(404, backend.createNumber(opB, "same-id", "x2", num("0120-333-334"), "x", num("03-9999-9999")));

    // opB can have its own advertiser with the same client id.
    await(backend.createAdvertiser(opB, "same-id", "B's shop"));
    assertEquals("B's shop", await(backend.getAdvertiser(opB, "same-id")).clientName());
    assertEquals("A's shop", await(backend.getAdvertiser(opA, "same-id")).clientName());
    problem(404, backend.getNumber(opB, "same-id", "x1"));

    NumberRoute route = lookup("0120-333-333").orElseThrow();
    assertEquals(new NumberRoute(opA, "same-id", "A's shop", "x1", "A page", num("0120-333-333"),
        num("03-3333-3333")), route);
  }

  @Test
  void deletingAnAdvertiserReleasesItsNumbers() {
    String opA = newOperator();
    String opB = newOperator();
    await(backend.createAdvertiser(opA, "gone", "Gone"));
    await(backend.createNumber(opA, "gone", "g1", num("0120-444-444"), "one", num("03-4444-4444")));
    await(backend.createNumber(opA, "gone", "g2", num("050-4444-4444"), "two", num("03-4444-4444")));
    assertTrue(lookup("0120-444-444").isPresent());

    await(backend.deleteAdvertiser(opA, "gone"));
    assertEquals(Optional.empty(), lookup("0120-444-444"));
    assertEquals(Optional.empty(), lookup("050-4444-4444"));
    assertEquals(List.of(), await(backend.listAdvertisers(opA)));

    await(backend.createAdvertiser(opB, "new-owner", "New owner"));
    await(backend.createNumber(opB, "new-owner", "n1", num("0120-444-444"), "mine", num("06-4444-4444")));
    assertEquals(opB, lookup("0120-444-444").orElseThrow().operatorId());

    AdvertiserView recreated = await(backend.createAdvertiser(opA, "gone", "Gone again"));
    assertEquals(0, recreated.numberCount());
  }

  @Test
  void lookupOfSomethingThatIsNotE164IsEmpty() {
    assertEquals(Optional.empty(), await(routes.lookup("0120444444")));
    assertEquals(Optional.empty(), await(routes.lookup("")));
  }

  // ----------------------------------------------------------------------------------------- authentication

  @Test
  void authenticateWithARegisteredKey() {
    String op = newOperator();
    String key = "hk_test-key-" + op + "-0123456789";
    assertEquals(Optional.empty(), await(backend.authenticate(key)));
    await(sharding.entityRefFor(ApiKey.ENTITY_KEY, ApiKey.idFor(key))
        .<Done>askWithStatus(r -> new ApiKey.Register(op, r), ASK));
    assertEquals(Optional.of(op), await(backend.authenticate(key)));
    assertEquals(Optional.of(op), await(backend.authenticate(key)));
    assertEquals(Optional.empty(), await(backend.authenticate(key + "x")));
    assertEquals(Optional.empty(), await(backend.authenticate("")));
    assertEquals(Optional.empty(), await(backend.authenticate(null)));
  }

  @Test
  void bootstrapCreatesTheOperatorAndAKeyOnce() {
    Optional<String> first = await(
        DirectoryBootstrap.ensureBootstrapOperator(system, sharding, Optional.empty(), ASK));
    String key = first.orElseThrow();
    assertTrue(key.matches("hk_[A-Za-z0-9_-]{43}"), key);
    assertEquals(Optional.of(DirectoryBootstrap.BOOTSTRAP_OPERATOR_ID), await(backend.authenticate(key)));
    assertEquals("default", DirectoryBootstrap.BOOTSTRAP_OPERATOR_ID);

    assertEquals(Optional.empty(), await(
        DirectoryBootstrap.ensureBootstrapOperator(system, sharding, Optional.empty(), ASK)));
    assertEquals(Optional.empty(), await(
        DirectoryBootstrap.ensureBootstrapOperator(system, sharding, Optional.of("  "), ASK)));

    // The environment key: registered, nothing to print, idempotent across restarts.
    String envKey = "env-key-0123456789";
    assertEquals(Optional.empty(), await(
        DirectoryBootstrap.ensureBootstrapOperator(system, sharding, Optional.of(envKey), ASK)));
    assertEquals(Optional.of("default"), await(backend.authenticate(envKey)));
    assertEquals(Optional.empty(), await(
        DirectoryBootstrap.ensureBootstrapOperator(system, sharding, Optional.of(envKey), ASK)));
    assertEquals(Optional.of("default"), await(backend.authenticate(key)));

    ExecutionException shortKey = assertThrows(ExecutionException.class, () -> DirectoryBootstrap
        .ensureBootstrapOperator(system, sharding, Optional.of("short-key"), ASK)
        .toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, shortKey.getCause());
    assertTrue(shortKey.getCause().getMessage().contains("at least 16 characters"));

    // A key already bound to another operator is refused.
    String op = newOperator();
    String foreign = "foreign-key-0123456789";
    await(sharding.entityRefFor(ApiKey.ENTITY_KEY, ApiKey.idFor(foreign))
        .<Done>askWithStatus(r -> new ApiKey.Register(op, r), ASK));
    ExecutionException bound = assertThrows(ExecutionException.class, () -> DirectoryBootstrap
        .ensureBootstrapOperator(system, sharding, Optional.of(foreign), ASK)
        .toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(StatusReply.ErrorMessage.class, bound.getCause());
  }

  // ------------------------------------------------------------------------------------- call log, privacy

  @Test
  void callsDelegateToTheReader() {
    Instant from = Instant.parse("2024-04-01T00:00:00Z");
    Instant to = Instant.parse("2024-04-02T00:00:00Z");
    assertSame(READER_SOURCE, backend.calls("op-x", from, to));
    synchronized (readerCalls) {
      Object[] last = readerCalls.get(readerCalls.size() - 1);
      assertEquals(List.of("op-x", from, to), List.of(last));
    }
  }

  @Test
  void decryptCaller() {
    EncryptedValue v = cipher.encrypt("+819012345678");
    assertEquals(Optional.of("+819012345678"), backend.decryptCaller(v));
    assertEquals(Optional.empty(), backend.decryptCaller(new EncryptedValue("shredded", v.data())));
    String tampered = Base64.getEncoder().encodeToString(new byte[40]);
    assertEquals(Optional.empty(), backend.decryptCaller(new EncryptedValue("k1", tampered)));
    assertEquals(Optional.empty(), backend.decryptCaller(new EncryptedValue("k1", "not base64!")));
    assertEquals(Optional.empty(), backend.decryptCaller(null));
  }

  // ------------------------------------------------------------------------------------- call recordings

  /** The ids of the Call entities running on this node. */
  private static java.util.Set<String> runningCalls() {
    var probe = testKit.<org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState>createTestProbe();
    sharding.shardState().tell(new org.apache.pekko.cluster.sharding.typed.GetShardRegionState(
        io.hankyo.node.call.Call.ENTITY_KEY, probe.getRef()));
    java.util.Set<String> ids = new java.util.HashSet<>();
    probe.receiveMessage(ASK).getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }

  @Test
  void aRecordingOfSomethingThatIsNotACallIdIs404WithoutStartingAnEntity() throws Exception {
    io.hankyo.node.call.Call.init(sharding, new io.hankyo.node.call.Call.Dependencies(
        new io.hankyo.node.call.CallOutcomes(io.hankyo.node.call.CallCharges.defaults()),
        r -> java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance()), 4));
    for (String bad : List.of("not-a-call", "0123456789ABCDEF01234567", "0123456789abcdef0123456", "x".repeat(300))) {
      ExecutionException get = assertThrows(ExecutionException.class,
          () -> backend.openCallRecording("op-x", bad).toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertEquals(404, assertInstanceOf(ApiProblem.class, get.getCause()).status(), bad);
      assertTrue(((ApiProblem) get.getCause()).detail().contains("24 lower-case hexadecimal digits"));
      ExecutionException del = assertThrows(ExecutionException.class,
          () -> backend.deleteCallRecording("op-x", bad).toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertEquals(404, assertInstanceOf(ApiProblem.class, del.getCause()).status(), bad);
    }
    // a well-formed id of no call asks its entity (the authority on whose call it is), and is 404 too
    String unknown = "0123456789abcdef01234567";
    ExecutionException none = assertThrows(ExecutionException.class,
        () -> backend.openCallRecording("op-x", unknown).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(404, assertInstanceOf(ApiProblem.class, none.getCause()).status());
    java.util.Set<String> running = runningCalls();
    assertTrue(running.contains(unknown), "the well-formed id reached its entity: " + running);
    assertEquals(java.util.Set.of(unknown), running, "no entity for the malformed ids");
  }

  // ------------------------------------------------------------------------------------------------ pools (issue 5)

  @Test
  void aTrackingNumberOfALivePoolIsNotDeletedNorItsAdvertiser() {
    String op = newOperator();
    io.hankyo.node.pool.ClusterPoolBackend pools = new io.hankyo.node.pool.ClusterPoolBackend(system, sharding, ASK,
        java.time.Clock.systemUTC());
    await(backend.createAdvertiser(op, "shop-2", "Shop 2"));
    await(backend.createNumber(op, "shop-2", "main", num("0120-333-444"), "Main", num("03-3333-4444")));
    await(backend.createNumber(op, "shop-2", "fb", num("0120-333-445"), "Fallback", num("03-3333-4444")));
    await(backend.createNumber(op, "shop-2", "free", num("0120-333-446"), "Free", num("03-3333-4444")));
    PhoneNumber pooled = num("0120-333-001");
    assertTrue(await(sharding.entityRefFor(io.hankyo.node.inventory.InventoryNumber.ENTITY_KEY, pooled.e164())
        .<StatusReply<io.hankyo.node.inventory.InventoryNumber.ImportResult>>ask(
            r -> new io.hankyo.node.inventory.InventoryNumber.Import(op, r), ASK)).isSuccess());
    io.hankyo.api.PoolBackend.Pool pool = await(pools.create(op, new io.hankyo.api.PoolBackend.NewPool("dynamic",
        List.of(pooled), 600, 0, num("0120-333-445"), List.of(), num("0120-333-444"))));

    ApiProblem tracking = problem(409, backend.deleteNumber(op, "shop-2", "main"));
    assertTrue(tracking.getMessage().contains("0120-333-444 is the tracking_number of pool " + pool.poolId()),
        tracking.getMessage());
    assertTrue(tracking.getMessage().contains("delete pool " + pool.poolId() + " first"), tracking.getMessage());
    ApiProblem fallback = problem(409, backend.deleteNumber(op, "shop-2", "fb"));
    assertTrue(fallback.getMessage().contains("0120-333-445 is the fallback_number of pool " + pool.poolId()),
        fallback.getMessage());
    ApiProblem advertiser = problem(409, backend.deleteAdvertiser(op, "shop-2"));
    assertTrue(advertiser.getMessage().contains("advertiser shop-2"), advertiser.getMessage());
    // nothing was deleted: the numbers still route, the pool's numbers too
    assertEquals("shop-2", lookup("0120-333-444").orElseThrow().clientId());
    assertEquals("shop-2", lookup("0120-333-445").orElseThrow().clientId());
    assertEquals("shop-2", lookup("0120-333-001").orElseThrow().clientId());
    assertEquals(3, await(backend.listNumbers(op, "shop-2")).size());
    // a number no pool uses is deleted as before
    assertEquals(Done.getInstance(), await(backend.deleteNumber(op, "shop-2", "free")));

    // once the pool is deleted, so may its numbers be
    await(pools.delete(op, pool.poolId()));
    assertEquals(Done.getInstance(), await(backend.deleteAdvertiser(op, "shop-2")));
    assertEquals(Optional.empty(), lookup("0120-333-444"));
  }
}
