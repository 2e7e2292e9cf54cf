package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The callback-tracking routes (issue 4) over real HTTP with {@link InMemoryBackend} and a fake {@link
 * CallbackBackend}: the pool's PUT/GET with its 400 and 409 answers, and the callback rate.
 */
class CallbackApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static ActorTestKit testKit;

  private InMemoryBackend backend;
  private FakeCallbacks callbacks;
  private RouteTestServer server;

  /** Pools in memory; a number is refused when it is in {@code trackingNumbers} or another operator's pool. */
  static final class FakeCallbacks implements CallbackBackend {
    final Set<String> trackingNumbers = Set.of(PhoneNumbers.parse("0120-123-456").e164());
    final Map<String, Pool> pools = new HashMap<>();

    @Override
    public synchronized CompletionStage<Pool> getPool(String operatorId) {
      return CompletableFuture.completedFuture(pools.getOrDefault(operatorId, new Pool(List.of(), 604800, 0)));
    }

    @Override
    public synchronized CompletionStage<Pool> putPool(String operatorId, List<PhoneNumber> numbers, long holdSec) {
      for (PhoneNumber n : numbers) {
        if (trackingNumbers.contains(n.e164())) {
          return CompletableFuture.failedFuture(ApiProblem.conflict(n.national() + " is a tracking number"));
        }
        for (var e : pools.entrySet()) {
          if (!e.getKey().equals(operatorId) && e.getValue().numbers().contains(n)) {
            return CompletableFuture.failedFuture(
                ApiProblem.conflict(n.national() + " is in another operator's callback pool"));
          }
        }
      }
      Pool p = new Pool(numbers, holdSec, 0);
      pools.put(operatorId, p);
      return CompletableFuture.completedFuture(p);
    }
  }

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("CallbackApiRouteTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void bind() throws Exception {
    backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    callbacks = new FakeCallbacks();
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(1024), Clock.fixed(NOW, ZoneOffset.UTC)).withCallbacks(callbacks);
    server = RouteTestServer.bind(testKit, api);
  }

  @AfterEach
  void unbind() throws Exception {
    server.unbind();
  }

  private HttpResponse<String> send(String method, String path, String key, String body) throws Exception {
    return server.sendJson(method, path, key, body);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return RouteTestServer.json(r);
  }

  @Test
  void aPoolIsStoredAndReadBackPerOperator() throws Exception {
    HttpResponse<String> put = send("PUT", "/v1/callback-pool", KEY_A,
        "{\"numbers\": [\"05011112222\", \"050-1111-3333\"], \"hold_sec\": 86400}");
    assertEquals(200, put.statusCode(), put.body());
    JsonNode got = json(send("GET", "/v1/callback-pool", KEY_A, null));
    assertEquals("050-1111-2222", got.get("numbers").get(0).asText());
    assertEquals("+815011113333", got.get("numbers_e164").get(1).asText());
    assertEquals(86400, got.get("hold_sec").asLong());
    assertEquals(0, got.get("leased").asInt());
    assertEquals(0, json(send("GET", "/v1/callback-pool", KEY_B, null)).get("numbers").size(), "scoped by key");
    assertEquals(604800, json(send("PUT", "/v1/callback-pool", KEY_A, "{\"numbers\": [\"05011112222\"]}"))
        .get("hold_sec").asLong(), "hold defaults to 7 days");
  }

  @Test
  void badDocumentsAre400WithPointers() throws Exception {
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A,
        "{\"numbers\": [\"05011112222\", \"abc\", 5, \"050-1111-2222\"], \"hold_sec\": 60, \"x\": 1}");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    List<String> pointers = json(r).get("errors").findValuesAsText("pointer");
    assertEquals(List.of("/x", "/numbers/1", "/numbers/2", "/numbers/3", "/hold_sec"), pointers, r.body());
    assertEquals(400, send("PUT", "/v1/callback-pool", KEY_A, "{\"hold_sec\": 3600}").statusCode());
    assertEquals(400, send("PUT", "/v1/callback-pool", KEY_A,
        "{\"numbers\": [], \"hold_sec\": 7776001}").statusCode());
    assertEquals(200, send("PUT", "/v1/callback-pool", KEY_A,
        "{\"numbers\": [], \"hold_sec\": 7776000}").statusCode());
  }

  /** 1000 numbers (the documented maximum) fit the pool's body limit, even with a 1024-byte general limit. */
  @Test
  void aThousandNumbersAreAccepted() throws Exception {
    StringBuilder b = new StringBuilder("{\n  \"numbers\": [\n");
    for (int i = 0; i < CallbackApi.MAX_NUMBERS; i++) {
      b.append(i == 0 ? "" : ",\n").append(String.format("    \"+81-50-7100-%04d\"", i));
    }
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A, b.append("\n  ]\n}").toString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(CallbackApi.MAX_NUMBERS, json(r).get("numbers").size());
  }

  /** Too many numbers is one problem, found before any number is read; per-item problems are listed up to 100. */
  @Test
  void tooManyNumbersIsOneProblemAndLongErrorListsAreCapped() throws Exception {
    StringBuilder many = new StringBuilder("{\"numbers\": [");
    for (int i = 0; i <= CallbackApi.MAX_NUMBERS; i++) {
      many.append(i == 0 ? "" : ",").append("\"x\"");
    }
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A, many.append("]}").toString());
    assertEquals(400, r.statusCode(), r.body());
    JsonNode errors = json(r).get("errors");
    assertEquals(1, errors.size(), r.body());
    assertEquals("/numbers", errors.get(0).get("pointer").asText());
    assertTrue(errors.get(0).get("detail").asText().contains("has 1001 numbers; at most 1000"), r.body());

    StringBuilder bad = new StringBuilder("{\"numbers\": [");
    for (int i = 0; i < 300; i++) {
      bad.append(i == 0 ? "" : ",").append("\"x\"");
    }
    HttpResponse<String> capped = send("PUT", "/v1/callback-pool", KEY_A, bad.append("]}").toString());
    assertEquals(400, capped.statusCode(), capped.body());
    JsonNode c = json(capped);
    assertEquals(101, c.get("errors").size());
    assertEquals("… and 200 more problems", c.get("errors").get(100).get("detail").asText());
    assertTrue(c.get("detail").asText().startsWith("the callback pool document has 300 problems; first: /numbers/0: "),
        c.get("detail").asText());
  }

  /** A body over the pool's limit is a clean 413 problem+json naming the limit, not a Pekko setting. */
  @Test
  void anOversizedPoolDocumentIs413() throws Exception {
    String big = "{\"numbers\": [" + " ".repeat(CallbackApi.MAX_DOCUMENT_BYTES) + "]}";
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A, big);
    assertEquals(413, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertTrue(json(r).get("detail").asText().contains(String.valueOf(CallbackApi.MAX_DOCUMENT_BYTES)), r.body());
    assertTrue(!r.body().contains("pekko") && !r.body().contains("max-content-length"), r.body());
  }

  /** A value of the wrong type is named as such, not reported missing. */
  @Test
  void aWrongTypeIsNotCalledMissing() throws Exception {
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A,
        "{\"numbers\": \"05011112222\", \"hold_sec\": \"3600\"}");
    assertEquals(400, r.statusCode(), r.body());
    JsonNode errors = json(r).get("errors");
    assertEquals("must be an array of phone number strings; got the string \"05011112222\"",
        errors.get(0).get("detail").asText());
    assertTrue(errors.get(1).get("detail").asText().endsWith("got the string \"3600\""), r.body());
    assertTrue(json(send("PUT", "/v1/callback-pool", KEY_A, "{}")).get("errors").get(0).get("detail").asText()
        .startsWith("is required"));
    HttpResponse<String> exp = send("PUT", "/v1/callback-pool", KEY_A, "{\"numbers\": [], \"hold_sec\": 3.6e3}");
    assertEquals(200, exp.statusCode(), exp.body());
    assertEquals(3600, json(exp).get("hold_sec").asLong());
  }

  @Test
  void trackingNumbersAndOtherOperatorsNumbersAre409() throws Exception {
    HttpResponse<String> r = send("PUT", "/v1/callback-pool", KEY_A, "{\"numbers\": [\"0120-123-456\"]}");
    assertEquals(409, r.statusCode(), r.body());
    assertTrue(json(r).get("detail").asText().contains("tracking number"), r.body());
    assertEquals(200, send("PUT", "/v1/callback-pool", KEY_B, "{\"numbers\": [\"05011112222\"]}").statusCode());
    HttpResponse<String> taken = send("PUT", "/v1/callback-pool", KEY_A, "{\"numbers\": [\"05011112222\"]}");
    assertEquals(409, taken.statusCode(), taken.body());
    assertTrue(json(taken).get("detail").asText().contains("another operator"), taken.body());
  }

  private static CallLogRecord call(String trnId, String clientId, Instant at, DialStatus status, boolean withCaller,
      Map<String, String> logvars) {
    return new CallLogRecord("op-a", 1, trnId, PhoneNumbers.parse("0120-123-456"), clientId, "", "din-1", null,
        PhoneNumbers.parse("03-1234-5678"), withCaller ? InMemoryBackend.encrypt("+819011112222") : null,
        withCaller ? DeviceType.MOBILE : DeviceType.WITHHELD, DeviceType.FIXED, at,
        status == DialStatus.NORMAL ? at.plusSeconds(5) : null, at.plusSeconds(30), 5,
        status == DialStatus.NORMAL ? 25 : 0, 30, status, HangupParty.CALLER, logvars, false, false, 0,
        "NORMAL_CLEARING", 0);
  }

  @Test
  void theCallbackRateCountsMissedCallsAndTheOnesCalledBack() throws Exception {
    assertEquals(201, send("POST", "/v1/advertisers", KEY_A,
        "{\"client_id\": \"acme\", \"client_name\": \"Acme\"}").statusCode());
    Instant t = Instant.parse("2026-11-20T01:00:00Z");
    backend.addCall(call("a00000000000000000000001", "acme", t, DialStatus.INCOMPLETE, true, Map.of()));
    backend.addCall(call("a00000000000000000000002", "acme", t.plusSeconds(60), DialStatus.BUSY, true, Map.of()));
    backend.addCall(call("a00000000000000000000003", "acme", t.plusSeconds(90), DialStatus.INCOMPLETE, false,
        Map.of())); // withheld: no number to call back, not counted
    backend.addCall(call("a00000000000000000000004", "acme", t.plusSeconds(95), DialStatus.NORMAL, true, Map.of()));
    backend.addCall(call("a00000000000000000000005", "other", t.plusSeconds(99), DialStatus.BUSY, true, Map.of()));
    backend.addCall(call("b00000000000000000000001", "acme", t.plusSeconds(120), DialStatus.INCOMPLETE, true,
        Map.of("callback_of", "a00000000000000000000001")));
    backend.addCall(call("b00000000000000000000002", "acme", t.plusSeconds(180), DialStatus.NORMAL, true,
        Map.of("callback_of", "a00000000000000000000001")));
    HttpResponse<String> r = send("GET",
        "/v1/advertisers/acme/callbacks?from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z", KEY_A, null);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode j = json(r);
    assertEquals("acme", j.get("client_id").asText());
    assertEquals(2, j.get("missed_calls").asLong(), r.body());
    assertEquals(1, j.get("callbacks").asLong(), r.body());
    assertEquals(1, j.get("answered_callbacks").asLong(), r.body());
    assertEquals(0.5, j.get("rate").asDouble(), 1e-9);

    JsonNode empty = json(send("GET", "/v1/advertisers/acme/callbacks?from=2026-10-01T00:00:00Z"
        + "&to=2026-10-02T00:00:00Z", KEY_A, null));
    assertTrue(empty.get("rate").isNull(), empty.toString());
    assertEquals(404, send("GET", "/v1/advertisers/acme/callbacks", KEY_B, null).statusCode(), "scoped");
    assertEquals(400, send("GET", "/v1/advertisers/acme/callbacks?since=2026-11-21T00:00:00Z", KEY_A, null)
        .statusCode(), "an unknown parameter is refused, not ignored");
    assertEquals(400, send("GET", "/v1/advertisers/acme/callbacks?to=2026-11-21T00:00:00Z&to=2026-11-22T00:00:00Z",
        KEY_A, null).statusCode(), "a parameter given twice is refused");
    assertEquals(400, send("GET", "/v1/advertisers/acme/callbacks?from=2026-11-21T00:00:00Z"
        + "&to=2026-11-20T00:00:00Z", KEY_A, null).statusCode());
  }

  @Test
  void withoutACallbackBackendThePoolIs404() throws Exception {
    HttpApi bare = new HttpApi(backend, RouteTestServer.settings(1024));
    RouteTestServer b2 = RouteTestServer.bind(testKit, bare);
    try {
      HttpResponse<String> r = b2.send("GET", "/v1/callback-pool", KEY_A, null, null);
      assertEquals(404, r.statusCode(), r.body());
    } finally {
      b2.unbind();
    }
  }
}
