package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolApi#assignDirect} (what {@link HttpApi#handler()} answers without the route) against the route itself:
 * every request of a corpus of good and bad assignment requests is written on a raw socket to a server binding {@link
 * HttpApi#handler()} and to one binding {@link HttpApi#route()} alone, each with its own fake backend in the same
 * state. The two raw answers (status line, every header but Date, body), the key checks made and the assignments
 * made must be the same, and the requests the direct path takes must have been answered by it. Each request is
 * written twice: head and body in one write (Pekko's Strict entity, what wrk and most clients send) and the body
 * 100 ms after the head (a streamed entity).
 */
class AssignDirectTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static final String POOL = "{\"method\": \"dynamic\", \"numbers\": [\"0120-000-001\"], \"hold_sec\": 1800,"
      + " \"cool_down_sec\": 600, \"fallback_number\": \"0120-999-999\", \"tracking_number\": \"0120-555-555\"}";
  private static final String ASSIGN = "/v1/pools/pool-1/assignments";
  private static final String JSON = "application/json";
  private static ActorTestKit testKit;

  private Served direct;
  private Served routed;

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("AssignDirectTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void serveBoth() throws Exception {
    direct = serve(true);
    routed = serve(false);
  }

  @AfterEach
  void unbind() throws Exception {
    direct.server().unbind();
    routed.server().unbind();
  }

  /**
   * One request: {@code headers} as written (Host, Connection: close and, unless {@code rawBody}, Content-Length are
   * added); {@code taken}: it passes the direct path's checks of method, path, key header and Content-Type/length;
   * {@code parses}: its body is a valid assignment request.
   */
  record Case(String name, String method, String target, List<String> headers, byte[] body, boolean rawBody,
      boolean taken, boolean parses) {
    static Case post(String name, String target, String key, String contentType, String body, boolean taken,
        boolean parses) {
      List<String> headers = new ArrayList<>();
      if (key != null) {
        headers.add("Authorization: Bearer " + key);
      }
      if (contentType != null) {
        headers.add("Content-Type: " + contentType);
      }
      return new Case(name, "POST", target, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
          false, taken, parses);
    }

    static Case post(String name, String key, String body, boolean taken, boolean parses) {
      return post(name, ASSIGN, key, JSON, body, taken, parses);
    }

    static Case withHeaders(String name, String method, List<String> headers, String body, boolean taken) {
      return new Case(name, method, ASSIGN, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8),
          false, taken, true);
    }
  }

  private static String session(String id) {
    return "{\"session_id\": \"" + id + "\"}";
  }

  static List<Case> corpus(String s) {
    List<Case> cases = new ArrayList<>();
    String auth = "Authorization: Bearer " + KEY_A;
    String json = "Content-Type: " + JSON;
    cases.add(Case.post("assigned", KEY_A, "{\"session_id\": \"" + s + "1\", \"params\": {\"gclid\": \"g\"}}",
        true, true));
    cases.add(Case.post("fallback", KEY_A, session("fb-" + s), true, true));
    cases.add(Case.post("charset utf-8", ASSIGN, KEY_A, "application/json; charset=UTF-8", session(s + "2"), true,
        true));
    cases.add(Case.post("charset us-ascii", ASSIGN, KEY_A, "application/json; charset=us-ascii", session(s + "3"),
        true, true));
    cases.add(Case.post("Application/JSON", ASSIGN, KEY_A, "Application/JSON", session(s + "4"), true, true));
    cases.add(Case.post("unknown pool", "/v1/pools/nope/assignments", KEY_A, JSON, session("s"), true, true));
    cases.add(Case.post("a colon in the pool id", "/v1/pools/a:b/assignments", KEY_A, JSON, session("s"), true,
        true));
    cases.add(Case.post("escaped pool id", "/v1/pools/pool%2D1/assignments", KEY_A, JSON, session(s + "5"), true,
        true));
    cases.add(Case.post("another operator's pool", KEY_B, session("s"), true, true));
    cases.add(Case.post("session of another pool", KEY_A, session("taken"), true, true));
    cases.add(Case.post("backend timeout", KEY_A, session("timeout"), true, true));
    cases.add(Case.post("backend answers null", KEY_A, session("no-answer"), true, true));
    cases.add(Case.post("unknown key", "key-z_0000000000", session("s"), true, true));
    cases.add(Case.withHeaders("lower-case bearer", "POST", List.of("Authorization: bearer " + KEY_A, json),
        session(s + "6"), true));
    cases.add(Case.post("unknown key, bad body", "key-z_0000000000", "{", true, false));
    cases.add(Case.post("malformed JSON", KEY_A, "{\"session_id\": ", true, false));
    cases.add(Case.post("not an object", KEY_A, "[1]", true, false));
    cases.add(Case.post("unknown member", KEY_A, "{\"session_id\": \"s\", \"x\": 1}", true, false));
    cases.add(Case.post("bad session id", KEY_A, session("a b"), true, false));
    cases.add(Case.post("no session id", KEY_A, "{\"params\": {}}", true, false));
    cases.add(Case.post("params over the limit", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"k\": \"" + "v".repeat(5000) + "\"}}", true, false));
    cases.add(new Case("invalid UTF-8", "POST", ASSIGN, List.of(auth, json),
        new byte[] {'{', '"', 's', 'e', 's', 's', 'i', 'o', 'n', '_', 'i', 'd', '"', ':', '"', (byte) 0xC3, '"', '}'},
        false, true, false));
    // two Content-Types are the route's 400
    cases.add(Case.withHeaders("two Content-Types", "POST", List.of(auth, json, "Content-Type: application/json; "
        + "charset="), session("s"), false));
    // a content coding is the route's 415 (the body is not read)
    cases.add(Case.withHeaders("gzip", "POST", List.of(auth, json, "Content-Encoding: gzip"), session("s"),
        false));
    cases.add(Case.withHeaders("identity", "POST", List.of(auth, json, "Content-Encoding: identity"),
        session(s + "7"), true));
    cases.add(Case.post("no key", null, session("s"), false, true));
    cases.add(Case.withHeaders("two keys", "POST", List.of(auth, "Authorization: Bearer " + KEY_B, json),
        session("s"), false));
    cases.add(Case.withHeaders("two keys in one header", "POST",
        List.of("Authorization: Bearer " + KEY_A + ", Bearer " + KEY_B, json), session("s"), false));
    cases.add(Case.withHeaders("Basic", "POST", List.of("Authorization: Basic a2V5OmtleQ==", json), session("s"),
        false));
    cases.add(Case.post("body over the limit", KEY_A,
        "{\"session_id\": \"s\", \"params\": {\"k\": \"" + "v".repeat(17_000) + "\"}}", false, false));
    cases.add(Case.post("latin1", ASSIGN, KEY_A, "application/json; charset=latin1", session("s"), false, true));
    cases.add(Case.post("text/plain", ASSIGN, KEY_A, "text/plain", session("s"), false, true));
    cases.add(Case.post("no Content-Type", ASSIGN, KEY_A, null, session("s"), false, true));
    cases.add(Case.post("empty body", KEY_A, "", false, false));
    cases.add(new Case("chunked", "POST", ASSIGN, List.of(auth, json, "Transfer-Encoding: chunked"),
        ("12\r\n" + session("c" + s).substring(0, 18) + "\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8), true,
        false, false));
    cases.add(Case.post("trailing slash", ASSIGN + "/", KEY_A, JSON, session("s"), false, true));
    cases.add(Case.post("query", ASSIGN + "?x=1", KEY_A, JSON, session(s + "8"), false, true));
    cases.add(Case.post("empty query", ASSIGN + "?", KEY_A, JSON, session(s + "9"), false, true));
    cases.add(Case.post("not a pool id", "/v1/pools/a%20b/assignments", KEY_A, JSON, session("s"), false, true));
    cases.add(Case.post("an escaped slash", "/v1/pools/x%2Fassignments", KEY_A, JSON, session("s"), false, true));
    cases.add(Case.post("no pool id", "/v1/pools//assignments", KEY_A, JSON, session("s"), false, true));
    for (String method : List.of("GET", "HEAD", "PUT", "OPTIONS")) {
      cases.add(Case.withHeaders(method, method, List.of(auth, json), method.equals("PUT") ? session("s") : null,
          false));
    }
    return cases;
  }

  /** A server of its own backend and pools (op-a owning pool-1). */
  private record Served(RouteTestServer server, InMemoryBackend backend, PoolApiRouteTest.FakePools pools,
      HttpApi api) {}

  private static Served serve(boolean direct) throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    PoolApiRouteTest.FakePools pools = new PoolApiRouteTest.FakePools();
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(8192), Clock.fixed(NOW, ZoneOffset.UTC))
        .withPools(pools);
    RouteTestServer server = direct ? RouteTestServer.bind(testKit, api) : RouteTestServer.bindRouteOnly(testKit, api);
    assertEquals(201, server.sendJson("POST", "/v1/pools", KEY_A, POOL).statusCode());
    return new Served(server, backend, pools, api);
  }

  /**
   * Writes {@code c} to {@code port} (the body 100 ms after the head when {@code split}) and reads the answer to
   * its end ({@code Connection: close}): status line, headers without Date, body.
   */
  private static String exchange(int port, Case c, boolean split) throws Exception {
    StringBuilder head = new StringBuilder(c.method() + " " + c.target() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : c.headers()) {
      head.append(h).append("\r\n");
    }
    if (c.body() != null && !c.rawBody()) {
      head.append("Content-Length: ").append(c.body().length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    byte[] headBytes = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] body = c.body() == null ? new byte[0] : c.body();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.setTcpNoDelay(true);
      OutputStream out = socket.getOutputStream();
      if (split) {
        out.write(headBytes);
        out.flush();
        Thread.sleep(100);
        out.write(body);
      } else {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(headBytes);
        all.write(body);
        out.write(all.toByteArray());
      }
      out.flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      StringBuilder normalized = new StringBuilder();
      int end = answer.indexOf("\r\n\r\n");
      for (String line : (end < 0 ? answer : answer.substring(0, end)).split("\r\n")) {
        if (!line.regionMatches(true, 0, "Date:", 0, 5)) {
          normalized.append(line).append('\n');
        }
      }
      return normalized.append('\n').append(end < 0 ? "" : answer.substring(end + 4)).toString();
    }
  }

  private void compareAll(List<Case> corpus, boolean split) throws Exception {
    for (Case c : corpus) {
      String what = c.name() + (split ? " (body after the head)" : " (one write)");
      long directBefore = direct.api().directAssignments();
      int authDirect = direct.backend().authCalls.get();
      int authRouted = routed.backend().authCalls.get();
      String a = exchange(direct.server().port(), c, split);
      String b = exchange(routed.server().port(), c, split);
      assertEquals(b, a, what);
      assertEquals(routed.backend().authCalls.get() - authRouted, direct.backend().authCalls.get() - authDirect,
          what + ": key checks");
      boolean answeredDirectly = c.taken() && (split || c.parses());
      assertEquals(answeredDirectly ? 1 : 0, direct.api().directAssignments() - directBefore,
          what + ": answered " + (answeredDirectly ? "by the route" : "directly"));
    }
    assertEquals(routed.pools().assigned, direct.pools().assigned, "the same assignments were made");
  }

  /** The corpus with session ids of {@code s}, compared; then the assignments the well-formed ones made. */
  private void compareCorpus(String s, boolean split) throws Exception {
    compareAll(corpus(s), split);
    List<String> expected = new ArrayList<>(List.of(s + "1 {gclid=g}", "fb-" + s + " {}"));
    for (int i = 2; i <= 9; i++) { // 7-9: the route takes an identity Content-Encoding and ignores a query
      expected.add(s + i + " {}");
    }
    assertEquals(expected, direct.pools().assigned);
  }

  @Test
  void directAnswersAreTheRoutesAnswersWrittenInOneGo() throws Exception {
    compareCorpus("w", false);
  }

  @Test
  void directAnswersAreTheRoutesAnswersWithTheBodyAfterTheHead() throws Exception {
    compareCorpus("h", true);
  }

  @Test
  void aKeyThatCannotBeCheckedIsTheRoutes503() throws Exception {
    direct.backend().authDown = true;
    routed.backend().authDown = true;
    List<Case> cases = List.of(Case.post("key check fails", KEY_A, session("d1"), true, true),
        Case.post("key check fails, bad body", KEY_A, "{", true, false));
    compareAll(cases, false);
    compareAll(cases, true);
    direct.backend().authDown = false;
    routed.backend().authDown = false;
    direct.backend().authThrows = true;
    routed.backend().authThrows = true;
    compareAll(List.of(Case.post("key check throws", KEY_A, session("d2"), true, true)), false);
    assertTrue(direct.pools().assigned.isEmpty(), () -> "" + direct.pools().assigned);
    String answer = exchange(direct.server().port(), Case.post("503", KEY_A, session("d3"), true, true), false);
    assertTrue(answer.startsWith("HTTP/1.1 503 "), answer);
  }
}
