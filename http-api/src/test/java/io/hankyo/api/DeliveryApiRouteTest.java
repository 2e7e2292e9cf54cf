package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delivery log routes (issue 4, {@code /v1/webhook-deliveries}) over real HTTP with {@link InMemoryBackend} and
 * {@link InMemoryDeliveries}: listing with its filters and bad parameters, one delivery with its attempts, redeliver
 * with 202/404/409, operator scoping, and 404 on a node without the feature.
 */
class DeliveryApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static ActorTestKit testKit;

  private InMemoryDeliveries deliveries;
  private RouteTestServer server;

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("DeliveryApiRouteTest");
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private static DeliveryBackend.Detail delivery(String trnId, String clientId, String status, Instant requestedAt,
      int failures) {
    List<DeliveryBackend.Attempt> attempts = new java.util.ArrayList<>();
    for (int i = 1; i <= failures; i++) {
      attempts.add(new DeliveryBackend.Attempt(i, requestedAt.plusSeconds(i * 10L), requestedAt.plusSeconds(i * 10L + 1),
          503, null, 120, "retry"));
    }
    if (status.equals("delivered")) {
      attempts.add(new DeliveryBackend.Attempt(failures + 1, requestedAt.plusSeconds(100), requestedAt.plusSeconds(101),
          200, null, 80, "delivered"));
    }
    DeliveryBackend.Attempt last = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    return new DeliveryBackend.Detail(new DeliveryBackend.Summary("webhook:" + trnId + ":call_ended", "webhook",
        trnId + ":call_ended", trnId, clientId, "d1", "https://hooks.example.jp/calls", status, requestedAt,
        attempts.size(), last == null ? null : last.finishedAt(), last == null ? null : last.httpStatus(), null,
        status.equals("pending") ? requestedAt.plusSeconds(300) : null,
        status.equals("pending") ? null : requestedAt.plusSeconds(101)), attempts, null, null);
  }

  @BeforeEach
  void bind() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    backend.addApiKey(KEY_B, "op-b");
    deliveries = new InMemoryDeliveries(NOW);
    deliveries.add("op-a", delivery("trn-1", "shop-1", "delivered", NOW.minusSeconds(7200), 3));
    deliveries.add("op-a", delivery("trn-2", "shop-2", "pending", NOW.minusSeconds(3600), 1));
    deliveries.add("op-a", delivery("trn-3", "shop-1", "gave_up", NOW.minusSeconds(600), 2));
    deliveries.add("op-b", delivery("trn-9", "shop-9", "delivered", NOW.minusSeconds(60), 0));
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(1024), Clock.fixed(NOW, ZoneOffset.UTC)).withDeliveries(deliveries);
    server = RouteTestServer.bind(testKit, api);
  }

  @AfterEach
  void unbind() throws Exception {
    server.unbind();
  }

  private HttpResponse<String> send(String method, String path, String key) throws Exception {
    return server.send(method, path, key, null, null);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return RouteTestServer.json(r);
  }

  private static List<String> ids(JsonNode list) {
    return list.get("deliveries").findValuesAsText("id");
  }

  @Test
  void theListingIsTheOperatorsNewestFirstWithItsFilters() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/webhook-deliveries", KEY_A);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode all = json(r);
    assertEquals(List.of("webhook:trn-3:call_ended", "webhook:trn-2:call_ended", "webhook:trn-1:call_ended"),
        ids(all));
    JsonNode first = all.get("deliveries").get(2);
    assertEquals("trn-1:call_ended", first.get("idempotency_key").asText());
    assertEquals("delivered", first.get("status").asText());
    assertEquals(4, first.get("attempts").asInt());
    assertEquals(200, first.get("last_http_status").asInt());
    assertTrue(first.get("next_attempt_at").isNull());
    assertEquals("2026-11-30T07:01:41+09:00", first.get("closed_at").asText(), "times in the API's zone");
    assertEquals(100, all.get("limit").asInt());
    assertEquals("2026-11-23T09:00:00+09:00", all.get("from").asText(), "the last 7 days by default");
    assertEquals(NOW.minus(Duration.ofDays(7)), deliveries.lastQuery.from());

    assertEquals(List.of("webhook:trn-2:call_ended"),
        ids(json(send("GET", "/v1/webhook-deliveries?status=pending", KEY_A))));
    assertEquals(List.of("webhook:trn-3:call_ended", "webhook:trn-1:call_ended"),
        ids(json(send("GET", "/v1/webhook-deliveries?client_id=shop-1", KEY_A))));
    assertEquals(List.of("webhook:trn-2:call_ended"),
        ids(json(send("GET", "/v1/webhook-deliveries?trn_id=trn-2", KEY_A))));
    assertEquals(List.of("webhook:trn-3:call_ended"),
        ids(json(send("GET", "/v1/webhook-deliveries?limit=1", KEY_A))));
    assertEquals(List.of("webhook:trn-1:call_ended"), ids(json(send("GET",
        "/v1/webhook-deliveries?from=2026-11-30T06:00:00%2B09:00&to=2026-11-30T07:30:00%2B09:00", KEY_A))));
    assertEquals(List.of(), ids(json(send("GET", "/v1/webhook-deliveries?channel=email", KEY_A))));
    assertEquals(List.of("webhook:trn-9:call_ended"), ids(json(send("GET", "/v1/webhook-deliveries", KEY_B))),
        "scoped by the API key's operator");
  }

  @Test
  void badListingParametersAre400() throws Exception {
    for (String q : List.of("status=failed", "limit=0", "limit=1001", "limit=ten", "channel=fax",
        "client_id=a%20b", "trn_id=a/b", "from=yesterday", "from=2026-11-30T00:00:00Z&to=2026-11-29T00:00:00Z",
        "from=2026-10-01T00:00:00Z&to=2026-11-30T00:00:00Z",
        // an unknown parameter (a typo of client_id, a cursor the listing does not have) or one given twice
        "clientid=shop-1", "cursor=abc", "status=pending&status=delivered")) {
      HttpResponse<String> r = send("GET", "/v1/webhook-deliveries?" + q, KEY_A);
      assertEquals(400, r.statusCode(), q + ": " + r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), q);
    }
  }

  @Test
  void oneDeliveryShowsEveryAttemptAndIsFoundByItsIdempotencyKeyToo() throws Exception {
    HttpResponse<String> r = send("GET", "/v1/webhook-deliveries/webhook:trn-1:call_ended", KEY_A);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode d = json(r);
    assertEquals("delivered", d.get("delivery").get("status").asText());
    JsonNode attempts = d.get("attempts");
    assertEquals(4, attempts.size());
    assertEquals(List.of("1", "2", "3", "4"), attempts.findValuesAsText("number"));
    assertEquals(503, attempts.get(0).get("http_status").asInt());
    assertEquals("retry", attempts.get(0).get("outcome").asText());
    assertEquals(120, attempts.get(0).get("duration_ms").asLong());
    assertTrue(attempts.get(0).has("started_at") && attempts.get(0).has("finished_at"));
    assertTrue(attempts.get(0).get("error").isNull());
    assertEquals("delivered", attempts.get(3).get("outcome").asText());
    assertEquals(200, send("GET", "/v1/webhook-deliveries/trn-1:call_ended", KEY_A).statusCode());
    assertEquals(404, send("GET", "/v1/webhook-deliveries/webhook:trn-1:call_ended", KEY_B).statusCode(),
        "another operator's delivery does not exist for it");
    assertEquals(404, send("GET", "/v1/webhook-deliveries/webhook:nope:call_ended", KEY_A).statusCode());
  }

  @Test
  void redeliverIs202ForAClosedDelivery404ForUnknownAnd409WhilePending() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/webhook-deliveries/webhook:trn-3:call_ended/redeliver", KEY_A);
    assertEquals(202, r.statusCode(), r.body());
    assertEquals("pending", json(r).get("delivery").get("status").asText());
    assertEquals(409, send("POST", "/v1/webhook-deliveries/webhook:trn-3:call_ended/redeliver", KEY_A)
        .statusCode(), "now pending");
    assertEquals(409, send("POST", "/v1/webhook-deliveries/webhook:trn-2:call_ended/redeliver", KEY_A)
        .statusCode());
    assertEquals(404, send("POST", "/v1/webhook-deliveries/webhook:trn-9:call_ended/redeliver", KEY_A)
        .statusCode());
    assertEquals(202, send("POST", "/v1/webhook-deliveries/trn-1:call_ended/redeliver", KEY_A).statusCode());
    assertEquals(405, send("GET", "/v1/webhook-deliveries/webhook:trn-1:call_ended/redeliver", KEY_A)
        .statusCode());
    assertEquals(401, send("GET", "/v1/webhook-deliveries", "wrong-key-000000").statusCode());
  }

  @Test
  void aNodeWithoutTheDeliveryLogAnswers404() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(1024), Clock.fixed(NOW, ZoneOffset.UTC));
    RouteTestServer plain = RouteTestServer.bind(testKit, api);
    try {
      HttpResponse<String> r = plain.send("GET", "/v1/webhook-deliveries", KEY_A, null, null);
      assertEquals(404, r.statusCode(), r.body());
    } finally {
      plain.unbind();
    }
  }
}
