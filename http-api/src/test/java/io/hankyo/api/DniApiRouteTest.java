package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The JS tag's routes (issue 5, {@link DniApi}) over real HTTP with a fake {@link PoolBackend}: the script, the CORS
 * preflight, the key-less assignment allowed by {@code allowed_origins} only, and the same limits as the keyed
 * assignment, each refusal problem+json with nothing assigned.
 */
class DniApiRouteTest {
  private static final String KEY = "key-a_0123456789";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static final String SHOP = "https://shop.example";
  private static final String PATH = "/v1/dni/pools/pool-1/assignments";
  private static final String BODY = "{\"session_id\": \"s-1\", \"params\": {\"utm_source\": \"google\"}}";
  private static ActorTestKit testKit;

  private RouteTestServer server;
  private FakePools pools;

  /** Pools of operator op-a: pool-1 for SHOP and localhost:8080, pool-closed without origins; assignments recorded. */
  static final class FakePools implements PoolBackend {
    final Map<String, PublicPool> pools = new TreeMap<>(Map.of(
        "pool-1", new PublicPool("op-a", List.of(SHOP, "http://localhost:8080")),
        "pool-closed", new PublicPool("op-a", List.of())));
    final List<String> assigned = new ArrayList<>();
    final List<String> lookedUp = new ArrayList<>();

    @Override
    public CompletionStage<Pool> create(String operatorId, NewPool pool) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<List<Pool>> list(String operatorId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CompletionStage<Pool> get(String operatorId, String poolId) {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized CompletionStage<PublicPool> publicPool(String poolId) {
      lookedUp.add(poolId);
      PublicPool p = pools.get(poolId);
      return p == null ? CompletableFuture.failedFuture(ApiProblem.notFound("no pool " + poolId))
          : CompletableFuture.completedFuture(p);
    }

    @Override
    public synchronized CompletionStage<Assignment> assign(String operatorId, String poolId, String sessionId,
        Map<String, String> params) {
      if (sessionId.equals("taken")) {
        return CompletableFuture.failedFuture(ApiProblem.conflict(
            "the session id is used in another pool (pool-secret); use one session id per pool; nothing was assigned"));
      }
      assigned.add(operatorId + " " + poolId + " " + sessionId + " " + new TreeMap<>(params));
      return CompletableFuture.completedFuture(new Assignment("+81120000001", NOW.plusSeconds(1800), false));
    }
  }

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("DniApiRouteTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void bind() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY, "op-a");
    pools = new FakePools();
    server = RouteTestServer.bind(testKit, new HttpApi(backend, RouteTestServer.settings(8192),
        Clock.fixed(NOW, ZoneOffset.UTC)).withPools(pools));
  }

  @AfterEach
  void unbind() throws Exception {
    server.unbind();
  }

  private HttpResponse<String> post(String path, String origin, String contentType, String body) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    if (origin != null) {
      headers.put("Origin", origin);
    }
    if (contentType != null) {
      headers.put("Content-Type", contentType);
    }
    return server.send("POST", path, headers, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> preflight(String path, String origin) throws Exception {
    return server.send("OPTIONS", path, Map.of("Origin", origin, "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type"), null);
  }

  private static String header(HttpResponse<String> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private static void assertProblem(HttpResponse<String> r, int status) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals("application/problem+json", header(r, "Content-Type"));
    assertEquals(status, RouteTestServer.json(r).get("status").asInt());
  }

  @Test
  void theScriptIsServedWithoutAKeyAsJavaScriptForFiveMinutes() throws Exception {
    HttpResponse<String> r = server.send("GET", "/dni.js", Map.of(), null);
    assertEquals(200, r.statusCode());
    assertEquals("text/javascript; charset=UTF-8", header(r, "Content-Type"));
    assertEquals("public, max-age=300", header(r, "Cache-Control"));
    assertEquals("*", header(r, "Access-Control-Allow-Origin"));
    assertArrayEquals(DniApi.loadScript(), r.body().getBytes(StandardCharsets.UTF_8));
    assertTrue(r.body().contains("MutationObserver"));
    assertEquals(200, server.send("HEAD", "/dni.js", Map.of(), null).statusCode());
    HttpResponse<String> wrong = server.send("POST", "/dni.js", Map.of(), null);
    assertProblem(wrong, 405);
    assertProblem(server.send("GET", "/dni.jsx", Map.of(), null), 404);
  }

  @Test
  void theScriptHasAStrongETagAndAMatchingIfNoneMatchIs304WithoutBody() throws Exception {
    HttpResponse<String> first = server.send("GET", "/dni.js", Map.of(), null);
    String tag = header(first, "ETag");
    assertEquals(DniApi.entityTag(DniApi.loadScript()), tag);
    assertTrue(tag.matches("\"[A-Za-z0-9_-]{22}\""), tag);
    assertEquals("Accept-Encoding", header(first, "Vary"));
    // RFC 9110 section 13.1.2: "*", the tag itself, its weak form, or a list holding it
    for (String ifNoneMatch : List.of("*", tag, "W/" + tag, "\"other\", " + tag, "W/\"x\",W/" + tag + " ")) {
      HttpResponse<String> r = server.send("GET", "/dni.js", Map.of("If-None-Match", ifNoneMatch), null);
      assertEquals(304, r.statusCode(), ifNoneMatch);
      assertEquals("", r.body());
      assertEquals(tag, header(r, "ETag"), "RFC 9110 section 15.4.5: the 304 has the 200's validator");
      assertEquals("public, max-age=300", header(r, "Cache-Control"));
      assertEquals("Accept-Encoding", header(r, "Vary"));
      assertEquals(304, server.send("HEAD", "/dni.js", Map.of("If-None-Match", ifNoneMatch), null).statusCode());
    }
    for (String ifNoneMatch : List.of("\"other\"", "W/\"other\", \"x\"", tag.substring(1, tag.length() - 1))) {
      HttpResponse<String> r = server.send("GET", "/dni.js", Map.of("If-None-Match", ifNoneMatch), null);
      assertEquals(200, r.statusCode(), ifNoneMatch);
      assertEquals(first.body(), r.body());
      assertEquals(tag, header(r, "ETag"));
    }
  }

  @Test
  void theScriptIsGzippedWhenAcceptedWithItsOwnTag() throws Exception {
    HttpResponse<byte[]> gz = server.sendForBytes("GET", "/dni.js", Map.of("Accept-Encoding", "gzip, deflate"));
    assertEquals(200, gz.statusCode());
    assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(null));
    assertEquals(List.of("Accept-Encoding"), gz.headers().allValues("Vary"));
    assertEquals("text/javascript; charset=UTF-8", gz.headers().firstValue("Content-Type").orElse(null));
    byte[] script = DniApi.loadScript();
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz.body()))) {
      assertArrayEquals(script, in.readAllBytes());
    }
    assertTrue(gz.body().length < script.length / 2, gz.body().length + " bytes");
    // a strong tag belongs to one representation (RFC 9110 section 8.8.3): the gzip form has its own
    String gzTag = gz.headers().firstValue("ETag").orElse(null);
    assertEquals(DniApi.entityTag(gz.body()), gzTag);
    HttpResponse<byte[]> again = server.sendForBytes("GET", "/dni.js", Map.of("Accept-Encoding", "gzip",
        "If-None-Match", gzTag));
    assertEquals(304, again.statusCode());
    assertEquals(0, again.body().length);
    assertEquals(gzTag, again.headers().firstValue("ETag").orElse(null));
    assertFalse(again.headers().firstValue("Content-Encoding").isPresent());
    // the tag of the other form does not validate this one
    assertEquals(200, server.sendForBytes("GET", "/dni.js", Map.of("Accept-Encoding", "gzip",
        "If-None-Match", DniApi.entityTag(script))).statusCode());
    assertEquals("gzip", server.sendForBytes("GET", "/dni.js", Map.of("Accept-Encoding", "br;q=1, *;q=0.5"))
        .headers().firstValue("Content-Encoding").orElse(null));
    // identity when gzip is not accepted (or not asked for): never 406, the script is always available as is
    for (Map<String, String> h : List.<Map<String, String>>of(Map.of(), Map.of("Accept-Encoding", "br"),
        Map.of("Accept-Encoding", "gzip;q=0"), Map.of("Accept-Encoding", "identity"),
        Map.of("Accept-Encoding", "gzip;q=0.5, identity"), Map.of("Accept-Encoding", "gzip;q=x"))) {
      HttpResponse<byte[]> plain = server.sendForBytes("GET", "/dni.js", h);
      assertEquals(200, plain.statusCode(), h.toString());
      assertFalse(plain.headers().firstValue("Content-Encoding").isPresent(), h.toString());
      assertArrayEquals(script, plain.body(), h.toString());
      assertEquals(DniApi.entityTag(script), plain.headers().firstValue("ETag").orElse(null));
    }
  }

  @Test
  void aPreflightOfAnAllowedOriginIsGrantedPostWithContentType() throws Exception {
    HttpResponse<String> r = preflight(PATH, SHOP);
    assertEquals(204, r.statusCode(), r.body());
    assertEquals(SHOP, header(r, "Access-Control-Allow-Origin"));
    assertEquals("POST", header(r, "Access-Control-Allow-Methods"));
    assertEquals("Content-Type", header(r, "Access-Control-Allow-Headers"));
    assertEquals("600", header(r, "Access-Control-Max-Age"));
    assertEquals("Origin", header(r, "Vary"));
    assertFalse(r.headers().firstValue("Access-Control-Allow-Credentials").isPresent());
    // scheme and host case and the default port do not matter; the origin is echoed as sent
    HttpResponse<String> same = preflight(PATH, "HTTPS://Shop.Example:443");
    assertEquals(204, same.statusCode());
    assertEquals("HTTPS://Shop.Example:443", header(same, "Access-Control-Allow-Origin"));
    assertEquals(204, preflight(PATH, "http://localhost:8080").statusCode());
  }

  @Test
  void aLongOriginIsNotEchoedWhole() throws Exception {
    String origin = "https://" + "a".repeat(7000) + ".example";
    HttpResponse<String> r = post(PATH, origin, "application/json", BODY);
    assertProblem(r, 403);
    assertTrue(r.body().length() < 1000, "a trial got the 7,000 characters back: " + r.body().length());
    assertTrue(pools.assigned.isEmpty());
  }

  @Test
  void aPreflightOfAnotherOriginIsRefusedWithoutCorsHeadersAndOneForAnUnknownPoolIsGrantedToAny() throws Exception {
    for (String origin : List.of("https://evil.example", "http://shop.example", "https://shop.example:8443",
        "http://localhost:8081", "null")) {
      HttpResponse<String> r = preflight(PATH, origin);
      assertProblem(r, 403);
      assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent(), origin);
      assertEquals("Origin", header(r, "Vary"));
    }
    // an unknown pool: the preflight passes (any origin) so that the browser sends the POST and shows its 404
    for (String path : List.of("/v1/dni/pools/pool-9/assignments", "/v1/dni/pools/a%01b/assignments")) {
      for (String origin : List.of(SHOP, "https://evil.example")) {
        HttpResponse<String> unknown = preflight(path, origin);
        assertEquals(204, unknown.statusCode(), unknown.body());
        assertEquals("*", header(unknown, "Access-Control-Allow-Origin"));
        assertEquals("POST", header(unknown, "Access-Control-Allow-Methods"));
        assertEquals("Content-Type", header(unknown, "Access-Control-Allow-Headers"));
        assertEquals(List.of("Origin"), unknown.headers().allValues("Vary"));
        assertFalse(unknown.headers().firstValue("Access-Control-Allow-Credentials").isPresent());
      }
    }
    assertProblem(preflight("/v1/dni/pools/pool-closed/assignments", SHOP), 403);
  }

  @Test
  void anAllowedOriginGetsANumberWithoutAKeyForThePoolsOperator() throws Exception {
    HttpResponse<String> r = post(PATH, SHOP, "application/json", BODY);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(SHOP, header(r, "Access-Control-Allow-Origin"));
    assertEquals("Origin", header(r, "Vary"));
    JsonNode a = RouteTestServer.json(r);
    assertEquals("0120-000-001", a.get("number").asText());
    assertEquals("+81120000001", a.get("number_e164").asText());
    assertEquals("2026-11-30T09:30:00+09:00", a.get("held_until").asText());
    assertFalse(a.get("fallback").asBoolean());
    assertEquals(List.of("op-a pool-1 s-1 {utm_source=google}"), pools.assigned);
  }

  @Test
  void anotherOriginNoOriginOrAPoolWithoutOriginsIsRefusedAndNothingAssigned() throws Exception {
    for (String origin : new String[] {"https://evil.example", null}) {
      HttpResponse<String> r = post(PATH, origin, "application/json", BODY);
      assertProblem(r, 403);
      assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent());
    }
    HttpResponse<String> closed = post("/v1/dni/pools/pool-closed/assignments", SHOP, "application/json", BODY);
    assertProblem(closed, 403);
    assertTrue(RouteTestServer.json(closed).get("detail").asText().contains("no allowed_origins"));
    HttpResponse<String> two = server.send("POST", PATH, Map.of("Origin", SHOP, "origin", "https://evil.example",
        "Content-Type", "application/json"), BODY.getBytes(StandardCharsets.UTF_8));
    assertProblem(two, 403);
    assertTrue(pools.assigned.isEmpty());
  }

  @Test
  void theOriginHeaderMustBeASerialisedOriginComparedIgnoringSchemeAndHostCase() throws Exception {
    // RFC 6454 section 7.1: the header is scheme://host[:port]; a path or a trailing slash is never a browser's
    for (String origin : List.of("https://shop.example/", "https://shop.example/index.html", "https://shop.example?x",
        "https://user@shop.example", "https://shop.example.", " https://shop.example/ ")) {
      HttpResponse<String> r = post(PATH, origin, "application/json", BODY);
      assertProblem(r, 403);
      assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent(), origin);
      assertProblem(preflight(PATH, origin), 403);
    }
    assertTrue(pools.assigned.isEmpty());
    for (String origin : List.of("HTTPS://SHOP.EXAMPLE", "https://Shop.Example:443", "HTTP://LOCALHOST:8080")) {
      HttpResponse<String> r = post(PATH, origin, "application/json", BODY);
      assertEquals(200, r.statusCode(), origin + " " + r.body());
      assertEquals(origin, header(r, "Access-Control-Allow-Origin"), "echoed as sent");
    }
    assertEquals(3, pools.assigned.size());
  }

  @Test
  void anOriginStoredWithATrailingSlashBeforeTheStrictCheckStillMatches() throws Exception {
    // pools created before allowed_origins were checked strictly may hold "https://shop.example/"; the check of that
    // time stripped the slash when comparing, so their sites must keep working (review: they became 403)
    pools.pools.put("pool-old", new PoolBackend.PublicPool("op-a", List.of("https://old.example/",
        "https://old.example/path")));
    String path = "/v1/dni/pools/pool-old/assignments";
    HttpResponse<String> r = post(path, "https://old.example", "application/json", BODY);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(204, preflight(path, "https://old.example").statusCode());
    assertProblem(post(path, "https://old.example/", "application/json", BODY), 403);
    assertEquals(1, pools.assigned.size(), "a stored path never matched and still does not");
  }

  @Test
  void ipv6OriginsCompareInTheirCanonicalFormAndAnInvalidIpv4HostIsRefused() throws Exception {
    // stored as written before creation normalised them, or normalised: either way the browser's form matches
    pools.pools.put("pool-v6", new PoolBackend.PublicPool("op-a", List.of("http://[0:0::1]:8080",
        "https://[2001:db8::1]", "http://999.1.1.1")));
    String path = "/v1/dni/pools/pool-v6/assignments";
    for (String origin : List.of("http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080", "https://[2001:DB8:0::1]")) {
      HttpResponse<String> r = post(path, origin, "application/json", BODY);
      assertEquals(200, r.statusCode(), origin + " " + r.body());
      assertEquals(origin, header(r, "Access-Control-Allow-Origin"));
      assertEquals(204, preflight(path, origin).statusCode(), origin);
    }
    for (String origin : List.of("http://999.1.1.1", "http://[::2]:8080", "http://[::1]", "http://[1:::1]:8080")) {
      HttpResponse<String> r = post(path, origin, "application/json", BODY);
      assertProblem(r, 403);
      assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent(), origin);
    }
    assertEquals(3, pools.assigned.size());
  }

  @Test
  void anUnknownPoolIs404AndAPoolIdThatCannotBeOneIsNotLookedUp() throws Exception {
    HttpResponse<String> r = post("/v1/dni/pools/pool-9/assignments", SHOP, "application/json", BODY);
    assertProblem(r, 404);
    // readable by the page's script (it reveals nothing the status does not): Access-Control-Allow-Origin: *
    assertEquals("*", header(r, "Access-Control-Allow-Origin"));
    assertEquals(List.of("Origin"), r.headers().allValues("Vary"));
    assertEquals("*", header(post("/v1/dni/pools/pool-9/assignments", "https://evil.example", "application/json",
        BODY), "Access-Control-Allow-Origin"));
    for (String id : List.of("pool%20x", "p".repeat(1500), "a%01b", "a%0Ab", "-._:", "p".repeat(129))) {
      HttpResponse<String> bad = post("/v1/dni/pools/" + id + "/assignments", SHOP, "application/json", BODY);
      assertProblem(bad, 404);
      // the id is not echoed, in the text or as the instance (the path)
      assertEquals(PoolApi.NOT_A_POOL_ID, RouteTestServer.json(bad).get("detail").asText(), bad.body());
      assertTrue(RouteTestServer.json(bad).get("instance") == null, bad.body());
      assertEquals("*", header(bad, "Access-Control-Allow-Origin"));
      assertEquals(204, preflight("/v1/dni/pools/" + id + "/assignments", SHOP).statusCode());
    }
    assertEquals(List.of("pool-9", "pool-9"), pools.lookedUp);
    assertProblem(post("/v1/dni/pools/pool-1", SHOP, "application/json", BODY), 404);
    assertTrue(pools.assigned.isEmpty());
  }

  @Test
  void theKeyedAssignmentsLimitsApplyAndTheirRefusalsCarryTheCorsHeaders() throws Exception {
    List<HttpResponse<String>> refused = new ArrayList<>();
    HttpResponse<String> bad = post(PATH, SHOP, "application/json", "{\"session_id\": \"a b\", \"x\": 1}");
    assertProblem(bad, 400);
    JsonNode errors = RouteTestServer.json(bad).get("errors");
    assertEquals("/x", errors.get(0).get("pointer").asText());
    assertEquals("/session_id", errors.get(1).get("pointer").asText());
    refused.add(bad);
    StringBuilder many = new StringBuilder("{\"session_id\": \"s\", \"params\": {");
    for (int i = 0; i <= PoolApi.MAX_PARAMS; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"v\"");
    }
    HttpResponse<String> tooMany = post(PATH, SHOP, "application/json", many.append("}}").toString());
    assertProblem(tooMany, 400);
    refused.add(tooMany);
    StringBuilder big = new StringBuilder("{\"session_id\": \"s\", \"params\": {");
    for (int i = 0; i < 5; i++) {
      big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": \"").append("x".repeat(1000)).append('"');
    }
    HttpResponse<String> tooBig = post(PATH, SHOP, "application/json", big.append("}}").toString());
    assertProblem(tooBig, 413);
    refused.add(tooBig);
    HttpResponse<String> huge = post(PATH, SHOP, "application/json",
        "{\"session_id\": \"s\", \"pad\": \"" + "x".repeat(17 * 1024) + "\"}");
    assertProblem(huge, 413);
    refused.add(huge);
    HttpResponse<String> text = post(PATH, SHOP, "text/plain", BODY);
    assertProblem(text, 415);
    refused.add(text);
    HttpResponse<String> notJson = post(PATH, SHOP, "application/json", "{\"session_id\": ");
    assertProblem(notJson, 400);
    refused.add(notJson);
    // a content coding: 415 after the origin check, with the grant (a review: it came before, without CORS)
    HttpResponse<String> gzip = server.send("POST", PATH, Map.of("Origin", SHOP, "Content-Type", "application/json",
        "Content-Encoding", "gzip"), BODY.getBytes(StandardCharsets.UTF_8));
    assertProblem(gzip, 415);
    assertEquals("identity", header(gzip, "Accept-Encoding"));
    refused.add(gzip);
    assertEquals(403, server.send("POST", PATH, Map.of("Origin", "https://evil.example", "Content-Type",
        "application/json", "Content-Encoding", "gzip"), BODY.getBytes(StandardCharsets.UTF_8)).statusCode(),
        "another origin is refused first");
    HttpResponse<String> taken = post(PATH, SHOP, "application/json", "{\"session_id\": \"taken\"}");
    assertProblem(taken, 409);
    // an anonymous caller does not learn the operator's other pool ids (the keyed endpoint names it: PoolApiRouteTest)
    String detail = RouteTestServer.json(taken).get("detail").asText();
    assertFalse(detail.contains("pool-secret"), detail);
    assertTrue(detail.contains("already used in another pool"), detail);
    assertFalse(taken.body().contains("pool-secret"), taken.body());
    refused.add(taken);
    for (HttpResponse<String> r : refused) {
      assertEquals(SHOP, header(r, "Access-Control-Allow-Origin"), r.body());
      assertEquals(List.of("Origin"), r.headers().allValues("Vary"), r.body());
    }
    assertTrue(pools.assigned.isEmpty());
  }

  @Test
  void otherMethodsAre405ThereAndTheKeyedRoutesStillNeedTheKey() throws Exception {
    HttpResponse<String> get = server.send("GET", PATH, Map.of("Origin", SHOP), null);
    assertProblem(get, 405);
    assertEquals("OPTIONS, POST", header(get, "Allow"));
    assertProblem(server.send("GET", "/v1/dni/other", Map.of(), null), 404);
    assertProblem(server.send("POST", "/v1/pools/pool-1/assignments", Map.of("Origin", SHOP,
        "Content-Type", "application/json"), BODY.getBytes(StandardCharsets.UTF_8)), 401);
    assertTrue(pools.assigned.isEmpty());
  }

  @Test
  void withoutPoolsTheEndpointIs404AndTheScriptIsStillServed() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    RouteTestServer bare = RouteTestServer.bind(testKit, new HttpApi(backend, RouteTestServer.settings(8192)));
    try {
      assertEquals(200, bare.send("GET", "/dni.js", Map.of(), null).statusCode());
      HttpResponse<String> none = bare.send("POST", PATH, Map.of("Origin", SHOP, "Content-Type", "application/json"),
          BODY.getBytes(StandardCharsets.UTF_8));
      assertProblem(none, 404);
      assertEquals("*", header(none, "Access-Control-Allow-Origin"));
    } finally {
      bare.unbind();
    }
  }

  // --- the limit of new sessions per client address (DniRateLimit) ---

  /** A server over {@link #pools} limited to {@code burst} new sessions at once and as many a minute. */
  private RouteTestServer limitedServer(int burst, List<String> trustedProxies) throws Exception {
    return limitedServer(RouteTestServer.settings(8192)
        .withDniRateLimit(new DniRateLimit.Settings(true, burst, burst, trustedProxies)));
  }

  private RouteTestServer limitedServer(HttpApiSettings settings) throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    return RouteTestServer.bind(testKit, new HttpApi(backend, settings, Clock.fixed(NOW, ZoneOffset.UTC))
        .withPools(pools));
  }

  private static HttpResponse<String> assign(RouteTestServer s, String session, String forwardedFor)
      throws Exception {
    Map<String, String> headers = new LinkedHashMap<>(Map.of("Origin", SHOP, "Content-Type", "application/json"));
    if (forwardedFor != null) {
      headers.put("X-Forwarded-For", forwardedFor);
    }
    return s.send("POST", PATH, headers,
        ("{\"session_id\": \"" + session + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The status of a new session's POST sent over a connection from local address {@code from} (any 127.x address is
   * the loopback on Linux), HTTP/1.1 by hand: the JDK client cannot choose its local address.
   */
  private static int assignFrom(String from, int port, String session) throws Exception {
    String body = "{\"session_id\": \"" + session + "\"}";
    try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getByName("127.0.0.1"), port,
        java.net.InetAddress.getByName(from), 0)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: " + SHOP
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(answer.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
    }
  }

  @Test
  void newSessionsOverTheLimitOfOneAddressAre429WithRetryAfterAndCorsAndAssignNothing() throws Exception {
    RouteTestServer limited = limitedServer(3, List.of());
    try {
      for (int i = 1; i <= 3; i++) {
        assertEquals(200, assign(limited, "s-" + i, null).statusCode());
      }
      HttpResponse<String> over = assign(limited, "s-4", null);
      assertProblem(over, 429);
      // 3 a minute: the next token in at most 20 s
      long retry = Long.parseLong(header(over, "Retry-After"));
      assertTrue(retry >= 1 && retry <= 20, "Retry-After " + retry);
      assertEquals(SHOP, header(over, "Access-Control-Allow-Origin"));
      assertEquals("Origin", header(over, "Vary"));
      assertEquals(PATH, RouteTestServer.json(over).get("instance").asText());
      assertEquals(3, pools.assigned.size(), pools.assigned.toString());
      assertFalse(pools.assigned.stream().anyMatch(a -> a.contains("s-4")), pools.assigned.toString());
      // repeats of sessions that hold their number are not counted: they take no further number
      for (int i = 0; i < 5; i++) {
        assertEquals(200, assign(limited, "s-1", null).statusCode());
      }
      assertEquals(8, pools.assigned.size());
      assertProblem(assign(limited, "s-5", null), 429);
      // another address has its own budget
      assertEquals(200, assignFrom("127.0.0.2", limited.port(), "s-6"));
      assertEquals(429, assignFrom("127.0.0.1", limited.port(), "s-7"));
      assertTrue(pools.assigned.stream().anyMatch(a -> a.contains("s-6")), pools.assigned.toString());
      assertFalse(pools.assigned.stream().anyMatch(a -> a.contains("s-7")), pools.assigned.toString());
    } finally {
      limited.unbind();
    }
  }

  @Test
  void forwardedForIsIgnoredUnlessThePeerIsATrustedProxy() throws Exception {
    RouteTestServer direct = limitedServer(1, List.of());
    try {
      assertEquals(200, assign(direct, "d-1", "198.51.100.1").statusCode());
      // a client cannot make itself another one by sending another X-Forwarded-For
      assertProblem(assign(direct, "d-2", "198.51.100.2"), 429);
      assertEquals(List.of("d-1"), pools.assigned.stream().map(a -> a.split(" ")[2]).toList());
    } finally {
      direct.unbind();
    }
    pools.assigned.clear();
    RouteTestServer proxied = limitedServer(1, List.of("127.0.0.1"));
    try {
      // behind the trusted proxy (the test client's 127.0.0.1), the client is the last hop it appended
      assertEquals(200, assign(proxied, "p-1", "203.0.113.9, 198.51.100.1").statusCode());
      assertProblem(assign(proxied, "p-2", "198.51.100.1"), 429);
      // what is left of the last hop is the client's own word: another first hop does not make another client
      assertProblem(assign(proxied, "p-3", "203.0.113.10, 198.51.100.1"), 429);
      assertEquals(200, assign(proxied, "p-4", "198.51.100.1, 198.51.100.2").statusCode());
      // the proxy's own requests (no X-Forwarded-For) count as the proxy's address
      assertEquals(200, assign(proxied, "p-5", null).statusCode());
      assertProblem(assign(proxied, "p-6", null), 429);
      assertEquals(List.of("p-1", "p-4", "p-5"), pools.assigned.stream().map(a -> a.split(" ")[2]).toList());
    } finally {
      proxied.unbind();
    }
  }

  @Test
  void theLimitIsOffWhenDisabledByConfiguration() throws Exception {
    RouteTestServer off = limitedServer(HttpApiSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
        "hankyo.dni.rate-limit { enabled = false, per-minute = 1, burst = 1 }")));
    try {
      for (int i = 0; i < 10; i++) {
        assertEquals(200, assign(off, "off-" + i, null).statusCode());
      }
      assertEquals(10, pools.assigned.size());
    } finally {
      off.unbind();
    }
    // the same configuration switched on refuses the second new session
    RouteTestServer on = limitedServer(HttpApiSettings.fromConfig(com.typesafe.config.ConfigFactory.parseString(
        "hankyo.dni.rate-limit { enabled = true, per-minute = 1, burst = 1 }")));
    try {
      assertEquals(200, assign(on, "on-1", null).statusCode());
      assertProblem(assign(on, "on-2", null), 429);
    } finally {
      on.unbind();
    }
  }
}
