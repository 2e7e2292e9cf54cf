package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool routes (issue 5) over real HTTP with a fake {@link PoolBackend}: create, list, get, assign, and the
 * problem+json answers of bad input with nothing assigned.
 */
class PoolApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static ActorTestKit testKit;

  private RouteTestServer server;
  private FakePools pools;

  /**
   * Pools in memory; every assignment hands out the first number and is recorded; a session id starting with
   * {@code fb} gets the fallback number. Displays count in month 2026-11 only.
   */
  static final class FakePools implements PoolBackend {
    final Map<String, String> owner = new TreeMap<>();
    final Map<String, Pool> byId = new TreeMap<>();
    final List<String> assigned = new ArrayList<>();
    final Map<String, long[]> counts = new TreeMap<>();
    final java.util.Set<String> deleted = new java.util.TreeSet<>();
    final List<Binding> bound = new ArrayList<>();
    /** The first display of every pool, for the sizing report; null: a history covering the days asked for. */
    Instant historySince;

    /** op-a's only tracking number is 0120-555-555. */
    private static boolean tracking(String operatorId, io.hankyo.protocol.number.PhoneNumber n) {
      return operatorId.equals("op-a") && n.e164().equals("+81120555555");
    }

    @Override
    public synchronized CompletionStage<Binding> bind(String operatorId, NewBinding b) {
      if (!tracking(operatorId, b.number())) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("number is not one of your tracking numbers"));
      }
      Instant at = b.boundAt() == null ? NOW : b.boundAt();
      Binding out = new Binding("bnd-" + (bound.size() + 1), b.number().e164(), b.sessionId(), b.params(), at,
          at.plusSeconds(b.holdSec()));
      bound.add(out);
      return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletionStage<List<Binding>> bindings(String operatorId,
        io.hankyo.protocol.number.PhoneNumber number) {
      if (!tracking(operatorId, number)) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("number is not one of your tracking numbers"));
      }
      return CompletableFuture.completedFuture(List.copyOf(bound));
    }

    @Override
    public synchronized CompletionStage<Pool> create(String operatorId, NewPool p) {
      if (p.numbers().stream().anyMatch(n -> n.e164().equals("+81120777777"))) {
        return CompletableFuture.failedFuture(ApiProblem.conflict("0120-777-777 is not available"));
      }
      if (!tracking(operatorId, p.trackingNumber())) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("tracking_number is not one of yours"));
      }
      if (p.poolId() != null && byId.containsKey(p.poolId())) {
        Pool old = byId.get(p.poolId());
        if (old.numbers().size() != p.numbers().size() || old.holdSec() != p.holdSec()) {
          // ClusterPoolBackend's text
          return CompletableFuture.failedFuture(ApiProblem.conflict("pool " + p.poolId() + " exists with other "
              + "settings; choose another pool_id, or GET /v1/pools/" + p.poolId() + " to see it"));
        }
        return CompletableFuture.completedFuture(old);
      }
      String id = p.poolId() != null ? p.poolId() : "pool-" + (byId.size() + 1);
      Pool pool = new Pool(id, p.method(), p.numbers().stream().map(n -> new Member(n.e164(), null, null)).toList(),
          p.holdSec(), p.coolDownSec(), p.fallback().e164(), p.allowedOrigins(), 0, 0, false,
          p.trackingNumber().e164());
      owner.put(id, operatorId);
      byId.put(id, pool);
      return CompletableFuture.completedFuture(pool);
    }

    @Override
    public synchronized CompletionStage<List<Pool>> list(String operatorId) {
      return CompletableFuture.completedFuture(byId.values().stream()
          .filter(p -> owner.get(p.poolId()).equals(operatorId)).toList());
    }

    @Override
    public synchronized CompletionStage<Pool> get(String operatorId, String poolId) {
      Pool p = byId.get(poolId);
      if (p == null || !owner.get(poolId).equals(operatorId)) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
      }
      return CompletableFuture.completedFuture(p);
    }

    @Override
    public synchronized CompletionStage<Assignment> assign(String operatorId, String poolId, String sessionId,
        Map<String, String> params) {
      Pool p = byId.get(poolId);
      if (p == null || !owner.get(poolId).equals(operatorId)) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
      }
      if (sessionId.equals("no-answer")) {
        return CompletableFuture.completedFuture(null); // a broken backend
      }
      if (sessionId.equals("timeout")) {
        return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException("the pool did not answer"));
      }
      if (sessionId.equals("taken")) {
        return CompletableFuture.failedFuture(ApiProblem.conflict("the session id is used in another pool "
            + "(pool-other); use one session id per pool; nothing was assigned"));
      }
      assigned.add(sessionId + " " + new TreeMap<>(params));
      boolean fallback = sessionId.startsWith("fb");
      long[] c = counts.computeIfAbsent(poolId, x -> new long[2]);
      c[0]++;
      c[1] += fallback ? 1 : 0;
      return CompletableFuture.completedFuture(fallback ? new Assignment(p.fallbackE164(), null, true)
          : new Assignment(p.numbers().get(0).e164(), NOW.plusSeconds(p.holdSec()), false));
    }

    @Override
    public synchronized CompletionStage<Void> delete(String operatorId, String poolId) {
      Pool p = byId.get(poolId);
      if (deleted.contains(poolId) && owner.get(poolId).equals(operatorId)) {
        // like ClusterPoolBackend (PoolRoutingTest): deleting a deleted pool again succeeds
        return CompletableFuture.completedFuture(null);
      }
      if (p == null || !owner.get(poolId).equals(operatorId)) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
      }
      byId.remove(poolId);
      deleted.add(poolId);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletionStage<Displays> displays(String operatorId, java.time.YearMonth month) {
      String key = month == null ? "2026-11" : month.toString();
      List<PoolDisplays> rows = new ArrayList<>();
      owner.forEach((id, op) -> {
        long[] c = key.equals("2026-11") ? counts.getOrDefault(id, new long[2]) : new long[2];
        if (op.equals(operatorId) && (!deleted.contains(id) || c[0] > 0)) {
          rows.add(new PoolDisplays(id, c[0], c[1], deleted.contains(id)));
        }
      });
      return CompletableFuture.completedFuture(new Displays(operatorId, key, rows));
    }

    @Override
    public synchronized CompletionStage<PoolSizing.Report> sizing(String operatorId, String poolId, int days) {
      Pool p = byId.get(poolId);
      if (p == null || !owner.get(poolId).equals(operatorId)) {
        return CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId));
      }
      long[] c = counts.getOrDefault(poolId, new long[2]);
      List<PoolSizing.Day> rows = new ArrayList<>();
      for (int i = days - 1; i >= 0; i--) {
        // a fallback: every number held; else one held per display (at most all)
        int peak = c[1] > 0 ? p.numbers().size() : (int) Math.min(c[0], p.numbers().size());
        rows.add(i == 0 ? new PoolSizing.Day("2026-11-30", peak, c[1], c[0])
            : new PoolSizing.Day(java.time.LocalDate.of(2026, 11, 30).minusDays(i).toString(), 0, 0, 0));
      }
      return CompletableFuture.completedFuture(historySince == null
          ? PoolSizing.report(poolId, p.numbers().size(), rows)
          : PoolSizing.report(poolId, p.numbers().size(), rows, historySince, NOW));
    }
  }

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("PoolApiRouteTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void bind() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    pools = new FakePools();
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(8192), Clock.fixed(NOW, ZoneOffset.UTC)).withPools(pools);
    server = RouteTestServer.bind(testKit, api);
  }

  @AfterEach
  void unbind() throws Exception {
    server.unbind();
  }

  private HttpResponse<String> send(String method, String path, String key, byte[] body) throws Exception {
    return server.send(method, path, key, body == null ? null : "application/json", body);
  }

  private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    return server.sendJson(method, path, key, body);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return RouteTestServer.json(r);
  }

  private static final String NEW_POOL = "{\"method\": \"dynamic\", \"numbers\": [\"0120-000-001\", \"0120000002\"],"
      + " \"hold_sec\": 1800, \"cool_down_sec\": 600, \"fallback_number\": \"0120-999-999\","
      + " \"allowed_origins\": [\"https://shop.example\"], \"tracking_number\": \"0120-555-555\"}";

  @Test
  void createsListsGetsAndAssigns() throws Exception {
    HttpResponse<String> created = send("POST", "/v1/pools", KEY_A, NEW_POOL);
    assertEquals(201, created.statusCode(), created.body());
    JsonNode pool = json(created);
    assertEquals("pool-1", pool.get("pool_id").asText());
    assertEquals("dynamic", pool.get("method").asText());
    assertEquals("0120-000-001", pool.get("numbers").get(0).get("number").asText());
    assertEquals("+81120000002", pool.get("numbers").get(1).get("number_e164").asText());
    assertEquals("0120-999-999", pool.get("fallback_number").asText());
    assertEquals("https://shop.example", pool.get("allowed_origins").get(0).asText());
    assertEquals("0120-555-555", pool.get("tracking_number").asText());
    assertEquals("+81120555555", pool.get("tracking_number_e164").asText());
    assertEquals(1, json(send("GET", "/v1/pools", KEY_A, (String) null)).get("pools").size());
    assertEquals(0, json(send("GET", "/v1/pools", KEY_B, (String) null)).get("pools").size());
    assertEquals(1800, json(send("GET", "/v1/pools/pool-1", KEY_A, (String) null)).get("hold_sec").asInt());
    HttpResponse<String> a = send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s-1\", \"params\": {\"gclid\": \"abc\", \"utm_source\": \"google\", \"x-any\": \"v\"}}");
    assertEquals(200, a.statusCode(), a.body());
    assertEquals("0120-000-001", json(a).get("number").asText());
    assertEquals("+81120000001", json(a).get("number_e164").asText());
    assertEquals("2026-11-30T09:30:00+09:00", json(a).get("held_until").asText(), "Japan time like the rest of the API");
    assertEquals(false, json(a).get("fallback").asBoolean());
    assertEquals(List.of("s-1 {gclid=abc, utm_source=google, x-any=v}"), pools.assigned);
  }

  @Test
  void badInputIsAProblemAndNothingIsAssigned() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    List<String> assignedBeforeBadInput = List.copyOf(pools.assigned);
    HttpResponse<String> unknown = send("POST", "/v1/pools/nope/assignments", KEY_A, "{\"session_id\": \"s\"}");
    assertEquals(404, unknown.statusCode());
    assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertEquals(404, send("POST", "/v1/pools/pool-1/assignments", KEY_B, "{\"session_id\": \"s\"}").statusCode());
    assertEquals(404, send("GET", "/v1/pools/pool-1", KEY_B, (String) null).statusCode());
    HttpResponse<String> noSession = send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"params\": {}}");
    assertEquals(400, noSession.statusCode());
    assertEquals("/session_id", json(noSession).get("errors").get(0).get("pointer").asText());
    HttpResponse<String> nonString = send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"n\": 1}}");
    assertEquals(400, nonString.statusCode());
    assertEquals("/params/n", json(nonString).get("errors").get(0).get("pointer").asText());
    StringBuilder many = new StringBuilder("{\"session_id\": \"s\", \"params\": {");
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
    }
    assertEquals(400, send("POST", "/v1/pools/pool-1/assignments", KEY_A, many + "}}").statusCode());
    String longValue = "x".repeat(1025);
    assertEquals(400, send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"referrer\": \"" + longValue + "\"}}").statusCode());
    StringBuilder big = new StringBuilder("{\"session_id\": \"s\", \"params\": {");
    for (int i = 0; i < 5; i++) {
      big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"").append("y".repeat(1000)).append('"');
    }
    assertEquals(413, send("POST", "/v1/pools/pool-1/assignments", KEY_A, big + "}}").statusCode());
    byte[] badUtf8 = "{\"session_id\": \"s\", \"params\": {\"a\": \"\u0000\"}}".getBytes(StandardCharsets.UTF_8);
    badUtf8[badUtf8.length - 4] = (byte) 0xC3; // a lead byte without its continuation byte
    HttpResponse<String> utf8 = send("POST", "/v1/pools/pool-1/assignments", KEY_A, badUtf8);
    assertEquals(400, utf8.statusCode(), utf8.body());
    // text that cannot be stored (a call attributed to it was once lost from the call log): refused, nothing assigned
    int assignedBefore = pools.assigned.size();
    byte[] surrogate = "{\"session_id\": \"s\", \"params\": {\"b\": \"xyz\"}}".getBytes(StandardCharsets.UTF_8);
    int xyz = new String(surrogate, StandardCharsets.UTF_8).indexOf("xyz");
    surrogate[xyz] = (byte) 0xED;
    surrogate[xyz + 1] = (byte) 0xA0;
    surrogate[xyz + 2] = (byte) 0x80;
    HttpResponse<String> encoded = send("POST", "/v1/pools/pool-1/assignments", KEY_A, surrogate);
    assertEquals(400, encoded.statusCode(), encoded.body());
    assertTrue(json(encoded).get("detail").asText().contains("not valid UTF-8"), encoded.body());
    HttpResponse<String> escaped = send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"gclid\": \"\\ud800\"}}");
    assertEquals(400, escaped.statusCode(), escaped.body());
    assertEquals("application/problem+json", escaped.headers().firstValue("Content-Type").orElse(""));
    assertEquals(assignedBefore, pools.assigned.size(), "nothing assigned");
    HttpResponse<String> reserved = send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"gclid\": \"g\", \"valid_res\": \"x\", \"nfy_email\": \"x\"}}");
    assertEquals(400, reserved.statusCode(), reserved.body());
    assertEquals("/params/valid_res", json(reserved).get("errors").get(0).get("pointer").asText());
    assertEquals("/params/nfy_email", json(reserved).get("errors").get(1).get("pointer").asText());
    HttpResponse<String> badKeys = send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"utm source\": \"x\", \"a\\u0000b\": \"x\", \"t\\tab\": \"x\", "
            + "\"Attribution\": \"x\", \"NFY_Email\": \"x\", \"" + "k".repeat(65) + "\": \"x\", "
            + "\"ok\": \"line\\nbreak\", \"ok2\": \"nul\\u0000\", \"ok3\": \"del\\u007f\", \"fine\": \"a\\tb\"}}");
    assertEquals(400, badKeys.statusCode(), badKeys.body());
    List<String> badPointers = new ArrayList<>();
    json(badKeys).get("errors").forEach(e -> badPointers.add(e.get("pointer").asText()));
    assertEquals(List.of("/params/utm source", "/params/a\u0000b", "/params/t\tab", "/params/Attribution",
        "/params/NFY_Email", "/params/" + "k".repeat(65), "/params/ok", "/params/ok2", "/params/ok3"), badPointers,
        "keys outside [A-Za-z0-9_.-]{1,64}, reserved keys in any case, values with control characters (tab is fine)");
    assertEquals(assignedBeforeBadInput, pools.assigned, "no refused request reached the backend");
    assertEquals(200, send("POST", "/v1/pools/pool-1/assignments", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"utm_source.x-1\": \"a\\tb\"}}").statusCode());
    assertEquals(assignedBeforeBadInput.size() + 1, pools.assigned.size(), "the valid one did");
  }

  @Test
  void aPathPoolIdThatNoPoolCanHaveIs404WithoutBeingEchoed() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    String longId = "p".repeat(1500);
    for (String id : List.of(longId, "a%01b", "a%0Ab", "a%00", "-._:", "a%20b", "%E3%81%82", "p".repeat(129))) {
      for (String[] req : new String[][] {{"GET", ""}, {"DELETE", ""}, {"GET", "/sizing"}, {"POST", "/assignments"}}) {
        HttpResponse<String> r = send(req[0], "/v1/pools/" + id + req[1], KEY_A,
            req[0].equals("POST") ? "{\"session_id\": \"s\"}" : null);
        assertEquals(404, r.statusCode(), id + " " + r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals(PoolApi.NOT_A_POOL_ID, json(r).get("detail").asText(), r.body());
        assertTrue(json(r).get("instance") == null, "the path holding the id is not echoed: " + r.body());
      }
    }
    assertEquals(List.of(), pools.assigned, "nothing assigned");
    assertEquals(1, pools.byId.size(), "nothing deleted");
    // a 10,000-character path is refused by the HTTP server (its URI length limit) before any route: not echoed
    HttpResponse<String> huge = send("GET", "/v1/pools/" + "q".repeat(10_000), KEY_A, (String) null);
    assertTrue(huge.statusCode() == 404 || huge.statusCode() == 414, huge.statusCode() + " " + huge.body());
    assertTrue(!huge.body().contains("qqqqqqqqqq"), huge.body());
    // an id that can be one reaches the backend as before
    assertEquals("no pool shop-9", json(send("GET", "/v1/pools/shop-9", KEY_A, (String) null)).get("detail").asText());
  }

  @Test
  void theKeyedAssignmentsConflictNamesTheOtherPoolOfTheOperator() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    HttpResponse<String> taken = send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"taken\"}");
    assertEquals(409, taken.statusCode(), taken.body());
    // the operator's own data: it names the pool (the key-less JS tag endpoint does not, DniApiRouteTest)
    assertTrue(json(taken).get("detail").asText().contains("(pool-other)"), taken.body());
  }

  @Test
  void bindsAndListsBindings() throws Exception {
    HttpResponse<String> b = send("POST", "/v1/bindings", KEY_A, "{\"number\": \"0120-555-555\", \"session_id\": "
        + "\"s-9\", \"params\": {\"gclid\": \"g-1\"}, \"bound_at\": \"2026-11-30T08:00:00+09:00\", \"hold_sec\": 600}");
    assertEquals(201, b.statusCode(), b.body());
    // the created binding is in the listing its Location names
    assertEquals("/v1/bindings?number=0120-555-555", b.headers().firstValue("Location").orElse(null));
    JsonNode j = json(b);
    assertEquals("bnd-1", j.get("binding_id").asText());
    assertEquals("0120-555-555", j.get("number").asText());
    assertEquals("s-9", j.get("session_id").asText());
    assertEquals("g-1", j.get("params").get("gclid").asText());
    assertEquals("2026-11-30T08:00:00+09:00", j.get("bound_at").asText());
    assertEquals("2026-11-30T08:10:00+09:00", j.get("held_until").asText());
    HttpResponse<String> now = send("POST", "/v1/bindings", KEY_A, "{\"number\": \"0120555555\", \"hold_sec\": 60}");
    assertEquals(201, now.statusCode(), now.body());
    assertTrue(json(now).get("session_id").isNull());
    JsonNode list = json(send("GET", "/v1/bindings?number=0120-555-555", KEY_A, (String) null));
    assertEquals(2, list.get("bindings").size());
    assertEquals("bnd-2", list.get("bindings").get(1).get("binding_id").asText());
  }

  @Test
  void badBindingsAreProblemsAndNothingIsBound() throws Exception {
    String ok = "{\"number\": \"0120-555-555\", \"params\": {\"gclid\": \"g\"}, \"hold_sec\": 600}";
    assertEquals(404, send("POST", "/v1/bindings", KEY_A, ok.replace("0120-555-555", "0120-444-444")).statusCode());
    assertEquals(404, send("POST", "/v1/bindings", KEY_B, ok).statusCode(), "not the operator's number");
    assertEquals(404, send("GET", "/v1/bindings?number=0120-555-555", KEY_B, (String) null).statusCode());
    HttpResponse<String> noNumber = send("GET", "/v1/bindings", KEY_A, (String) null);
    assertEquals(400, noNumber.statusCode());
    HttpResponse<String> badTime = send("POST", "/v1/bindings", KEY_A,
        ok.replace("\"hold_sec\": 600", "\"hold_sec\": 0, \"bound_at\": \"yesterday\""));
    assertEquals(400, badTime.statusCode());
    List<String> pointers = new ArrayList<>();
    json(badTime).get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
    assertEquals(List.of("/bound_at", "/hold_sec"), pointers);
    assertEquals(400, send("POST", "/v1/bindings", KEY_A,
        ok.replace("600", "86401")).statusCode(), "hold over a day");
    assertEquals(400, send("POST", "/v1/bindings", KEY_A,
        ok.replace("600", "600, \"bound_at\": \"2020-01-01T00:00:00+09:00\"")).statusCode(), "far from now");
    assertEquals(400, send("POST", "/v1/bindings", KEY_A, ok.replace("gclid", "session_id")).statusCode(),
        "reserved key");
    assertEquals(400, send("POST", "/v1/bindings", KEY_A, ok.replace("gclid", "Session_ID")).statusCode(),
        "reserved key in another case");
    HttpResponse<String> spaced = send("POST", "/v1/bindings", KEY_A, ok.replace("gclid", "g clid"));
    assertEquals(400, spaced.statusCode());
    assertEquals("/params/g clid", json(spaced).get("errors").get(0).get("pointer").asText());
    assertEquals(400, send("POST", "/v1/bindings", KEY_A, ok.replace("\"g\"", "\"g\\r\"")).statusCode(),
        "control character in a value");
    assertEquals(400, send("POST", "/v1/bindings", KEY_A, ok.replace("0120-555-555", "12")).statusCode());
    StringBuilder big = new StringBuilder("{\"number\": \"0120-555-555\", \"hold_sec\": 60, \"params\": {");
    for (int i = 0; i < 5; i++) {
      big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"").append("y".repeat(1000)).append('"');
    }
    assertEquals(413, send("POST", "/v1/bindings", KEY_A, big + "}}").statusCode());
    assertEquals(413, send("POST", "/v1/bindings", KEY_A, "{\"number\": \"" + "9".repeat(20_000) + "\"}")
        .statusCode(), "body over 16 KiB");
    byte[] badUtf8 = ok.getBytes(StandardCharsets.UTF_8);
    int at = ok.indexOf("\"g\"") + 1;
    badUtf8[at] = (byte) 0xC3;
    HttpResponse<String> utf8 = send("POST", "/v1/bindings", KEY_A, badUtf8);
    assertEquals(400, utf8.statusCode(), utf8.body());
    assertEquals(List.of(), pools.bound);
  }

  @Test
  void aBadPoolIsRefusedWithPointers() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/pools", KEY_A, "{\"method\": \"sticky\", \"numbers\": "
        + "[\"0120-000-001\", \"0120000001\", \"12\"], \"hold_sec\": 0, \"fallback_number\": \"x\"}");
    assertEquals(400, r.statusCode());
    List<String> pointers = new ArrayList<>();
    json(r).get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
    assertEquals(List.of("/method", "/numbers/1", "/numbers/2", "/hold_sec", "/fallback_number", "/tracking_number"),
        pointers);
    String trackingProblem = null;
    for (var e : json(r).get("errors")) {
      if (e.get("pointer").asText().equals("/tracking_number")) {
        trackingProblem = e.get("detail") != null ? e.get("detail").asText() : e.toString();
      }
    }
    assertTrue(trackingProblem != null && trackingProblem.contains("is required"), "a missing tracking_number "
        + "says it is required: " + r.body());
    HttpResponse<String> notOurs = send("POST", "/v1/pools", KEY_A,
        NEW_POOL.replace("0120-555-555", "0120-666-666"));
    assertEquals(404, notOurs.statusCode(), notOurs.body());
    assertTrue(notOurs.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    HttpResponse<String> taken = send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("0120000002", "0120-777-777"));
    assertEquals(409, taken.statusCode());
    assertEquals(0, pools.byId.size());
  }

  private List<String> pointers(HttpResponse<String> r) throws Exception {
    assertEquals(400, r.statusCode(), r.body());
    List<String> pointers = new ArrayList<>();
    json(r).get("errors").forEach(e -> pointers.add(e.get("pointer").asText() + " " + e.get("detail").asText()));
    return pointers;
  }

  @Test
  void theFallbackNumberIsRequiredAndMustBeATrackingRangeNumberOutsideThePool() throws Exception {
    String noFallback = NEW_POOL.replace(", \"fallback_number\": \"0120-999-999\"", "");
    List<String> missing = pointers(send("POST", "/v1/pools", KEY_A, noFallback));
    assertEquals(1, missing.size(), missing.toString());
    assertTrue(missing.get(0).startsWith("/fallback_number is required"), missing.toString());
    List<String> mobile = pointers(send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("0120-999-999", "090-1234-5678")));
    assertEquals(1, mobile.size(), mobile.toString());
    assertTrue(mobile.get(0).startsWith("/fallback_number ") && mobile.get(0).contains("090-1234-5678"),
        mobile.toString());
    List<String> own = pointers(send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("0120-999-999", "0120000001")));
    assertTrue(own.size() == 1 && own.get(0).startsWith("/fallback_number is one of the pool's numbers"),
        own.toString());
    assertEquals(0, pools.byId.size(), "nothing created");
  }

  @Test
  void poolNumbersOutsideTheInventoryRangesAre400WithTheRangeReasonBeforeTheBackend() throws Exception {
    // 0120000002 → a mobile number and a Tokyo fixed number: never in an inventory (spec section 2)
    List<String> errors = pointers(send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("\"0120000002\"",
        "\"090-1234-5678\", \"03-1234-5678\"")));
    assertEquals(2, errors.size(), errors.toString());
    assertTrue(errors.get(0).startsWith("/numbers/1 090-1234-5678 is not in a tracking-number range"), errors.toString());
    assertTrue(errors.get(1).startsWith("/numbers/2 03-1234-5678 is not in a tracking-number range"), errors.toString());
    // the same reason as for a fallback number of such a range, and as the inventory import gives
    List<String> fallback = pointers(send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("0120-999-999",
        "090-1234-5678")));
    assertEquals(errors.get(0).substring("/numbers/1 ".length()),
        fallback.get(0).substring("/fallback_number ".length()));
    assertEquals(0, pools.byId.size(), "nothing created");
  }

  @Test
  void allowedOriginsAreSerialisedOriginsLowerCasedWithoutDefaultPortOrRepeats() throws Exception {
    String bad = NEW_POOL.replace("[\"https://shop.example\"]", "[\"https://-.-:99999\", \"http://...\", "
        + "\"https://shop.example:0\", \"ftp://shop.example\", \"https://shop.example/path\", \"http://[zz::1]\", "
        + "\"https://shop.example:65535\", \"https://shop.example/\", \"http://localhost:8080/\", "
        + "\"https://shop.example?x\", \"https://user@shop.example\"]");
    List<String> errors = pointers(send("POST", "/v1/pools", KEY_A, bad));
    assertEquals(List.of("/allowed_origins/0", "/allowed_origins/1", "/allowed_origins/2", "/allowed_origins/3",
        "/allowed_origins/4", "/allowed_origins/5", "/allowed_origins/7", "/allowed_origins/8", "/allowed_origins/9",
        "/allowed_origins/10"), errors.stream().map(e -> e.split(" ")[0]).toList());
    // a trailing slash can never equal a browser's Origin header: refused, saying the form expected
    assertTrue(errors.get(6).startsWith("/allowed_origins/7 must be an origin as a browser sends it in its Origin "
        + "header, scheme://host[:port]") && errors.get(6).contains("not even a slash"), errors.get(6));
    assertEquals(0, pools.byId.size(), "nothing created");
    String good = NEW_POOL.replace("[\"https://shop.example\"]", "[\"HTTPS://Shop.Example\", "
        + "\"https://shop.example:443\", \"http://[::1]:8080\", \"http://localhost:08080\", \"http://a.example:80\", "
        + "\"https://a.example:80\"]");
    HttpResponse<String> r = send("POST", "/v1/pools", KEY_A, good);
    assertEquals(201, r.statusCode(), r.body());
    List<String> origins = new ArrayList<>();
    json(r).get("allowed_origins").forEach(o -> origins.add(o.asText()));
    assertEquals(List.of("https://shop.example", "http://[::1]:8080", "http://localhost:8080", "http://a.example",
        "https://a.example:80"), origins, "as browsers serialise them (RFC 6454 section 6.2)");
  }

  @Test
  void allowedOriginsStoreIpv6HostsCanonicallyAndRefuseAnIpv4HostOutOfRange() throws Exception {
    String bad = NEW_POOL.replace("[\"https://shop.example\"]", "[\"http://127.0.0.1:8080\", \"http://999.1.1.1\", "
        + "\"http://[0:0::1]:8080\", \"https://1.2.3.256\", \"http://127.1\"]");
    List<String> errors = pointers(send("POST", "/v1/pools", KEY_A, bad));
    assertEquals(List.of("/allowed_origins/1", "/allowed_origins/3", "/allowed_origins/4"),
        errors.stream().map(e -> e.split(" ")[0]).toList(), errors.toString());
    assertTrue(errors.get(0).contains("four decimal parts 0-255"), errors.get(0));
    assertEquals(0, pools.byId.size(), "nothing created");
    // RFC 5952 form, as a browser writes it in Origin; repeats in another spelling are one origin
    String good = NEW_POOL.replace("[\"https://shop.example\"]", "[\"http://[0:0::1]:8080\", \"http://[::1]:8080\", "
        + "\"https://[2001:DB8:0:0:1:0:0:1]\", \"http://192.0.2.1\"]");
    HttpResponse<String> r = send("POST", "/v1/pools", KEY_A, good);
    assertEquals(201, r.statusCode(), r.body());
    List<String> origins = new ArrayList<>();
    json(r).get("allowed_origins").forEach(o -> origins.add(o.asText()));
    assertEquals(List.of("http://[::1]:8080", "https://[2001:db8::1:0:0:1]", "http://192.0.2.1"), origins);
  }

  @Test
  void aClientPoolIdMakesCreationRetrySafe() throws Exception {
    String withId = NEW_POOL.replace("{\"method\"", "{\"pool_id\": \"shop-2026.spring\", \"method\"");
    HttpResponse<String> first = send("POST", "/v1/pools", KEY_A, withId);
    assertEquals(201, first.statusCode(), first.body());
    assertEquals("shop-2026.spring", json(first).get("pool_id").asText());
    HttpResponse<String> again = send("POST", "/v1/pools", KEY_A, withId);
    assertEquals(201, again.statusCode(), again.body());
    assertEquals("shop-2026.spring", json(again).get("pool_id").asText());
    assertEquals(1, pools.byId.size());
    List<String> bad = pointers(send("POST", "/v1/pools", KEY_A, withId.replace("shop-2026.spring", "a b")));
    assertEquals(List.of("/pool_id"), bad.stream().map(e -> e.split(" ")[0]).toList());
    List<String> dots = pointers(send("POST", "/v1/pools", KEY_A, withId.replace("shop-2026.spring", "..")));
    assertEquals(List.of("/pool_id"), dots.stream().map(e -> e.split(" ")[0]).toList(), "no path-like id");
  }

  @Test
  void anIdempotencyKeyNamesTheSamePoolForTheSameOperator() throws Exception {
    PoolBackend.NewPool p = PoolApi.parseNew(io.hankyo.api.json.ApiJson.mapper().readTree(NEW_POOL));
    String a1 = PoolApi.withIdempotencyKey(p, "op-a", java.util.Optional.of("order-42")).poolId();
    assertEquals(a1, PoolApi.withIdempotencyKey(p, "op-a", java.util.Optional.of("order-42")).poolId());
    assertTrue(a1.matches("pool-[0-9a-f]{16}"), a1);
    assertTrue(!a1.equals(PoolApi.withIdempotencyKey(p, "op-b", java.util.Optional.of("order-42")).poolId()));
    assertEquals(null, PoolApi.withIdempotencyKey(p, "op-a", java.util.Optional.empty()).poolId());
    assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(ApiProblem.class,
        () -> PoolApi.withIdempotencyKey(p, "op-a", java.util.Optional.of("a b"))).status());
    byte[] body = NEW_POOL.getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> first = server.send("POST", "/v1/pools", KEY_A, "application/json", body,
        Map.of("Idempotency-Key", "order-42"));
    HttpResponse<String> again = server.send("POST", "/v1/pools", KEY_A, "application/json", body,
        Map.of("Idempotency-Key", "order-42"));
    assertEquals(201, first.statusCode(), first.body());
    assertEquals(201, again.statusCode(), again.body());
    // RFC 9110 section 15.3.2: the created pool's URI (without it the target, /v1/pools, is taken for it)
    assertEquals("/v1/pools/" + a1, first.headers().firstValue("Location").orElse(""));
    // the key twice: 400, not the first silently (a trial: two lines made the second request use the first key)
    var twice = org.apache.pekko.http.javadsl.model.HttpRequest.POST("/v1/pools")
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Idempotency-Key", "k3"))
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("idempotency-key", "k2"));
    ApiProblem refused = org.junit.jupiter.api.Assertions.assertThrows(ApiProblem.class,
        () -> PoolApi.idempotencyKey(twice));
    assertEquals(400, refused.status());
    assertTrue(refused.detail().contains("given 2 times"), refused.detail());
    assertEquals(java.util.Optional.of("k3"), PoolApi.idempotencyKey(twice.removeHeader("idempotency-key")
        .addHeader(org.apache.pekko.http.javadsl.model.headers.RawHeader.create("Idempotency-Key", "k3"))));
    assertEquals(a1, json(first).get("pool_id").asText());
    assertEquals(a1, json(again).get("pool_id").asText());
    assertEquals(1, pools.byId.size());
  }

  @Test
  void anIdempotencyKeyUsedForADifferentRequestIs409SayingSo() throws Exception {
    HttpResponse<String> first = server.send("POST", "/v1/pools", KEY_A, "application/json",
        NEW_POOL.getBytes(StandardCharsets.UTF_8), Map.of("Idempotency-Key", "order-43"));
    assertEquals(201, first.statusCode(), first.body());
    HttpResponse<String> other = server.send("POST", "/v1/pools", KEY_A, "application/json",
        NEW_POOL.replace("1800", "900").getBytes(StandardCharsets.UTF_8), Map.of("Idempotency-Key", "order-43"));
    assertEquals(409, other.statusCode(), other.body());
    assertEquals("application/problem+json", other.headers().firstValue("Content-Type").orElse(""));
    String detail = json(other).get("detail").asText();
    assertTrue(detail.startsWith("the Idempotency-Key was already used for a different request"), detail);
    assertTrue(detail.contains("new Idempotency-Key") && detail.contains("identical"), detail);
    assertTrue(!detail.contains("pool_id"), "the client sent no pool_id: " + detail);
    // a client pool_id of its own keeps the backend's advice
    String withId = NEW_POOL.replace("{\"method\"", "{\"pool_id\": \"shop-1\", \"method\"");
    assertEquals(201, send("POST", "/v1/pools", KEY_A, withId).statusCode());
    HttpResponse<String> otherId = send("POST", "/v1/pools", KEY_A, withId.replace("1800", "900"));
    assertEquals(409, otherId.statusCode(), otherId.body());
    assertTrue(json(otherId).get("detail").asText().contains("choose another pool_id"), otherId.body());
    // a conflict that is not about the key's pool (a number not available) is answered as it is
    HttpResponse<String> number = server.send("POST", "/v1/pools", KEY_A, "application/json",
        NEW_POOL.replace("0120000002", "0120-777-777").getBytes(StandardCharsets.UTF_8),
        Map.of("Idempotency-Key", "order-44"));
    assertEquals(409, number.statusCode(), number.body());
    assertEquals("0120-777-777 is not available", json(number).get("detail").asText());
    // the key's pool was deleted since (the backend's text for a deleted id): a new key, not "the identical request"
    String deleted = PoolApi.idempotencyKeyConflict(ApiProblem.conflict("pool pool-abc was deleted; choose another "
        + "pool_id"), "pool-abc").detail();
    assertTrue(deleted.startsWith("the pool this Idempotency-Key created has been deleted"), deleted);
    assertTrue(!deleted.contains("identical") && !deleted.contains("pool_id"), deleted);
  }

  @Test
  void aPoolDocumentOver64KiBIs413() throws Exception {
    StringBuilder big = new StringBuilder(NEW_POOL.substring(0, NEW_POOL.length() - 1)).append(", \"x\": \"");
    big.append("a".repeat((int) PoolApi.MAX_CREATE_BODY_BYTES)).append("\"}");
    HttpResponse<String> r = send("POST", "/v1/pools", KEY_A, big.toString());
    assertEquals(413, r.statusCode(), r.body());
    assertEquals(0, pools.byId.size());
  }

  @Test
  void displaysOfTheMonthAreSummedOverThePoolsWithTheirTier() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"s-1\"}");
    HttpResponse<String> fb = send("POST", "/v1/pools/pool-2/assignments", KEY_A, "{\"session_id\": \"fb-1\"}");
    assertEquals(200, fb.statusCode(), fb.body());
    assertTrue(json(fb).get("fallback").asBoolean());
    assertTrue(json(fb).has("held_until") && json(fb).get("held_until").isNull(), "a fallback: held_until null");
    assertEquals("0120-999-999", json(fb).get("number").asText());
    HttpResponse<String> r = send("GET", "/v1/usage/displays", KEY_A, (String) null);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode u = json(r);
    assertEquals("op-a", u.get("operator_id").asText());
    assertEquals("2026-11", u.get("month").asText());
    assertEquals(2, u.get("displays").asLong());
    assertEquals(1, u.get("fallbacks").asLong());
    assertEquals(0, u.get("tier").get("from").asLong());
    assertEquals(10_000, u.get("tier").get("to").asLong());
    assertTrue(u.get("tier").get("included").asBoolean());
    assertEquals("pool-2", u.get("pools").get(1).get("pool_id").asText());
    assertEquals(1, u.get("pools").get(1).get("fallbacks").asLong());
    JsonNode october = json(send("GET", "/v1/usage/displays?month=2026-10", KEY_A, (String) null));
    assertEquals(0, october.get("displays").asLong());
    assertEquals("2026-10", october.get("month").asText());
    assertEquals(0, json(send("GET", "/v1/usage/displays", KEY_B, (String) null)).get("displays").asLong());
    for (String bad : List.of("2026-13", "nov", "2026-1", "1999-12", "2026-11-01")) {
      HttpResponse<String> refused = send("GET", "/v1/usage/displays?month=" + bad, KEY_A, (String) null);
      assertEquals(400, refused.statusCode(), bad);
      assertTrue(refused.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    }
  }

  @Test
  void theSizingReportListsTheDaysAndAdvises() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"fb-1\"}");
    HttpResponse<String> r = send("GET", "/v1/pools/pool-1/sizing?days=3", KEY_A, (String) null);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode z = json(r);
    assertEquals("pool-1", z.get("pool_id").asText());
    assertEquals(2, z.get("pool_size").asInt());
    assertEquals(3, z.get("days").size());
    assertEquals("2026-11-30", z.get("days").get(2).get("date").asText());
    assertEquals(2, z.get("days").get(2).get("peak_holds").asInt());
    assertEquals(1, z.get("days").get(2).get("fallbacks").asLong());
    assertEquals(1, z.get("days").get(2).get("displays").asLong());
    assertEquals(1, z.get("days_at_capacity").asInt());
    assertEquals("grow", z.get("action").asText());
    assertEquals(4, z.get("suggested_size").asInt());
    assertTrue(z.get("advice").asText().contains("add numbers"), z.get("advice").asText());
    assertEquals(30, json(send("GET", "/v1/pools/pool-1/sizing", KEY_A, (String) null)).get("days").size());
    assertEquals(400, json(send("GET", "/v1/pools/pool-1/sizing?days=400", KEY_A, (String) null)).get("days")
        .size());
    // full-width and other Unicode digits are no integer here (Integer.parseInt took them), nor a sign
    for (String bad : List.of("0", "401", "x", "%EF%BC%91", "%D9%A3", "+5")) {
      assertEquals(400, send("GET", "/v1/pools/pool-1/sizing?days=" + bad, KEY_A, (String) null).statusCode(), bad);
    }
    assertEquals(404, send("GET", "/v1/pools/pool-1/sizing", KEY_B, (String) null).statusCode());
  }

  @Test
  void aSizingReportOnTooLittleHistorySaysSoInsteadOfAdvisingToShrink() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL.replace("\"0120000002\"", "\"0120000002\", \"0120000003\", "
        + "\"0120000004\", \"0120000005\""));
    send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"s-1\"}");
    pools.historySince = NOW.minusSeconds(3 * 3600);
    JsonNode z = json(send("GET", "/v1/pools/pool-1/sizing", KEY_A, (String) null));
    assertEquals("not_enough_history", z.get("action").asText(), z.toString());
    assertTrue(z.get("suggested_size").isNull(), z.toString());
    assertEquals("2026-11-30T06:00:00+09:00", z.get("history_since").asText(), "Japan time like the rest of the API");
    assertTrue(z.get("advice").asText().startsWith("not enough history yet: 3 hours of data"), z.toString());
    assertEquals(1, z.get("peak_holds").asInt());
    // forty days of history: judged (1 of 5 held at once: shrink)
    pools.historySince = NOW.minus(java.time.Duration.ofDays(40));
    JsonNode judged = json(send("GET", "/v1/pools/pool-1/sizing", KEY_A, (String) null));
    assertEquals("shrink", judged.get("action").asText(), judged.toString());
    assertEquals("2026-10-21T09:00:00+09:00", judged.get("history_since").asText());
  }

  @Test
  void aDeletedPoolIsGoneButItsDisplaysStay() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"s-1\"}");
    assertEquals(404, send("DELETE", "/v1/pools/pool-1", KEY_B, (String) null).statusCode());
    HttpResponse<String> d = send("DELETE", "/v1/pools/pool-1", KEY_A, (String) null);
    assertEquals(204, d.statusCode(), d.body());
    assertEquals(404, send("GET", "/v1/pools/pool-1", KEY_A, (String) null).statusCode());
    // idempotent, as documented: deleting it again is 204 (a retry whose answer was lost), yet GET is 404
    HttpResponse<String> again = send("DELETE", "/v1/pools/pool-1", KEY_A, (String) null);
    assertEquals(204, again.statusCode(), again.body());
    assertEquals("", again.body());
    assertEquals(404, send("DELETE", "/v1/pools/pool-1", KEY_B, (String) null).statusCode(), "not op-b's pool");
    assertEquals(404, send("DELETE", "/v1/pools/pool-never", KEY_A, (String) null).statusCode());
    assertEquals(404, send("POST", "/v1/pools/pool-1/assignments", KEY_A, "{\"session_id\": \"s-2\"}")
        .statusCode());
    assertEquals(0, json(send("GET", "/v1/pools", KEY_A, (String) null)).get("pools").size());
    JsonNode u = json(send("GET", "/v1/usage/displays", KEY_A, (String) null));
    assertEquals(1, u.get("displays").asLong());
    assertTrue(u.get("pools").get(0).get("deleted").asBoolean());
  }

  @Test
  void queriesRefuseUnknownAndRepeatedParametersLikeTheInventoryListing() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    String[][] cases = {
        {"/v1/pools?bogus=1", "unknown query parameter 'bogus'; the listing of pools takes limit and cursor"},
        {"/v1/pools?limit=1&limit=2", "query parameter 'limit' is given 2 times; give it once"},
        {"/v1/pools/pool-1/sizing?days=1&days=2", "query parameter 'days' is given 2 times"},
        {"/v1/pools/pool-1/sizing?foo=1", "unknown query parameter 'foo'; the sizing report takes days"},
        {"/v1/usage/displays?foo=1", "unknown query parameter 'foo'; the displays of a month take month"},
        {"/v1/usage/displays?month=2026-11&month=2026-10", "query parameter 'month' is given 2 times"},
        {"/v1/bindings?number=0120-111-111&foo=1", "unknown query parameter 'foo'; the bindings listing takes number"},
        {"/v1/bindings?number=0120-111-111&number=0120-111-112", "query parameter 'number' is given 2 times"}};
    for (String[] c : cases) {
      HttpResponse<String> r = send("GET", c[0], KEY_A, (String) null);
      assertEquals(400, r.statusCode(), c[0] + ": " + r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), c[0]);
      assertTrue(json(r).get("detail").asText().contains(c[1]), c[0] + ": " + r.body());
    }
    // the parameters each takes, once, still answer
    assertEquals(200, send("GET", "/v1/pools?limit=1", KEY_A, (String) null).statusCode());
    assertEquals(200, send("GET", "/v1/pools/pool-1/sizing?days=1", KEY_A, (String) null).statusCode());
    assertEquals(200, send("GET", "/v1/usage/displays?month=2026-11", KEY_A, (String) null).statusCode());
  }

  @Test
  void a415NamesJsonInItsAcceptHeader() throws Exception {
    send("POST", "/v1/pools", KEY_A, NEW_POOL);
    for (String[] req : new String[][] {{"/v1/pools", "text/plain"}, {"/v1/pools/pool-1/assignments", "text/plain"},
        {"/v1/pools/pool-1/assignments", "application/json; charset=latin1"}}) {
      HttpResponse<String> r = server.send("POST", req[0], KEY_A, req[1],
          "{\"session_id\": \"s\"}".getBytes(StandardCharsets.UTF_8));
      assertEquals(415, r.statusCode(), req[0] + " " + req[1] + ": " + r.body());
      assertEquals("application/json", r.headers().firstValue("Accept").orElse(null), req[0] + " " + req[1]);
    }
    assertEquals(List.of(), pools.assigned);
  }

  @Test
  void poolsArePagedByIdWithACursor() throws Exception {
    for (int i = 0; i < 3; i++) {
      send("POST", "/v1/pools", KEY_A, NEW_POOL);
    }
    JsonNode first = json(send("GET", "/v1/pools?limit=2", KEY_A, (String) null));
    assertEquals(List.of("pool-1", "pool-2"), List.of(first.get("pools").get(0).get("pool_id").asText(),
        first.get("pools").get(1).get("pool_id").asText()));
    String cursor = first.get("next_cursor").asText();
    JsonNode second = json(send("GET", "/v1/pools?limit=2&cursor=" + cursor, KEY_A, (String) null));
    assertEquals(1, second.get("pools").size());
    assertEquals("pool-3", second.get("pools").get(0).get("pool_id").asText());
    assertTrue(second.get("next_cursor").isNull());
    assertTrue(json(send("GET", "/v1/pools", KEY_A, (String) null)).get("next_cursor").isNull());
    for (String bad : List.of("limit=0", "limit=1001", "limit=x", "cursor=%21%21", "cursor=")) {
      assertEquals(400, send("GET", "/v1/pools?" + bad, KEY_A, (String) null).statusCode(), bad);
    }
  }
}
