package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/operator/settings} (issue 4, recording retention) over real HTTP with {@link InMemoryBackend} for the
 * keys and a map as the settings backend: per-operator PUT/GET, null = keep forever, 400 with pointers, 404 when the
 * node has no settings backend.
 */
class OperatorSettingsApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static ActorTestKit testKit;

  private RouteTestServer server;

  /** Settings in a map, as the Operator entity keeps them. */
  static final class FakeSettings implements OperatorSettingsBackend {
    final Map<String, Settings> byOperator = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Settings> getSettings(String operatorId) {
      return CompletableFuture.completedFuture(byOperator.getOrDefault(operatorId, new Settings(null)));
    }

    @Override
    public CompletionStage<Settings> putSettings(String operatorId, Settings settings) {
      byOperator.put(operatorId, settings);
      return CompletableFuture.completedFuture(settings);
    }
  }

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("OperatorSettingsApiRouteTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private void bind(OperatorSettingsBackend settings) throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(1024));
    if (settings != null) {
      api.withOperatorSettings(settings);
    }
    server = RouteTestServer.bind(testKit, api);
  }

  @AfterEach
  void unbind() throws Exception {
    if (server != null) {
      server.unbind();
    }
  }

  private HttpResponse<String> send(String method, String key, String body) throws Exception {
    return server.sendJson(method, "/v1/operator/settings", key, body);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return RouteTestServer.json(r);
  }

  @Test
  void theRetentionIsStoredPerOperatorAndNullKeepsForever() throws Exception {
    FakeSettings settings = new FakeSettings();
    bind(settings);
    HttpResponse<String> initial = send("GET", KEY_A, null);
    assertEquals(200, initial.statusCode(), initial.body());
    assertTrue(json(initial).has("recording_retention_days") && json(initial).get("recording_retention_days")
        .isNull(), "default: keep forever, written as null: " + initial.body());
    HttpResponse<String> put = send("PUT", KEY_A, "{\"recording_retention_days\": 90}");
    assertEquals(200, put.statusCode(), put.body());
    assertEquals(90, json(put).get("recording_retention_days").asInt());
    assertEquals(90, json(send("GET", KEY_A, null)).get("recording_retention_days").asInt());
    assertTrue(json(send("GET", KEY_B, null)).get("recording_retention_days").isNull(), "scoped by key");
    assertEquals(new OperatorSettingsBackend.Settings(90), settings.byOperator.get("op-a"));
    assertEquals(200, send("PUT", KEY_A, "{\"recording_retention_days\": null}").statusCode());
    assertEquals(new OperatorSettingsBackend.Settings(null), settings.byOperator.get("op-a"));
  }

  @Test
  void badDocumentsAre400WithPointers() throws Exception {
    bind(new FakeSettings());
    HttpResponse<String> r = send("PUT", KEY_A, "{\"recording_retention_days\": 0, \"x\": 1}");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertEquals(List.of("/x", "/recording_retention_days"), json(r).get("errors").findValuesAsText("pointer"));
    for (String bad : new String[] {"3651", "1.5", "\"30\"", "-1", "99999999999"}) {
      HttpResponse<String> b = send("PUT", KEY_A, "{\"recording_retention_days\": " + bad + "}");
      assertEquals(400, b.statusCode(), bad + ": " + b.body());
      assertEquals(List.of("/recording_retention_days"), json(b).get("errors").findValuesAsText("pointer"), bad);
    }
    assertEquals(List.of("/recording_retention_days"),
        json(send("PUT", KEY_A, "{}")).get("errors").findValuesAsText("pointer"), "required");
    assertEquals(400, send("PUT", KEY_A, "[1]").statusCode());
    assertEquals(200, send("PUT", KEY_A, "{\"recording_retention_days\": 1}").statusCode());
    assertEquals(200, send("PUT", KEY_A, "{\"recording_retention_days\": 3650}").statusCode());
  }

  /** Same wording, type messages, whole numbers and 413 as every other document of the API. */
  @Test
  void theDocumentIsJudgedLikeTheOthers() throws Exception {
    bind(new FakeSettings());
    HttpResponse<String> r = send("PUT", KEY_A, "{\"recording_retention_days\": \"30\", \"x\": 1}");
    assertEquals(400, r.statusCode(), r.body());
    assertEquals("the operator settings document has 2 problems; first: /x: unknown field; allowed fields: "
        + "recording_retention_days", json(r).get("detail").asText());
    assertTrue(json(r).get("errors").get(1).get("detail").asText().endsWith("got the string \"30\""), r.body());
    HttpResponse<String> exp = send("PUT", KEY_A, "{\"recording_retention_days\": 9e1}");
    assertEquals(200, exp.statusCode(), exp.body());
    assertEquals(90, json(exp).get("recording_retention_days").asInt());
    HttpResponse<String> big = send("PUT", KEY_A, "{\"recording_retention_days\": 90" + " ".repeat(2000) + "}");
    assertEquals(413, big.statusCode(), big.body());
    assertTrue(big.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertTrue(json(big).get("detail").asText().contains("1024 bytes"), big.body());
  }

  @Test
  void withoutABackendTheResourceIs404() throws Exception {
    bind(null);
    HttpResponse<String> r = send("GET", KEY_A, null);
    assertEquals(404, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
  }
}
