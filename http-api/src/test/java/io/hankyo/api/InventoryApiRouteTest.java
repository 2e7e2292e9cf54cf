package io.hankyo.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * The inventory routes (issue 5) over real HTTP with {@link InMemoryBackend} and a fake {@link InventoryBackend}:
 * import as JSON and text with per-line results, another operator's number, listing with filters and cursor, and the
 * problem+json answers.
 */
class InventoryApiRouteTest {
  private static final String KEY_A = "key-a_0123456789";
  private static final String KEY_B = "key-b.9876543210";
  private static final Instant NOW = Instant.parse("2026-11-30T00:00:00Z");
  private static ActorTestKit testKit;

  private RouteTestServer server;

  /** Owners and ranges by E.164 in memory; every number is available. */
  static final class FakeInventory implements InventoryBackend {
    final Map<String, String> owner = new TreeMap<>();
    final Map<String, String[]> rows = new TreeMap<>();

    @Override
    public synchronized CompletionStage<Map<String, Result>> importNumbers(String operatorId,
        Map<PhoneNumber, NumberRange> numbers) {
      Map<String, Result> out = new LinkedHashMap<>();
      numbers.forEach((n, r) -> {
        String o = owner.putIfAbsent(n.e164(), operatorId);
        if (o == null) {
          rows.put(n.e164(), new String[] {n.national(), r.label()});
          out.put(n.e164(), new Result(Outcome.IMPORTED, null));
        } else {
          out.put(n.e164(), o.equals(operatorId) ? new Result(Outcome.ALREADY_OWNED, null)
              : new Result(Outcome.ERROR, "in another operator's inventory"));
        }
      });
      return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletionStage<Page> list(String operatorId, String state, NumberRange range,
        String afterE164, int limit) {
      java.util.List<Entry> out = new java.util.ArrayList<>();
      boolean more = false;
      for (var e : rows.entrySet()) {
        if (!owner.get(e.getKey()).equals(operatorId) || (afterE164 != null && e.getKey().compareTo(afterE164) <= 0)
            || (range != null && !range.label().equals(e.getValue()[1]))
            || (state != null && !state.equals("available") && !state.equals("cooling_down")
                && !state.equals("pooled"))) {
          continue;
        }
        if (out.size() == limit) {
          more = true;
          break;
        }
        out.add("pooled".equals(state)
            ? new Entry(e.getKey(), e.getValue()[0], e.getValue()[1], "pooled", null, null, null, "pool-7")
            : "cooling_down".equals(state)
            ? new Entry(e.getKey(), e.getValue()[0], e.getValue()[1], "cooling_down", null, null, NOW.plusSeconds(3600))
            : new Entry(e.getKey(), e.getValue()[0], e.getValue()[1], "available", null, null, null));
      }
      return CompletableFuture.completedFuture(new Page(out, more ? out.get(out.size() - 1).e164() : null));
    }
  }

  @BeforeAll
  static void startSystem() {
    testKit = RouteTestServer.testKit("InventoryApiRouteTest");
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
    HttpApi api = new HttpApi(backend, RouteTestServer.settings(1024), Clock.fixed(NOW, ZoneOffset.UTC)).withInventory(new FakeInventory());
    server = RouteTestServer.bind(testKit, api);
  }

  @AfterEach
  void unbind() throws Exception {
    server.unbind();
  }

  private HttpResponse<String> send(String method, String path, String key, String type, String body)
      throws Exception {
    return server.send(method, path, key, type, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return RouteTestServer.json(r);
  }

  @Test
  void importsJsonAndTextWithAResultPerLine() throws Exception {
    HttpResponse<String> r = send("POST", "/v1/inventory", KEY_A, "application/json",
        "{\"numbers\": [\"0120-123-456\", \"050-1111-2222\", \"090-1234-5678\", \"0120123456\"]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(2, body.get("imported").asInt());
    assertEquals(0, body.get("already_owned").asInt());
    assertEquals(2, body.get("errors").asInt());
    JsonNode first = body.get("results").get(0);
    assertEquals(1, first.get("line").asInt());
    assertEquals("0120-123-456", first.get("number").asText());
    assertEquals("+81120123456", first.get("e164").asText());
    assertEquals("0120", first.get("range").asText());
    assertEquals("imported", first.get("status").asText());
    assertEquals("error", body.get("results").get(2).get("status").asText());
    assertTrue(body.get("results").get(2).get("error").asText().contains("not in a tracking-number range"));
    assertEquals("repeats line 1 (0120-123-456)", body.get("results").get(3).get("error").asText());

    JsonNode again = json(send("POST", "/v1/inventory", KEY_A, "text/plain; charset=UTF-8",
        "0120-123-456\n\n0800-123-4567\n"));
    assertEquals(1, again.get("already_owned").asInt());
    assertEquals(1, again.get("imported").asInt());
    assertEquals(3, again.get("results").get(1).get("line").asInt(), "text lines count blank lines");

    JsonNode other = json(send("POST", "/v1/inventory", KEY_B, "text/plain", "0120-123-456\n"));
    assertEquals("error", other.get("results").get(0).get("status").asText());
    assertEquals("in another operator's inventory", other.get("results").get(0).get("error").asText());
  }

  @Test
  void listsTheOperatorsNumbersByRangeInPages() throws Exception {
    send("POST", "/v1/inventory", KEY_A, "text/plain", "0120-000-001\n0120-000-002\n050-1111-2222\n");
    send("POST", "/v1/inventory", KEY_B, "text/plain", "0120-000-003\n");
    JsonNode page1 = json(send("GET", "/v1/inventory?state=available&range=0120&limit=1", KEY_A, null, null));
    assertEquals("0120-000-001", page1.get("numbers").get(0).get("number").asText());
    assertEquals("available", page1.get("numbers").get(0).get("state").asText());
    String cursor = page1.get("next_cursor").asText();
    JsonNode page2 = json(send("GET", "/v1/inventory?range=0120&limit=1&cursor=" + cursor, KEY_A, null, null));
    assertEquals("0120-000-002", page2.get("numbers").get(0).get("number").asText());
    assertTrue(page2.get("next_cursor").isNull());
    assertEquals(3, json(send("GET", "/v1/inventory", KEY_A, null, null)).get("numbers").size());
    // times in Japan time (hankyo.http.zone), to the second, like the rest of the API
    JsonNode cooling = json(send("GET", "/v1/inventory?state=cooling_down&limit=1", KEY_A, null, null));
    assertEquals("2026-11-30T10:00:00+09:00", cooling.get("numbers").get(0).get("until").asText());
    assertTrue(cooling.get("numbers").get(0).get("pool_id").isNull(), "pool_id is always present, null unless pooled");
    JsonNode pooled = json(send("GET", "/v1/inventory?state=pooled&limit=1", KEY_A, null, null));
    assertEquals("pooled", pooled.get("numbers").get(0).get("state").asText());
    assertEquals("pool-7", pooled.get("numbers").get(0).get("pool_id").asText());
  }

  @Test
  void badInputIsProblemJson() throws Exception {
    assertProblem(send("GET", "/v1/inventory?state=lost", KEY_A, null, null), 400, "state 'lost' is not one of");
    assertProblem(send("GET", "/v1/inventory?range=03", KEY_A, null, null), 400, "range '03'");
    assertProblem(send("GET", "/v1/inventory?limit=0", KEY_A, null, null), 400, "limit '0'");
    assertProblem(send("GET", "/v1/inventory?limit=%EF%BC%92", KEY_A, null, null), 400, "limit '\uff12'");
    assertProblem(send("GET", "/v1/inventory?cursor=%21%21", KEY_A, null, null), 400, "is not a cursor");
    assertProblem(send("GET", "/v1/inventory?stat=available", KEY_A, null, null), 400,
        "unknown query parameter 'stat'");
    assertProblem(send("GET", "/v1/inventory?state=available&state=assigned", KEY_A, null, null), 400,
        "query parameter 'state' is given 2 times");
    HttpResponse<String> xml = send("POST", "/v1/inventory", KEY_A, "application/xml", "<numbers/>");
    assertProblem(xml, 415, "Content-Type");
    // the 415 names the media types the import takes (RFC 9110 section 12.5.1)
    assertEquals("application/json, text/plain; charset=utf-8", xml.headers().firstValue("Accept").orElse(null));
    // JSON must be UTF-8 (RFC 8259 section 8.1): another declared charset is 415, not read as UTF-8
    assertProblem(send("POST", "/v1/inventory", KEY_A, "application/json; charset=latin1",
        "{\"numbers\": [\"0120-123-456\"]}"), 415, "only UTF-8 JSON is accepted");
    // so must the text (documented: UTF-8 only): a Latin-1 body is 415, not read as UTF-8 and called "not UTF-8"
    for (String type : List.of("text/plain; charset=iso-8859-1", "text/plain; charset=ISO-8859-1",
        "text/plain;charset=windows-1252", "text/plain; charset=Shift_JIS")) {
      HttpResponse<String> latin1 = server.send("POST", "/v1/inventory", KEY_A, type,
          "0120-123-456 caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
      assertProblem(latin1, 415, "only UTF-8 text is accepted");
      assertEquals("application/json, text/plain; charset=utf-8", latin1.headers().firstValue("Accept").orElse(null));
    }
    assertEquals(0, json(send("GET", "/v1/inventory", KEY_A, null, null)).get("numbers").size());
    for (String type : List.of("text/plain; charset=UTF-8", "text/plain; charset=utf-8", "text/plain; charset=us-ascii",
        "text/plain", "text/plain;", "text/plain; ; charset=utf-8;")) {
      // with empty parameters (RFC 9110 section 5.6.6, which Pekko's parser refuses) too: the type as sent
      assertEquals(200, send("POST", "/v1/inventory", KEY_A, type, "0120-123-457\n").statusCode(), type);
    }
    assertProblem(send("POST", "/v1/inventory", KEY_A, "text/plain; charset=", "0120-123-457\n"), 400,
        "the Content-Type header 'text/plain; charset=' has a parameter without a value");
    assertProblem(send("POST", "/v1/inventory", KEY_A, "text/plain; charset=latin1;", "0120-123-457\n"), 415,
        "only UTF-8 text is accepted");
    assertProblem(send("POST", "/v1/inventory", KEY_A, "application/xml;", "<numbers/>"), 415,
        "got application/xml");
    // JSON in another charset stays refused when the header also has an empty parameter (a review: Pekko's own
    // application/json dropped the charset when the header was read again)
    assertProblem(send("POST", "/v1/inventory", KEY_A, "application/json; charset=latin1;",
        "{\"numbers\": [\"0120-123-456\"]}"), 415, "only UTF-8 JSON is accepted");
    assertEquals(200, send("POST", "/v1/inventory", KEY_A, "application/json;",
        "{\"numbers\": [\"0120-123-458\"]}").statusCode());
    HttpResponse<String> notAType = send("POST", "/v1/inventory", KEY_A, "numbers;", "0120-123-456\n");
    assertProblem(notAType, 415, "the Content-Type header 'numbers;' is not a media type");
    assertEquals("application/json, text/plain; charset=utf-8", notAType.headers().firstValue("Accept").orElse(null));
    assertProblem(send("POST", "/v1/inventory", KEY_A, "application/json", "{\"numbers\": 1}"), 400,
        "the inventory document has 1 problem(s)");
    assertProblem(send("POST", "/v1/inventory", KEY_A, "text/plain",
        "0120123456\n".repeat(InventoryImport.MAX_LINES + 1)), 400, "at most 10000 per request");
    assertProblem(send("POST", "/v1/inventory", KEY_A, "text/plain",
        "x".repeat((int) InventoryApi.MAX_BODY_BYTES + 1)), 413, "larger than the limit");
    // a long bad line is echoed cut, once in "number" and once in "error", not twice in full
    HttpResponse<String> longLine = send("POST", "/v1/inventory", KEY_A, "text/plain", "y".repeat(500_000));
    assertEquals(200, longLine.statusCode());
    assertTrue(longLine.body().length() < 1_000, longLine.body().length() + " characters");
    assertEquals("y".repeat(InventoryApi.MAX_ECHO) + "…",
        json(longLine).get("results").get(0).get("number").asText());
  }

  @Test
  void withoutAnInventoryBackendTheResourceIsNotFound() throws Exception {
    InMemoryBackend backend = new InMemoryBackend();
    backend.addApiKey(KEY_A, "op-a");
    RouteTestServer plain = RouteTestServer.bind(testKit, new HttpApi(backend, HttpApiSettings.defaults()));
    try {
      assertProblem(plain.send("POST", "/v1/inventory", KEY_A, "text/plain",
          "0120123456".getBytes(StandardCharsets.UTF_8)), 404, "the number inventory is not available on this node");
    } finally {
      plain.unbind();
    }
  }

  private static void assertProblem(HttpResponse<String> r, int status, String detail) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
        r.headers().toString());
    assertTrue(json(r).get("detail").asText().contains(detail), r.body());
  }
}
