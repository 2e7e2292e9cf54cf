package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.calllog.CallLogColumns;
import io.hankyo.api.calllog.Rfc4180;
import io.hankyo.api.json.ApiJson;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The routes over real HTTP: Pekko HTTP bound on 127.0.0.1, port 0, called with java.net.http, backed by {@link
 * InMemoryBackend}. "Now" is 2026-11-30T09:00+09:00.
 */
class HttpApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static final String PROBLEM_JSON = "application/problem+json";
  /** The WAV body limit of the test API: far above the JSON limit (1024 bytes). */
  private static final long PROMPT_LIMIT = 200_000;

  private static ActorTestKit testKit;
  private static HttpClient client;

  private InMemoryBackend backend;
  private ServerBinding binding;
  private String base;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("HttpApiRouteTest", ConfigFactory.parseString(
            "pekko.loglevel = WARNING\n"
                + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
                + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n")
        .withFallback(ConfigFactory.load()));
    client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
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
    bind(1024);
  }

  /** Serves the same backend with a general body limit of {@code maxBodyBytes} (the first binding is replaced). */
  private void rebind(long maxBodyBytes) throws Exception {
    unbind();
    bind(maxBodyBytes);
  }

  private void bind(long maxBodyBytes) throws Exception {
    HttpApi api = new HttpApi(backend, new HttpApiSettings(maxBodyBytes, Duration.ofDays(31),
        HttpApiSettings.DEFAULT_ZONE, PROMPT_LIMIT), Clock.fixed(NOW, ZoneOffset.UTC));
    binding = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .withSettings(HttpApi.serverSettings(testKit.system()))
        .bind(api.handler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterEach
  void unbind() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private HttpResponse<String> send(String method, String path, String key, String body, String... headers)
      throws IOException, InterruptedException {
    return sendRaw(method, path, key, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body),
        body == null ? null : "application/json", headers);
  }

  private HttpResponse<String> sendRaw(String method, String path, String key, BodyPublisher body, String contentType,
      String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(10))
        .method(method, body);
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, KEY_A, null);
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return ApiJson.mapper().readTree(r.body());
  }

  private static String contentType(HttpResponse<String> r) {
    return r.headers().firstValue("Content-Type").orElse("");
  }

  /** Asserts an RFC 9457 body with the status, a detail containing every fragment, the request path as instance. */
  private static JsonNode assertProblem(HttpResponse<String> r, int status, String... detailFragments)
      throws IOException {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(PROBLEM_JSON, contentType(r), r.body());
    JsonNode p = json(r);
    assertEquals(status, p.get("status").asInt(), r.body());
    assertFalse(p.get("type").asText().isEmpty(), r.body());
    assertFalse(p.get("title").asText().isEmpty(), r.body());
    assertEquals(r.request().uri().getRawPath(), p.get("instance").asText(), r.body());
    String detail = p.get("detail").asText();
    for (String fragment : detailFragments) {
      assertTrue(detail.contains(fragment), "detail '" + detail + "' should contain '" + fragment + "'");
    }
    return p;
  }

  /** The pointers of a problem's {@code errors} (RFC 9457 section 3.2), in order; empty when it has none. */
  private static List<String> errorPointers(JsonNode problem) {
    List<String> pointers = new ArrayList<>();
    if (problem.has("errors")) {
      problem.get("errors").forEach(e -> {
        assertFalse(e.get("detail").asText().isEmpty(), problem.toString());
        pointers.add(e.get("pointer").asText());
      });
    }
    return pointers;
  }

  /** {@link #assertProblem} of a 400 whose {@code errors} have exactly {@code pointers}, in order. */
  private static JsonNode assertInvalid(HttpResponse<String> r, List<String> pointers, String... detailFragments)
      throws IOException {
    JsonNode p = assertProblem(r, 400, detailFragments);
    assertEquals(pointers, errorPointers(p), r.body());
    return p;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private void createAdvertiser(String key, String id, String name) throws Exception {
    HttpResponse<String> r = send("POST", "/v1/advertisers", key,
        "{\"client_id\":\"" + id + "\",\"client_name\":\"" + name + "\"}");
    assertEquals(201, r.statusCode(), r.body());
  }

  private HttpResponse<String> createNumber(String key, String clientId, String body) throws Exception {
    return send("POST", "/v1/advertisers/" + clientId + "/numbers", key, body);
  }

  // ------------------------------------------------------------------------------------------------ auth

  @Nested
  class Authentication {
    @Test
    void missingTokenIs401WithBearerChallenge() throws Exception {
      HttpResponse<String> r = send("GET", "/v1/advertisers", null, null);
      assertProblem(r, 401, "Authorization header missing");
      assertEquals("Bearer realm=\"hankyo\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    @Test
    void unknownTokenIs401() throws Exception {
      HttpResponse<String> r = send("GET", "/v1/advertisers", "not-a-key", null);
      assertProblem(r, 401, "unknown or revoked");
      assertEquals("Bearer realm=\"hankyo\"", r.headers().firstValue("WWW-Authenticate").orElse(null));
    }

    @Test
    void otherSchemesAndGarbageAre401() throws Exception {
      assertProblem(send("GET", "/v1/calls", null, null, "Authorization", "Basic dXNlcjpwYXNz"), 401, "malformed");
      assertProblem(send("GET", "/v1/calls", null, null, "Authorization", "Bearer"), 401, "malformed");
      assertProblem(send("GET", "/v1/calls", null, null, "Authorization", "Bearer a b"), 401, "malformed");
    }

    @Test
    void schemeIsCaseInsensitive() throws Exception {
      assertEquals(200, send("GET", "/v1/advertisers", null, null, "Authorization", "bearer " + KEY_A).statusCode());
    }

    @Test
    void authenticationComesBeforeRouting() throws Exception {
      assertProblem(send("GET", "/v1/nothing-here", null, null), 401);
    }

    @Test
    void backendFailureWhileAuthenticatingIs503() throws Exception {
      backend.authDown = true;
      assertProblem(get("/v1/advertisers"), 503, "could not answer");
    }
  }

  // ------------------------------------------------------------------------------------------------ advertisers

  @Nested
  class Advertisers {
    @Test
    void createReadUpdateDelete() throws Exception {
      HttpResponse<String> created = send("POST", "/v1/advertisers", KEY_A,
          "{\"client_id\":\"acme\",\"client_name\":\"  株式会社アクメ \"}");
      assertEquals(201, created.statusCode(), created.body());
      assertEquals("application/json", contentType(created));
      assertEquals("/v1/advertisers/acme", created.headers().firstValue("Location").orElse(null));
      JsonNode a = json(created);
      assertEquals(List.of("client_id", "client_name", "number_count", "created_at", "updated_at"),
          fieldNames(a));
      assertEquals("acme", a.get("client_id").asText());
      assertEquals("株式会社アクメ", a.get("client_name").asText());
      assertEquals(0, a.get("number_count").asInt());
      assertEquals("2026-11-29T09:00:00+09:00", a.get("created_at").asText());

      JsonNode got = json(get("/v1/advertisers/acme"));
      assertEquals("株式会社アクメ", got.get("client_name").asText());

      HttpResponse<String> updated = send("PUT", "/v1/advertisers/acme", KEY_A, "{\"client_name\":\"アクメ\"}");
      assertEquals(200, updated.statusCode(), updated.body());
      assertEquals("アクメ", json(updated).get("client_name").asText());
      assertEquals("2026-11-29T09:01:00+09:00", json(updated).get("updated_at").asText());

      HttpResponse<String> deleted = send("DELETE", "/v1/advertisers/acme", KEY_A, null);
      assertEquals(204, deleted.statusCode());
      assertEquals("", deleted.body());
      assertProblem(get("/v1/advertisers/acme"), 404, "acme");
    }

    @Test
    void generatedIdIsInLocation() throws Exception {
      HttpResponse<String> created = send("POST", "/v1/advertisers", KEY_A, "{\"client_name\":\"ベータ\"}");
      assertEquals(201, created.statusCode(), created.body());
      String id = json(created).get("client_id").asText();
      assertFalse(id.isEmpty());
      assertEquals("/v1/advertisers/" + id, created.headers().firstValue("Location").orElse(null));
    }

    @Test
    void listIsWrapped() throws Exception {
      createAdvertiser(KEY_A, "b", "B");
      createAdvertiser(KEY_A, "a", "A");
      JsonNode list = json(get("/v1/advertisers"));
      assertEquals(List.of("advertisers"), fieldNames(list));
      assertEquals(2, list.get("advertisers").size());
      assertEquals("a", list.get("advertisers").get(0).get("client_id").asText());
      assertEquals("b", list.get("advertisers").get(1).get("client_id").asText());
    }

    @Test
    void conflictPassesThrough() throws Exception {
      createAdvertiser(KEY_A, "acme", "A");
      HttpResponse<String> r = send("POST", "/v1/advertisers", KEY_A, "{\"client_id\":\"acme\",\"client_name\":\"B\"}");
      JsonNode p = assertProblem(r, 409, "acme");
      assertEquals("https://hankyo.io/problems/conflict", p.get("type").asText());
    }

    @Test
    void operatorsAreIsolated() throws Exception {
      createAdvertiser(KEY_B, "b-only", "B社");
      assertProblem(get("/v1/advertisers/b-only"), 404, "b-only");
      assertProblem(send("PUT", "/v1/advertisers/b-only", KEY_A, "{\"client_name\":\"x\"}"), 404);
      assertProblem(send("DELETE", "/v1/advertisers/b-only", KEY_A, null), 404);
      assertProblem(get("/v1/advertisers/b-only/numbers"), 404);
      assertProblem(createNumber(KEY_A, "b-only",
          "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}"), 404);
      assertEquals(0, json(get("/v1/advertisers")).get("advertisers").size());
      // and B still has it
      assertEquals(200, send("GET", "/v1/advertisers/b-only", KEY_B, null).statusCode());
      // the same id is free for A
      createAdvertiser(KEY_A, "b-only", "A社");
    }

    @Test
    void badBodiesAre400NamingTheField() throws Exception {
      String path = "/v1/advertisers";
      // not about a member: no errors
      assertInvalid(send("POST", path, KEY_A, "{\"client_name\": "), List.of(), "malformed JSON");
      // every bad member has its JSON Pointer in errors (RFC 9457 section 3.2), as on the pool resources
      JsonNode unknown = assertInvalid(send("POST", path, KEY_A, "{\"client_name\":\"a\",\"colour\":\"red\"}"),
          List.of("/colour"), "unknown field 'colour'", "client_name");
      assertEquals("unknown field; allowed fields: client_id, client_name", unknown.at("/errors/0/detail").asText());
      JsonNode type = assertInvalid(send("POST", path, KEY_A, "{\"client_name\":123}"), List.of("/client_name"),
          "client_name: expected a string");
      assertEquals("expected a string, got a number", type.at("/errors/0/detail").asText());
      JsonNode missing = assertInvalid(send("POST", path, KEY_A, "{\"client_id\":\"acme\"}"),
          List.of("/client_name"), "client_name: is required");
      assertEquals("is required", missing.at("/errors/0/detail").asText());
      assertInvalid(send("POST", path, KEY_A, "{\"client_name\":\"   \"}"), List.of("/client_name"),
          "client_name: must not be blank");
      assertInvalid(send("POST", path, KEY_A, "{\"client_name\":\"" + "x".repeat(201) + "\"}"),
          List.of("/client_name"), "client_name: is 201 characters long");
      assertInvalid(send("POST", path, KEY_A, "{\"client_id\":\"a b\",\"client_name\":\"x\"}"),
          List.of("/client_id"), "client_id: 'a b' is not a valid id");
      assertInvalid(send("POST", path, KEY_A, "{\"client_id\":\"..\",\"client_name\":\"x\"}"),
          List.of("/client_id"), "client_id:");
      // two bad members: both listed; the detail is the first one's, as when it is the only one
      JsonNode both = assertInvalid(send("POST", path, KEY_A, "{\"client_id\":\"a b\",\"client_name\":\" \"}"),
          List.of("/client_id", "/client_name"));
      assertEquals("client_id: 'a b' is not a valid id; use 1-64 characters of A-Z a-z 0-9 _ . - (not only dots)",
          both.get("detail").asText());
      assertEquals("must not be blank", both.at("/errors/1/detail").asText());
      assertInvalid(send("POST", path, KEY_A, "[]"), List.of(), "must be a JSON object");
      assertInvalid(sendRaw("POST", path, KEY_A, BodyPublishers.noBody(), "application/json"), List.of(),
          "body is empty");
      assertInvalid(send("PUT", "/v1/advertisers/x", KEY_A, "{\"client_name\":null}"), List.of("/client_name"),
          "client_name: is required");
      assertInvalid(send("PUT", "/v1/advertisers/x", KEY_A, "{\"client_name\":\"\\t\"}"), List.of("/client_name"),
          "client_name: must not be blank");
      assertEquals(0, json(get("/v1/advertisers")).get("advertisers").size(), "nothing was created");
    }

    @Test
    void jsonWithCharsetParameterIsAccepted() throws Exception {
      HttpResponse<String> r = sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofString("{\"client_name\":\"アクメ\"}"), "application/json; charset=utf-8");
      assertEquals(201, r.statusCode(), r.body());
      assertEquals("アクメ", json(r).get("client_name").asText());
    }

    /**
     * JSON between systems must be UTF-8 (RFC 8259 section 8.1): a body declared in another charset is refused with
     * 415 before it is read (a newcomer's latin1 body was read as UTF-8 and answered 400 or accepted), on every JSON
     * endpoint: advertisers, numbers, a prompt's text. The charset's case does not matter for UTF-8.
     */
    @Test
    void jsonInAnotherCharsetIs415() throws Exception {
      byte[] latin1 = "{\"client_name\":\"Caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
      for (String type : List.of("application/json; charset=latin1", "application/json;charset=ISO-8859-1",
          "application/json; charset=\"utf-16\"", "application/json; charset=Shift_JIS")) {
        JsonNode p = assertProblem(sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofByteArray(latin1), type),
            415, "only UTF-8 JSON is accepted");
        assertEquals("https://hankyo.io/problems/unsupported-media-type", p.get("type").asText());
      }
      assertEquals(0, json(get("/v1/advertisers")).get("advertisers").size(), "nothing was created");
      createAdvertiser(KEY_A, "acme", "アクメ");
      assertProblem(sendRaw("POST", "/v1/advertisers/acme/numbers", KEY_A,
          BodyPublishers.ofString("{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}"),
          "application/json; charset=windows-1252"), 415, "only UTF-8 JSON is accepted");
      assertProblem(sendRaw("PUT", "/v1/prompts/hello", KEY_A, BodyPublishers.ofString("{\"text\":\"hello\"}"),
          "application/json; charset=latin1"), 415, "only UTF-8 JSON is accepted");
      for (String type : List.of("application/json; charset=UTF-8", "application/json;charset=Utf-8",
          "application/json; charset=utf8", "application/json; charset=us-ascii", "application/json")) {
        HttpResponse<String> r = sendRaw("PUT", "/v1/advertisers/acme", KEY_A,
            BodyPublishers.ofString("{\"client_name\":\"アクメ\"}"), type);
        assertEquals(200, r.statusCode(), type + ": " + r.body());
      }
    }

    /**
     * A Content-Type Pekko's parser refuses (it then models the body as application/octet-stream, and a newcomer's
     * {@code application/json;} got a 415 saying "got application/octet-stream"): an empty parameter is allowed (RFC
     * 9110 section 5.6.6) and the body is JSON; a parameter without a value is a 400 naming the header as sent; the
     * UTF-8 rule and the media type are checked as for any other Content-Type.
     */
    @Test
    void aContentTypePekkoCannotParseIsJudgedAsSent() throws Exception {
      createAdvertiser(KEY_A, "acme", "Acme");
      for (String type : List.of("application/json;", "Application/JSON ; charset=utf-8 ;", "application/json;;")) {
        HttpResponse<String> r = sendRaw("PUT", "/v1/advertisers/acme", KEY_A,
            BodyPublishers.ofString("{\"client_name\":\"アクメ\"}"), type);
        assertEquals(200, r.statusCode(), type + ": " + r.body());
      }
      JsonNode p = assertProblem(sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofString("{\"client_name\":\"x\"}"), "application/json; charset="), 400,
          "the Content-Type header 'application/json; charset=' has a parameter without a value");
      assertEquals("https://hankyo.io/problems/invalid-request", p.get("type").asText());
      assertProblem(sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofString("{\"client_name\":\"x\"}"),
          "application/json; charset=latin1;"), 415, "only UTF-8 JSON is accepted");
      assertProblem(sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofString("{\"client_name\":\"x\"}"),
          "text/plain;"), 415, "Content-Type must be application/json, got 'text/plain;'");
      assertEquals(1, json(get("/v1/advertisers")).get("advertisers").size(), "the refused POSTs created nothing");
      assertEquals("アクメ", json(get("/v1/advertisers/acme")).get("client_name").asText());
    }

    /**
     * A 415 says in its {@code Accept} header which media types the resource takes (RFC 9110 section 12.5.1; a
     * newcomer's 415s carried no hint): JSON for the JSON resources, also for a JSON body in another charset; WAV or
     * JSON for a prompt.
     */
    @Test
    void wrongContentTypeIs415() throws Exception {
      HttpResponse<String> form = sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofString("client_name=x"),
          "application/x-www-form-urlencoded");
      assertProblem(form, 415, "application/json");
      assertEquals("application/json", form.headers().firstValue("Accept").orElse(null));
      HttpResponse<String> text = sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofString("{\"client_name\":\"x\"}"), "text/plain");
      assertProblem(text, 415, "Content-Type must be application/json");
      assertEquals("application/json", text.headers().firstValue("Accept").orElse(null));
      HttpResponse<String> latin1 = sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofString("{\"client_name\":\"x\"}"), "application/json; charset=latin1");
      assertProblem(latin1, 415, "only UTF-8 JSON is accepted");
      assertEquals("application/json", latin1.headers().firstValue("Accept").orElse(null));
      HttpResponse<String> prompt = sendRaw("PUT", "/v1/prompts/x", KEY_A, BodyPublishers.ofString("a"), "text/plain");
      assertProblem(prompt, 415);
      assertEquals("audio/wav, audio/x-wav, audio/wave, audio/vnd.wave, application/json",
          prompt.headers().firstValue("Accept").orElse(null));
      // other errors carry no Accept
      assertEquals(null, sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofString("{"), "application/json")
          .headers().firstValue("Accept").orElse(null));
    }

    /**
     * A body sent with a content coding (RFC 9110 section 8.4) is 415 with {@code Accept-Encoding: identity} (section
     * 12.5.3), after the key, on every body the API reads: a gzip JSON body used to be read as JSON (a 400 about
     * malformed JSON), a compressed CSV import or WAV prompt would have been judged by its compressed bytes.
     * {@code identity} is the body as sent.
     */
    @Test
    void aCompressedBodyIs415NamingIdentity() throws Exception {
      java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
        out.write("{\"client_name\":\"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
      for (String coding : List.of("gzip", "GZIP", "identity, gzip", "br")) {
        HttpResponse<String> r = sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofByteArray(gz.toByteArray()),
            "application/json", "Content-Encoding", coding);
        JsonNode p = assertProblem(r, 415, "Content-Encoding: " + coding.toLowerCase(java.util.Locale.ROOT));
        assertEquals("https://hankyo.io/problems/unsupported-content-encoding", p.get("type").asText());
        assertEquals("identity", r.headers().firstValue("Accept-Encoding").orElse(null), coding);
      }
      assertProblem(sendRaw("POST", "/v1/inventory", KEY_A, BodyPublishers.ofByteArray(gz.toByteArray()),
          "text/plain", "Content-Encoding", "gzip"), 415, "Content-Encoding: gzip");
      assertProblem(sendRaw("PUT", "/v1/prompts/hello", KEY_A, BodyPublishers.ofByteArray(gz.toByteArray()),
          "audio/wav", "Content-Encoding", "gzip"), 415, "Content-Encoding: gzip");
      // the key first, as for the other body checks
      assertProblem(sendRaw("POST", "/v1/advertisers", "no-such-key-0123456789",
          BodyPublishers.ofByteArray(gz.toByteArray()), "application/json", "Content-Encoding", "gzip"), 401);
      assertEquals(0, json(get("/v1/advertisers")).get("advertisers").size(), "the refused POSTs created nothing");
      // identity is the body as sent; a coding on a request without a body is no body to refuse
      HttpResponse<String> identity = sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofString("{\"client_id\":\"acme\",\"client_name\":\"Acme\"}"), "application/json",
          "Content-Encoding", "identity");
      assertEquals(201, identity.statusCode(), identity.body());
      assertEquals(200, sendRaw("GET", "/v1/advertisers/acme", KEY_A, BodyPublishers.noBody(), null,
          "Content-Encoding", "gzip").statusCode());
    }

    /**
     * A body with two Content-Type headers is 400, whatever their order (a newcomer's {@code application/json} followed
     * by {@code application/json; charset=} was read as the first alone and made an assignment, while the second
     * alone is a 400).
     */
    @Test
    void twoContentTypesAre400() throws Exception {
      String body = "{\"client_id\":\"acme\",\"client_name\":\"Acme\"}";
      for (List<String> types : List.of(List.of("application/json", "application/json; charset="),
          List.of("application/json; charset=", "application/json"),
          List.of("application/json;", "application/json; charset="))) {
        HttpResponse<String> r = sendRaw("POST", "/v1/advertisers", KEY_A, BodyPublishers.ofString(body),
            types.get(0), "Content-Type", types.get(1));
        assertProblem(r, 400, "the Content-Type header is given 2 times; send it once");
      }
      assertEquals(0, json(get("/v1/advertisers")).get("advertisers").size(), "the refused POSTs created nothing");
    }

    /**
     * The listings that take no query parameter refuse one (400 naming it) instead of ignoring it: a newcomer's
     * {@code ?limit=10} on the advertisers listing silently listed them all, while the pool listings refuse what they
     * do not take.
     */
    @Test
    void listingsWithoutParametersRefuseAQuery() throws Exception {
      createAdvertiser(KEY_A, "acme", "Acme");
      assertProblem(get("/v1/advertisers?limit=10"), 400,
          "unknown query parameter 'limit'; the advertisers listing takes no query parameters");
      assertProblem(get("/v1/advertisers/acme/numbers?state=active"), 400,
          "unknown query parameter 'state'; the numbers listing takes no query parameters");
      assertProblem(get("/v1/prompts?cursor=x"), 400,
          "unknown query parameter 'cursor'; the prompts listing takes no query parameters");
      assertEquals(1, json(get("/v1/advertisers")).get("advertisers").size());
      assertEquals(0, json(get("/v1/advertisers/acme/numbers")).get("numbers").size());
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
      String big = "{\"client_name\":\"" + "x".repeat(2000) + "\"}";
      JsonNode p = assertProblem(send("POST", "/v1/advertisers", KEY_A, big), 413, "1024 bytes");
      // RFC 9110 section 15.5.14's reason phrase (RFC 7231's was "Payload Too Large")
      assertEquals("Content Too Large", p.get("title").asText());
      assertEquals("https://hankyo.io/problems/payload-too-large", p.get("type").asText());
      // chunked: no Content-Length up front
      byte[] bytes = big.getBytes(StandardCharsets.UTF_8);
      assertProblem(sendRaw("POST", "/v1/advertisers", KEY_A,
          BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), "application/json"), 413, "1024 bytes");
      // just under the limit is fine
      String fits = "{\"client_name\":\"" + "x".repeat(190) + "\"}";
      assertEquals(201, send("POST", "/v1/advertisers", KEY_A, fits).statusCode());
    }

    @Test
    void wrongMethodIs405WithAllow() throws Exception {
      HttpResponse<String> r = send("PATCH", "/v1/advertisers", KEY_A, "{}");
      assertProblem(r, 405, "PATCH", "GET", "POST");
      // HEAD is answered wherever GET is, so Allow names it (RFC 9110 section 10.2.1)
      assertEquals(List.of("GET", "HEAD", "POST"), allow(r));
      HttpResponse<String> one = send("POST", "/v1/advertisers/acme", KEY_A, "{}");
      assertProblem(one, 405);
      assertEquals(List.of("DELETE", "GET", "HEAD", "PUT"), allow(one));
      assertEquals(List.of("GET", "HEAD"), allow(assertStatus(send("DELETE", "/v1/calls", KEY_A, null), 405)));
    }

    @Test
    void unknownPathsAre404() throws Exception {
      assertProblem(get("/v1/advertiserz"), 404, "/v1/advertiserz");
      assertProblem(get("/v1/advertisers/acme/numbers/n1/extra"), 404);
      assertProblem(send("GET", "/health", null, null), 404, "/health");
      assertProblem(send("GET", "/v1foo/advertisers", null, null), 404, "/v1foo/advertisers");
      assertProblem(get("/v1/advertisers/"), 404);
      assertProblem(get("/v1/advertisers/a%20b"), 404, "client_id: 'a b'");
    }
  }

  // ------------------------------------------------------------------------------------------------ numbers

  @Nested
  class Numbers {
    @BeforeEach
    void advertiser() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
    }

    @Test
    void createReadUpdateDelete() throws Exception {
      HttpResponse<String> created = createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"lp-1\",\"number\":\"0120123456\",\"name\":\"LP 広告\",\"forward_to\":\"+81312345678\"}");
      assertEquals(201, created.statusCode(), created.body());
      assertEquals("/v1/advertisers/acme/numbers/lp-1", created.headers().firstValue("Location").orElse(null));
      JsonNode n = json(created);
      assertEquals(List.of("dialin_id", "client_id", "din_id", "din_e164", "dialin_name", "fwd_id", "fwd_e164",
          "created_at", "updated_at", "absent"), fieldNames(n));
      assertEquals("lp-1", n.get("dialin_id").asText());
      assertFalse(n.get("absent").asBoolean());
      assertEquals("acme", n.get("client_id").asText());
      assertEquals("0120-123-456", n.get("din_id").asText());
      assertEquals("+81120123456", n.get("din_e164").asText());
      assertEquals("LP 広告", n.get("dialin_name").asText());
      assertEquals("03-1234-5678", n.get("fwd_id").asText());
      assertEquals("+81312345678", n.get("fwd_e164").asText());
      assertEquals("2026-11-29T09:00:00+09:00", n.get("created_at").asText());

      JsonNode list = json(get("/v1/advertisers/acme/numbers"));
      assertEquals(List.of("numbers"), fieldNames(list));
      assertEquals(1, list.get("numbers").size());
      assertEquals(1, json(get("/v1/advertisers/acme")).get("number_count").asInt());

      HttpResponse<String> updated = send("PUT", "/v1/advertisers/acme/numbers/lp-1", KEY_A,
          "{\"forward_to\":\"090-1234-5678\",\"number\":\"0120-123-456\"}");
      assertEquals(200, updated.statusCode(), updated.body());
      assertEquals("090-1234-5678", json(updated).get("fwd_id").asText());
      assertEquals("LP 広告", json(updated).get("dialin_name").asText());

      HttpResponse<String> renamed = send("PUT", "/v1/advertisers/acme/numbers/lp-1", KEY_A, "{\"name\":\"店頭\"}");
      assertEquals("店頭", json(renamed).get("dialin_name").asText());
      assertEquals("090-1234-5678", json(renamed).get("fwd_id").asText());

      assertEquals(204, send("DELETE", "/v1/advertisers/acme/numbers/lp-1", KEY_A, null).statusCode());
      assertProblem(get("/v1/advertisers/acme/numbers/lp-1"), 404, "lp-1");
    }

    @Test
    void allRoutableKindsAreTrackingNumbers() throws Exception {
      for (String number : List.of("0800-123-4567", "050-1234-5678", "06-6123-4567")) {
        HttpResponse<String> r = createNumber(KEY_A, "acme",
            "{\"number\":\"" + number + "\",\"forward_to\":\"090-1234-5678\"}");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(number, json(r).get("din_id").asText());
        assertTrue(json(r).get("dialin_name").isNull());
        assertTrue(r.headers().firstValue("Location").orElse("").startsWith("/v1/advertisers/acme/numbers/"));
      }
    }

    @Test
    void badNumbersAre400NamingTheField() throws Exception {
      List<String> number = List.of("/number");
      List<String> forwardTo = List.of("/forward_to");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":\"0120-12-345\",\"forward_to\":\"03-1234-5678\"}"),
          number, "number: '0120-12-345' is not a valid", "0120-XXX-XXX");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":\"090-1234-5678\",\"forward_to\":\"03-1234-5678\"}"),
          number, "number: 090-1234-5678 is a mobile number");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":\"0120-123-456\",\"forward_to\":\"03-12\"}"),
          forwardTo, "forward_to: '03-12'");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":\"0120-123-456\",\"forward_to\":\"call me\"}"),
          forwardTo, "forward_to: 'call me' is not a phone number");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":\"0120-123-456\"}"), forwardTo,
          "forward_to: is required");
      assertInvalid(createNumber(KEY_A, "acme", "{\"forward_to\":\"03-1234-5678\"}"), number, "number: is required");
      assertInvalid(createNumber(KEY_A, "acme", "{\"number\":120123456,\"forward_to\":\"03-1234-5678\"}"),
          number, "number: expected a string, got a number");
      assertInvalid(createNumber(KEY_A, "acme",
          "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\",\"dialin_id\":\"x/y\"}"),
          List.of("/dialin_id"), "dialin_id:");
      assertInvalid(createNumber(KEY_A, "acme",
          "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\",\"name\":\"" + "名".repeat(201) + "\"}"),
          List.of("/name"), "name: is 201 characters long");
      assertInvalid(createNumber(KEY_A, "acme",
          "{\"number\":\"0120-123-456\",\"forward_to\":\"0120123456\"}"), forwardTo, "forward_to:", "loop");
      assertInvalid(createNumber(KEY_A, "acme",
          "{\"number\":\"0120-123-456\",\"forward\":\"03-1234-5678\"}"), List.of("/forward"),
          "unknown field 'forward'", "forward_to");
      // every bad member at once, in the order of the checks; the detail is the first one's
      JsonNode all = assertInvalid(createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"x/y\",\"number\":\"090-1234-5678\",\"name\":\"a\\u0007\",\"forward_to\":\"110\"}"),
          List.of("/dialin_id", "/number", "/name", "/forward_to"));
      assertTrue(all.get("detail").asText().startsWith("dialin_id: 'x/y' is not a valid id"), all.toString());
      assertTrue(all.at("/errors/1/detail").asText().startsWith("090-1234-5678 is a mobile number"), all.toString());
      assertEquals(0, json(get("/v1/advertisers/acme/numbers")).get("numbers").size(), "nothing was created");
      // the update's members
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      String n1 = "/v1/advertisers/acme/numbers/n1";
      assertInvalid(send("PUT", n1, KEY_A, "{\"number\":\"0120-12\",\"name\":\"a\\u0007b\",\"forward_to\":\"03-12\"}"),
          List.of("/number", "/name", "/forward_to"), "number: '0120-12'");
      assertInvalid(send("PUT", n1, KEY_A, "{\"number\":\"0120-123-457\"}"), number,
          "number: a tracking number cannot change");
      assertInvalid(send("PUT", n1, KEY_A, "{\"forward_to\":\"0120-123-456\"}"), forwardTo,
          "forward_to: 0120-123-456 is the tracking number itself");
      assertInvalid(send("PUT", n1, KEY_A, "{\"forward_to\":true}"), forwardTo,
          "forward_to: expected a string, got a boolean");
    }

    @Test
    void forwardDestinationsOfEveryAcceptedKind() throws Exception {
      List<String> destinations = List.of("03-1234-5678", "0466-12-3456", "070-1234-5678", "080-1234-5678",
          "090-1234-5678", "050-1234-5678", "0120-999-888", "0800-123-4567");
      for (int i = 0; i < destinations.size(); i++) {
        HttpResponse<String> r = createNumber(KEY_A, "acme", "{\"number\":\"050-1111-222" + i
            + "\",\"forward_to\":\"" + destinations.get(i) + "\"}");
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(destinations.get(i), json(r).get("fwd_id").asText());
      }
    }

    @Test
    void forwardDestinationsACallMustNeverReachAre400OnCreate() throws Exception {
      String[][] cases = {
          {"+1 212 555 0100", "+1 212-555-0100 is a number outside Japan", "toll-fraud"},
          {"110", "'110' is an emergency number", "never forwarded"},
          {"119", "'119' is an emergency number", "never forwarded"},
          {"118", "'118' is an emergency number", "never forwarded"},
          {"117", "'117' is a three-digit special service number", "never forwarded"},
          {"177", "'177' is a three-digit special service number", "never forwarded"},
          {"0990-123-456", "0990-123-456 is a premium-rate or shared-cost number", "0990"},
          {"0570-123-456", "0570-123-456 is a premium-rate or shared-cost number", "0570"},
          {"020-1234-5678", "020-1234-5678 is an M2M / pager number", "no person"},
          {"0077-123-4567", "'0077-123-4567' is not a valid number", ""},
          {"0037-123-456", "0037-123-456 is a carrier-specific free-call number", "00XY"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r = createNumber(KEY_A, "acme",
            "{\"number\":\"0120-123-456\",\"forward_to\":\"" + c[0] + "\"}");
        JsonNode p = assertInvalid(r, List.of("/forward_to"), "forward_to: " + c[1], c[2]);
        assertEquals("https://hankyo.io/problems/invalid-request", p.get("type").asText());
        if (!c[1].contains("not a valid number")) {
          assertProblem(r, 400, "a forward destination must be a Japanese fixed-line (0AB-J",
              "mobile/PHS (070/080/090), IP-phone (050) or free-call (0120/0800)");
        }
      }
      assertEquals(0, json(get("/v1/advertisers/acme/numbers")).get("numbers").size(), "nothing was created");
    }

    @Test
    void forwardDestinationsACallMustNeverReachAre400OnUpdate() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      for (String refused : List.of("+12125550100", "110", "0990-123-456", "020-1234-5678", "+81120123456")) {
        assertInvalid(send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A,
            "{\"name\":\"新しい名前\",\"forward_to\":\"" + refused + "\"}"), List.of("/forward_to"), "forward_to: ",
            "a forward destination must be");
      }
      JsonNode unchanged = json(get("/v1/advertisers/acme/numbers/n1"));
      assertEquals("03-1234-5678", unchanged.get("fwd_id").asText());
      assertTrue(unchanged.get("dialin_name").isNull(), "a refused update changes nothing");
      HttpResponse<String> ok = send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A,
          "{\"forward_to\":\"+81 90 1234 5678\"}");
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals("090-1234-5678", json(ok).get("fwd_id").asText());
    }

    @Test
    void forwardingToAnotherTrackingNumberOfTheClusterIsRefusedAsALoop() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      // the same operator's other tracking number
      assertInvalid(createNumber(KEY_A, "acme",
          "{\"number\":\"0120-777-888\",\"forward_to\":\"0120-123-456\"}"), List.of("/forward_to"),
          "forward_to: 0120-123-456 is a tracking number", "loop");
      // another operator's tracking number: the loop goes through the cluster all the same
      createAdvertiser(KEY_B, "other", "他社");
      assertProblem(createNumber(KEY_B, "other",
          "{\"number\":\"0120-777-888\",\"forward_to\":\"+81120123456\"}"), 400, "loop");
      // the update path
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n2\",\"number\":\"0120-777-999\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      assertInvalid(send("PUT", "/v1/advertisers/acme/numbers/n2", KEY_A, "{\"forward_to\":\"0120-123-456\"}"),
          List.of("/forward_to"), "loop");
      assertEquals("03-1234-5678", json(get("/v1/advertisers/acme/numbers/n2")).get("fwd_id").asText());
      // once it is no longer a tracking number, it is an ordinary free-call destination
      assertEquals(204, send("DELETE", "/v1/advertisers/acme/numbers/n1", KEY_A, null).statusCode());
      HttpResponse<String> ok = send("PUT", "/v1/advertisers/acme/numbers/n2", KEY_A,
          "{\"forward_to\":\"0120-123-456\"}");
      assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void absenceModeIsSwitchedOnAndOffAndSurvivesAnUpdate() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      HttpResponse<String> on = send("PUT", "/v1/advertisers/acme/numbers/n1/absence", KEY_A, "{\"on\":true}");
      assertEquals(200, on.statusCode(), on.body());
      assertTrue(json(on).get("absent").asBoolean());
      assertEquals("03-1234-5678", json(on).get("fwd_id").asText());
      send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A, "{\"name\":\"店頭\"}");
      assertTrue(json(get("/v1/advertisers/acme/numbers/n1")).get("absent").asBoolean());
      HttpResponse<String> off = send("PUT", "/v1/advertisers/acme/numbers/n1/absence", KEY_A, "{\"on\":false}");
      assertFalse(json(off).get("absent").asBoolean());
    }

    @Test
    void badAbsenceRequestsAre400Or404() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      String path = "/v1/advertisers/acme/numbers/n1/absence";
      JsonNode missing = assertInvalid(send("PUT", path, KEY_A, "{}"), List.of("/on"), "on: is required");
      assertEquals("is required, true (absence mode on) or false (off)", missing.at("/errors/0/detail").asText());
      assertInvalid(send("PUT", path, KEY_A, "{\"on\":null}"), List.of("/on"), "on: is required");
      assertInvalid(send("PUT", path, KEY_A, "{\"on\":\"yes\"}"), List.of("/on"), "on");
      assertInvalid(send("PUT", path, KEY_A, "{\"on\":true,\"until\":\"tomorrow\"}"), List.of("/until"), "until");
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/nope/absence", KEY_A, "{\"on\":true}"), 404, "nope");
      assertProblem(send("PUT", path, KEY_B, "{\"on\":true}"), 404);
      assertEquals(405, send("GET", path, KEY_A, null).statusCode());
      assertFalse(json(get("/v1/advertisers/acme/numbers/n1")).get("absent").asBoolean());
    }

    /** The flow of issue 3's example, with forward targets in every accepted form. */
    static final String FLOW = """
        {"start": "hours",
         "steps": {
           "hours":   {"type": "schedule", "timezone": "Asia/Tokyo", "holidays": "JP",
                       "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["10:00-15:00"]},
                       "exceptions": [{"date": "2026-12-31", "closed": true}],
                       "open": "away", "closed": "closed"},
           "away":    {"type": "absence", "present": "menu", "absent": "closed"},
           "menu":    {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "2": "support"},
                       "first_digit_timeout_sec": 5, "retries": 2, "invalid": "menu", "timeout": "sales"},
           "sales":   {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                                                     {"to": "+81322222222", "ring_sec": 20}], "failed": "sorry"},
           "support": {"type": "queue", "queue": "support", "lines": 2, "hold_prompt": "hold", "max_wait_sec": 120,
                       "targets": [{"to": "03-3333-3333", "ring_sec": 20}], "timeout": "sorry"},
           "closed":  {"type": "hangup", "prompt": "closed"},
           "sorry":   {"type": "hangup", "prompt": "sorry"}}}
        """;

    /** Uploads the prompts {@link #FLOW} plays, for operator A. */
    private void uploadFlowPrompts() throws Exception {
      for (String name : List.of("welcome", "hold", "closed", "sorry")) {
        backend.storePromptAudio("op-a", name, TestWavs.pcm16(8000, 1, 800)).toCompletableFuture()
            .get(5, TimeUnit.SECONDS);
      }
    }

    @Test
    void flowsThatPlayMissingPromptsAre400NamingEachStep() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      backend.storePromptAudio("op-a", "welcome", TestWavs.pcm16(8000, 1, 800)).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      JsonNode problem = assertProblem(send("PUT", "/v1/advertisers/acme/numbers/n1/flow", KEY_A, FLOW), 400,
          "prompt 'hold' does not exist", "PUT /v1/prompts/hold");
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertEquals(List.of("/steps/support/hold_prompt", "/steps/closed/prompt", "/steps/sorry/prompt"), pointers);
    }

    @Test
    void flowDocumentsAreStoredAsVersionsReadBackAndRemoved() throws Exception {
      uploadFlowPrompts();
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      String path = "/v1/advertisers/acme/numbers/n1/flow";
      JsonNode none = json(get(path));
      assertEquals(List.of("dialin_id", "client_id", "version", "updated_at", "flow"), fieldNames(none));
      assertEquals(0, none.get("version").asInt());
      assertTrue(none.get("flow").isNull());

      HttpResponse<String> stored = send("PUT", path, KEY_A, FLOW);
      assertEquals(200, stored.statusCode(), stored.body());
      JsonNode v1 = json(stored);
      assertEquals(1, v1.get("version").asInt());
      assertEquals("hours", v1.get("flow").get("start").asText());
      assertEquals("03-1111-1111", v1.get("flow").at("/steps/sales/targets/0/to").asText());
      assertEquals("03-2222-2222", v1.get("flow").at("/steps/sales/targets/1/to").asText());
      assertEquals(v1, json(get(path)));

      assertEquals(2, json(send("PUT", path, KEY_A, FLOW)).get("version").asInt());
      JsonNode removed = json(send("DELETE", path, KEY_A, null));
      assertEquals(3, removed.get("version").asInt());
      assertTrue(removed.get("flow").isNull());
      assertEquals(3, json(send("DELETE", path, KEY_A, null)).get("version").asInt(), "nothing to remove");
    }

    @Test
    void badFlowDocumentsAre400ListingEveryProblemWithItsPointer() throws Exception {
      uploadFlowPrompts();
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n2\",\"number\":\"0120-999-888\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      String path = "/v1/advertisers/acme/numbers/n1/flow";
      String bad = FLOW.replace("\"retries\": 2", "\"retries\": -1").replace("\"open\": \"away\"", "\"open\": \"nowhere\"");
      JsonNode problem = assertProblem(send("PUT", path, KEY_A, bad), 400, "the call flow has", "problems");
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertTrue(pointers.contains("/steps/menu/retries"), pointers.toString());
      assertTrue(pointers.contains("/steps/hours/open"), pointers.toString());

      assertProblem(send("PUT", path, KEY_A, FLOW.replace("03-1111-1111", "0120-999-888")), 400,
          "/steps/sales/targets/0/to", "loop");
      assertProblem(send("PUT", path, KEY_A, FLOW.replace("03-1111-1111", "0120-123-456")), 400,
          "/steps/sales/targets/0/to");
      assertProblem(send("PUT", path, KEY_A, "{\"start\": "), 400, "malformed JSON");
      assertProblem(send("PUT", path, KEY_A, "[]"), 400, "first: the document: ");
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/nope/flow", KEY_A, FLOW), 404, "nope");
      assertProblem(send("PUT", path, KEY_B, FLOW), 404);
      assertEquals(0, json(get(path)).get("version").asInt(), "nothing stored by the refused requests");
    }

    @Test
    void changingTheNumberIsRefused() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A, "{\"number\":\"0120-999-888\"}"), 400,
          "number:", "delete");
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A, "{\"forward_to\":\"0120-123-456\"}"), 400,
          "forward_to:", "loop");
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/n1", KEY_A, "{\"forward_to\":\"abc\"}"), 400,
          "forward_to: 'abc'");
      assertEquals("03-1234-5678", json(get("/v1/advertisers/acme/numbers/n1")).get("fwd_id").asText());
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/nope", KEY_A, "{\"name\":\"x\"}"), 404, "nope");
    }

    @Test
    void duplicateNumberConflictsAcrossOperators() throws Exception {
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      createAdvertiser(KEY_B, "other", "他社");
      assertProblem(createNumber(KEY_B, "other", "{\"number\":\"+81120123456\",\"forward_to\":\"03-1234-5678\"}"),
          409, "0120-123-456");
    }

    @Test
    void unknownAdvertiserIs404() throws Exception {
      assertProblem(createNumber(KEY_A, "ghost", "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}"),
          404, "ghost");
      assertProblem(get("/v1/advertisers/ghost/numbers/n1"), 404, "ghost");
    }

    @Test
    void backendFailureIs503() throws Exception {
      backend.down = true;
      JsonNode p = assertProblem(get("/v1/advertisers/acme/numbers"), 503, "retry");
      assertEquals("https://hankyo.io/problems/service-unavailable", p.get("type").asText());
      assertProblem(createNumber(KEY_A, "acme", "{\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}"),
          503);
      assertProblem(get("/v1/advertisers"), 503);
    }
  }

  // ------------------------------------------------------------------------------------------- notifications

  @Nested
  class Notifications {
    private static final String PATH = "/v1/advertisers/acme/numbers/n1/notifications";
    static final String SETTINGS = """
        {"email": {"to": ["a@example.jp"], "trigger": "missed"},
         "webhook": {"url": "https://hooks.example.jp/calls", "secret": "s3cr3t-0123456789", "trigger": "every"},
         "sms": {"to": ["09012345678"], "trigger": "valid"}}
        """;

    @BeforeEach
    void number() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
    }

    @Test
    void settingsAreStoredAsVersionsReadBackWithoutTheSecretAndRemoved() throws Exception {
      assertProblem(get(PATH), 404, "'n1'", "has no notification settings", "PUT " + PATH);
      HttpResponse<String> stored = send("PUT", PATH, KEY_A, SETTINGS);
      assertEquals(200, stored.statusCode(), stored.body());
      assertFalse(stored.body().contains("s3cr3t-0123456789"), stored.body());
      JsonNode v1 = json(stored);
      assertEquals(List.of("dialin_id", "client_id", "version", "updated_at", "settings"), fieldNames(v1));
      assertEquals(1, v1.get("version").asInt());
      assertEquals("a@example.jp", v1.at("/settings/email/to/0").asText());
      assertEquals("missed", v1.at("/settings/email/trigger").asText());
      assertEquals("https://hooks.example.jp/calls", v1.at("/settings/webhook/url").asText());
      assertTrue(v1.at("/settings/webhook/secret_set").asBoolean());
      assertTrue(v1.at("/settings/webhook/secret").isMissingNode());
      assertEquals("090-1234-5678", v1.at("/settings/sms/to/0").asText());
      assertEquals("valid", v1.at("/settings/sms/trigger").asText());
      HttpResponse<String> read = get(PATH);
      assertFalse(read.body().contains("s3cr3t"), read.body());
      assertEquals(v1, json(read));

      JsonNode v2 = json(send("PUT", PATH, KEY_A, "{\"email\": {\"to\": [\"b@example.jp\"], \"trigger\": \"every\"}}"));
      assertEquals(2, v2.get("version").asInt());
      assertEquals(List.of("email"), fieldNames(v2.get("settings")), "channels that are off are left out");

      HttpResponse<String> removed = send("DELETE", PATH, KEY_A, null);
      assertEquals(204, removed.statusCode(), removed.body());
      assertProblem(get(PATH), 404, "has no notification settings", "version 3 removed them");
      assertEquals(204, send("DELETE", PATH, KEY_A, null).statusCode(), "nothing to remove");
      assertEquals(4, json(send("PUT", PATH, KEY_A, SETTINGS)).get("version").asInt());
    }

    @Test
    void badSettingsAre400ListingEveryProblemWithItsPointer() throws Exception {
      String bad = SETTINGS.replace("a@example.jp", "not-an-address").replace("https://", "ftp://")
          .replace("s3cr3t-0123456789", "short");
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A, bad), 400,
          "the notification settings have 3 problems", "first: /email/to/0: ");
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertEquals(List.of("/email/to/0", "/webhook/url", "/webhook/secret"), pointers);
      assertFalse(problem.toString().contains("\"short\""), "the secret is not echoed");
      assertProblem(send("PUT", PATH, KEY_A, "{}"), 400, "at least one channel");
      assertProblem(get(PATH), 404, "has no notification settings");
    }

    @Test
    void theCallerSmsIsStoredReadBackAndItsTextChecked() throws Exception {
      String doc = "{\"caller_sms\": {\"text\": \"{advertiser}へのお電話ありがとうございました https://example.jp/c\", "
          + "\"trigger\": \"missed\"}}";
      JsonNode v1 = json(send("PUT", PATH, KEY_A, doc));
      assertEquals(List.of("caller_sms"), fieldNames(v1.get("settings")));
      assertEquals("{advertiser}へのお電話ありがとうございました https://example.jp/c",
          v1.at("/settings/caller_sms/text").asText());
      assertEquals("missed", v1.at("/settings/caller_sms/trigger").asText());
      assertEquals(v1, json(get(PATH)));
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A, doc.replace("{advertiser}", "{shop}")), 400,
          "unknown placeholder {shop}");
      assertEquals("/caller_sms/text", problem.at("/errors/0/pointer").asText());
    }

    @Test
    void unknownNumbersAndOtherOperatorsAre404() throws Exception {
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/nope/notifications", KEY_A, "{\"bad\": 1}"), 404,
          "nope");
      assertProblem(get("/v1/advertisers/ghost/numbers/n1/notifications"), 404, "ghost");
      assertEquals(200, send("PUT", PATH, KEY_A, SETTINGS).statusCode());
      assertProblem(send("PUT", PATH, KEY_B, SETTINGS), 404);
      assertProblem(send("GET", PATH, KEY_B, null), 404);
      assertProblem(send("DELETE", PATH, KEY_B, null), 404);
      assertEquals(1, json(get(PATH)).get("version").asInt(), "another operator changed nothing");
      assertProblem(send("GET", PATH, null, null), 401);
    }
  }

  // ------------------------------------------------------------------------------------ advertiser judgment

  /** The advertiser's own judgment rules (issue 4: "configuration per tracking number or advertiser"). */
  @Nested
  class AdvertiserJudgment {
    private static final String PATH = "/v1/advertisers/acme/judgment";

    @BeforeEach
    void advertiser() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
    }

    @Test
    void rulesAreStoredAsVersionsReadBackAndRemoved() throws Exception {
      assertProblem(get(PATH), 404, "advertiser 'acme' has no judgment rules of its own", "PUT " + PATH);
      HttpResponse<String> stored = send("PUT", PATH, KEY_A,
          "{\"min_talk_sec\": 30, \"duplicate\": {\"scope\": \"advertiser\", \"period_sec\": 86400}}");
      assertEquals(200, stored.statusCode(), stored.body());
      assertEquals("application/json", contentType(stored));
      JsonNode v1 = json(stored);
      assertEquals(List.of("client_id", "scope", "version", "updated_at", "rules"), fieldNames(v1));
      assertEquals("acme", v1.get("client_id").asText());
      assertEquals("advertiser", v1.get("scope").asText());
      assertEquals(1, v1.get("version").asInt());
      assertTrue(v1.get("updated_at").asText().endsWith("+09:00"), v1.toString());
      assertEquals("connected", v1.at("/rules/duplicate/earlier_calls").asText(), "defaults are filled in");
      assertEquals(v1, json(get(PATH)));
      assertEquals(2, json(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": 10}")).get("version").asInt());

      // the number's own rules are apart: none yet, and the advertiser's versions do not count there
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      assertProblem(get("/v1/advertisers/acme/numbers/n1/judgment"), 404, "has no judgment rules");

      HttpResponse<String> removed = send("DELETE", PATH, KEY_A, null);
      assertEquals(204, removed.statusCode(), removed.body());
      assertProblem(get(PATH), 404, "has no judgment rules of its own", "version 3 removed them");
      assertEquals(204, send("DELETE", PATH, KEY_A, null).statusCode(), "nothing to remove");
      assertEquals(4, json(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": 5}")).get("version").asInt());
      assertEquals(405, send("POST", PATH, KEY_A, "{\"min_talk_sec\": 5}").statusCode());
    }

    @Test
    void badRulesAre400WithPointersAndAPromptMustExist() throws Exception {
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A,
          "{\"min_talk_sec\": -1, \"duplicate\": {\"scope\": \"everyone\", \"period_sec\": 86400}}"), 400,
          "the judgment rules have 2 problems", "first: /min_talk_sec: ");
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertEquals(List.of("/min_talk_sec", "/duplicate/scope"), pointers);
      assertProblem(send("PUT", PATH, KEY_A, Judgment.RULES), 400, "prompt 'rate-call' does not exist");
      assertProblem(sendRaw("PUT", PATH, KEY_A, BodyPublishers.ofString("{\"min_talk_sec\": 30}"), "text/plain"),
          415);
      assertProblem(get(PATH), 404, "has no judgment rules");
    }

    @Test
    void unknownAdvertisersAndOtherOperatorsAre404() throws Exception {
      String rules = "{\"min_talk_sec\": 30}";
      String ghost = "/v1/advertisers/ghost/judgment";
      assertProblem(send("PUT", ghost, KEY_A, rules), 404, "ghost");
      assertProblem(send("PUT", ghost, KEY_A, "{\"bad\": 1}"), 404, "ghost");
      assertProblem(get(ghost), 404, "ghost");
      assertProblem(send("DELETE", ghost, KEY_A, null), 404, "ghost");
      assertEquals(200, send("PUT", PATH, KEY_A, rules).statusCode());
      assertProblem(send("PUT", PATH, KEY_B, rules), 404, "acme");
      assertProblem(send("GET", PATH, KEY_B, null), 404, "acme");
      assertProblem(send("DELETE", PATH, KEY_B, null), 404, "acme");
      assertEquals(1, json(get(PATH)).get("version").asInt(), "another operator changed nothing");
      assertProblem(send("GET", PATH, null, null), 401);
    }
  }

  // ------------------------------------------------------------------------------------------- re-judgment

  /** {@code POST /v1/rejudgments}, {@code GET /v1/rejudgments/{id}} (issue 4). */
  @Nested
  class Rejudgments {
    private static final String BODY = "{\"client_id\": \"acme\", \"from\": \"2026-11-29T00:00:00+09:00\", "
        + "\"to\": \"2026-11-30T00:00:00+09:00\", \"rules\": {\"scope\": \"advertiser\", \"version\": 2}}";

    @BeforeEach
    void advertiserWithTwoVersionsAndACall() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
      assertEquals(200, send("PUT", "/v1/advertisers/acme/judgment", KEY_A, "{\"min_talk_sec\": 30}").statusCode());
      assertEquals(200, send("PUT", "/v1/advertisers/acme/judgment", KEY_A, "{\"min_talk_sec\": 300}").statusCode());
      backend.addCall(TestCalls.answered("op-a", 1)); // 232 s, judged 有効
    }

    @Test
    void aRejudgmentIsCreatedWithItsChangesAndReadBack() throws Exception {
      HttpResponse<String> created = send("POST", "/v1/rejudgments", KEY_A, BODY);
      assertEquals(201, created.statusCode(), created.body());
      JsonNode r = json(created);
      String id = r.get("id").asText();
      assertTrue(id.startsWith("rjd_"), id);
      assertEquals("/v1/rejudgments/" + id, created.headers().firstValue("Location").orElse(""));
      assertEquals(List.of("id", "client_id", "dialin_id", "from", "to", "rules", "examined", "changed", "applied",
          "created_at", "changes"), fieldNames(r));
      assertEquals("2026-11-29T00:00:00+09:00", r.get("from").asText());
      assertEquals("advertiser", r.at("/rules/scope").asText());
      assertEquals(2, r.at("/rules/version").asInt());
      assertEquals(1, r.get("examined").asInt());
      assertEquals(1, r.get("changed").asInt());
      JsonNode change = r.at("/changes/0");
      assertEquals("0123456789abcdef01234567", change.get("trn_id").asText());
      assertEquals("2026-11-29T17:21:55+09:00", change.get("din_tms").asText());
      assertEquals("有効", change.at("/before/valid_res").asText());
      assertEquals("無効(未満)", change.at("/after/valid_res").asText());
      assertEquals("invalid_short", change.at("/after/valid_code").asText());
      assertEquals("2", change.at("/after/judgment_version").asText());
      assertEquals("talked 232 s; at least 300 s are needed", change.at("/after/valid_reason").asText());
      assertEquals(r, json(get("/v1/rejudgments/" + id)));
      assertProblem(send("GET", "/v1/rejudgments/" + id, KEY_B, null), 404, id);
      assertProblem(get("/v1/rejudgments/rjd_nope"), 404, "rjd_nope");
    }

    @Test
    void badRequestsAre400WithEveryPointer() throws Exception {
      JsonNode p = assertProblem(send("POST", "/v1/rejudgments", KEY_A, "{\"from\": \"yesterday\", "
          + "\"to\": \"2026-11-30T00:00:00+09:00\", \"rules\": {\"scope\": \"number\", \"version\": 0}, "
          + "\"colour\": 1}"), 400, "the re-judgment request has 5 problems", "first: /colour: ");
      List<String> pointers = new ArrayList<>();
      p.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      assertEquals(List.of("/colour", "/client_id", "/from", "/dialin_id", "/rules/version"), pointers);
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, BODY.replace("2026-11-30T00", "2026-11-29T00")), 400,
          "/to: must be after from");
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, BODY.replace("2026-11-30T00:00:00+09:00",
          "2027-01-30T00:00:00+09:00")), 400, "longer than 31 days");
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, "[1]"), 400, "must be a JSON object");
    }

    /** A value of the wrong type is named as such, never reported missing. */
    @Test
    void wrongTypesAreNotCalledMissing() throws Exception {
      JsonNode p = assertProblem(send("POST", "/v1/rejudgments", KEY_A, "{\"client_id\": 5, \"from\": true, "
          + "\"to\": \"2026-11-30T00:00:00+09:00\", \"rules\": [1]}"), 400, "the re-judgment request has 3 problems");
      List<String> details = new ArrayList<>();
      p.get("errors").forEach(e -> details.add(e.get("pointer").asText() + ": " + e.get("detail").asText()));
      assertEquals(List.of(
          "/client_id: must be a string of 1-64 characters of A-Z a-z 0-9 _ . -; got the number 5",
          "/from: must be a string: an ISO-8601 time with its offset, e.g. 2026-11-01T00:00:00+09:00; got true",
          "/rules: must be an object: {\"scope\": \"number\"|\"advertiser\", \"version\": N}; got an array"),
          details);
      JsonNode v = assertProblem(send("POST", "/v1/rejudgments", KEY_A,
          BODY.replace("\"version\": 2", "\"version\": \"2\"")), 400);
      assertEquals("must be a whole number of 1 or more (a stored version of the rules); got the string \"2\"",
          v.get("errors").get(0).get("detail").asText());
      assertEquals(201, send("POST", "/v1/rejudgments", KEY_A, BODY.replace("\"version\": 2", "\"version\": 2e0"))
          .statusCode(), "a whole number written with an exponent");
    }

    @Test
    void unknownVersionsAdvertisersAndOtherOperatorsAre404AndTooManyCallsIs413() throws Exception {
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, BODY.replace("\"version\": 2", "\"version\": 7")), 404,
          "version 7");
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, BODY.replace("acme", "ghost")), 404, "ghost");
      assertProblem(send("POST", "/v1/rejudgments", KEY_B, BODY), 404, "acme");
      assertProblem(send("POST", "/v1/rejudgments", null, BODY), 401);
      backend.maxRejudgedCalls = 0;
      assertProblem(send("POST", "/v1/rejudgments", KEY_A, BODY), 413, "more than 0 connected calls");
    }
  }

  // ------------------------------------------------------------------------------------------------ recording

  @Nested
  class RecordingSetting {
    private static final String PATH = "/v1/advertisers/acme/numbers/n1/recording";
    static final String BOTH = "{\"mode\": \"both\", \"consent_prompt\": \"recording-notice\"}";

    @BeforeEach
    void number() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
    }

    private List<String> pointers(JsonNode problem) {
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> pointers.add(e.get("pointer").asText()));
      return pointers;
    }

    @Test
    void settingsAreStoredAsVersionsReadBackAndRemoved() throws Exception {
      assertProblem(get(PATH), 404, "'n1'", "has no recording setting", "PUT " + PATH);
      JsonNode missing = assertProblem(send("PUT", PATH, KEY_A, BOTH), 400, "the recording setting has a problem",
          "prompt 'recording-notice' does not exist", "PUT /v1/prompts/recording-notice");
      assertEquals(List.of("/consent_prompt"), pointers(missing));
      backend.storePromptAudio("op-a", "recording-notice", TestWavs.pcm16(8000, 1, 800)).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);

      HttpResponse<String> stored = send("PUT", PATH, KEY_A, BOTH);
      assertEquals(200, stored.statusCode(), stored.body());
      JsonNode v1 = json(stored);
      assertEquals(List.of("dialin_id", "client_id", "version", "updated_at", "mode", "consent_prompt"),
          fieldNames(v1));
      assertEquals(1, v1.get("version").asInt());
      assertEquals("both", v1.get("mode").asText());
      assertEquals("recording-notice", v1.get("consent_prompt").asText());
      assertEquals(v1, json(get(PATH)));
      JsonNode v2 = json(send("PUT", PATH, KEY_A, "{\"mode\": \"off\"}"));
      assertEquals(2, v2.get("version").asInt());
      assertFalse(v2.has("consent_prompt"), v2.toString());

      assertEquals(204, send("DELETE", PATH, KEY_A, null).statusCode());
      assertProblem(get(PATH), 404, "has no recording setting", "version 3 removed it");
      assertProblem(send("GET", PATH, KEY_B, null), 404);
    }

    @Test
    void badSettingsAre400ListingEveryProblemWithItsPointer() throws Exception {
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A,
          "{\"mode\": \"stereo\", \"consent_prompt\": 5, \"colour\": 1}"), 400,
          "the recording setting has 3 problems");
      assertEquals(List.of("/colour", "/mode", "/consent_prompt"), pointers(problem));
      assertEquals(List.of("/consent_prompt"), pointers(assertProblem(send("PUT", PATH, KEY_A,
          "{\"mode\": \"caller\"}"), 400, "/consent_prompt: is required")));
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/nope/recording", KEY_A, BOTH), 404, "nope");
      assertProblem(get(PATH), 404);
    }
  }

  @Test
  void aCallRecordingIsStreamedAsWavToItsOperatorOnlyAndDeleted() throws Exception {
    byte[] wav = TestWavs.pcm16(8000, 2, 1600);
    backend.callRecordings.put("op-a/0a1b2c", wav);
    HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/calls/0a1b2c/recording"))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + KEY_A).GET().build(),
        BodyHandlers.ofByteArray());
    assertEquals(200, r.statusCode());
    assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""));
    assertEquals(String.valueOf(wav.length), r.headers().firstValue("Content-Length").orElse(""));
    assertEquals("\"00\"", r.headers().firstValue("ETag").orElse(""));
    assertArrayEquals(wav, r.body());
    assertProblem(send("GET", "/v1/calls/0a1b2c/recording", KEY_B, null), 404, "has no recording");
    assertProblem(send("DELETE", "/v1/calls/0a1b2c/recording", KEY_B, null), 404);
    assertProblem(send("GET", "/v1/calls/0a1b2c/recording", null, null), 401);
    assertEquals(204, send("DELETE", "/v1/calls/0a1b2c/recording", KEY_A, null).statusCode());
    assertProblem(get("/v1/calls/0a1b2c/recording"), 404, "has no recording");
    assertProblem(send("DELETE", "/v1/calls/0a1b2c/recording", KEY_A, null), 404);
    assertEquals(405, send("PUT", "/v1/calls/0a1b2c/recording", KEY_A, "{}").statusCode());
  }

  // ------------------------------------------------------------------------------------------------ judgment

  @Nested
  class Judgment {
    private static final String PATH = "/v1/advertisers/acme/numbers/n1/judgment";
    /** Every part of the rules document (issue 4). */
    static final String RULES = """
        {"min_talk_sec": 30,
         "duplicate": {"scope": "advertiser", "period_sec": 86400, "count_withheld": true},
         "ivr_match": "any",
         "ivr": [{"digits": "1", "min_talk_sec": 60}, {"digits": "9", "valid": false}],
         "post_call_button": {"prompt": "rate-call", "timeout_sec": 15, "valid_digits": ["1"],
                              "invalid_digits": ["2"]}}
        """;

    @BeforeEach
    void number() throws Exception {
      createAdvertiser(KEY_A, "acme", "アクメ");
      assertEquals(201, createNumber(KEY_A, "acme",
          "{\"dialin_id\":\"n1\",\"number\":\"0120-123-456\",\"forward_to\":\"03-1234-5678\"}").statusCode());
    }

    private void uploadPrompt(String name) throws Exception {
      backend.storePromptAudio("op-a", name, TestWavs.pcm16(8000, 1, 800)).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
    }

    private List<String> pointers(JsonNode problem) {
      List<String> pointers = new ArrayList<>();
      problem.get("errors").forEach(e -> {
        assertFalse(e.get("detail").asText().isEmpty(), e.toString());
        pointers.add(e.get("pointer").asText());
      });
      return pointers;
    }

    @Test
    void rulesAreStoredAsVersionsReadBackAndRemoved() throws Exception {
      uploadPrompt("rate-call");
      assertProblem(get(PATH), 404, "'n1'", "has no judgment rules", "PUT " + PATH);

      HttpResponse<String> stored = send("PUT", PATH, KEY_A, RULES);
      assertEquals(200, stored.statusCode(), stored.body());
      assertEquals("application/json", contentType(stored));
      JsonNode v1 = json(stored);
      assertEquals(List.of("dialin_id", "client_id", "version", "updated_at", "rules"), fieldNames(v1));
      assertEquals(1, v1.get("version").asInt());
      assertEquals("n1", v1.get("dialin_id").asText());
      assertEquals("acme", v1.get("client_id").asText());
      assertTrue(v1.get("updated_at").asText().endsWith("+09:00"), v1.toString());
      JsonNode rules = v1.get("rules");
      assertEquals(30, rules.get("min_talk_sec").asInt());
      assertEquals("advertiser", rules.at("/duplicate/scope").asText());
      assertEquals(86400, rules.at("/duplicate/period_sec").asLong());
      assertTrue(rules.at("/duplicate/count_withheld").asBoolean());
      assertEquals("connected", rules.at("/duplicate/earlier_calls").asText(), "defaults are filled in");
      assertEquals("any", rules.get("ivr_match").asText());
      assertFalse(rules.at("/ivr/1/valid").asBoolean());
      assertEquals("rate-call", rules.at("/post_call_button/prompt").asText());
      assertEquals(v1, json(get(PATH)));

      // what GET returns is a document PUT accepts as the same rules
      JsonNode v2 = json(send("PUT", PATH, KEY_A, rules.toString()));
      assertEquals(2, v2.get("version").asInt(), "every store is a version");
      assertEquals(rules, v2.get("rules"));
      assertEquals(3, json(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": 10}")).get("version").asInt());
      JsonNode v3 = json(get(PATH));
      assertEquals("{\"min_talk_sec\":10,\"ivr_match\":\"last\",\"ivr\":[]}", v3.get("rules").toString());

      HttpResponse<String> removed = send("DELETE", PATH, KEY_A, null);
      assertEquals(204, removed.statusCode(), removed.body());
      assertEquals("", removed.body());
      assertProblem(get(PATH), 404, "has no judgment rules", "version 4 removed them");
      assertEquals(204, send("DELETE", PATH, KEY_A, null).statusCode(), "nothing to remove");
      assertEquals(5, json(send("PUT", PATH, KEY_A, RULES)).get("version").asInt(),
          "versions keep counting after a removal; removing nothing is no version");
      assertEquals(405, send("POST", PATH, KEY_A, RULES).statusCode());
    }

    @Test
    void badRulesAre400ListingEveryProblemWithItsPointer() throws Exception {
      uploadPrompt("rate-call");
      String bad = RULES.replace("\"min_talk_sec\": 30", "\"min_talk_sec\": -1")
          .replace("\"scope\": \"advertiser\"", "\"scope\": \"everyone\"")
          .replace("\"digits\": \"9\"", "\"digits\": \"1\"")
          .replace("\"invalid_digits\": [\"2\"]", "\"invalid_digits\": [\"1\"], \"colour\": \"red\"");
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A, bad), 400, "the judgment rules have 5 problems",
          "first: /min_talk_sec: ");
      assertEquals("https://hankyo.io/problems/invalid-request", problem.get("type").asText());
      assertEquals(List.of("/min_talk_sec", "/duplicate/scope", "/ivr/1/digits", "/post_call_button/colour",
          "/post_call_button/invalid_digits/0"), pointers(problem));

      assertEquals(List.of(""), pointers(assertProblem(send("PUT", PATH, KEY_A, "[30]"), 400,
          "the judgment rules have a problem; first: the document: ")));
      assertEquals(List.of("/min_talk_sec"), pointers(assertProblem(send("PUT", PATH, KEY_A, "{}"), 400,
          "/min_talk_sec: is required")));
      assertProblem(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": "), 400, "malformed JSON");
      assertProblem(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": 1, \"min_talk_sec\": 2}"), 400);
      assertProblem(sendRaw("PUT", PATH, KEY_A, BodyPublishers.noBody(), "application/json"), 400, "body is empty");
      assertProblem(get(PATH), 404, "has no judgment rules");
    }

    @Test
    void aPostCallButtonPromptMustExist() throws Exception {
      JsonNode problem = assertProblem(send("PUT", PATH, KEY_A, RULES), 400, "the judgment rules have a problem",
          "/post_call_button/prompt", "prompt 'rate-call' does not exist", "PUT /v1/prompts/rate-call");
      assertEquals(List.of("/post_call_button/prompt"), pointers(problem));
      assertProblem(get(PATH), 404);
      uploadPrompt("rate-call");
      assertEquals(200, send("PUT", PATH, KEY_A, RULES).statusCode());
      // another operator's prompt of that name does not count
      createAdvertiser(KEY_B, "other", "他社");
      assertEquals(201, createNumber(KEY_B, "other",
          "{\"dialin_id\":\"m1\",\"number\":\"0120-999-888\",\"forward_to\":\"03-1234-5678\"}").statusCode());
      assertProblem(send("PUT", "/v1/advertisers/other/numbers/m1/judgment", KEY_B, RULES), 400,
          "prompt 'rate-call' does not exist");
    }

    @Test
    void unknownNumbersAndOtherOperatorsAre404() throws Exception {
      uploadPrompt("rate-call");
      String rules = "{\"min_talk_sec\": 30}";
      for (String unknown : List.of("acme/numbers/nope", "ghost/numbers/n1")) {
        String path = "/v1/advertisers/" + unknown + "/judgment";
        String named = unknown.startsWith("ghost") ? "ghost" : "nope";
        assertProblem(send("PUT", path, KEY_A, rules), 404, named);
        assertProblem(send("PUT", path, KEY_A, "{\"bad\": 1}"), 404, named);
        assertProblem(get(path), 404, named);
        assertProblem(send("DELETE", path, KEY_A, null), 404, named);
      }
      assertEquals(200, send("PUT", PATH, KEY_A, rules).statusCode());
      assertProblem(send("PUT", PATH, KEY_B, rules), 404);
      assertProblem(send("GET", PATH, KEY_B, null), 404, "acme");
      assertProblem(send("DELETE", PATH, KEY_B, null), 404);
      assertEquals(1, json(get(PATH)).get("version").asInt(), "another operator changed nothing");
      assertProblem(send("GET", PATH, null, null), 401);
    }

    @Test
    void wrongContentTypeIs415AndOversizedDocumentsAre413() throws Exception {
      assertProblem(sendRaw("PUT", PATH, KEY_A, BodyPublishers.ofString("{\"min_talk_sec\": 30}"), "text/plain"),
          415, "Content-Type must be application/json");
      assertProblem(sendRaw("PUT", PATH, KEY_A, BodyPublishers.ofString("min_talk_sec=30"),
          "application/x-www-form-urlencoded"), 415);
      // up to 16 KiB whatever the general 1024-byte body limit (the parser's own limit)
      String padded = "{\"min_talk_sec\": 30" + " ".repeat(4000) + "}";
      assertEquals(200, send("PUT", PATH, KEY_A, padded).statusCode());
      String big = "{\"min_talk_sec\": 30" + " ".repeat(JudgmentRulesParser.MAX_DOCUMENT_BYTES) + "}";
      assertProblem(send("PUT", PATH, KEY_A, big), 413, String.valueOf(JudgmentRulesParser.MAX_DOCUMENT_BYTES));
      assertEquals(1, json(get(PATH)).get("version").asInt(), "nothing stored by the refused requests");
    }

    /** A general limit above the document's (64 KiB in production) still answers 413 for a 52 KB rules document. */
    @Test
    void aDocumentOverItsOwnLimitIs413WhateverTheGeneralLimit() throws Exception {
      rebind(64 * 1024);
      String big = "{\"min_talk_sec\": 30" + " ".repeat(52_000) + "}";
      JsonNode p = assertProblem(send("PUT", PATH, KEY_A, big), 413,
          String.valueOf(JudgmentRulesParser.MAX_DOCUMENT_BYTES));
      assertTrue(p.toString().indexOf("pekko") < 0, p.toString());
      assertProblem(send("PUT", "/v1/advertisers/acme/numbers/n1/notifications", KEY_A, big), 413,
          String.valueOf(io.hankyo.protocol.notify.NotificationSettingsParser.MAX_DOCUMENT_BYTES));
    }

    @Test
    void backendFailureIs503() throws Exception {
      backend.down = true;
      assertProblem(get(PATH), 503);
      assertProblem(send("PUT", PATH, KEY_A, "{\"min_talk_sec\": 30}"), 503);
      assertProblem(send("DELETE", PATH, KEY_A, null), 503);
    }
  }

  // ------------------------------------------------------------------------------------------------ call log

  @Nested
  class CallLog {
    private final Instant t2 = Instant.parse("2026-11-29T10:00:00Z");
    private final Instant t3 = Instant.parse("2026-11-29T12:00:00Z");
    private static final String RANGE = "from=2026-11-29&to=2026-11-30";

    @BeforeEach
    void calls() {
      backend.addCall(TestCalls.shredded("op-a", 3, t3));
      backend.addCall(TestCalls.answered("op-a", 1));
      backend.addCall(TestCalls.withheldMissed("op-a", 2, t2));
      backend.addCall(TestCalls.answered("op-b", 1));
      // 2026-12-01T00:00+09:00: outside both the explicit range and the default one
      backend.addCall(TestCalls.withheldMissed("op-a", 4, Instant.parse("2026-11-30T15:00:00Z")));
    }

    private List<Long> seqs(JsonNode doc) {
      List<Long> seqs = new ArrayList<>();
      doc.get("calls").forEach(c -> seqs.add(c.get("seq_num").asLong()));
      return seqs;
    }

    @Test
    void json() throws Exception {
      HttpResponse<String> r = get("/v1/calls?" + RANGE);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("application/json", contentType(r));
      assertEquals("chunked", r.headers().firstValue("Transfer-Encoding").orElse(null));
      JsonNode doc = HttpApiRouteTest.json(r);
      assertEquals(List.of("calls", "count", "from", "to"), fieldNames(doc));
      assertEquals(3, doc.get("count").asInt());
      assertEquals("2026-11-29T00:00:00+09:00", doc.get("from").asText());
      assertEquals("2026-11-30T00:00:00+09:00", doc.get("to").asText());
      assertEquals(List.of(1L, 2L, 3L), seqs(doc));

      JsonNode answered = doc.get("calls").get(0);
      List<String> keys = new ArrayList<>(CallLogColumns.NAMES);
      keys.addAll(List.of("logvars.gclid", "logvars.lp"));
      assertEquals(keys, fieldNames(answered));
      assertEquals("0123456789abcdef01234567", answered.get("trn_id").asText());
      assertEquals("0120-123-456", answered.get("din_id").asText());
      assertEquals("株式会社アクメ, 東京支店", answered.get("client_name").asText());
      assertEquals("03-1234-5678", answered.get("fwd_id").asText());
      assertEquals("090-1111-2222", answered.get("clr_id_cipher").asText());
      assertEquals("2026-11-29T17:21:55+09:00", answered.get("din_tms").asText());
      assertEquals("2026-11-29T17:22:05+09:00", answered.get("tst_tms").asText());
      assertEquals("2026-11-29T17:25:57+09:00", answered.get("eoc_tms").asText());
      assertEquals(232, answered.get("talking_sec").asInt());
      assertEquals("正常通話", answered.get("dial_stat").asText());
      assertEquals("携帯・PHS", answered.get("clr_type").asText());
      assertEquals("固定電話", answered.get("fwd_type").asText());
      assertEquals("発信者", answered.get("hup_usr").asText());
      assertEquals("有効", answered.get("logvars.valid_res").asText());
      assertTrue(answered.get("nfy_email").isBoolean() && answered.get("nfy_email").asBoolean());
      assertTrue(answered.get("nfy_http").isBoolean() && !answered.get("nfy_http").asBoolean());
      assertEquals(39, answered.get("call_charge").asInt());
      assertEquals("abc123", answered.get("logvars.gclid").asText());

      JsonNode withheld = doc.get("calls").get(1);
      assertEquals("", withheld.get("clr_id_cipher").asText());
      assertEquals("非通知番号", withheld.get("clr_type").asText());
      assertTrue(withheld.get("tst_tms").isNull());
      assertTrue(withheld.get("dialin_name").isNull());
      assertTrue(withheld.get("logvars.valid_res").isNull());
      assertEquals("不完了呼", withheld.get("dial_stat").asText());

      JsonNode shredded = doc.get("calls").get(2);
      assertEquals("", shredded.get("clr_id_cipher").asText());
      assertEquals("話中", shredded.get("dial_stat").asText());
    }

    @Test
    void defaultRangeIsTheLast24Hours() throws Exception {
      JsonNode doc = HttpApiRouteTest.json(get("/v1/calls"));
      assertEquals("2026-11-29T09:00:00+09:00", doc.get("from").asText());
      assertEquals("2026-11-30T09:00:00+09:00", doc.get("to").asText());
      assertEquals(NOW, backend.lastTo);
      assertEquals(NOW.minus(Duration.ofHours(24)), backend.lastFrom);
      assertEquals(List.of(1L, 2L, 3L), seqs(doc));
    }

    @Test
    void emptyRangeIsAnEmptyList() throws Exception {
      JsonNode doc = HttpApiRouteTest.json(get("/v1/calls?from=2026-01-01&to=2026-01-02"));
      assertEquals(0, doc.get("count").asInt());
      assertEquals(0, doc.get("calls").size());
    }

    @Test
    void csv() throws Exception {
      HttpResponse<String> r = get("/v1/calls?format=csv&from=" + enc("2026/11/29 00:00") + "&to=2026-11-30T00:00:00");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("text/csv; charset=UTF-8", contentType(r));
      assertEquals("attachment; filename=\"calls-20261129T000000-20261130T000000.csv\"",
          r.headers().firstValue("Content-Disposition").orElse(null));
      assertTrue(r.body().startsWith("seq_num,trn_id,din_id,client_id,client_name,dialin_id,dialin_name,fwd_id,"
          + "clr_id_cipher,din_tms,tst_tms,eoc_tms,calling_sec,talking_sec,conn_sec,dial_stat,clr_type,fwd_type,"
          + "hup_usr,logvars.valid_res,nfy_email,nfy_http,call_charge\r\n"), r.body());
      List<List<String>> records = Rfc4180.parse(r.body());
      assertEquals(4, records.size());
      assertEquals(CallLogColumns.NAMES, records.get(0));
      assertEquals(List.of("1", "0123456789abcdef01234567", "0120-123-456", "acme", "株式会社アクメ, 東京支店", "din-1",
          "Web \"広告\"", "03-1234-5678", "090-1111-2222", "2026/11/29 17:21:55", "2026/11/29 17:22:05",
          "2026/11/29 17:25:57", "10", "232", "242", "正常通話", "携帯・PHS", "固定電話", "発信者", "有効", "true", "false",
          "39"), records.get(1));
      assertEquals(List.of("2", "fedcba9876543210fedcba98", "050-1234-5678", "beta", "ベータ商事", "din-2", "",
          "090-9999-8888", "", "2026/11/29 19:00:00", "", "2026/11/29 19:00:30", "25", "0", "30", "不完了呼",
          "非通知番号", "携帯・PHS", "着信者", "", "false", "true", "0"), records.get(2));
      assertEquals("tab\there", records.get(3).get(CallLogColumns.NAMES.indexOf("dialin_name")));
    }

    @Test
    void csvAndTsvAppendTheRequestedLogvarsColumnsOnlyWhenAsked() throws Exception {
      HttpResponse<String> r = get("/v1/calls?format=csv&" + RANGE + "&logvars=" + enc("gclid,lp,utm_source"));
      assertEquals(200, r.statusCode(), r.body());
      List<List<String>> records = Rfc4180.parse(r.body());
      List<String> header = new ArrayList<>(CallLogColumns.NAMES);
      header.addAll(List.of("logvars.gclid", "logvars.lp", "logvars.utm_source"));
      assertEquals(header, records.get(0));
      int n = CallLogColumns.NAMES.size();
      assertEquals(List.of("abc123", "/campaign", ""), records.get(1).subList(n, n + 3), "absent keys are empty");
      assertEquals(List.of("", "", ""), records.get(2).subList(n, n + 3));
      assertEquals(records.get(1).subList(0, n), Rfc4180.parse(get("/v1/calls?format=csv&" + RANGE).body()).get(1),
          "the spec's columns are unchanged");
      assertEquals(CallLogColumns.NAMES, Rfc4180.parse(get("/v1/calls?format=csv&" + RANGE).body()).get(0),
          "without logvars the header is the spec's");
      HttpResponse<String> tsv = get("/v1/calls?format=tsv&" + RANGE + "&logvars=lp");
      List<String> lines = Arrays.asList(tsv.body().split("\r\n"));
      assertEquals(String.join("\t", CallLogColumns.NAMES) + "\tlogvars.lp", lines.get(0));
      assertTrue(lines.get(1).endsWith("\t/campaign"), lines.get(1));
      JsonNode doc = HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&logvars=gclid"));
      assertEquals("abc123", doc.get("calls").get(0).get("logvars.gclid").asText(), "JSON is unchanged");
      assertProblem(get("/v1/calls?format=csv&logvars=" + enc("gclid,utm source")), 400, "'utm source'");
      assertProblem(get("/v1/calls?format=csv&logvars="), 400, "logvars: ''");
      assertProblem(get("/v1/calls?format=csv&logvars=gclid,gclid"), 400, "more than once");
      assertProblem(get("/v1/calls?format=csv&logvars=*"), 400, "logvars: '*'");
    }

    @Test
    void tsvByAcceptHeader() throws Exception {
      HttpResponse<String> r = send("GET", "/v1/calls?" + RANGE, KEY_A, null,
          "Accept", "text/tab-separated-values, application/json;q=0.5");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("text/tab-separated-values; charset=UTF-8", contentType(r));
      assertEquals("attachment; filename=\"calls-20261129T000000-20261130T000000.tsv\"",
          r.headers().firstValue("Content-Disposition").orElse(null));
      assertTrue(r.body().endsWith("\r\n"));
      List<String> lines = Arrays.asList(r.body().split("\r\n"));
      assertEquals(4, lines.size());
      assertEquals(String.join("\t", CallLogColumns.NAMES), lines.get(0));
      for (String line : lines) {
        assertEquals(CallLogColumns.NAMES.size(), line.split("\t", -1).length, line);
      }
      String[] shredded = lines.get(3).split("\t", -1);
      assertEquals("tab here", shredded[CallLogColumns.NAMES.indexOf("dialin_name")]);
      assertEquals("株式会社アクメ, 東京支店", shredded[CallLogColumns.NAMES.indexOf("client_name")]);
      assertEquals("Web \"広告\"", lines.get(1).split("\t", -1)[CallLogColumns.NAMES.indexOf("dialin_name")]);
    }

    @Test
    void acceptQValuesChooseTheFormat() throws Exception {
      String[][] cases = {
          {"text/csv;q=0.1, application/json;q=0.9", "application/json"},
          {"text/tab-separated-values, text/csv;q=0.5", "text/tab-separated-values; charset=UTF-8"},
          {"application/json;q=0.2, text/csv;q=0.8", "text/csv; charset=UTF-8"},
          {"*/*;q=0.5, text/tab-separated-values;q=0.4", "application/json"},
          {"text/*, text/csv;q=0", "text/tab-separated-values; charset=UTF-8"},
          {"*/*", "application/json"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r = send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", c[0]);
        assertEquals(200, r.statusCode(), c[0] + ": " + r.body());
        assertEquals(c[1], contentType(r), c[0]);
        assertEquals("Accept", r.headers().firstValue("Vary").orElse(null), c[0]);
      }
    }

    @Test
    void noAcceptHeaderGivesJson() throws Exception {
      HttpResponse<String> r = get("/v1/calls?" + RANGE);
      assertFalse(r.request().headers().firstValue("Accept").isPresent(), "the client sent no Accept");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("application/json", contentType(r));
      assertEquals(3, HttpApiRouteTest.json(r).get("count").asInt());
    }

    @Test
    void headGivesTheHeadersOfGetWithoutABody() throws Exception {
      HttpResponse<String> head = send("HEAD", "/v1/calls?" + RANGE + "&format=csv", KEY_A, null);
      assertEquals(200, head.statusCode(), head.body());
      assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"), head.headers().toString());
      assertEquals("", head.body());
      assertEquals(401, send("HEAD", "/v1/calls?" + RANGE, null, null).statusCode());
    }

    @Test
    void acceptAllowingNoneOfTheFormatsIs406ListingThem() throws Exception {
      for (String accept : List.of("application/xml", "text/csv;q=0, application/json;q=0, text/*;q=0",
          "*/*;q=0")) {
        HttpResponse<String> r = send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", accept);
        JsonNode p = assertProblem(r, 406, "application/json, text/csv, text/tab-separated-values", "format");
        assertEquals("Accept", r.headers().firstValue("Vary").orElse(null), "a 406 depends on Accept too");
        assertEquals("https://hankyo.io/problems/not-acceptable", p.get("type").asText());
        assertEquals("Not Acceptable", p.get("title").asText());
      }
    }

    @Test
    void invalidAcceptIs400UnlessFormatIsGiven() throws Exception {
      assertProblem(send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", "text/csv;q=2"), 400,
          "Accept: 'text/csv;q=2' is not a valid Accept header");
      HttpResponse<String> r = send("GET", "/v1/calls?format=tsv&" + RANGE, KEY_A, null, "Accept", "text/csv;q=2");
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("text/tab-separated-values; charset=UTF-8", contentType(r));
    }

    /**
     * Pekko's model of Accept reads a q-value that is not a number as no weight (q=1): text/csv;q=abc was answered
     * with CSV. A weight must be 0 to 1 with at most three decimals (RFC 9110 section 12.4.2).
     */
    @Test
    void qValueThatIsNotAWeightIs400() throws Exception {
      for (String accept : List.of("text/csv;q=abc", "text/csv; Q=abc, application/json;q=0.5",
          "application/json;q=0.5, text/csv;q=0.1234", "text/csv;q=1.0000", "text/csv;q=", "text/csv;q=\"0.5\"",
          "text/csv;q=1e-1", "text/csv;q=0.5;q=high")) {
        HttpResponse<String> r = send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", accept);
        JsonNode p = assertProblem(r, 400, "Accept: '" + accept + "' is not a valid Accept header",
            "RFC 9110 section 12.4.2", "format parameter");
        assertEquals("https://hankyo.io/problems/invalid-request", p.get("type").asText(), accept);
        assertEquals(List.of("Accept"), r.headers().allValues("Vary"), "the refusal depends on Accept: " + accept);
      }
      HttpResponse<String> r = send("GET", "/v1/calls?format=csv&" + RANGE, KEY_A, null, "Accept", "text/csv;q=abc");
      assertEquals(200, r.statusCode(), "format wins over any Accept: " + r.body());
      assertEquals("text/csv; charset=UTF-8", contentType(r));
    }

    /** Valid weights keep choosing the format, q=0 keeps meaning "not acceptable". */
    @Test
    void validWeightsStillNegotiate() throws Exception {
      String[][] cases = {
          {"text/csv;q=0.5", "text/csv; charset=UTF-8"},
          {"text/csv;q=1", "text/csv; charset=UTF-8"},
          {"text/csv;q=1.000, application/json;q=0.999", "text/csv; charset=UTF-8"},
          {"text/csv;q=0, application/json;q=0.001", "application/json"},
          {"text/*;q=0.5, text/csv;q=0", "text/tab-separated-values; charset=UTF-8"},
          {"text/csv;x=\"a;q=abc\", application/json;q=0.1", "application/json"},
          {"text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2", "application/json"},
          // "Q" is the weight too (RFC 9110 sections 5.6.6, 12.4.2)
          {"text/csv;Q=0.5, application/json;q=0.1", "text/csv; charset=UTF-8"},
          {"text/csv;Q=0.5", "text/csv; charset=UTF-8"},
      };
      for (String[] c : cases) {
        HttpResponse<String> r = send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", c[0]);
        assertEquals(200, r.statusCode(), c[0] + ": " + r.body());
        assertEquals(c[1], contentType(r), c[0]);
      }
      for (String accept : List.of("text/csv;q=0", "text/csv;q=0.000, application/json;q=0")) {
        assertProblem(send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", accept), 406, "allows none of");
      }
    }

    @Test
    void formatParameterWinsOverAccept() throws Exception {
      HttpResponse<String> r = send("GET", "/v1/calls?format=json&" + RANGE, KEY_A, null, "Accept", "text/csv");
      assertEquals("application/json", contentType(r));
      assertFalse(r.headers().firstValue("Content-Disposition").isPresent());
      assertEquals("text/csv; charset=UTF-8", contentType(send("GET", "/v1/calls?format=csv&" + RANGE, KEY_A, null,
          "Accept", "text/csv;q=0.1, application/json;q=0.9")));
      assertEquals(200, send("GET", "/v1/calls?format=json&" + RANGE, KEY_A, null, "Accept", "image/png")
          .statusCode());
      assertEquals("text/csv; charset=UTF-8",
          contentType(send("GET", "/v1/calls?format=CSV&" + RANGE, KEY_A, null, "Accept", "application/json")));
    }

    @Test
    void nothingAcceptableIs406AndUnknownFormat400() throws Exception {
      assertProblem(send("GET", "/v1/calls?" + RANGE, KEY_A, null, "Accept", "application/xml"), 406,
          "application/xml", "text/csv");
      assertProblem(get("/v1/calls?format=xlsx&" + RANGE), 400, "format: 'xlsx'");
    }

    @Test
    void filters() throws Exception {
      assertEquals(List.of(1L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&din_id=0120-12"))));
      assertEquals(List.of(1L, 3L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&din_id=0120"))));
      assertEquals(List.of(2L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&fwd_id=090-9999"))));
      assertEquals(List.of(1L, 3L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&client_id=acme"))));
      assertEquals(List.of(3L),
          seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&hup_usr=" + enc("システム")))));
      assertEquals(List.of(2L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&hup_usr=callee"))));
      assertEquals(List.of(3L), seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&dial_stat=BUSY"))));
      assertEquals(List.of(2L),
          seqs(HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&dial_stat=" + enc("不完了呼") + "&din_id="))));
      JsonNode both = HttpApiRouteTest.json(get("/v1/calls?" + RANGE + "&client_id=acme&dial_stat=NORMAL"));
      assertEquals(List.of(1L), seqs(both));
      assertEquals(1, both.get("count").asInt());
      List<List<String>> csv = Rfc4180.parse(get("/v1/calls?format=csv&" + RANGE + "&client_id=beta").body());
      assertEquals(2, csv.size());
      assertEquals("2", csv.get(1).get(0));
    }

    @Test
    void badQueriesAre400NamingTheParameter() throws Exception {
      assertProblem(get("/v1/calls?from=yesterday"), 400, "from: 'yesterday'", "yyyy/MM/dd HH:mm");
      assertProblem(get("/v1/calls?from=2026-11-29&to=" + enc("2026/11/31")), 400, "to: '2026/11/31'");
      assertProblem(get("/v1/calls?from=2026-11-30&to=2026-11-29"), 400, "from: must be before to");
      assertProblem(get("/v1/calls?from=2026-01-01&to=2026-03-01"), 400, "maximum of 31 days");
      assertProblem(get("/v1/calls?since=2026-01-01"), 400, "unknown query parameter 'since'");
      assertProblem(get("/v1/calls?hup_usr=nobody"), 400, "hup_usr: 'nobody'");
      assertProblem(get("/v1/calls?dial_stat=ok"), 400, "dial_stat: 'ok'");
      assertProblem(get("/v1/calls?din_id=abc"), 400, "din_id: 'abc'");
      assertProblem(get("/v1/calls?from=2026-11-29&from=2026-11-28"), 400, "from: given more than once");
    }

    @Test
    void malformedQueryStringIs400() throws Exception {
      // java.net.URI refuses to build this request, so it goes over a plain socket
      String response = rawHttp("GET /v1/calls?from=%ZZ HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
          + KEY_A + "\r\nConnection: close\r\n\r\n");
      assertTrue(response.startsWith("HTTP/1.1 400"), response);
      assertTrue(response.contains("Content-Type: application/problem+json"), response);
      assertTrue(response.contains("\"status\":400"), response);
      assertTrue(response.contains("Illegal request-target"), response);
      // Pekko gives its parsing error handler no request: the one kind of problem without instance (documented)
      assertFalse(response.contains("\"instance\""), response);
    }

    /**
     * The other requests Pekko answers before any route runs (here: an unknown method, a header over the size limit,
     * an unsupported HTTP version) are problem+json with reason-phrase titles too; what goes through the routes'
     * handlers (an entity over Pekko's own max-content-length, a method not allowed) names the request path.
     */
    @Test
    void pekkosOwnErrorsAreProblems() throws Exception {
      String unknownMethod = rawHttp("FOO /v1/calls HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertTrue(unknownMethod.startsWith("HTTP/1.1 501"), unknownMethod);
      assertTrue(unknownMethod.contains("Content-Type: application/problem+json"), unknownMethod);
      assertTrue(unknownMethod.contains("\"title\":\"Not Implemented\""), unknownMethod);
      String bigHeader = rawHttp("GET /v1/calls HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(10_000)
          + "\r\nConnection: close\r\n\r\n");
      assertTrue(bigHeader.startsWith("HTTP/1.1 431"), bigHeader);
      assertTrue(bigHeader.contains("Content-Type: application/problem+json"), bigHeader);
      String version = rawHttp("GET /v1/calls HTTP/1.2\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      assertTrue(version.startsWith("HTTP/1.1 505"), version);
      assertTrue(version.contains("Content-Type: application/problem+json"), version);
      // declared far beyond Pekko's max-content-length (8m): refused by the route, with instance
      String huge = rawHttp("POST /v1/advertisers HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + KEY_A
          + "\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\nConnection: close\r\n\r\n{}");
      assertTrue(huge.startsWith("HTTP/1.1 413"), huge);
      assertTrue(huge.contains("\"title\":\"Content Too Large\""), huge);
      assertTrue(huge.contains("\"instance\":\"/v1/advertisers\""), huge);
    }

    @Test
    void offsetWithUnencodedPlusStillWorks() throws Exception {
      JsonNode doc = HttpApiRouteTest.json(get("/v1/calls?from=2026-11-29T00:00:00+09:00&to=2026-11-30T00:00:00+09:00"));
      assertEquals("2026-11-29T00:00:00+09:00", doc.get("from").asText());
      assertEquals(3, doc.get("count").asInt());
    }

    @Test
    void otherOperatorsNeverSeeTheCalls() throws Exception {
      JsonNode doc = HttpApiRouteTest.json(send("GET", "/v1/calls?" + RANGE, KEY_B, null));
      assertEquals(1, doc.get("count").asInt());
      assertEquals("0123456789abcdef01234567", doc.get("calls").get(0).get("trn_id").asText());
      // a backend that leaks other operators' records is caught by the route
      backend.leakOtherOperators = true;
      JsonNode leaked = HttpApiRouteTest.json(send("GET", "/v1/calls?" + RANGE, KEY_B, null));
      assertEquals(1, leaked.get("count").asInt());
    }

    @Test
    void backendFailureIs503() throws Exception {
      backend.down = true;
      assertProblem(get("/v1/calls?" + RANGE), 503, "could not answer");
      assertProblem(get("/v1/calls?format=csv&" + RANGE), 503);
    }

    @Test
    void failureMidStreamBreaksTheResponseInsteadOfEndingIt() throws Exception {
      backend.callsBreakAfterFirst = true;
      String body;
      try {
        body = get("/v1/calls?" + RANGE).body();
      } catch (IOException e) {
        return; // the connection was cut: the client knows the document is incomplete
      }
      assertTrue(body.startsWith("{\"calls\":["), body);
      assertFalse(body.trim().endsWith("}"), "a broken stream must not look like a complete document: " + body);
    }
  }

  // ------------------------------------------------------------------------------------------------ utilities

  private String rawHttp(String request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", binding.localAddress().getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    Iterator<String> it = node.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  private static HttpResponse<String> assertStatus(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.body());
    return r;
  }

  private static List<String> allow(HttpResponse<String> r) {
    List<String> methods = new ArrayList<>();
    for (String v : r.headers().allValues("Allow")) {
      for (String m : v.split(",")) {
        methods.add(m.strip());
      }
    }
    methods.sort(null);
    return methods;
  }

  // ------------------------------------------------------------------------------------------------ prompts

  @Nested
  class Prompts {
    private HttpResponse<String> putWav(String key, String name, byte[] wav, String contentType) throws Exception {
      return sendRaw("PUT", "/v1/prompts/" + name, key, BodyPublishers.ofByteArray(wav), contentType);
    }

    private HttpResponse<byte[]> getBytes(String path, String accept) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + KEY_A).GET();
      if (accept != null) {
        b.header("Accept", accept);
      }
      return client.send(b.build(), BodyHandlers.ofByteArray());
    }

    @Test
    void uploadCreatesThenReplacesAndReadsBack() throws Exception {
      byte[] wav = TestWavs.pcm16(8000, 1, 8000); // 1 s
      HttpResponse<String> r = putWav(KEY_A, "welcome", wav, "audio/wav");
      assertEquals(201, r.statusCode(), r.body());
      assertEquals("/v1/prompts/welcome", r.headers().firstValue("Location").orElse(null));
      JsonNode p = json(r);
      assertEquals("welcome", p.get("name").asText());
      assertEquals("upload", p.get("source").asText());
      assertFalse(p.has("text"), r.body());
      assertEquals(1000, p.get("duration_ms").asLong());
      assertEquals(wav.length, p.get("bytes").asLong());
      assertEquals(64, p.get("sha256").asText().length());
      assertEquals("2026-11-29T09:00:00+09:00", p.get("updated_at").asText());

      // the other WAV media types are accepted, and a second PUT replaces: 200, no Location
      HttpResponse<String> again = putWav(KEY_A, "welcome", TestWavs.pcm16(16000, 2, 8000), "audio/x-wav");
      assertEquals(200, again.statusCode(), again.body());
      assertTrue(again.headers().firstValue("Location").isEmpty());
      assertEquals(500, json(again).get("duration_ms").asLong());
      assertEquals(201, putWav(KEY_A, "hold.v2", wav, "audio/wave").statusCode());
      // a Content-Type with an empty parameter (RFC 9110 section 5.6.6; Pekko's parser refuses it) is the type it
      // names, not application/octet-stream
      assertEquals(200, putWav(KEY_A, "hold.v2", wav, "audio/wav;").statusCode(), "replaced");
      assertProblem(putWav(KEY_A, "hold.v4", wav, "audio/wav; rate="), 400,
          "the Content-Type header 'audio/wav; rate=' has a parameter without a value");
      assertProblem(sendRaw("PUT", "/v1/prompts/hold.v4", KEY_A, BodyPublishers.ofString("{\"text\":\"hello\"}"),
          "application/json; charset=latin1;"), 415, "only UTF-8 JSON is accepted");

      HttpResponse<String> meta = get("/v1/prompts/welcome");
      assertEquals(200, meta.statusCode(), meta.body());
      assertEquals("application/json", contentType(meta));
      assertEquals(json(again), json(meta));
      assertEquals("Accept", meta.headers().firstValue("Vary").orElse(null));

      JsonNode list = json(get("/v1/prompts"));
      assertEquals(2, list.get("prompts").size());
      assertEquals("hold.v2", list.get("prompts").get(0).get("name").asText());
      assertEquals("welcome", list.get("prompts").get(1).get("name").asText());
    }

    @Test
    void getWithAcceptAudioReturnsTheStoredWav() throws Exception {
      byte[] wav = TestWavs.pcm16(8000, 1, 4000);
      String sha = json(putWav(KEY_A, "welcome", wav, "audio/wav")).get("sha256").asText();
      for (String accept : List.of("audio/wav", "audio/*", "application/json;q=0.5, audio/x-wav")) {
        HttpResponse<byte[]> r = getBytes("/v1/prompts/welcome", accept);
        assertEquals(200, r.statusCode(), accept);
        assertEquals("audio/wav", r.headers().firstValue("Content-Type").orElse(""), accept);
        assertTrue(Arrays.equals(wav, r.body()), accept);
        assertEquals("\"" + sha + "\"", r.headers().firstValue("ETag").orElse(null));
        assertEquals("Accept", r.headers().firstValue("Vary").orElse(null));
      }
      // ties and wildcards go to JSON
      for (String accept : List.of("*/*", "application/json", "audio/wav;q=0.5, */*", "audio/*, application/json")) {
        HttpResponse<byte[]> r = getBytes("/v1/prompts/welcome", accept);
        assertEquals(200, r.statusCode(), accept);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), accept);
      }
      HttpResponse<String> none = send("GET", "/v1/prompts/welcome", KEY_A, null, "Accept", "text/csv");
      assertProblem(none, 406, "audio/wav");
      assertProblem(send("GET", "/v1/prompts/welcome", KEY_A, null, "Accept", "audio/wav;q=2"), 400, "q-value");
      assertProblem(send("GET", "/v1/prompts/absent", KEY_A, null, "Accept", "audio/wav"), 404, "absent");
    }

    @Test
    void textIsSynthesizedOnceAndStored() throws Exception {
      HttpResponse<String> r = send("PUT", "/v1/prompts/closed", KEY_A,
          "{\"text\": \"  お電話ありがとうございます。  \", \"voice\": \"ja\"}");
      assertEquals(201, r.statusCode(), r.body());
      JsonNode p = json(r);
      assertEquals("text", p.get("source").asText());
      assertEquals("お電話ありがとうございます。", p.get("text").asText());
      assertEquals("ja", p.get("voice").asText());
      assertTrue(p.get("duration_ms").asLong() > 0, r.body());
      assertEquals(json(r), json(get("/v1/prompts/closed")));
      assertEquals(1, backend.synthesized.size(), "reads do not synthesize again");
      // voice is optional
      assertEquals(201, send("PUT", "/v1/prompts/sorry", KEY_A, "{\"text\": \"Sorry.\"}").statusCode());
    }

    @Test
    void badTextIs400() throws Exception {
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{}"), 400, "text: is required");
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"  \"}"), 400, "text: must not be blank");
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"" + "あ".repeat(501) + "\"}"), 413);
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"" + "a".repeat(501) + "\"}"), 400,
          "text: is 501 characters long; at most 500");
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": 5}"), 400, "text");
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"a\", \"speed\": 3}"), 400, "speed");
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"a\", \"voice\": \"-x; rm\"}"), 400,
          "voice:");
      assertTrue(backend.synthesized.isEmpty());
    }

    @Test
    void textWithoutEspeakIs503() throws Exception {
      backend.espeakMissing = true;
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"a\"}"), 503, "espeak-ng");
    }

    @Test
    void badAudioIsRefusedWithTheReason() throws Exception {
      assertProblem(putWav(KEY_A, "x", "not a wav file at all, just text".getBytes(StandardCharsets.UTF_8),
          "audio/wav"), 400, "not a WAV");
      assertProblem(putWav(KEY_A, "x", TestWavs.pcm8(8000, 800), "audio/wav"), 415, "unsupported encoding");
      assertProblem(putWav(KEY_A, "x", TestWavs.float32(8000, 800), "audio/wav"), 415, "PCM_FLOAT");
      assertProblem(putWav(KEY_A, "x", TestWavs.pcm16(8000, 1, 0), "audio/wav"), 400, "no audio");
      assertProblem(putWav(KEY_A, "x", TestWavs.pcm16(8000, 1, 8000 * 11), "audio/wav"), 400, "long");
      // over the prompt limit (not the 1024-byte JSON limit): 413, with or without Content-Length
      byte[] big = TestWavs.pcm16(8000, 1, (int) PROMPT_LIMIT / 2);
      assertProblem(putWav(KEY_A, "x", big, "audio/wav"), 413, String.valueOf(PROMPT_LIMIT));
      assertProblem(sendRaw("PUT", "/v1/prompts/x", KEY_A,
          BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)), "audio/wav"), 413);
      // other media types: 415; nothing: 400
      assertProblem(putWav(KEY_A, "x", TestWavs.pcm16(8000, 1, 800), "audio/mpeg"), 415, "audio/wav");
      assertProblem(sendRaw("PUT", "/v1/prompts/x", KEY_A, BodyPublishers.ofString("a"), "text/plain"), 415);
      // a WAV file with the JSON media type is told it is a WAV file, not that it is too large for JSON
      assertProblem(putWav(KEY_A, "x", TestWavs.pcm16(8000, 1, 8000), "application/json"), 415, "is a WAV file");
      // JSON text prompts keep the JSON body limit (1024 bytes here)
      assertProblem(send("PUT", "/v1/prompts/x", KEY_A, "{\"text\": \"" + "a".repeat(2000) + "\"}"), 413, "1024");
      assertProblem(sendRaw("PUT", "/v1/prompts/x", KEY_A, BodyPublishers.noBody(), "audio/wav"), 400, "empty");
      assertProblem(get("/v1/prompts/x"), 404);
    }

    @Test
    void namesFollowTheFlowRule() throws Exception {
      byte[] wav = TestWavs.pcm16(8000, 1, 800);
      assertProblem(putWav(KEY_A, "a%20b", wav, "audio/wav"), 400, "name: 'a b'");
      assertProblem(putWav(KEY_A, "x".repeat(65), wav, "audio/wav"), 400, "name:");
      assertProblem(putWav(KEY_A, "...", wav, "audio/wav"), 400, "not only dots");
      assertEquals(201, putWav(KEY_A, "A-z_0.9", wav, "audio/wav").statusCode());
      assertProblem(get("/v1/prompts/a%20b"), 404, "name:");
      assertProblem(send("DELETE", "/v1/prompts/" + "x".repeat(65), KEY_A, null), 404);
    }

    @Test
    void operatorsAreIsolated() throws Exception {
      byte[] wav = TestWavs.pcm16(8000, 1, 800);
      assertEquals(201, putWav(KEY_A, "welcome", wav, "audio/wav").statusCode());
      assertProblem(send("GET", "/v1/prompts/welcome", KEY_B, null), 404);
      assertProblem(send("DELETE", "/v1/prompts/welcome", KEY_B, null), 404);
      assertEquals(0, json(send("GET", "/v1/prompts", KEY_B, null)).get("prompts").size());
      // the same name is another prompt for B: created, not replaced
      assertEquals(201, putWav(KEY_B, "welcome", TestWavs.pcm16(8000, 1, 1600), "audio/wav").statusCode());
      assertEquals(100, json(get("/v1/prompts/welcome")).get("duration_ms").asLong());
      assertProblem(putWav(null, "welcome", wav, "audio/wav"), 401);
    }

    @Test
    void deleteIs204Then404() throws Exception {
      assertEquals(201, putWav(KEY_A, "welcome", TestWavs.pcm16(8000, 1, 800), "audio/wav").statusCode());
      assertEquals(204, send("DELETE", "/v1/prompts/welcome", KEY_A, null).statusCode());
      assertProblem(get("/v1/prompts/welcome"), 404, "welcome");
      assertProblem(send("DELETE", "/v1/prompts/welcome", KEY_A, null), 404);
      assertEquals(0, json(get("/v1/prompts")).get("prompts").size());
    }

    @Test
    void wrongMethodsAre405AndBackendFailureIs503() throws Exception {
      HttpResponse<String> list = send("POST", "/v1/prompts", KEY_A, "{}");
      assertProblem(list, 405);
      assertEquals(List.of("GET", "HEAD"), allow(list));
      HttpResponse<String> one = send("POST", "/v1/prompts/welcome", KEY_A, "{}");
      assertProblem(one, 405);
      assertEquals(List.of("DELETE", "GET", "HEAD", "PUT"), allow(one));
      assertProblem(get("/v1/prompts/welcome/extra"), 404);
      backend.down = true;
      assertProblem(putWav(KEY_A, "welcome", TestWavs.pcm16(8000, 1, 800), "audio/wav"), 503);
      assertProblem(get("/v1/prompts"), 503);
    }
  }
}
