package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolApi#assignDirect} (what {@link HttpApi#handler()} answers without the route) against the route itself:
 * every request of a corpus of good and bad assignment requests is sent to a server binding {@link HttpApi#handler()}
 * and to one binding {@link HttpApi#route()} alone, each with its own fake pools in the same state, and the two
 * answers (status, Content-Type, the headers a client acts on, body) and the assignments made must be the same; the
 * well-formed requests must have been answered directly.
 */
class AssignDirectTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static final String POOL = "{\"method\": \"dynamic\", \"numbers\": [\"0120-000-001\"], \"hold_sec\": 1800,"
      + " \"cool_down_sec\": 600, \"fallback_number\": \"0120-999-999\", \"tracking_number\": \"0120-555-555\"}";
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("AssignDirectTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  /** One request of the corpus; {@code direct}: answered by assignDirect (else by the route). */
  record Case(String name, String method, String path, String key, String contentType, byte[] body,
      Map<String, String> headers, boolean direct) {
    static Case of(String name, String path, String key, String contentType, String body, boolean direct) {
      return new Case(name, "POST", path, key, contentType, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
          Map.of(), direct);
    }
  }

  private static final String ASSIGN = "/v1/pools/pool-1/assignments";
  private static final String JSON = "application/json";

  static List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    cases.add(Case.of("assigned", ASSIGN, KEY_A, JSON, "{\"session_id\": \"s-1\", \"params\": {\"gclid\": \"g\"}}",
        true));
    cases.add(Case.of("no params", ASSIGN, KEY_A, JSON, "{\"session_id\": \"s-2\"}", true));
    cases.add(Case.of("fallback", ASSIGN, KEY_A, JSON, "{\"session_id\": \"fb-1\"}", true));
    cases.add(Case.of("charset utf-8", ASSIGN, KEY_A, "application/json; charset=UTF-8", "{\"session_id\": \"s-3\"}",
        true));
    cases.add(Case.of("unknown pool", "/v1/pools/nope/assignments", KEY_A, JSON, "{\"session_id\": \"s\"}", true));
    cases.add(Case.of("another operator's pool", ASSIGN, KEY_B, JSON, "{\"session_id\": \"s\"}", true));
    cases.add(Case.of("session of another pool", ASSIGN, KEY_A, JSON, "{\"session_id\": \"taken\"}", true));
    cases.add(Case.of("backend timeout", ASSIGN, KEY_A, JSON, "{\"session_id\": \"timeout\"}", true));
    cases.add(Case.of("unknown key", ASSIGN, "key-z_0000000000", JSON, "{\"session_id\": \"s\"}", false));
    cases.add(Case.of("no key", ASSIGN, null, JSON, "{\"session_id\": \"s\"}", false));
    cases.add(Case.of("unknown key, bad body", ASSIGN, "key-z_0000000000", JSON, "{", false));
    cases.add(Case.of("malformed JSON", ASSIGN, KEY_A, JSON, "{\"session_id\": ", false));
    cases.add(Case.of("not an object", ASSIGN, KEY_A, JSON, "[1]", false));
    cases.add(Case.of("unknown member", ASSIGN, KEY_A, JSON, "{\"session_id\": \"s\", \"x\": 1}", false));
    cases.add(Case.of("bad session id", ASSIGN, KEY_A, JSON, "{\"session_id\": \"a b\"}", false));
    cases.add(Case.of("no session id", ASSIGN, KEY_A, JSON, "{\"params\": {}}", false));
    cases.add(Case.of("params over the limit", ASSIGN, KEY_A, JSON,
        "{\"session_id\": \"s\", \"params\": {\"k\": \"" + "v".repeat(5000) + "\"}}", false));
    cases.add(Case.of("body over the limit", ASSIGN, KEY_A, JSON,
        "{\"session_id\": \"s\", \"params\": {\"k\": \"" + "v".repeat(17_000) + "\"}}", false));
    cases.add(Case.of("latin1", ASSIGN, KEY_A, "application/json; charset=latin1", "{\"session_id\": \"s\"}",
        false));
    cases.add(Case.of("text/plain", ASSIGN, KEY_A, "text/plain", "{\"session_id\": \"s\"}", false));
    cases.add(Case.of("no body", ASSIGN, KEY_A, null, null, false));
    cases.add(Case.of("empty body", ASSIGN, KEY_A, JSON, "", false));
    cases.add(new Case("invalid UTF-8", "POST", ASSIGN, KEY_A, JSON,
        new byte[] {'{', '"', 's', 'e', 's', 's', 'i', 'o', 'n', '_', 'i', 'd', '"', ':', '"', (byte) 0xC3, '"', '}'},
        Map.of(), false));
    cases.add(Case.of("trailing slash", ASSIGN + "/", KEY_A, JSON, "{\"session_id\": \"s\"}", false));
    cases.add(Case.of("query", ASSIGN + "?x=1", KEY_A, JSON, "{\"session_id\": \"s-4\"}", false));
    cases.add(Case.of("not a pool id", "/v1/pools/a%20b/assignments", KEY_A, JSON, "{\"session_id\": \"s\"}", false));
    cases.add(Case.of("escaped pool id", "/v1/pools/pool%2D1/assignments", KEY_A, JSON, "{\"session_id\": \"s-5\"}",
        true));
    cases.add(Case.of("no pool id", "/v1/pools//assignments", KEY_A, JSON, "{\"session_id\": \"s\"}", false));
    cases.add(new Case("GET", "GET", ASSIGN, KEY_A, null, null, Map.of(), false));
    cases.add(new Case("two keys", "POST", ASSIGN, KEY_A, JSON, "{\"session_id\": \"s\"}".getBytes(StandardCharsets.UTF_8),
        Map.of("Authorization", "Bearer " + KEY_B), false));
    cases.add(new Case("Basic", "POST", ASSIGN, null, JSON, "{\"session_id\": \"s\"}".getBytes(StandardCharsets.UTF_8),
        Map.of("Authorization", "Basic a2V5OmtleQ=="), false));
    return cases;
  }

  /** A server of its own pools, op-a owning pool-1, and the fake pools behind it. */
  private record Served(RouteTestServer server, PoolApiRouteTest.FakePools pools, HttpApi api) {}

  private static Served serve(boolean direct) throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    PoolApiRouteTest.FakePools pools = new PoolApiRouteTest.FakePools();
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(8192), Clock.fixed(NOW, ZoneOffset.UTC))
        .withPools(pools);
    RouteTestServer server = direct ? RouteTestServer.bind(testKit, api) : RouteTestServer.bindRouteOnly(testKit, api);
    assertEquals(201, server.sendJson("POST", "/v1/pools", KEY_A, POOL).statusCode());
    return new Served(server, pools, api);
  }

  @Test
  void directAnswersAreTheRoutesAnswers() throws Exception {
    Served direct = serve(true);
    Served routed = serve(false);
    try {
      long expectedDirect = 0;
      for (Case c : corpus()) {
        long before = direct.api().directAssignments();
        java.net.http.HttpResponse<String> a = direct.server().send(c.method(), c.path(), c.key(), c.contentType(),
            c.body(), c.headers());
        java.net.http.HttpResponse<String> b = routed.server().send(c.method(), c.path(), c.key(), c.contentType(),
            c.body(), c.headers());
        assertEquals(describe(b), describe(a), c.name());
        assertEquals(c.direct() ? 1 : 0, direct.api().directAssignments() - before,
            c.name() + ": answered " + (c.direct() ? "by the route" : "directly"));
        expectedDirect += c.direct() ? 1 : 0;
      }
      assertEquals(expectedDirect, direct.api().directAssignments());
      assertEquals(routed.pools().assigned, direct.pools().assigned, "the same assignments were made");
      assertEquals(List.of("s-1 {gclid=g}", "s-2 {}", "fb-1 {}", "s-3 {}", "s-4 {}", "s-5 {}"),
          direct.pools().assigned);
    } finally {
      direct.server().unbind();
      routed.server().unbind();
    }
  }

  @Test
  void aRequestWrittenInOneGoIsAnsweredDirectlyToo() throws Exception {
    // the head and the body in one write (what wrk and most clients do) reach the handler as one Strict entity; the
    // JDK client of the corpus above writes the body apart, which takes the collecting path
    Served direct = serve(true);
    try {
      for (String sessionId : List.of("s-1", "fb-1", "taken")) {
        String body = "{\"session_id\": \"" + sessionId + "\"}";
        String request = "POST " + ASSIGN + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
            + "\r\nConnection: close\r\n\r\n" + body;
        long before = direct.api().directAssignments();
        String answer;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", direct.server().port())) {
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
          answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertEquals(1, direct.api().directAssignments() - before, answer);
        String expected = sessionId.equals("taken") ? "HTTP/1.1 409 " : "HTTP/1.1 200 ";
        org.junit.jupiter.api.Assertions.assertTrue(answer.startsWith(expected), answer);
        org.junit.jupiter.api.Assertions.assertTrue(sessionId.equals("taken")
            ? answer.contains("\"instance\":\"" + ASSIGN + "\"")
            : answer.contains(sessionId.startsWith("fb") ? "\"fallback\":true" : "\"number\":\"0120-000-001\""),
            answer);
      }
      assertEquals(List.of("s-1 {}", "fb-1 {}"), direct.pools().assigned);
    } finally {
      direct.server().unbind();
    }
  }

  /** What a client acts on: status, Content-Type, WWW-Authenticate, Allow, Accept, and the body. */
  private static String describe(java.net.http.HttpResponse<String> r) {
    StringBuilder s = new StringBuilder().append(r.statusCode());
    for (String h : List.of("Content-Type", "WWW-Authenticate", "Allow", "Accept", "Retry-After")) {
      r.headers().firstValue(h).ifPresent(v -> s.append('\n').append(h).append(": ").append(v));
    }
    return s.append('\n').append(r.body()).toString();
  }
}
