package io.hankyo.node.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hankyo.api.DniApi;
import io.hankyo.node.HankyoNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The JS tag (issue 5, {@code GET /dni.js}) in a real browser: headless Chromium of the Debian packages {@code
 * chromium} and {@code chromium-driver}, driven by Selenium, against a real node (HTTP API, pools in the real
 * Cassandra journal). The site's pages are served by a JDK {@link HttpServer} on another port of 127.0.0.1, so they
 * are another origin than the API and the browser applies CORS.
 *
 * <p>Cases: the assigned number replaces the default in text (several formats), in {@code tel:} links, in elements
 * added 500 ms after load and after the answer (MutationObserver), keeping the site's format; the same visitor gets
 * the same number on the next page (the {@code hankyo_sid_<pool id>} cookie is the pool's session); two pools of one
 * operator on one site each get their session and number, with the same tracking parameters; the single {@code
 * hankyo_sid} of earlier versions stays with the pool that holds it; the default stays (with the event's reason) when
 * the page's origin is not allowed, the pool is unknown, the API is down, or the API answers after the 1 s timeout;
 * the tracking parameters of the first page are sent again from the next page. A stub API (another JDK server) serves the
 * script with a slow or recording assignment endpoint for the last two.
 *
 * <p>Missing Chromium is a failure, not a skip: {@code deploy/test.sh} installs both packages.
 */
class DniTagBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** How long the stub API's "slow" pool takes to answer: well over the tag's 1000 ms timeout. */
  private static final long SLOW_MS = 2500;

  private static HankyoNode node;
  private static ApiClient api;
  private static HttpServer site;
  private static HttpServer stub;
  private static ExecutorService serverThreads;
  private static ChromeDriver browser;
  private static Path profile;
  private static String siteOrigin;
  private static String stubOrigin;
  private static final Map<String, String> pages = new ConcurrentHashMap<>();
  private static final List<JsonNode> stubRequests = Collections.synchronizedList(new ArrayList<>());
  private static volatile CountDownLatch slowAnswered = new CountDownLatch(1);
  private static int nextNumber = 1;
  private static int nextOtherNumber = 1;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "the JS tag browser test needs headless Chromium: install the Debian packages chromium and chromium-driver "
            + "(apt-get install -y chromium chromium-driver; deploy/test.sh does) so that " + CHROMIUM + " and "
            + CHROMEDRIVER + " exist");
    serverThreads = Executors.newCachedThreadPool();
    site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    site.setExecutor(serverThreads);
    site.createContext("/p/", DniTagBrowserTest::servePage);
    site.start();
    siteOrigin = "http://127.0.0.1:" + site.getAddress().getPort();
    stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stub.setExecutor(serverThreads);
    stub.createContext("/", DniTagBrowserTest::serveStub);
    stub.start();
    stubOrigin = "http://127.0.0.1:" + stub.getAddress().getPort();

    node = TestNode.start(TestNode.Spec.single(TestNode.keyspaces("dnijs"), FreePorts.udpAndTcp(26000, 26999), null));
    api = new ApiClient(node.httpAddress(), TestNode.API_KEY);
    // the advertiser's main tracking number: where calls to the pools' numbers go, and the pools' fallback
    assertEquals(201, api.post("/v1/advertisers", "{\"client_id\":\"adv-dni\",\"client_name\":\"DNI\"}").status());
    ApiClient.Response tracking = api.post("/v1/advertisers/adv-dni/numbers",
        "{\"dialin_id\":\"main\",\"number\":\"0120-500-999\",\"forward_to\":\"03-9999-0000\"}");
    assertEquals(201, tracking.status(), tracking.body());

    profile = Files.createTempDirectory("hankyo-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(WAIT).scriptTimeout(WAIT);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      try {
        if (node != null) {
          node.close();
        }
      } finally {
        if (site != null) {
          site.stop(0);
        }
        if (stub != null) {
          stub.stop(0);
        }
        if (serverThreads != null) {
          serverThreads.shutdownNow();
        }
        if (profile != null) {
          try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
          }
        }
      }
    }
  }

  /** Every test starts as a new visitor: no cookie of the site. */
  @BeforeEach
  void newVisitor() {
    pages.put("blank", "<!doctype html><title>blank</title>");
    browser.get(siteOrigin + "/p/blank");
    browser.manage().deleteAllCookies();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the site and the stub API

  /** The site's page: numbers in many places, a late element, and the tag ({@code scriptTag}) in the head. */
  private static String shopPage(String scriptTag) {
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Shop 0120-123-456</title>
        <script>
          // elements of the site's own scripts: one 500 ms after load, others once the tag has answered
          window.addEventListener('load', function () {
            setTimeout(function () {
              var s = document.createElement('span');
              s.id = 'late';
              s.textContent = '0120 123 456';
              document.getElementById('late-box').appendChild(s);
            }, 500);
          });
          document.addEventListener('hankyo:dni', function (e) {
            window.dniDetail = e.detail;
            setTimeout(function () {
              var a = document.createElement('a');
              a.id = 'after';
              a.href = 'tel:0120-123-456';
              a.textContent = 'TEL 0120-123-456';
              document.getElementById('after-box').appendChild(a);
              document.getElementById('changing').firstChild.nodeValue = 'now 0120.123.456';
              window.afterAdded = true;
            }, 100);
          });
        </script>
        %s
        </head><body>
        <p id="text">Call us: 0120-123-456 (free)</p>
        <p id="wide">フリーダイヤル ０１２０－１２３－４５６</p>
        <p id="intl">From abroad: +81 120 123 456</p>
        <p id="parens">(0120) 123-456</p>
        <p id="other">Head office 03-1234-5678, fax 0120-123-4567</p>
        <p id="second">Support 050-1234-5678</p>
        <p id="second-parens">Fax (050) 1234-5678, <a id="tel-second" href="tel:050-1234-5678">call</a></p>
        <p><a id="tel" href="tel:0120123456">0120-123-456</a> <a id="tel-intl" href="tel:+81-120-123-456">call</a></p>
        <div id="late-box"></div>
        <div id="after-box"></div>
        <p id="changing">nothing yet</p>
        </body></html>
        """.formatted(scriptTag);
  }

  /** The tag as a site includes it. */
  private static String tag(String scriptOrigin, String pool, String extra) {
    return "<script src=\"" + scriptOrigin + "/dni.js\" data-pool=\"" + pool + "\" "
        + "data-number=\"0120-123-456, 050-1234-5678\"" + (extra == null ? "" : " " + extra) + " async></script>";
  }

  private static void servePage(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String name = path.substring("/p/".length());
    String html = pages.get(name);
    if (html == null) {
      respond(x, 404, "text/plain", "no page " + name, Map.of());
    } else {
      respond(x, 200, "text/html; charset=utf-8", html, Map.of());
    }
  }

  /**
   * A stand-in API: serves the real script, and answers the assignments of pool "slow" after {@link #SLOW_MS} and of
   * pool "echo" at once, recording the request bodies; CORS for any origin.
   */
  private static void serveStub(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    String origin = x.getRequestHeaders().getFirst("Origin");
    Map<String, String> cors = origin == null ? Map.of() : Map.of("Access-Control-Allow-Origin", origin);
    if (path.equals("/dni.js")) {
      x.getResponseHeaders().add("Content-Type", "text/javascript; charset=utf-8");
      byte[] script = DniApi.loadScript();
      x.sendResponseHeaders(200, script.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(script);
      }
      return;
    }
    if (x.getRequestMethod().equals("OPTIONS")) {
      Map<String, String> h = new LinkedHashMap<>(cors);
      h.put("Access-Control-Allow-Methods", "POST");
      h.put("Access-Control-Allow-Headers", "Content-Type");
      respond(x, 204, null, null, h);
      return;
    }
    JsonNode body = ApiClient.JSON.readTree(x.getRequestBody().readAllBytes());
    stubRequests.add(body);
    String answer = "{\"number\": \"0120-777-002\", \"number_e164\": \"+81120777002\", "
        + "\"held_until\": \"2026-11-30T09:30:00+09:00\", \"fallback\": false}";
    if (path.equals("/v1/dni/pools/slow/assignments")) {
      try {
        Thread.sleep(SLOW_MS);
        respond(x, 200, "application/json", answer, cors);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException browserGaveUp) {
        // the tag aborted the request at its timeout: expected
      } finally {
        slowAnswered.countDown();
      }
    } else {
      respond(x, 200, "application/json", answer, cors);
    }
  }

  private static void respond(HttpExchange x, int status, String type, String body, Map<String, String> headers)
      throws IOException {
    headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
    if (body == null) {
      x.sendResponseHeaders(status, -1);
      x.close();
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /**
   * Imports {@code count} new numbers (0120-500-001 on, in the order of the calls) and makes a dynamic pool of them for
   * {@code origins}; answers its id.
   */
  private static String pool(int count, List<String> origins) {
    return pool(count, origins, false);
  }

  /**
   * {@link #pool(int, List)}, of numbers 0120-600-001 on when {@code otherSeries}: for the tests that do not check the
   * number, so that {@link #theAssignedNumberReplacesTheDefaultEverywhereInTheSitesFormat} gets 0120-500-001 whatever
   * order the tests run in.
   */
  private static String pool(int count, List<String> origins, boolean otherSeries) {
    List<String> numbers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      numbers.add(otherSeries ? "\"0120-600-" + String.format("%03d", nextOtherNumber++) + "\""
          : "\"0120-500-" + String.format("%03d", nextNumber++) + "\"");
    }
    ApiClient.Response imported = api.post("/v1/inventory", "{\"numbers\": " + numbers + "}");
    assertEquals(200, imported.status(), imported.body());
    String originList = origins.stream().map(o -> "\"" + o + "\"").toList().toString();
    ApiClient.Response created = api.post("/v1/pools", "{\"method\": \"dynamic\", \"numbers\": " + numbers
        + ", \"hold_sec\": 1800, \"fallback_number\": \"0120-500-999\", \"tracking_number\": \"0120-500-999\","
        + " \"allowed_origins\": " + originList + "}");
    assertEquals(201, created.status(), created.body());
    return created.json().get("pool_id").asText();
  }

  private static String apiOrigin() {
    return "http://" + node.httpAddress();
  }

  private static Object js(String script) {
    return ((JavascriptExecutor) browser).executeScript(script);
  }

  private static String text(String id) {
    return (String) js("var e = document.getElementById('" + id + "'); return e ? e.textContent : null;");
  }

  private static String href(String id) {
    return (String) js("return document.getElementById('" + id + "').getAttribute('href');");
  }

  /**
   * The {@code reason} and {@code http_status} of the tag's {@code hankyo:dni} event as "reason/status" (JS null as
   * "null").
   */
  private static String why() {
    return String.valueOf(js("return window.dniDetail.reason")) + "/" + js("return window.dniDetail.http_status");
  }

  private static String status() {
    return (String) js("return document.documentElement.getAttribute('data-hankyo-dni');");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + WAIT + ": " + what + " (page status " + status() + ", body "
            + js("return document.body ? document.body.innerHTML : ''") + ")");
      }
      Thread.sleep(50);
    }
  }

  /** Opens a page and waits until the tag has answered ({@code assigned} or {@code failed}). */
  private static String openAndSettle(String url) throws InterruptedException {
    browser.get(url);
    await("the tag answers", () -> {
      String s = status();
      return "assigned".equals(s) || "failed".equals(s);
    });
    return status();
  }

  /** The page shows its default numbers, as served, everywhere. */
  private static void assertDefaults() throws InterruptedException {
    await("the element added 500 ms after load", () -> text("late") != null);
    assertEquals("Shop 0120-123-456", browser.getTitle());
    assertEquals("Call us: 0120-123-456 (free)", text("text"));
    assertEquals("フリーダイヤル ０１２０－１２３－４５６", text("wide"));
    assertEquals("From abroad: +81 120 123 456", text("intl"));
    assertEquals("Support 050-1234-5678", text("second"));
    assertEquals("tel:0120123456", href("tel"));
    assertEquals("tel:+81-120-123-456", href("tel-intl"));
    assertEquals("0120 123 456", text("late"));
    await("the elements the site adds after the tag's answer", () -> Boolean.TRUE.equals(
        js("return window.afterAdded === true")));
    assertEquals("tel:0120-123-456", href("after"));
    assertEquals("now 0120.123.456", text("changing"));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // cases

  @Test
  void theAssignedNumberReplacesTheDefaultEverywhereInTheSitesFormat() throws Exception {
    String id = pool(2, List.of(siteOrigin));
    pages.put("shop", shopPage(tag(apiOrigin(), id, null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/shop"));
    await("the elements added after the answer", () -> Boolean.TRUE.equals(js("return window.afterAdded === true")));
    await("the element added 500 ms after load", () -> text("late") != null);

    assertEquals("0120-500-001", js("return window.dniDetail.number"));
    assertEquals(id, js("return window.dniDetail.pool"));
    assertEquals("null/200", why());
    assertEquals("Shop 0120-500-001", browser.getTitle());
    assertEquals("Call us: 0120-500-001 (free)", text("text"));
    assertEquals("フリーダイヤル ０１２０－５００－００１", text("wide"));
    assertEquals("From abroad: +81 120 500 001", text("intl"));
    assertEquals("(0120) 500-001", text("parens"));
    assertEquals("Head office 03-1234-5678, fax 0120-123-4567", text("other"), "other numbers stay");
    assertEquals("Support 0120-500-001", text("second"), "another digit count: the API's display form");
    assertEquals("Fax 0120-500-001, call", text("second-parens"), "no '(' left open (a trial saw '(0120-500-001')");
    assertEquals("tel:0120-500-001", href("tel-second"), "another digit count: the display form, separators kept");
    assertEquals("tel:0120500001", href("tel"));
    assertEquals("0120-500-001", text("tel"));
    assertEquals("tel:+81-120-500-001", href("tel-intl"));
    await("the late element replaced", () -> "0120 500 001".equals(text("late")));
    await("the element added after the answer replaced", () -> "tel:0120-500-001".equals(href("after")));
    assertEquals("TEL 0120-500-001", text("after"));
    await("the changed text replaced", () -> "now 0120.500.001".equals(text("changing")));

    // the visitor's session is the first-party cookie; the pool shows it as the holder
    Cookie sid = browser.manage().getCookieNamed("hankyo_sid_" + id);
    assertNotNull(sid, "the tag sets hankyo_sid_<pool id>");
    assertTrue(sid.getValue().matches("[0-9a-f]{32}"), sid.getValue());
    assertEquals("Lax", sid.getSameSite());
    assertTrue(sid.getExpiry() != null && sid.getExpiry().getTime() > System.currentTimeMillis()
        + Duration.ofDays(29).toMillis(), "about 30 days: " + sid.getExpiry());
    JsonNode p = api.get("/v1/pools/" + id).json();
    assertEquals(sid.getValue(), p.get("numbers").get(0).get("session_id").asText(), p.toString());

    // the next page of the same visitor gets the same number (dynamic pool, same session)
    pages.put("next", shopPage(tag(apiOrigin(), id, null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/next"));
    assertEquals("Call us: 0120-500-001 (free)", text("text"));
    assertEquals(sid.getValue(), browser.manage().getCookieNamed("hankyo_sid_" + id).getValue());
  }

  @Test
  void aPageOfAnOriginThePoolDoesNotAllowKeepsItsDefaultNumber() throws Exception {
    String id = pool(1, List.of("https://other.example"));
    pages.put("foreign", shopPage(tag(apiOrigin(), id, null)));
    assertEquals("failed", openAndSettle(siteOrigin + "/p/foreign"));
    assertDefaults();
    assertEquals("network/null", why(), "a 403 without CORS grant is a network error to the page");
    JsonNode p = api.get("/v1/pools/" + id).json();
    assertEquals(0, p.get("assignments").asInt(), "nothing assigned: " + p);
    // the endpoint as the browser met it: 403, no CORS grant
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(apiOrigin() + "/v1/dni/pools/" + id + "/assignments"))
        .header("Origin", siteOrigin).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"session_id\": \"s-1\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode(), r.body());
    assertFalse(r.headers().firstValue("Access-Control-Allow-Origin").isPresent());
  }

  @Test
  void anUnknownPoolKeepsTheDefaultNumber() throws Exception {
    pages.put("unknown", shopPage(tag(apiOrigin(), "pool-0000000000000000", null)));
    assertEquals("failed", openAndSettle(siteOrigin + "/p/unknown"));
    assertDefaults();
    assertEquals("http/404", why(), "the 404 is readable by the page");
    assertEquals("pool-0000000000000000", js("return window.dniDetail.pool"), "the event names the tag's pool");
    assertNull(browser.manage().getCookieNamed("hankyo_sid_pool-0000000000000000"),
        "no session cookie is kept for a pool the API does not know");
  }

  @Test
  void anApiThatIsDownKeepsTheDefaultNumber() throws Exception {
    int closed = FreePorts.tcp(); // nothing listens there
    String id = pool(1, List.of(siteOrigin));
    pages.put("down", shopPage(tag(apiOrigin(), id, "data-api=\"http://127.0.0.1:" + closed + "\"")));
    assertEquals("failed", openAndSettle(siteOrigin + "/p/down"));
    assertDefaults();
    assertEquals("network/null", why());
  }

  @Test
  void anAnswerAfterTheOneSecondTimeoutIsIgnored() throws Exception {
    slowAnswered = new CountDownLatch(1);
    pages.put("slow", shopPage(tag(stubOrigin, "slow", null)));
    assertEquals("failed", openAndSettle(siteOrigin + "/p/slow"));
    assertTrue(slowAnswered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the stub API got the request");
    assertDefaults();
    assertEquals("failed", status());
    assertEquals("timeout/null", why());
  }

  @Test
  void theFirstPagesTrackingParametersAreSentAgainFromLaterPages() throws Exception {
    stubRequests.clear();
    pages.put("start", "<!doctype html><title>start</title>"
        + "<a id=\"go\" href=\"landing?utm_source=google&amp;utm_medium=cpc&amp;gclid=g-123&amp;x=1#top\">ad</a>");
    pages.put("landing", shopPage(tag(stubOrigin, "echo", null)));
    pages.put("later", shopPage(tag(stubOrigin, "echo", null)));
    browser.get(siteOrigin + "/p/start");
    browser.findElement(org.openqa.selenium.By.id("go")).click();
    await("the tag answers", () -> "assigned".equals(status()));
    assertEquals("Call us: 0120-777-002 (free)", text("text"));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/later"));

    assertEquals(2, stubRequests.size(), stubRequests.toString());
    String sid = browser.manage().getCookieNamed("hankyo_sid_echo").getValue();
    for (JsonNode body : stubRequests) {
      assertEquals(sid, body.get("session_id").asText(), body.toString());
      JsonNode params = body.get("params");
      assertEquals("google", params.get("utm_source").asText(), body.toString());
      assertEquals("cpc", params.get("utm_medium").asText());
      assertEquals("g-123", params.get("gclid").asText());
      assertEquals(siteOrigin + "/p/landing?utm_source=google&utm_medium=cpc&gclid=g-123&x=1",
          params.get("landing_page").asText());
      assertEquals(siteOrigin + "/p/start", params.get("referrer").asText());
      assertFalse(params.has("utm_campaign"), body.toString());
    }
  }

  @Test
  void twoPoolsOfOneOperatorOnOneSiteEachGetTheirNumberWithASessionPerPool() throws Exception {
    // the portal / listing case: pages of one site show different pools of one operator
    String first = pool(1, List.of(siteOrigin), true);
    String second = pool(1, List.of(siteOrigin), true);
    pages.put("listing-a", shopPage(tag(apiOrigin(), first, null)));
    pages.put("listing-b", shopPage(tag(apiOrigin(), second, null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/listing-a"));
    String numberA = (String) js("return window.dniDetail.number");
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/listing-b"), "the second pool too: " + why());
    String numberB = (String) js("return window.dniDetail.number");
    assertFalse(numberA.equals(numberB), numberA);
    assertEquals("Call us: " + numberB + " (free)", text("text"));

    String sidA = browser.manage().getCookieNamed("hankyo_sid_" + first).getValue();
    String sidB = browser.manage().getCookieNamed("hankyo_sid_" + second).getValue();
    assertFalse(sidA.equals(sidB), "one session per pool");
    assertEquals(sidA, api.get("/v1/pools/" + first).json().get("numbers").get(0).get("session_id").asText());
    assertEquals(sidB, api.get("/v1/pools/" + second).json().get("numbers").get(0).get("session_id").asText());
    // back on the first pool's page: the same session, the same number
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/listing-a"));
    assertEquals(numberA, js("return window.dniDetail.number"));
    assertEquals(sidA, browser.manage().getCookieNamed("hankyo_sid_" + first).getValue());
  }

  @Test
  void theTrackingParametersAreSharedByThePoolsOfASite() throws Exception {
    stubRequests.clear();
    pages.put("ad-a", shopPage(tag(stubOrigin, "echo", null)));
    pages.put("other-b", shopPage(tag(stubOrigin, "echo-2", null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/ad-a?gclid=g-77&utm_source=google"));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/other-b"));
    assertEquals(2, stubRequests.size(), stubRequests.toString());
    for (JsonNode body : stubRequests) {
      assertEquals("g-77", body.get("params").get("gclid").asText(), body.toString());
      assertEquals(siteOrigin + "/p/ad-a?gclid=g-77&utm_source=google",
          body.get("params").get("landing_page").asText());
    }
    assertEquals(browser.manage().getCookieNamed("hankyo_sid_echo").getValue(),
        stubRequests.get(0).get("session_id").asText());
    assertEquals(browser.manage().getCookieNamed("hankyo_sid_echo-2").getValue(),
        stubRequests.get(1).get("session_id").asText());
    assertFalse(stubRequests.get(0).get("session_id").asText().equals(stubRequests.get(1).get("session_id").asText()));
  }

  @Test
  void theSingleCookieOfEarlierVersionsStaysWithThePoolThatHoldsIt() throws Exception {
    String first = pool(1, List.of(siteOrigin), true);
    String second = pool(1, List.of(siteOrigin), true);
    // a visitor of the earlier tag: hankyo_sid, claimed by the first pool
    String legacy = "0123456789abcdef0123456789abcdef";
    ApiClient.Response held = api.post("/v1/pools/" + first + "/assignments", "{\"session_id\": \"" + legacy + "\"}");
    assertEquals(200, held.status(), held.body());
    browser.manage().addCookie(new Cookie("hankyo_sid", legacy, "/"));

    // the second pool's page: 409 for the old id, then a new id of its own
    pages.put("old-b", shopPage(tag(apiOrigin(), second, null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/old-b"), why());
    String sidB = browser.manage().getCookieNamed("hankyo_sid_" + second).getValue();
    assertFalse(sidB.equals(legacy));
    assertEquals(legacy, browser.manage().getCookieNamed("hankyo_sid").getValue(), "still the first pool's");

    // the first pool's page: the old id is its session, with the number it holds; the old cookie is gone
    pages.put("old-a", shopPage(tag(apiOrigin(), first, null)));
    assertEquals("assigned", openAndSettle(siteOrigin + "/p/old-a"), why());
    assertEquals(held.json().get("number").asText(), js("return window.dniDetail.number"));
    assertEquals(legacy, browser.manage().getCookieNamed("hankyo_sid_" + first).getValue());
    assertEquals(null, browser.manage().getCookieNamed("hankyo_sid"));
  }
}
