package io.hankyo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.json.ApiJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * An {@link HttpApi} served on 127.0.0.1 (a free port) for the route tests of one resource, with the JDK HTTP/1.1
 * client: real HTTP, the server settings the node uses ({@link HttpApi#serverSettings}), no cluster.
 */
final class RouteTestServer {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final ServerBinding binding;
  private final String base;

  private RouteTestServer(ServerBinding binding) {
    this.binding = binding;
    this.base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  /** The actor system of a route test class (warnings only in the log). */
  static ActorTestKit testKit(String name) {
    return ActorTestKit.create(name,
        ConfigFactory.parseString("pekko.loglevel = WARNING\n").withFallback(ConfigFactory.load()));
  }

  /** Settings with {@code maxBodyBytes} as the general body limit, 31-day ranges, Japan time. */
  static HttpApiSettings settings(long maxBodyBytes) {
    return new HttpApiSettings(maxBodyBytes, Duration.ofDays(31), HttpApiSettings.DEFAULT_ZONE, 200_000);
  }

  /** Serves {@code api} until {@link #unbind()}. */
  static RouteTestServer bind(ActorTestKit kit, HttpApi api) throws Exception {
    return new RouteTestServer(Http.get(kit.system()).newServerAt("127.0.0.1", 0)
        .withSettings(HttpApi.serverSettings(kit.system()))
        .bind(api.handler())
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /**
   * Serves {@code api}'s route alone ({@link HttpApi#route()}, without the direct answers of {@link HttpApi#handler()}):
   * the reference the direct answers are compared with.
   */
  static RouteTestServer bindRouteOnly(ActorTestKit kit, HttpApi api) throws Exception {
    return new RouteTestServer(Http.get(kit.system()).newServerAt("127.0.0.1", 0)
        .withSettings(HttpApi.serverSettings(kit.system()))
        .bind(api.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** The port the server listens on (127.0.0.1). */
  int port() {
    return binding.localAddress().getPort();
  }

  void unbind() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Sends {@code request}; one with a body over 64 KiB is sent up to three times when the answer is lost: the server
   * may refuse such a body (413) from its Content-Length and close the connection while the client is still writing
   * it, and the JDK client then sometimes reports "header parser received no bytes" instead of the answer (a
   * fresh-clone run failed so). Smaller bodies fit the socket buffers and are sent once.
   */
  private static HttpResponse<String> sendOnce(HttpRequest request, byte[] body) throws Exception {
    int attempts = body != null && body.length > 64 * 1024 ? 3 : 1;
    for (int i = 1; ; i++) {
      try {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        if (i >= attempts) {
          throw e;
        }
      }
    }
  }

  /**
   * One request with {@code Authorization: Bearer key} (none when {@code key} is null).
   *
   * @param contentType the body's type; null for none
   * @param body null for no body
   */
  HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body)
      throws Exception {
    return send(method, path, key, contentType, body, java.util.Map.of());
  }

  /** {@link #send(String, String, String, String, byte[])} with more request headers. */
  HttpResponse<String> send(String method, String path, String key, String contentType, byte[] body,
      java.util.Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    headers.forEach(b::header);
    return sendOnce(b.build(), body);
  }

  /**
   * One request with the given headers (e.g. {@code Origin}) and no API key.
   *
   * @param body null for no body
   */
  HttpResponse<String> send(String method, String path, java.util.Map<String, String> headers, byte[] body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return sendOnce(b.build(), body);
  }

  /** A bodiless request with the given headers and no API key, its answer's body as bytes (not decoded). */
  HttpResponse<byte[]> sendForBytes(String method, String path, java.util.Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** A request whose body (if any) is JSON text. */
  HttpResponse<String> sendJson(String method, String path, String key, String body) throws Exception {
    return send(method, path, key, body == null ? null : "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  static JsonNode json(HttpResponse<String> r) throws Exception {
    return ApiJson.mapper().readTree(r.body());
  }
}
