package io.hankyo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.calllog.CallLogFormat;
import io.hankyo.api.calllog.CallLogQuery;
import io.hankyo.api.calllog.CallLogRowRenderer;
import io.hankyo.api.calllog.CallLogStreams;
import io.hankyo.api.calllog.DelimitedWriter;
import io.hankyo.api.json.AbsenceRequest;
import io.hankyo.api.json.AdvertiserJson;
import io.hankyo.api.json.AdvertiserListJson;
import io.hankyo.api.json.ApiJson;
import io.hankyo.api.json.CreateAdvertiserRequest;
import io.hankyo.api.json.CreateNumberRequest;
import io.hankyo.api.json.FlowJson;
import io.hankyo.api.json.AdvertiserJudgmentJson;
import io.hankyo.api.json.JudgmentJson;
import io.hankyo.api.json.NotificationsJson;
import io.hankyo.api.json.RejudgmentJson;
import io.hankyo.api.json.RecordingJson;
import io.hankyo.api.json.NumberJson;
import io.hankyo.api.json.NumberListJson;
import io.hankyo.api.json.ProblemJson;
import io.hankyo.api.json.PromptJson;
import io.hankyo.api.json.PromptListJson;
import io.hankyo.api.json.PromptTextRequest;
import io.hankyo.api.json.UpdateAdvertiserRequest;
import io.hankyo.api.json.UpdateNumberRequest;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.flow.CallFlowParser;
import io.hankyo.protocol.flow.DocumentException;
import io.hankyo.protocol.flow.ForwardStep;
import io.hankyo.protocol.flow.ForwardTarget;
import io.hankyo.protocol.flow.HangupStep;
import io.hankyo.protocol.flow.MenuStep;
import io.hankyo.protocol.flow.PlayStep;
import io.hankyo.protocol.flow.QueueStep;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.JudgmentRulesParser;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.notify.NotificationSettingsParser;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.recording.RecordingSettingsParser;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.prompt.PromptStored;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharset;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaType;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Allow;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.http.scaladsl.model.ExceptionWithErrorInfo;
import org.apache.pekko.http.scaladsl.model.IllegalRequestException;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of HTTP API v1 (Pekko HTTP Java DSL). The cluster node binds {@link #route()}, with {@link
 * #serverSettings} so that even unparseable requests get problem+json:
 *
 * <pre>{@code
 * HttpApi api = new HttpApi(backend, HttpApiSettings.fromConfig(system.settings().config()));
 * Http.get(system).newServerAt(host, port).withSettings(HttpApi.serverSettings(system)).bind(api.handler());
 * }</pre>
 *
 * <h2>Authentication</h2>
 *
 * Every {@code /v1/**} request needs {@code Authorization: Bearer <api key>}; the key is resolved with {@link
 * ApiBackend#authenticate} to the operator whose data the request sees. A missing, malformed, unknown or revoked key
 * gets 401 with {@code WWW-Authenticate: Bearer realm="hankyo"}. Nothing is cached here. Exceptions, for the JS tag
 * in visitors' browsers ({@link DniApi}): {@code GET /dni.js} and {@code /v1/dni/**}, allowed by the pool's {@code
 * allowed_origins} instead.
 *
 * <h2>Resources</h2>
 *
 * <pre>
 * POST   /v1/advertisers                      {"client_id"?, "client_name"}         201 + Location, advertiser
 * GET    /v1/advertisers                                                            200 {"advertisers": [...]}
 * GET    /v1/advertisers/{client_id}                                                200 advertiser
 * PUT    /v1/advertisers/{client_id}          {"client_name"}                       200 advertiser
 * DELETE /v1/advertisers/{client_id}                                                204
 * POST   /v1/advertisers/{client_id}/numbers  {"dialin_id"?, "number", "name"?, "forward_to"}  201 + Location, number
 * GET    /v1/advertisers/{client_id}/numbers                                        200 {"numbers": [...]}
 * GET    /v1/advertisers/{client_id}/numbers/{dialin_id}                            200 number
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}  {"name"?, "forward_to"?, "number"?}  200 number
 * DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}                            204
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}/absence  {"on": true|false} 200 number (不在設定)
 * GET    /v1/advertisers/{client_id}/numbers/{dialin_id}/flow                       200 flow
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}/flow     call flow document 200 flow (a new version)
 * DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}/flow                       200 flow (back to "forward to fwd_id")
 * GET    /v1/advertisers/{client_id}/numbers/{dialin_id}/judgment                   200 rules; 404 when none
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}/judgment judgment rules    200 rules (a new version)
 * DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}/judgment                   204 (calls get no valid_res)
 * GET    /v1/advertisers/{client_id}/numbers/{dialin_id}/notifications              200 settings; 404 when none
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}/notifications settings     200 settings (a new version)
 * DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}/notifications              204 (calls notify nobody)
 * GET    /v1/advertisers/{client_id}/judgment                   200 the advertiser's rules; 404 when none
 * PUT    /v1/advertisers/{client_id}/judgment  judgment rules   200 rules (a new version; numbers without own rules)
 * DELETE /v1/advertisers/{client_id}/judgment                   204
 * POST   /v1/rejudgments  {"client_id", "from", "to", "dialin_id"?, "rules": {"scope", "version"}}  201 + Location
 * GET    /v1/rejudgments/{id}                                   200 the stored re-judgment
 * GET    /v1/advertisers/{client_id}/numbers/{dialin_id}/recording                  200 setting; 404 when none
 * PUT    /v1/advertisers/{client_id}/numbers/{dialin_id}/recording recording setting 200 setting (a new version)
 * DELETE /v1/advertisers/{client_id}/numbers/{dialin_id}/recording                  204 (calls are not recorded)
 * GET    /v1/calls/{trn_id}/recording                                       200 audio/wav; 404 when none
 * DELETE /v1/calls/{trn_id}/recording                                       204; 404 when none
 * GET    /v1/operator/settings                                             200 {"recording_retention_days"}
 * PUT    /v1/operator/settings {"recording_retention_days": 1..3650|null}  200 settings (OperatorSettingsApi)
 * GET    /v1/calls?from=&amp;to=&amp;format=json|csv|tsv&amp;din_id=&amp;fwd_id=&amp;client_id=&amp;hup_usr=&amp;dial_stat=&amp;logvars=
 * PUT    /v1/prompts/{name}    WAV file (audio/wav, audio/x-wav, audio/wave)  201 + Location | 200, prompt
 * PUT    /v1/prompts/{name}    {"text", "voice"?} (application/json)          201 + Location | 200, prompt
 * GET    /v1/prompts                                                        200 {"prompts": [...]}
 * GET    /v1/prompts/{name}    Accept: application/json (default)           200 prompt
 * GET    /v1/prompts/{name}    Accept: audio/wav                            200 the stored WAV file
 * DELETE /v1/prompts/{name}                                                 204; 409 while a stored flow plays it
 * </pre>
 *
 * <h2>Prompts (ガイダンス, spec section 4; issue 3)</h2>
 *
 * A prompt belongs to the operator of the API key; call flows name it in {@code prompt}/{@code hold_prompt}. Names
 * are {@code [A-Za-z0-9_.-]{1,64}} like flow names (400 on PUT, 404 on GET/DELETE otherwise). A WAV body may be up
 * to {@link HttpApiSettings#maxPromptBytes()} (the media plane's {@code prompt-max-bytes}, 8 MiB by default; 413
 * beyond), independent of {@code max-body-bytes}, which limits the JSON text form. The backend checks the audio:
 * 400 not a WAV file / damaged / empty / too long, 413 too large, 415 an encoding other than 16-bit PCM or 8-bit
 * µ-law/A-law; a text prompt (at most {@link Validation#MAX_PROMPT_TEXT_LENGTH} characters) is synthesized once by
 * espeak-ng (503 when the node lacks it). Shape: {@link PromptJson}; PUT answers 201 when the name was new, 200 when
 * it replaced a prompt. {@code GET /v1/prompts/{name}} negotiates on {@code Accept} (RFC 9110 section 12.5.1, the
 * most specific range decides each type's weight; ties go to JSON; 406 when neither is acceptable) and carries
 * {@code Vary: Accept}; the audio comes with {@code ETag: "<sha256>"}.
 *
 * Shapes: {@link AdvertiserJson}, {@link NumberJson}, call-log rows {@link CallLogRowRenderer}, call-log query
 * {@link CallLogQuery}. The call log's format: {@code format} wins, else the {@code Accept} header with its q-values
 * (RFC 9110 section 12.5.1, weighed by Pekko's media-type negotiator: {@link CallLogFormat#negotiate}), else JSON;
 * 406 when {@code Accept} allows none of JSON, CSV, TSV. Call-log responses carry {@code Vary: Accept}.
 * Forward destinations ({@code forward_to}) must be Japanese fixed, mobile/PHS, 050 or 0120/0800 numbers other than
 * the tracking number itself ({@link Validation#forwardDestination}).
 *
 * <h2>Errors</h2>
 *
 * Every error is an RFC 9457 {@code application/problem+json} body {@code {"type", "title", "status", "detail",
 * "instance"}} ({@link ProblemJson}), including Pekko's own rejections: 400 invalid input (malformed JSON, unknown
 * fields, wrong JSON types, missing fields, bad ids, numbers, forward destinations, dates, an {@code Accept} header
 * Pekko cannot parse or with a q-value that is not 0 to 1 with at most three decimals; the detail names the field),
 * 401, 404 (unknown path or resource), 405 with {@code Allow}, 406, 409 (from the backend), 413 (body over {@code
 * max-body-bytes}), 415 (body not {@code application/json}, or JSON declared in a charset other than UTF-8: {@link
 * #requireUtf8Json}), 503 when the backend fails with anything but an {@link ApiProblem} (logged). {@code instance}
 * is the request path, also on Pekko's rejections and limits; requests Pekko cannot parse get problems without it
 * ({@link ProblemParsingErrorHandler}). Pekko's own error statuses get the API's type and title where it has one
 * ({@link Problems#forStatus}; 413: "Content Too Large", RFC 9110 section 15.5.14). A 400 for bad members of a body
 * lists them in {@code errors} with JSON Pointers ({@link ApiProblem.FieldError}); the advertiser, tracking-number and
 * absence bodies list every bad member ({@link Validation.Members}), the detail staying the first one's.
 */
public final class HttpApi extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);

  /** {@code application/problem+json} (RFC 9457), UTF-8. */
  public static final MediaType.WithFixedCharset PROBLEM_JSON =
      MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8);

  private static final ContentType PROBLEM_CONTENT_TYPE = PROBLEM_JSON.toContentType();

  /**
   * {@code application/json} with an open charset, the request parser's model of it ({@link #serverSettings}): the
   * request's {@code charset} parameter, if any, stays in its Content-Type for {@link #requireUtf8Json}.
   */
  static final MediaType.WithOpenCharset JSON_WITH_CHARSET = MediaTypes.applicationWithOpenCharset("json");
  private static final ContentType CSV = MediaTypes.TEXT_CSV.toContentType(HttpCharsets.UTF_8);
  private static final ContentType TSV = MediaTypes.TEXT_TAB_SEPARATED_VALUES.toContentType(HttpCharsets.UTF_8);
  private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
  private static final String ADVERTISERS = "/v1/advertisers/";

  private final ApiBackend backend;
  private final HttpApiSettings settings;
  private final Clock clock;
  private final CallLogRowRenderer rowRenderer;
  private volatile CallbackApi callbackApi;
  private volatile OperatorSettingsApi operatorSettingsApi = new OperatorSettingsApi(null, this::jsonDocument);
  private volatile DeliveryApi deliveryApi;
  private volatile InventoryApi inventoryApi;
  private volatile PoolApi poolApi;
  private volatile DniApi dniApi;
  /** The JS tag's limit of new sessions per client, one for the life of this API (its buckets outlive withPools). */
  private final DniRateLimit dniLimit;

  /**
   * @param backend the cluster side of the API
   * @param settings limits and zone (see {@link HttpApiSettings#fromConfig})
   */
  public HttpApi(ApiBackend backend, HttpApiSettings settings) {
    this(backend, settings, Clock.systemUTC());
  }

  /**
   * @param clock gives "now", the default end of a call-log range (tests pin it)
   */
  public HttpApi(ApiBackend backend, HttpApiSettings settings, Clock clock) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rowRenderer = new CallLogRowRenderer(settings.zone(), backend::decryptCaller);
    this.callbackApi = new CallbackApi(backend, null, settings, clock, this::jsonDocument);
    this.poolApi = new PoolApi(null, this::jsonDocument, settings.zone());
    this.inventoryApi = new InventoryApi(null, settings.zone());
    this.dniLimit = new DniRateLimit(settings.dniRateLimit());
    this.dniApi = new DniApi(null, this::jsonDocument, settings.zone(), dniLimit, clock);
    this.deliveryApi = new DeliveryApi(null, settings, clock);
  }

  /**
   * Serves the notification delivery log ({@code /v1/webhook-deliveries}, issue 4, see {@link DeliveryApi}) from
   * {@code deliveries}; without this call those resources answer 404. Call before {@link #route()}.
   *
   * @return this
   */
  public HttpApi withDeliveries(DeliveryBackend deliveries) {
    this.deliveryApi = new DeliveryApi(Objects.requireNonNull(deliveries, "deliveries"), settings, clock);
    return this;
  }

  /**
   * Serves the callback number pool ({@code /v1/callback-pool}, issue 4 callback tracking, see {@link CallbackApi})
   * from {@code callbacks}; without this call those resources answer 404. Call before {@link #route()}.
   *
   * @return this
   */
  public HttpApi withCallbacks(CallbackBackend callbacks) {
    this.callbackApi = new CallbackApi(backend, Objects.requireNonNull(callbacks, "callbacks"), settings, clock,
        this::jsonDocument);
    return this;
  }

  /**
   * Serves the operator's settings ({@code /v1/operator/settings}, issue 4 recording retention, see {@link
   * OperatorSettingsApi}) from {@code operatorSettings}; without this call that resource answers 404. Call before
   * {@link #route()}.
   *
   * @return this
   */
  public HttpApi withOperatorSettings(OperatorSettingsBackend operatorSettings) {
    this.operatorSettingsApi = new OperatorSettingsApi(Objects.requireNonNull(operatorSettings, "operatorSettings"),
        this::jsonDocument);
    return this;
  }

  /**
   * Serves the number inventory ({@code /v1/inventory}, issue 5, see {@link InventoryApi}) from {@code inventory};
   * without this call that resource answers 404. Call before {@link #route()}.
   *
   * @return this
   */
  public HttpApi withInventory(InventoryBackend inventory) {
    this.inventoryApi = new InventoryApi(Objects.requireNonNull(inventory, "inventory"), settings.zone());
    return this;
  }

  /**
   * Serves number pools ({@code /v1/pools}, issue 5, see {@link PoolApi}) and the JS tag's public assignments
   * ({@code /v1/dni/pools/{pool_id}/assignments}, see {@link DniApi}) from {@code pools}; without this call those
   * resources answer 404. Call before {@link #route()}.
   *
   * @return this
   */
  public HttpApi withPools(PoolBackend pools) {
    this.poolApi = new PoolApi(Objects.requireNonNull(pools, "pools"), this::jsonDocument, settings.zone());
    this.dniApi = new DniApi(pools, this::jsonDocument, settings.zone(), dniLimit, clock);
    return this;
  }

  /**
   * The system's Pekko HTTP server settings ({@code pekko.http.server}) with {@link ProblemParsingErrorHandler} as
   * the parsing error handler, so that requests too malformed to reach the route (bad request line, bad URI escapes)
   * also get problem+json. Equivalent to setting {@code pekko.http.server.parsing.error-handler =
   * "io.hankyo.api.ProblemParsingErrorHandler"}. HEAD is answered for every GET resource with the GET's status and
   * headers and no body ({@code transparent-head-requests}; RFC 9110 section 9.1: a general-purpose server MUST
   * support HEAD).
   *
   * <p>Request headers reach the routes as sent ({@code pekko.http.server.parsing.modeled-header-parsing = off};
   * Pekko still models Host, Content-Type, Content-Length and the few it needs itself): Pekko's model of {@code
   * Accept} drops a q-value that is not a number ({@code text/csv;q=abc} becomes {@code text/csv}, weight 1), so
   * {@link CallLogFormat#negotiate} needs the text to refuse it with 400. Besides the entity's Content-Type, the
   * routes read only Authorization (as text) and Accept.
   *
   * <p>{@code application/json} is parsed as a media type with a charset parameter ({@link #JSON_WITH_CHARSET}):
   * Pekko's own model of it has a fixed UTF-8 charset and drops the parameter, so {@code application/json;
   * charset=latin1} would be read as UTF-8 instead of refused ({@link #requireUtf8Json}).
   *
   * <p>Each request carries the address of its connection's peer ({@code
   * pekko.http.server.remote-address-attribute = on}), the client address of the JS tag endpoint's rate limit
   * ({@link DniRateLimit}).
   */
  public static ServerSettings serverSettings(ClassicActorSystemProvider system) {
    ServerSettings settings = ServerSettings.create(system.classicSystem());
    return settings
        .withParserSettings(settings.getParserSettings().withModeledHeaderParsing(false)
            .withCustomMediaTypes(JSON_WITH_CHARSET))
        .withParsingErrorHandler(ProblemParsingErrorHandler.class.getName())
        .withTransparentHeadRequests(true)
        .withRemoteAddressAttribute(true);
  }

  /** The settings in use. */
  public HttpApiSettings settings() {
    return settings;
  }

  /**
   * The complete, sealed route: every request gets a response (problem+json for every error), none is rejected to
   * the outside.
   */
  public Route route() {
    ExceptionHandler errors = exceptionHandler();
    RejectionHandler rejections = rejectionHandler();
    return handleExceptions(errors, () ->
        extractUri(uri -> mapResponse(r -> rejectionAsProblem(r, uri.path()), () -> handleRejections(rejections, () ->
            withRequestTimeoutResponse(this::timeoutResponse, () ->
                concat(
                    // the JS tag (issue 5): the script and its key-less endpoint, before the API-key check
                    dniApi.scriptRoute(),
                    // rawPathPrefixTest: "/v1" must be a whole segment ("/v1foo" is not the API)
                    pathPrefix("v1", () -> rawPathPrefixTest(PathMatchers.slash(), () -> concat(
                        // sealed: a wrong method on /v1/dni/... is 405 there, not the 401 of the keyed routes
                        pathPrefix("dni", () -> handleRejections(rejections, () -> dniApi.route(errors))),
                        authenticated(operator -> identityBodies(() -> v1(operator))))))))))));
  }

  /**
   * What a server binds ({@code Http.newServerAt(...).bind(api.handler())}): {@link #route()}, except that {@code POST
   * /v1/pools/{pool_id}/assignments} requests are answered by {@link PoolApi#assignDirect} without building the
   * route tree, with the route's own pieces ({@link PoolApi.RoutePieces}: the same answers, errors and log lines);
   * a request it does not take is the route's. The node and the route tests bind this.
   */
  public org.apache.pekko.http.javadsl.HandlerProvider handler() {
    return system -> {
      org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> routed =
          route().handler(system);
      org.apache.pekko.stream.Materializer materializer =
          org.apache.pekko.stream.SystemMaterializer.get(system.classicSystem()).materializer();
      PoolApi.RoutePieces pieces = new PoolApi.RoutePieces() {
        @Override
        public CompletionStage<Optional<String>> authenticate(String apiKey) {
          return guard(() -> backend.authenticate(apiKey));
        }

        @Override
        public CompletionStage<HttpResponse> routed(HttpRequest request) {
          try {
            return routed.apply(request);
          } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
          }
        }

        @Override
        public HttpResponse authenticationFailed(Throwable failure, String path) {
          return failureResponse(failure, path);
        }

        @Override
        public HttpResponse thrown(Throwable e, String path) {
          return exceptionResponse(e, path);
        }

        @Override
        public HttpResponse timedOut(HttpRequest request) {
          return timeoutResponse(request);
        }

        @Override
        public CompletionStage<ByteString> body(RequestEntity entity, long max) {
          return collectBody(entity, max, materializer);
        }
      };
      return request -> {
        CompletionStage<HttpResponse> direct = poolApi.assignDirect(request, pieces);
        return direct != null ? direct : routed.apply(request);
      };
    };
  }

  /** Assignment requests {@link #handler()} answered without the route ({@link PoolApi#assignDirect}); for tests. */
  long directAssignments() {
    return poolApi.directAnswers();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // routes

  /**
   * The keyed {@code /v1} routes of {@code operator}. The pool routes ({@code pools}, {@code usage}, {@code
   * bindings}: no other route's first segment starts alike, so none of them can match the same request) come first,
   * and the rest is built only when they reject: a request builds its route tree anew, and {@code POST
   * /v1/pools/{pool_id}/assignments}, the busiest resource (issue 5), builds only its own part.
   */
  private Route v1(String operator) {
    return concat(poolApi.route(operator), extractUnmatchedPath(rest -> v1Others(operator)));
  }

  private Route v1Others(String operator) {
    return concat(
        pathPrefix("advertisers", () -> concat(
            pathEnd(() -> concat(
                get(() -> noQuery("the advertisers listing", () -> listAdvertisers(operator))),
                post(() -> createAdvertiser(operator)))),
            pathPrefix(PathMatchers.segment(), clientId -> concat(
                pathEnd(() -> concat(
                    get(() -> getAdvertiser(operator, clientId)),
                    put(() -> updateAdvertiser(operator, clientId)),
                    delete(() -> deleteAdvertiser(operator, clientId)))),
                path("judgment", () -> concat(
                    get(() -> getAdvertiserJudgment(operator, clientId)),
                    put(() -> storeAdvertiserJudgment(operator, clientId)),
                    delete(() -> clearAdvertiserJudgment(operator, clientId)))),
                pathPrefix("numbers", () -> concat(
                    pathEnd(() -> concat(
                        get(() -> noQuery("the numbers listing", () -> listNumbers(operator, clientId))),
                        post(() -> createNumber(operator, clientId)))),
                    pathPrefix(PathMatchers.segment(), dialinId -> concat(
                        pathEnd(() -> concat(
                            get(() -> getNumber(operator, clientId, dialinId)),
                            put(() -> updateNumber(operator, clientId, dialinId)),
                            delete(() -> deleteNumber(operator, clientId, dialinId)))),
                        path("absence", () -> put(() -> setAbsence(operator, clientId, dialinId))),
                        path("flow", () -> concat(
                            get(() -> getFlow(operator, clientId, dialinId)),
                            put(() -> storeFlow(operator, clientId, dialinId)),
                            delete(() -> removeFlow(operator, clientId, dialinId)))),
                        path("judgment", () -> concat(
                            get(() -> getJudgment(operator, clientId, dialinId)),
                            put(() -> storeJudgment(operator, clientId, dialinId)),
                            delete(() -> clearJudgment(operator, clientId, dialinId)))),
                        path("notifications", () -> concat(
                            get(() -> getNotifications(operator, clientId, dialinId)),
                            put(() -> storeNotifications(operator, clientId, dialinId)),
                            delete(() -> clearNotifications(operator, clientId, dialinId)))),
                        path("recording", () -> concat(
                            get(() -> getRecording(operator, clientId, dialinId)),
                            put(() -> storeRecording(operator, clientId, dialinId)),
                            delete(() -> clearRecording(operator, clientId, dialinId)))))))))))),
        path("calls", () -> get(() -> calls(operator))),
        pathPrefix("calls", () -> pathPrefix(PathMatchers.segment(), trnId -> path("recording", () -> concat(
            get(() -> getCallRecording(operator, trnId)),
            delete(() -> deleteCallRecording(operator, trnId)))))),
        pathPrefix("rejudgments", () -> concat(
            pathEnd(() -> post(() -> rejudge(operator))),
            path(PathMatchers.segment(), id -> get(() -> getRejudgment(operator, id))))),
        callbackApi.route(operator),
        operatorSettingsApi.route(operator),
        deliveryApi.route(operator),
        inventoryApi.route(operator),
        pathPrefix("prompts", () -> concat(
            pathEnd(() -> get(() -> noQuery("the prompts listing", () -> listPrompts(operator)))),
            path(PathMatchers.segment(), name -> concat(
                get(() -> getPrompt(operator, name)),
                put(() -> putPrompt(operator, name)),
                delete(() -> deletePrompt(operator, name)))))));
  }

  /**
   * {@code inner}, or 400 problem+json when the request has a query ("unknown query parameter 'limit'; the advertisers
   * listing takes no query parameters"): a listing that takes none does not silently ignore a typo or a paging
   * parameter it does not have, as the listings that take some refuse the ones they do not ({@link
   * ResourceRoutes#checkQuery}).
   */
  private Route noQuery(String listing, Supplier<Route> inner) {
    return parameterMultiMap(query -> {
      ResourceRoutes.checkQuery(query, java.util.Set.of(), listing + " takes no query parameters");
      return inner.get();
    });
  }

  private Route listAdvertisers(String operator) {
    return respond(() -> backend.listAdvertisers(operator), list -> json(StatusCodes.OK, new AdvertiserListJson(
        list.stream().map(a -> AdvertiserJson.of(a, settings.zone())).collect(Collectors.toList()))));
  }

  private Route createAdvertiser(String operator) {
    return jsonBody(CreateAdvertiserRequest.class, req -> {
      Validation.Members members = new Validation.Members();
      String clientId = members.check("client_id", () -> Validation.optionalId(req.clientId(), "client_id"));
      String name = members.check("client_name", () -> Validation.requiredName(req.clientName(), "client_name"));
      members.throwIfAny();
      return respond(() -> backend.createAdvertiser(operator, clientId, name), a ->
          json(StatusCodes.CREATED, AdvertiserJson.of(a, settings.zone()))
              .addHeader(Location.create(ADVERTISERS + a.clientId())));
    });
  }

  private Route getAdvertiser(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return respond(() -> backend.getAdvertiser(operator, clientId),
        a -> json(StatusCodes.OK, AdvertiserJson.of(a, settings.zone())));
  }

  private Route updateAdvertiser(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return jsonBody(UpdateAdvertiserRequest.class, req -> {
      String name = Validation.member("client_name", () -> Validation.requiredName(req.clientName(), "client_name"));
      return respond(() -> backend.updateAdvertiser(operator, clientId, name),
          a -> json(StatusCodes.OK, AdvertiserJson.of(a, settings.zone())));
    });
  }

  private Route deleteAdvertiser(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return respond(() -> backend.deleteAdvertiser(operator, clientId),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  private Route listNumbers(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return respond(() -> backend.listNumbers(operator, clientId), list -> json(StatusCodes.OK, new NumberListJson(
        list.stream().map(n -> NumberJson.of(n, settings.zone())).collect(Collectors.toList()))));
  }

  private Route createNumber(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return jsonBody(CreateNumberRequest.class, req -> {
      Validation.Members members = new Validation.Members();
      String dialinId = members.check("dialin_id", () -> Validation.optionalId(req.dialinId(), "dialin_id"));
      PhoneNumber number = members.check("number", () -> Validation.trackingNumber(req.number(), "number"));
      String name = members.check("name", () -> Validation.optionalName(req.name(), "name"));
      PhoneNumber forwardTo = members.check("forward_to",
          () -> Validation.forwardDestination(req.forwardTo(), "forward_to"));
      if (number != null && forwardTo != null) {
        members.check("forward_to", () -> {
          Validation.notTheTrackingNumber(number, forwardTo, "forward_to");
          return null;
        });
      }
      members.throwIfAny();
      return respond(() -> notATrackingNumber(forwardTo)
          .thenCompose(ok -> backend.createNumber(operator, clientId, dialinId, number, name, forwardTo)), n ->
          json(StatusCodes.CREATED, NumberJson.of(n, settings.zone()))
              .addHeader(Location.create(ADVERTISERS + n.clientId() + "/numbers/" + n.dialinId())));
    });
  }

  private Route getNumber(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.getNumber(operator, clientId, dialinId),
        n -> json(StatusCodes.OK, NumberJson.of(n, settings.zone())));
  }

  private Route updateNumber(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return jsonBody(UpdateNumberRequest.class, req -> {
      Validation.Members members = new Validation.Members();
      PhoneNumber number = req.number() == null ? null
          : members.check("number", () -> Validation.phoneNumber(req.number(), "number"));
      String name = members.check("name", () -> Validation.optionalName(req.name(), "name"));
      PhoneNumber forwardTo = req.forwardTo() == null ? null
          : members.check("forward_to", () -> Validation.forwardDestination(req.forwardTo(), "forward_to"));
      members.throwIfAny();
      // the current record: to refuse a changed number and a forward destination equal to the tracking number
      return respond(() -> backend.getNumber(operator, clientId, dialinId).thenCompose(current -> {
        Validation.member("number", () -> {
          checkUnchangedNumber(current, number);
          return null;
        });
        if (forwardTo != null && current.number() != null) {
          Validation.member("forward_to", () -> {
            Validation.notTheTrackingNumber(current.number(), forwardTo, "forward_to");
            return null;
          });
        }
        return (forwardTo == null ? CompletableFuture.completedFuture(Done.getInstance()) : notATrackingNumber(forwardTo))
            .thenCompose(ok -> backend.updateNumber(operator, clientId, dialinId, name, forwardTo));
      }), n -> json(StatusCodes.OK, NumberJson.of(n, settings.zone())));
    });
  }

  private Route setAbsence(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return jsonBody(AbsenceRequest.class, req -> {
      if (req.on() == null) {
        throw Validation.withPointer(ApiProblem.invalid("on: is required, true (absence mode on) or false (off)"), "on");
      }
      return respond(() -> backend.setAbsence(operator, clientId, dialinId, req.on()),
          n -> json(StatusCodes.OK, NumberJson.of(n, settings.zone())));
    });
  }

  private Route getFlow(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.getFlow(operator, clientId, dialinId),
        f -> json(StatusCodes.OK, FlowJson.of(f, settings.zone())));
  }

  /**
   * Checks the document ({@link CallFlowParser}: every problem at once, each with its JSON Pointer), refuses forward
   * targets that are tracking numbers of the cluster (a loop), then stores it as the number's next flow version.
   */
  private Route storeFlow(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    // the document's own limit, whatever the general body limit: a larger body is 413, never the parser's 400
    long max = CallFlowParser.MAX_DOCUMENT_BYTES;
    return jsonBody(JsonNode.class, max, document -> respond(
        () -> backend.getNumber(operator, clientId, dialinId).thenCompose(current -> {
          CallFlow flow = parseDocument(() -> CallFlowParser.parse(document, current.number()));
          return targetsAreNotTrackingNumbers(flow)
              .thenCompose(ok -> promptsExist(operator, flow))
              .thenCompose(ok -> backend.storeFlow(operator, clientId, dialinId, flow));
        }),
        f -> json(StatusCodes.OK, FlowJson.of(f, settings.zone()))));
  }

  private Route removeFlow(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.storeFlow(operator, clientId, dialinId, null),
        f -> json(StatusCodes.OK, FlowJson.of(f, settings.zone())));
  }

  private static ApiProblem flowProblem(List<ApiProblem.FieldError> errors) {
    return documentProblem("the call flow", errors);
  }

  /**
   * 404 for a versioned document that is absent: never stored, or removed by its latest version (said, so that a
   * client sees the removal), with the PUT that sets it.
   *
   * @param owner e.g. {@code "tracking number 'd1' of advertiser 'shop'"}
   * @param what e.g. {@code "judgment rules"} (plural "them" when it ends in s)
   * @param version the document's version (0: never stored)
   */
  private static ApiProblem noDocument(String owner, String what, int version, String putPath) {
    String it = what.endsWith("s") || what.endsWith("own") ? "them" : "it";
    return ApiProblem.notFound(owner + " has no " + what + (version > 0 ? " (version " + version + " removed " + it
        + ")" : "") + "; set " + it + " with PUT " + putPath);
  }

  /**
   * Runs a document parser; a refused document becomes 400 problem+json listing every problem with its JSON Pointer
   * ({@link #documentProblem}).
   */
  private static <T> T parseDocument(java.util.function.Supplier<T> parse) {
    try {
      return parse.get();
    } catch (DocumentException e) {
      throw documentProblem(e.subject(), e.violations().stream()
          .map(v -> new ApiProblem.FieldError(v.pointer(), v.message())).toList());
    }
  }

  /**
   * 400 for a refused configuration document (call flow, judgment rules, notification or recording settings): the
   * detail names the first problem, {@code errors} lists all of them.
   *
   * @param subject the document, e.g. {@code "the judgment rules"} (a subject ending in {@code s} takes "have")
   * @param errors at least one
   */
  static ApiProblem documentProblem(String subject, List<ApiProblem.FieldError> errors) {
    ApiProblem.FieldError first = errors.get(0);
    String detail = subject + (subject.endsWith("s") ? " have " : " has ")
        + (errors.size() == 1 ? "a problem" : errors.size() + " problems")
        + "; first: " + (first.pointer().isEmpty() ? "the document" : first.pointer()) + ": " + first.detail();
    return ApiProblem.invalid(detail, listed(errors));
  }

  /** Most entries of a 400's {@code errors} list; further problems are counted in one last entry. */
  static final int MAX_LISTED_ERRORS = Problems.MAX_LISTED;

  /**
   * {@code errors} when at most {@value #MAX_LISTED_ERRORS}, else the first {@value #MAX_LISTED_ERRORS} and a last
   * entry at the root pointer {@code ""}: {@code "… and 199900 more problems"} (a document of 200,000 bad numbers
   * answered a 28 MB 400 before).
   */
  static List<ApiProblem.FieldError> listed(List<ApiProblem.FieldError> errors) {
    if (errors.size() <= MAX_LISTED_ERRORS) {
      return errors;
    }
    List<ApiProblem.FieldError> out = new ArrayList<>(errors.subList(0, MAX_LISTED_ERRORS));
    int more = errors.size() - MAX_LISTED_ERRORS;
    out.add(new ApiProblem.FieldError("", Problems.andMore(more, "problem")));
    return out;
  }

  /**
   * Fails with 400 naming every prompt the flow plays that the operator has not uploaded ({@code PUT
   * /v1/prompts/{name}}): a call would reach a step whose audio does not exist.
   */
  private CompletionStage<Done> promptsExist(String operator, CallFlow flow) {
    Map<String, String> played = new LinkedHashMap<>();
    flow.steps().forEach((id, step) -> {
      String member = step instanceof QueueStep ? "hold_prompt" : "prompt";
      String prompt = step instanceof PlayStep p ? p.prompt()
          : step instanceof MenuStep m ? m.prompt()
          : step instanceof QueueStep q ? q.holdPrompt()
          : step instanceof HangupStep h ? h.prompt() : null;
      if (prompt != null) {
        played.put("/steps/" + id + "/" + member, prompt);
      }
    });
    return promptsExist(operator, played, HttpApi::flowProblem);
  }

  /**
   * Fails with {@code problem} of a field error for every prompt of {@code played} (JSON Pointer in the request body
   * → prompt name, in document order) that the operator has not uploaded ({@code PUT /v1/prompts/{name}}). Shared by
   * call flows and judgment rules (the post-call button's prompt).
   */
  private CompletionStage<Done> promptsExist(String operator, Map<String, String> played,
      Function<List<ApiProblem.FieldError>, ApiProblem> problem) {
    if (played.isEmpty()) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return backend.listPrompts(operator).thenApply(prompts -> {
      java.util.Set<String> known = prompts.stream().map(p -> p.name()).collect(Collectors.toSet());
      List<ApiProblem.FieldError> missing = new ArrayList<>();
      played.forEach((pointer, prompt) -> {
        if (!known.contains(prompt)) {
          missing.add(new ApiProblem.FieldError(pointer, "prompt '" + prompt
              + "' does not exist; upload it first with PUT /v1/prompts/" + prompt));
        }
      });
      if (!missing.isEmpty()) {
        throw problem.apply(missing);
      }
      return Done.getInstance();
    });
  }

  // ---------------------------------------------------------------------------------------------------------------
  // judgment rules (成果判定, issue 4)

  /** 200 with the number's rules; 404 when the number has none (never had, or they were removed). */
  private Route getJudgment(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.getJudgment(operator, clientId, dialinId).thenApply(j -> {
      if (j.rules() == null) {
        throw noDocument("tracking number '" + dialinId + "' of advertiser '" + clientId + "'", "judgment rules",
            j.version(), ADVERTISERS + clientId + "/numbers/" + dialinId + "/judgment");
      }
      return j;
    }), j -> json(StatusCodes.OK, JudgmentJson.of(j, settings.zone())));
  }

  /**
   * Checks the document ({@link JudgmentRulesParser}: every problem at once, each with its JSON Pointer) and that
   * the post-call button's prompt exists, then stores it as the number's next judgment-rules version. The number is
   * looked up first, so an unknown number is 404 whatever the body.
   */
  private Route storeJudgment(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    // the document's own limit, whatever the general body limit: a larger body is 413, never the parser's 400
    long max = JudgmentRulesParser.MAX_DOCUMENT_BYTES;
    return jsonBody(JsonNode.class, max, document -> respond(
        () -> backend.getNumber(operator, clientId, dialinId).thenCompose(current -> {
          JudgmentRules rules = parseDocument(() -> JudgmentRulesParser.parse(document));
          Map<String, String> played = rules.postCallButton() == null ? Map.of()
              : Map.of("/post_call_button/prompt", rules.postCallButton().prompt());
          return promptsExist(operator, played, errors -> documentProblem("the judgment rules", errors))
              .thenCompose(ok -> backend.storeJudgment(operator, clientId, dialinId, rules));
        }),
        j -> json(StatusCodes.OK, JudgmentJson.of(j, settings.zone()))));
  }

  /** 204 whether or not the number had rules; its calls get no {@code valid_res} from then on. */
  private Route clearJudgment(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.clearJudgment(operator, clientId, dialinId),
        j -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // recording setting (2者間通話録音, issue 4)

  /** 200 with the number's recording setting; 404 when the number has none (never had, or it was removed). */
  private Route getRecording(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.getRecording(operator, clientId, dialinId).thenApply(r -> {
      if (r.settings() == null) {
        throw noDocument("tracking number '" + dialinId + "' of advertiser '" + clientId + "'", "recording setting",
            r.version(), ADVERTISERS + clientId + "/numbers/" + dialinId + "/recording");
      }
      return r;
    }), r -> json(StatusCodes.OK, RecordingJson.of(r, settings.zone())));
  }

  /**
   * Checks the document ({@link RecordingSettingsParser}: every problem at once, each with its JSON Pointer) and that
   * the consent prompt exists, then stores it as the number's next recording-setting version. The number is looked
   * up first, so an unknown number is 404 whatever the body.
   */
  private Route storeRecording(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return jsonBody(JsonNode.class, settings.maxBodyBytes(), document -> respond(
        () -> backend.getNumber(operator, clientId, dialinId).thenCompose(current -> {
          RecordingSettings recording = parseDocument(() -> RecordingSettingsParser.parse(document));
          Map<String, String> played = recording.consentPrompt() == null ? Map.of()
              : Map.of("/consent_prompt", recording.consentPrompt());
          return promptsExist(operator, played, errors -> documentProblem("the recording setting", errors))
              .thenCompose(ok -> backend.storeRecording(operator, clientId, dialinId, recording));
        }),
        r -> json(StatusCodes.OK, RecordingJson.of(r, settings.zone()))));
  }

  /** 204 whether or not the number had a setting; its calls are not recorded from then on. */
  private Route clearRecording(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.clearRecording(operator, clientId, dialinId),
        r -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /** 200 with the call's WAV streamed from the store (Content-Length, ETag = SHA-256); 404 when it has none. */
  private Route getCallRecording(String operator, String rawTrnId) {
    String trnId = Validation.pathId(rawTrnId, "trn_id");
    return respond(() -> backend.openCallRecording(operator, trnId), a -> HttpResponse.create()
        .withEntity(HttpEntities.create(WAV, a.bytes(),
            org.apache.pekko.stream.javadsl.StreamConverters.fromInputStream(a::content)))
        .addHeader(RawHeader.create("ETag", "\"" + a.sha256() + "\"")));
  }

  /** 204 once the file is deleted and the deletion persisted; 404 when the call has no recording. */
  private Route deleteCallRecording(String operator, String rawTrnId) {
    String trnId = Validation.pathId(rawTrnId, "trn_id");
    return respond(() -> backend.deleteCallRecording(operator, trnId),
        d -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /** 200 with the advertiser's own rules (issue 4); 404 when it has none (never had, or they were removed). */
  private Route getAdvertiserJudgment(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return respond(() -> backend.getAdvertiserJudgment(operator, clientId).thenApply(j -> {
      if (j.rules() == null) {
        throw noDocument("advertiser '" + clientId + "'", "judgment rules of its own", j.version(),
            ADVERTISERS + clientId + "/judgment");
      }
      return j;
    }), j -> json(StatusCodes.OK, AdvertiserJudgmentJson.of(j, settings.zone())));
  }

  /**
   * As {@link #storeJudgment} for the advertiser's own rules (issue 4): the advertiser is looked up first (404 whatever
   * the body), then the document and the post-call button's prompt are checked, then stored as its next version.
   */
  private Route storeAdvertiserJudgment(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    long max = JudgmentRulesParser.MAX_DOCUMENT_BYTES;
    return jsonBody(JsonNode.class, max, document -> respond(
        () -> backend.getAdvertiserJudgment(operator, clientId).thenCompose(current -> {
          JudgmentRules rules = parseDocument(() -> JudgmentRulesParser.parse(document));
          Map<String, String> played = rules.postCallButton() == null ? Map.of()
              : Map.of("/post_call_button/prompt", rules.postCallButton().prompt());
          return promptsExist(operator, played, errors -> documentProblem("the judgment rules", errors))
              .thenCompose(ok -> backend.storeAdvertiserJudgment(operator, clientId, rules));
        }),
        j -> json(StatusCodes.OK, AdvertiserJudgmentJson.of(j, settings.zone()))));
  }

  /** 204 whether or not the advertiser had rules; its numbers without rules of their own then have none. */
  private Route clearAdvertiserJudgment(String operator, String rawClientId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    return respond(() -> backend.clearAdvertiserJudgment(operator, clientId),
        j -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /** {@code POST /v1/rejudgments} (issue 4): 201 with the re-judgment and its Location. */
  private Route rejudge(String operator) {
    return jsonBody(JsonNode.class, document -> {
      RejudgmentRequests.Parsed p = RejudgmentRequests.parse(document);
      var request = new io.hankyo.protocol.judgment.RejudgmentView.Request(operator, p.clientId(), p.dialinId(),
          p.from(), p.to(), p.scope(), p.version());
      return respond(() -> backend.rejudge(request), v ->
          json(StatusCodes.CREATED, RejudgmentJson.of(v, settings.zone()))
              .addHeader(Location.create("/v1/rejudgments/" + v.id())));
    });
  }

  /** {@code GET /v1/rejudgments/{id}}: 200, or 404 when the operator has none with that id. */
  private Route getRejudgment(String operator, String rawId) {
    String id = Validation.pathId(rawId, "id");
    return respond(() -> backend.getRejudgment(operator, id),
        v -> json(StatusCodes.OK, RejudgmentJson.of(v, settings.zone())));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // call notification settings (着信通知, issue 4)

  /** 200 with the number's settings (the webhook secret as {@code secret_set}); 404 when it has none. */
  private Route getNotifications(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.getNotifications(operator, clientId, dialinId).thenApply(n -> {
      if (n.settings() == null) {
        throw noDocument("tracking number '" + dialinId + "' of advertiser '" + clientId + "'",
            "notification settings", n.version(), ADVERTISERS + clientId + "/numbers/" + dialinId + "/notifications");
      }
      return n;
    }), n -> json(StatusCodes.OK, NotificationsJson.of(n, settings.zone())));
  }

  /**
   * Checks the document ({@link NotificationSettingsParser}: every problem at once, each with its JSON Pointer), then
   * stores it as the number's next notification-settings version. The number is looked up first, so an unknown
   * number is 404 whatever the body.
   */
  private Route storeNotifications(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    long max = NotificationSettingsParser.MAX_DOCUMENT_BYTES;
    return jsonBody(JsonNode.class, max, document -> respond(
        () -> backend.getNumber(operator, clientId, dialinId).thenCompose(current -> {
          NotificationSettings parsed = parseDocument(() -> NotificationSettingsParser.parse(document));
          return backend.storeNotifications(operator, clientId, dialinId, parsed);
        }),
        n -> json(StatusCodes.OK, NotificationsJson.of(n, settings.zone()))));
  }

  /** 204 whether or not the number had settings; its calls notify nobody from then on. */
  private Route clearNotifications(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.clearNotifications(operator, clientId, dialinId),
        n -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /** Fails with 400 naming every forward target (queue targets too) that is a tracking number of the cluster. */
  private CompletionStage<Done> targetsAreNotTrackingNumbers(CallFlow flow) {
    List<CompletableFuture<Optional<ApiProblem.FieldError>>> checks = new ArrayList<>();
    flow.steps().forEach((id, step) -> {
      List<ForwardTarget> targets = step instanceof ForwardStep f ? f.targets()
          : step instanceof QueueStep q ? q.targets() : List.of();
      for (int i = 0; i < targets.size(); i++) {
        String pointer = "/steps/" + id + "/targets/" + i + "/to";
        PhoneNumber to = targets.get(i).to();
        checks.add(backend.isTrackingNumber(to).toCompletableFuture().thenApply(tracking -> tracking
            ? Optional.of(new ApiProblem.FieldError(pointer, to.national() + " is a tracking number of this "
                + "service; calls forwarded to it would loop through the cluster"))
            : Optional.empty()));
      }
    });
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ApiProblem.FieldError> loops = checks.stream().map(CompletableFuture::join)
          .flatMap(Optional::stream).toList();
      if (!loops.isEmpty()) {
        throw flowProblem(loops);
      }
      return Done.getInstance();
    });
  }

  private Route deleteNumber(String operator, String rawClientId, String rawDialinId) {
    String clientId = Validation.pathId(rawClientId, "client_id");
    String dialinId = Validation.pathId(rawDialinId, "dialin_id");
    return respond(() -> backend.deleteNumber(operator, clientId, dialinId),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /**
   * Completes when {@code forwardTo} is not a tracking number of the cluster; fails with 400 when it is (calls would
   * loop through the cluster). The check and the later write are separate steps: two concurrent requests can still
   * build a loop between two new numbers; the SIP gateway's Max-Forwards (RFC 3261 section 8.1.1.6) ends such a loop.
   */
  private CompletionStage<Done> notATrackingNumber(PhoneNumber forwardTo) {
    return backend.isTrackingNumber(forwardTo).thenApply(tracking -> {
      if (tracking) {
        throw Validation.withPointer(ApiProblem.invalid("forward_to: " + forwardTo.national() + " is a tracking "
            + "number of this service; calls forwarded to it would loop through the cluster"), "forward_to");
      }
      return Done.getInstance();
    });
  }

  private static void checkUnchangedNumber(TrackingNumberView current, PhoneNumber requested) {
    if (requested == null || current.number() == null || requested.e164().equals(current.number().e164())) {
      return;
    }
    throw ApiProblem.invalid("number: a tracking number cannot change (" + current.number().national() + " -> "
        + requested.national() + "); delete this one and create a new one");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // prompts

  /** Media types of WAV files in use (RFC 2361 names {@code audio/vnd.wave}; browsers send the others). */
  private static final List<String> WAV_TYPES = List.of("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave");
  private static final ContentType WAV = MediaTypes.AUDIO_WAV.toContentType();

  private Route listPrompts(String operator) {
    return respond(() -> backend.listPrompts(operator), list -> json(StatusCodes.OK, new PromptListJson(
        list.stream().map(p -> PromptJson.of(p, settings.zone())).collect(Collectors.toList()))));
  }

  private Route getPrompt(String operator, String rawName) {
    String name = Validation.promptPathName(rawName);
    return extractRequest(request -> {
      List<String> accept = new ArrayList<>();
      for (HttpHeader h : request.getHeaders()) {
        if (h.is("accept")) {
          accept.add(h.value());
        }
      }
      PromptRepresentation representation;
      try {
        representation = PromptRepresentation.negotiate(accept);
      } catch (ApiProblem p) {
        return complete(problemResponse(p, request.getUri().path()).addHeader(RawHeader.create("Vary", "Accept")));
      }
      if (representation == PromptRepresentation.AUDIO) {
        return respond(() -> backend.getPromptAudio(operator, name), a -> HttpResponse.create()
            .withEntity(HttpEntities.create(WAV, a.wav()))
            .addHeader(RawHeader.create("ETag", "\"" + a.prompt().sha256() + "\""))
            .addHeader(RawHeader.create("Vary", "Accept")));
      }
      return respond(() -> backend.getPrompt(operator, name),
          p -> json(StatusCodes.OK, PromptJson.of(p, settings.zone())).addHeader(RawHeader.create("Vary", "Accept")));
    });
  }

  /**
   * A WAV body (at most {@code maxPromptBytes}) goes to {@link ApiBackend#storePromptAudio}; a JSON {@code {"text",
   * "voice"?}} body (at most {@code max-body-bytes}) to {@link ApiBackend#storePromptText}; anything else is 415.
   */
  private Route putPrompt(String operator, String rawName) {
    String name = Validation.promptName(rawName);
    return extractRequest(request -> {
      RequestEntity entity = request.entity();
      ContentType contentType = contentTypeOf(request, "audio/wav", PROMPT_ACCEPT);
      MediaType mediaType = contentType.mediaType();
      String type = (mediaType.mainType() + "/" + mediaType.subType()).toLowerCase(Locale.ROOT);
      if (entity.isKnownEmpty()) {
        throw ApiProblem.invalid("the request body is empty; send a WAV file (Content-Type: audio/wav) or "
            + "{\"text\": \"...\"} (Content-Type: application/json)");
      }
      if (WAV_TYPES.contains(type)) {
        return wavBody(settings.maxPromptBytes(), wav -> respond(
            () -> backend.storePromptAudio(operator, name, wav), this::promptStoredResponse));
      }
      if (type.equals("application/json")) {
        requireUtf8Json(contentType, PROMPT_ACCEPT);
        // read up to the WAV limit, not the JSON one: a WAV file sent with the wrong Content-Type is told so (415)
        // instead of being called too large for JSON (413)
        return wavBody(settings.maxPromptBytes(), body -> {
          if (isRiffWave(body)) {
            throw Problems.unsupportedMediaType("the body is a WAV file but Content-Type is " + contentType
                + "; send a WAV file with Content-Type: audio/wav, or {\"text\": \"...\"} as application/json",
                PROMPT_ACCEPT);
          }
          if (body.length > settings.maxBodyBytes()) {
            throw tooLarge(body.length, settings.maxBodyBytes());
          }
          PromptTextRequest req = ApiJson.readBody(body, PromptTextRequest.class);
          String text = Validation.promptText(req.text());
          String voice = Validation.voice(req.voice());
          return respond(() -> backend.storePromptText(operator, name, text, voice), this::promptStoredResponse);
        });
      }
      throw Problems.unsupportedMediaType("Content-Type must be audio/wav (or audio/x-wav, audio/wave) for a WAV "
          + "file, or application/json for {\"text\": \"...\"}; got " + contentType, PROMPT_ACCEPT);
    });
  }

  /** The {@code Accept} of a prompt's 415: a WAV file or a JSON text prompt. */
  static final String PROMPT_ACCEPT = "audio/wav, audio/x-wav, audio/wave, audio/vnd.wave, application/json";

  /** Whether {@code body} starts like a WAV file: a RIFF chunk of form type WAVE (the RIFF/WAVE header). */
  private static boolean isRiffWave(byte[] body) {
    return body.length >= 12 && body[0] == 'R' && body[1] == 'I' && body[2] == 'F' && body[3] == 'F'
        && body[8] == 'W' && body[9] == 'A' && body[10] == 'V' && body[11] == 'E';
  }

  private HttpResponse promptStoredResponse(PromptStored stored) {
    HttpResponse response = json(stored.created() ? StatusCodes.CREATED : StatusCodes.OK,
        PromptJson.of(stored.prompt(), settings.zone()));
    return stored.created()
        ? response.addHeader(Location.create("/v1/prompts/" + stored.prompt().name()))
        : response;
  }

  private Route deletePrompt(String operator, String rawName) {
    String name = Validation.promptPathName(rawName);
    return respond(() -> backend.deletePrompt(operator, name),
        done -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /** Reads a binary body of at most {@code max} bytes (413 beyond, whatever Pekko's own max-content-length). */
  private Route wavBody(long max, Function<byte[], Route> inner) {
    return extractRequestEntity(entity -> extractMaterializer(mat -> {
      OptionalLong length = entity.getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > max) {
        throw tooLarge(length.getAsLong(), max);
      }
      CompletionStage<ByteString> bytes = entity.withSizeLimit(max).getDataBytes()
          .limitWeighted(max, b -> (long) b.size())
          .runFold(ByteString.emptyByteString(), ByteString::concat, mat);
      return onComplete(bytes, t -> {
        if (t.isFailure()) {
          Throwable cause = unwrap(t.failed().get());
          if (cause instanceof StreamLimitReachedException || cause instanceof EntityStreamSizeException) {
            throw tooLarge(-1, max);
          }
          throw ApiProblem.invalid("the request body could not be read: " + cause.getMessage());
        }
        return inner.apply(t.get().toArray());
      });
    }));
  }

  /** The representations of a prompt: its JSON metadata, or its WAV file. */
  enum PromptRepresentation {
    JSON,
    AUDIO;

    /**
     * Picks the representation for the {@code Accept} header values (RFC 9110 section 12.5.1): each type's weight is
     * the q of the most specific range that matches it ({@code audio/wav} or its aliases over {@code audio/*} over
     * {@code *}{@code /*}); JSON wins ties and is the answer without an {@code Accept} header.
     *
     * @throws ApiProblem 406 when both weights are 0; 400 for a q-value that is not a number from 0 to 1
     */
    static PromptRepresentation negotiate(List<String> acceptValues) {
      if (acceptValues.isEmpty()) {
        return JSON;
      }
      double[] json = {0, 0}; // {specificity, q}
      double[] audio = {0, 0};
      for (String value : acceptValues) {
        for (String range : value.split(",")) {
          String[] parts = range.split(";");
          String type = parts[0].strip().toLowerCase(Locale.ROOT);
          if (type.isEmpty()) {
            continue;
          }
          double q = 1;
          for (int i = 1; i < parts.length; i++) {
            String param = parts[i].strip();
            if (param.regionMatches(true, 0, "q=", 0, 2)) {
              String text = param.substring(2).strip();
              if (!text.matches("0(\\.[0-9]{0,3})?|1(\\.0{0,3})?")) {
                throw ApiProblem.invalid("Accept: q-value '" + text + "' is not a number from 0 to 1 with at most "
                    + "three decimals");
              }
              q = Double.parseDouble(text);
            }
          }
          int jsonSpecificity = type.equals("application/json") ? 3 : type.equals("application/*") ? 2
              : type.equals("*/*") ? 1 : 0;
          int audioSpecificity = WAV_TYPES.contains(type) ? 3 : type.equals("audio/*") ? 2
              : type.equals("*/*") ? 1 : 0;
          weigh(json, jsonSpecificity, q);
          weigh(audio, audioSpecificity, q);
        }
      }
      if (json[1] > 0 && json[1] >= audio[1]) {
        return JSON;
      }
      if (audio[1] > 0) {
        return AUDIO;
      }
      throw Problems.notAcceptable("a prompt is available as application/json (its metadata) or audio/wav; "
          + "Accept allows neither");
    }

    private static void weigh(double[] best, int specificity, double q) {
      if (specificity > best[0]) {
        best[0] = specificity;
        best[1] = q;
      } else if (specificity > 0 && specificity == best[0]) {
        best[1] = Math.max(best[1], q);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // call log

  private Route calls(String operator) {
    return extractRequest(request -> extractMaterializer(mat -> {
      String path = request.getUri().path();
      CallLogQuery query;
      try {
        query = CallLogQuery.parse(queryParameters(request), request.getHeaders(), clock.instant(), settings);
      } catch (ApiProblem p) {
        // any answer of this resource may depend on Accept, a refusal of the Accept header included
        // (RFC 9110 section 12.5.5); problemResponse already adds it to a 406
        HttpResponse refused = problemResponse(p, path);
        return complete(refused.getHeader("Vary").isPresent()
            ? refused : refused.addHeader(RawHeader.create("Vary", "Accept")));
      }
      CompletionStage<Pair<List<CallLogRecord>, Source<CallLogRecord, NotUsed>>> first =
          guard(() -> backend.calls(operator, query.from(), query.to())
              .prefixAndTail(1)
              .runWith(Sink.head(), mat));
      // waiting for the first record (or the end) lets a backend that fails at once get a 503 instead of a
      // 200 response that breaks off
      return onComplete(first, t -> {
        if (t.isFailure()) {
          return complete(failureResponse(t.failed().get(), path));
        }
        Source<CallLogRecord, NotUsed> records = Source.from(t.get().first())
            .concat(t.get().second())
            .filter(r -> ownedBy(operator, r))
            .filter(query.filter()::test);
        return complete(callLogResponse(query, records, path));
      });
    }));
  }

  private HttpResponse callLogResponse(CallLogQuery query, Source<CallLogRecord, NotUsed> records, String path) {
    Source<ByteString, NotUsed> body;
    ContentType contentType;
    switch (query.format()) {
      case CSV:
        contentType = CSV;
        body = CallLogStreams.delimited(records, rowRenderer, DelimitedWriter.csv(), query.logvars());
        break;
      case TSV:
        contentType = TSV;
        body = CallLogStreams.delimited(records, rowRenderer, DelimitedWriter.tsv(), query.logvars());
        break;
      default:
        contentType = ContentTypes.APPLICATION_JSON;
        body = CallLogStreams.json(records, rowRenderer,
            ApiTimes.iso(query.from(), settings.zone()), ApiTimes.iso(query.to(), settings.zone()));
        break;
    }
    body = body.watchTermination((notUsed, done) -> {
      done.whenComplete((d, e) -> {
        if (e != null) {
          log.warn("call-log response for {} broke off: {}", path, e.toString(), e);
        }
      });
      return notUsed;
    });
    // the representation depends on Accept when format is absent (RFC 9110 section 12.5.5)
    HttpResponse response = HttpResponse.create()
        .withEntity(HttpEntities.createChunked(contentType, body))
        .addHeader(RawHeader.create("Vary", "Accept"));
    if (query.format() != CallLogFormat.JSON) {
      String file = "calls-" + FILE_TIME.format(query.from().atZone(settings.zone())) + "-"
          + FILE_TIME.format(query.to().atZone(settings.zone())) + "." + query.format().code();
      response = response.addHeader(RawHeader.create("Content-Disposition", "attachment; filename=\"" + file + "\""));
    }
    return response;
  }

  private static boolean ownedBy(String operator, CallLogRecord r) {
    if (operator.equals(r.operatorId())) {
      return true;
    }
    // the backend must never hand out another operator's call; drop it rather than leak it
    log.error("backend returned call {} of another operator to operator {}; dropped", r.trnId(), operator);
    return false;
  }

  private static List<Map.Entry<String, String>> queryParameters(HttpRequest request) {
    List<Map.Entry<String, String>> params = new ArrayList<>();
    for (Pair<String, String> p : request.getUri().query().toList()) {
      params.add(new AbstractMap.SimpleImmutableEntry<>(p.first(), p.second()));
    }
    return params;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // directives

  /**
   * {@code inner}, unless the request's body headers are refused ({@link #bodyHeaderProblem}): a content coding is 415
   * with {@code Accept-Encoding: identity} (RFC 9110 section 12.5.3; every body of the API is read as sent: a gzip
   * body used to be read as JSON, 400 "malformed JSON" or "not UTF-8", and a compressed CSV import or WAV prompt would
   * have been judged by its compressed bytes), a second Content-Type is 400. Checked after the API key, like the
   * other body checks.
   */
  private Route identityBodies(Supplier<Route> inner) {
    return extractRequest(request -> {
      ApiProblem problem = bodyHeaderProblem(request);
      if (problem != null) {
        throw problem;
      }
      return inner.get();
    });
  }

  /**
   * What is wrong with the body headers of {@code request}, or null (also for a request without a body):
   * <ul>
   *   <li>a {@code Content-Encoding} other than {@code identity} (RFC 9110 section 8.4; codings are case-insensitive):
   *       415, {@link Problems#unsupportedContentEncoding};
   *   <li>more than one {@code Content-Type} header (section 8.3 defines one media type per message; Pekko takes the
   *       first it can parse and leaves the others raw, so {@code Content-Type: application/json} followed by {@code
   *       Content-Type: application/json; charset=} read as the first alone): 400.
   * </ul>
   * Read by the keyed routes ({@link #identityBodies}), by the JS tag's endpoint ({@link DniApi}, after its origin
   * check, with its CORS grant) and by {@link PoolApi#assignDirect} (which leaves such requests to the route).
   */
  static ApiProblem bodyHeaderProblem(HttpRequest request) {
    String coded = null;
    int rawTypes = 0;
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("content-type")) {
        rawTypes++; // a Content-Type Pekko parsed is the entity's, not in this list
      } else if (h.is("content-encoding")) {
        for (String c : h.value().split(",", -1)) {
          String t = c.trim();
          if (!t.isEmpty() && !t.equalsIgnoreCase("identity")) {
            coded = coded == null ? h.value().trim() : coded + ", " + h.value().trim();
            break;
          }
        }
      }
    }
    if ((coded == null && rawTypes == 0) || request.entity().isKnownEmpty()) {
      return null;
    }
    if (coded != null) {
      return Problems.unsupportedContentEncoding("the request body has Content-Encoding: " + coded + "; send it "
          + "uncompressed (no Content-Encoding, or identity)");
    }
    boolean parsed = !request.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_OCTET_STREAM);
    if (rawTypes + (parsed ? 1 : 0) > 1) {
      return ApiProblem.invalid("the Content-Type header is given " + (rawTypes + (parsed ? 1 : 0)) + " times; send "
          + "it once");
    }
    return null;
  }

  /** The detail of the 401 to a key the backend does not know. */
  static final String UNKNOWN_KEY = "the API key is unknown or revoked";

  /**
   * The API key of the request's one {@code Authorization: Bearer <key>} header (RFC 6750 section 2.1, {@link
   * CharRules#bearerToken}); null when there is no such header, more than one, or it is not a well-formed Bearer
   * credential. Read by the route ({@link #authenticated}) and by {@link PoolApi#assignDirect}.
   */
  static String bearerTokenOf(HttpRequest request) {
    String token = null;
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("authorization")) {
        if (token != null) {
          return null;
        }
        token = CharRules.bearerToken(h.value());
        if (token == null) {
          return null;
        }
      }
    }
    return token;
  }

  /** Resolves the bearer token to the operator id, or completes with 401. */
  private Route authenticated(Function<String, Route> inner) {
    return extractRequest(request -> {
      String token = bearerTokenOf(request);
      if (token == null) {
        throw request.getHeader("authorization").isEmpty()
            ? Problems.unauthorized("Authorization header missing; send 'Authorization: Bearer <api key>'")
            : Problems.unauthorized("Authorization header malformed; send exactly one 'Authorization: Bearer <api key>'");
      }
      String path = request.getUri().path();
      return onComplete(guard(() -> backend.authenticate(token)), t -> {
        if (t.isFailure()) {
          return complete(failureResponse(t.failed().get(), path));
        }
        Optional<String> operator = t.get();
        if (operator == null || operator.isEmpty()) {
          throw Problems.unauthorized(UNKNOWN_KEY);
        }
        return inner.apply(operator.get());
      });
    });
  }

  /** A JSON document body of at most {@code max} bytes ({@code max-body-bytes} when {@code max < 0}); 413 beyond. */
  private Route jsonDocument(long max, Function<JsonNode, Route> inner) {
    return jsonBody(JsonNode.class, max < 0 ? settings.maxBodyBytes() : max, inner);
  }

  /** Reads a JSON request body of at most {@code max-body-bytes} into {@code type}, strictly. */
  private <T> Route jsonBody(Class<T> type, Function<T, Route> inner) {
    return jsonBody(type, settings.maxBodyBytes(), inner);
  }

  /**
   * Reads a JSON body of at most {@code max} bytes (413 beyond) into {@code type} (400 when it does not fit). A body
   * that arrived whole ({@link HttpEntity.Strict}, what small requests are) is read from its bytes directly; others
   * are collected from their stream.
   */
  private <T> Route jsonBody(Class<T> type, long max, Function<T, Route> inner) {
    return extractRequest(request -> {
      RequestEntity entity = request.entity();
      if (entity.isKnownEmpty()) {
        throw ApiProblem.invalid("the request body is empty; send a JSON object with Content-Type: application/json");
      }
      Optional<String> unparsed = unparsedContentType(request);
      if (unparsed.isPresent()) {
        requireJsonContentType(unparsed.get());
      } else {
        if (!isJson(entity.getContentType().mediaType())) {
          throw Problems.unsupportedMediaType(
              "Content-Type must be application/json, got " + entity.getContentType(), Problems.ACCEPT_JSON);
        }
        requireUtf8Json(entity.getContentType());
      }
      OptionalLong length = entity.getContentLengthOption();
      if (length.isPresent() && length.getAsLong() > max) {
        throw tooLarge(length.getAsLong(), max);
      }
      if (entity instanceof HttpEntity.Strict strict) {
        // its length is known and within max (checked above): what the stream below would collect
        return inner.apply(ApiJson.readBody(strict.getData().toArray(), type));
      }
      return streamedJsonBody(entity, type, max, inner);
    });
  }

  /** Whether {@code mediaType} is {@code application/json}. */
  static boolean isJson(MediaType mediaType) {
    return mediaType.mainType().equals("application") && mediaType.subType().equals("json");
  }

  /**
   * Whether a body of {@code contentType} passes {@link #jsonBody}'s Content-Type checks: {@link #isJson} and no
   * charset or a UTF-8 one ({@link #requireUtf8Json}'s rule).
   */
  static boolean isUtf8Json(ContentType contentType) {
    return isJson(contentType.mediaType())
        && (contentType.getCharsetOption().isEmpty() || isUtf8(contentType.getCharsetOption().get().value()));
  }

  /**
   * The request's Content-Type header as sent when Pekko could not parse it (it then models the body as {@code
   * application/octet-stream} and keeps the header raw), e.g. {@code application/json;} with an empty parameter,
   * which RFC 9110 section 5.6.6 allows but Pekko's parser refuses, or {@code application/json; charset=}.
   */
  static Optional<String> unparsedContentType(HttpRequest request) {
    if (!request.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_OCTET_STREAM)) {
      return Optional.empty();
    }
    for (HttpHeader h : request.getHeaders()) {
      if (h.is("content-type")) {
        return Optional.of(h.value());
      }
    }
    return Optional.empty();
  }

  /**
   * Checks a Content-Type that Pekko could not parse ({@link #unparsedContentType}) as this API's JSON: the media
   * type {@code application/json} (any case) with empty parameters skipped (RFC 9110 section 5.6.6: {@code
   * *( OWS ";" OWS [ parameter ] )}) and a charset, if any, that is UTF-8 ({@link #requireUtf8Json}'s rule).
   *
   * @throws ApiProblem 400 naming the header when a parameter is not {@code name=value} (e.g. {@code charset=}); 415
   *     when the media type is another one or the charset is not UTF-8
   */
  static void requireJsonContentType(String raw) {
    String media = raw.split(";", -1)[0].trim();
    if (!media.equalsIgnoreCase("application/json")) {
      throw Problems.unsupportedMediaType("Content-Type must be application/json, got '" + raw + "'",
          Problems.ACCEPT_JSON);
    }
    for (String[] parameter : contentTypeParameters(raw, "application/json")) {
      if (parameter[0].equalsIgnoreCase("charset") && !isUtf8(parameter[1])) {
        throw Problems.unsupportedMediaType("only UTF-8 JSON is accepted (RFC 8259 section 8.1); Content-Type names "
            + "charset " + parameter[1] + ": send the body as UTF-8 with Content-Type: application/json "
            + "(or application/json; charset=utf-8)", Problems.ACCEPT_JSON);
      }
    }
  }

  /**
   * The parameters of a raw Content-Type header after its media type, as {@code {name, value}} (trimmed, a quoted
   * value unquoted), empty ones skipped (RFC 9110 section 5.6.6: {@code *( OWS ";" OWS [ parameter ] )}).
   *
   * @param example the Content-Type the 400 suggests
   * @throws ApiProblem 400 naming the header when a parameter is not {@code name=value} (e.g. {@code charset=})
   */
  private static List<String[]> contentTypeParameters(String raw, String example) {
    String[] parts = raw.split(";", -1);
    List<String[]> out = new ArrayList<>();
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String name = eq < 0 ? parameter : parameter.substring(0, eq).trim();
      String value = eq < 0 ? "" : parameter.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (name.isEmpty() || value.isEmpty()) {
        throw ApiProblem.invalid("the Content-Type header '" + raw + "' has a parameter without a value ('"
            + parameter + "', RFC 9110 section 5.6.6); send Content-Type: " + example);
      }
      out.add(new String[] {name, value});
    }
    return out;
  }

  /**
   * The Content-Type of {@code request}'s body as sent: the entity's, or, when Pekko could not parse the header
   * ({@link #unparsedContentType}: it then models the body as {@code application/octet-stream}), the header read
   * again without its empty parameters, e.g. {@code text/plain;} as {@code text/plain} (RFC 9110 section 5.6.6 allows
   * them). For the bodies that are not only JSON (the inventory import, a prompt), whose 415 would otherwise say "got
   * application/octet-stream" for a header that named their type.
   *
   * @param example the Content-Type a 400 or 415 suggests
   * @param accept the media types the resource takes, for the {@code Accept} of a 415
   * @throws ApiProblem 400 naming the header when a parameter has no value; 415 when the header is not a media type
   */
  static ContentType contentTypeOf(HttpRequest request, String example, String accept) {
    Optional<String> raw = unparsedContentType(request);
    if (raw.isEmpty()) {
      return request.entity().getContentType();
    }
    String media = raw.get().split(";", -1)[0].trim();
    List<String[]> parameters = contentTypeParameters(raw.get(), example);
    if (media.equalsIgnoreCase("application/json")) {
      // Pekko's own application/json has a fixed charset and would drop a charset parameter, so that a body declared
      // charset=latin1 would be read as UTF-8: keep it for the UTF-8 check (the server parses JSON_WITH_CHARSET)
      for (String[] parameter : parameters) {
        if (parameter[0].equalsIgnoreCase("charset")) {
          return JSON_WITH_CHARSET.toContentType(HttpCharsets.custom(parameter[1]));
        }
      }
      return JSON_WITH_CHARSET.toContentTypeWithMissingCharset();
    }
    StringBuilder cleaned = new StringBuilder(media);
    for (String[] parameter : parameters) {
      cleaned.append("; ").append(parameter[0]).append('=').append(quotedIfNeeded(parameter[1]));
    }
    try {
      return org.apache.pekko.http.javadsl.model.ContentTypes.parse(cleaned.toString());
    } catch (RuntimeException e) {
      // not a media type at all: another type than the ones the resource takes, as the JSON resources answer it
      throw Problems.unsupportedMediaType("the Content-Type header '" + raw.get() + "' is not a media type (RFC 9110 "
          + "section 8.3); send Content-Type: " + example, accept);
    }
  }

  /** {@code value} as a parameter value: as it is when it is a token (RFC 9110 section 5.6.2), else quoted. */
  private static String quotedIfNeeded(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (!CharRules.isTchar(value.charAt(i))) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
      }
    }
    return value;
  }

  /**
   * Refuses (415, {@link Problems#unsupportedMediaType}) a JSON body whose Content-Type names a charset other than
   * UTF-8 ({@code application/json; charset=latin1}): JSON text exchanged between systems must be UTF-8 (RFC 8259
   * section 8.1), and reading it as UTF-8 would garble it or refuse it as malformed. {@code charset=utf-8} in any
   * case (or an alias of it such as {@code utf8}, {@link #isUtf8}), and no charset, pass. Every JSON request body is checked here: {@link #jsonBody} (all the JSON endpoints
   * of the routes, including those of {@link PoolApi}, {@link DniApi}, {@link CallbackApi}, {@link
   * OperatorSettingsApi}), the text prompt of {@code PUT /v1/prompts/{name}} and {@link InventoryApi}'s JSON import.
   * The charset is seen only with {@link #serverSettings} (Pekko's default model of application/json drops it).
   *
   * @param contentType the request entity's Content-Type, known to be {@code application/json}
   * @throws ApiProblem 415
   */
  static void requireUtf8Json(ContentType contentType) {
    requireUtf8Json(contentType, Problems.ACCEPT_JSON);
  }

  /**
   * {@link #requireUtf8Json(ContentType)} for a resource that takes more than JSON: its 415 answers {@code Accept:
   * <accept>} (e.g. the inventory import's JSON and text, a prompt's WAV and JSON).
   */
  static void requireUtf8Json(ContentType contentType, String accept) {
    Optional<HttpCharset> charset = contentType.getCharsetOption();
    if (charset.isPresent() && !isUtf8(charset.get().value())) {
      throw Problems.unsupportedMediaType("only UTF-8 JSON is accepted (RFC 8259 section 8.1); Content-Type names "
          + "charset " + charset.get().value() + ": send the body as UTF-8 with Content-Type: application/json "
          + "(or application/json; charset=utf-8)", accept);
    }
  }

  /**
   * Whether a body in charset {@code name} is UTF-8 text: {@code utf-8} in any case or one of its registered aliases
   * ({@code utf8}), or US-ASCII (a subset of UTF-8, RFC 8259 section 8.1).
   */
  static boolean isUtf8(String name) {
    try {
      java.nio.charset.Charset c = java.nio.charset.Charset.forName(name);
      return c.equals(java.nio.charset.StandardCharsets.UTF_8) || c.equals(java.nio.charset.StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) { // illegal or unsupported charset name
      return false;
    }
  }

  private <T> Route streamedJsonBody(RequestEntity entity, Class<T> type, long max, Function<T, Route> inner) {
    return extractMaterializer(mat -> onComplete(collectBody(entity, max, mat), t -> {
      if (t.isFailure()) {
        throw (ApiProblem) unwrap(t.failed().get());
      }
      return inner.apply(ApiJson.readBody(t.get().toArray(), type));
    }));
  }

  /**
   * The bytes of a body that did not arrive whole, at most {@code max} of them; fails with the problem of the route:
   * 413 beyond {@code max}, 400 "the request body could not be read: ..." when the stream fails.
   */
  static CompletionStage<ByteString> collectBody(RequestEntity entity, long max,
      org.apache.pekko.stream.Materializer mat) {
    return entity.getDataBytes()
        .limitWeighted(max, b -> (long) b.size())
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .handle((bytes, failure) -> {
          if (failure == null) {
            return bytes;
          }
          Throwable cause = unwrap(failure);
          if (cause instanceof StreamLimitReachedException || cause instanceof EntityStreamSizeException) {
            throw tooLarge(-1, max);
          }
          throw ApiProblem.invalid("the request body could not be read: " + cause.getMessage());
        });
  }

  private static ApiProblem tooLarge(long length, long max) {
    return Problems.payloadTooLarge("the request body " + (length >= 0 ? "has " + length + " bytes; " : "is ")
        + "larger than the limit of " + max + " bytes");
  }

  /** Runs a backend call and renders its result; failures become problem responses. */
  private <T> Route respond(Supplier<CompletionStage<T>> call, Function<T, HttpResponse> render) {
    return extractUri(uri -> onComplete(guard(call), t -> t.isSuccess()
        ? complete(render.apply(t.get()))
        : complete(failureResponse(t.failed().get(), uri.path()))));
  }

  private static <T> CompletionStage<T> guard(Supplier<CompletionStage<T>> call) {
    try {
      CompletionStage<T> stage = call.get();
      return stage != null ? stage : CompletableFuture.failedFuture(new IllegalStateException("backend returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // responses

  private static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, ApiJson.writeBytes(body)));
  }

  /** A backend failure: its {@link ApiProblem}, or 503 for anything else. */
  private static HttpResponse failureResponse(Throwable failure, String path) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ApiProblem) {
      return problemResponse((ApiProblem) cause, path);
    }
    log.warn("the cluster could not answer {}: {}", path, cause.toString(), cause);
    return problemResponse(Problems.unavailable("the cluster could not answer in time; retry later"), path);
  }

  /**
   * The problem+json response of {@code problem} on the request to {@code instance}. 401 responses carry {@code
   * WWW-Authenticate: Bearer realm="hankyo"}.
   */
  static HttpResponse problemResponse(ApiProblem problem, String instance) {
    Optional<StatusCode> status = problem.status() >= 400 && problem.status() <= 599
        ? StatusCodes.lookup(problem.status())
        : Optional.empty();
    if (status.isEmpty()) {
      log.error("problem with an unusable status {} rendered as 500: {}", problem.status(), problem.detail());
      status = Optional.of(StatusCodes.INTERNAL_SERVER_ERROR);
    }
    ProblemJson body = new ProblemJson(problem.type(), problem.title(), status.get().intValue(), problem.detail(),
        instance, problem.errors().isEmpty() ? null : problem.errors());
    HttpResponse response = HttpResponse.create()
        .withStatus(status.get())
        .withEntity(HttpEntities.create(PROBLEM_CONTENT_TYPE, ApiJson.writeBytes(body)));
    if (status.get().intValue() == 401) {
      response = response.addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "hankyo")));
    }
    if (problem.accept() != null) {
      // a 415 names the media types the resource takes (RFC 9110 section 12.5.1)
      response = response.addHeader(RawHeader.create("Accept", problem.accept()));
    }
    if (Problems.UNSUPPORTED_CONTENT_ENCODING.equals(problem.type())) {
      // the content codings a next request may use (RFC 9110 section 12.5.3)
      response = response.addHeader(RawHeader.create("Accept-Encoding", "identity"));
    }
    if (status.get().intValue() == 406) {
      // a 406 is the outcome of negotiating on Accept, like the 200 it replaces (RFC 9110 section 12.5.5)
      response = response.addHeader(RawHeader.create("Vary", "Accept"));
    }
    return response;
  }

  private HttpResponse timeoutResponse(HttpRequest request) {
    log.warn("{} {} timed out", request.method().value(), request.getUri().path());
    return problemResponse(Problems.unavailable("the request timed out; retry later"), request.getUri().path());
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> extractUri(uri -> complete(exceptionResponse(e, uri.path()))))
        .build();
  }

  private HttpResponse exceptionResponse(Throwable e, String path) {
    Throwable cause = unwrap(e);
    if (cause instanceof ApiProblem) {
      return problemResponse((ApiProblem) cause, path);
    }
    if (cause instanceof EntityStreamSizeException || cause instanceof StreamLimitReachedException) {
      return problemResponse(tooLarge(-1, settings.maxBodyBytes()), path);
    }
    if (cause instanceof IllegalRequestException) {
      IllegalRequestException ire = (IllegalRequestException) cause;
      return problemResponse(Problems.generic(ire.status().intValue(), ire.status().reason(),
          ire.info().formatPretty()), path);
    }
    if (cause instanceof ExceptionWithErrorInfo) {
      // e.g. IllegalUriException for a malformed query string
      return problemResponse(ApiProblem.invalid(((ExceptionWithErrorInfo) cause).info().formatPretty()), path);
    }
    log.error("unexpected error on {}", path, cause);
    return problemResponse(Problems.internal("unexpected error; it has been logged"), path);
  }

  /** Marks a response of Pekko's default rejection handler for {@link #rejectionAsProblem} (never sent). */
  private static final String REWRITE_MARK = "x-hankyo-rejection-rewrite";

  /**
   * The rejection handler of {@link #route()}, built once (building it per request was a large part of the route's
   * allocation): 405 with {@code Allow}, 404, and Pekko's default handler for the rest, whose text/plain responses
   * carry {@link #REWRITE_MARK} so that {@link #rejectionAsProblem} rewrites them as problem+json with the request's
   * path as {@code instance}.
   */
  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejections -> extractUri(uri -> {
          String path = uri.path();
          // HEAD is answered wherever GET is (transparent-head-requests), so Allow names it too (RFC 9110 10.2.1)
          List<HttpMethod> supported = new ArrayList<>();
          rejections.stream().map(MethodRejection::supported).distinct().forEach(supported::add);
          if (supported.contains(HttpMethods.GET) && !supported.contains(HttpMethods.HEAD)) {
            supported.add(supported.indexOf(HttpMethods.GET) + 1, HttpMethods.HEAD);
          }
          HttpMethod[] allowed = supported.toArray(HttpMethod[]::new);
          String names = supported.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
          return extractMethod(method -> complete(problemResponse(Problems.methodNotAllowed(
                  method.name() + " is not allowed on " + path + "; allowed: " + names), path)
              .addHeader(Allow.create(allowed))));
        }))
        .handleNotFound(extractUri(uri -> complete(problemResponse(Problems.noSuchResource(uri.path()), uri.path()))))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(response -> response.entity().getContentType().mediaType().equals(PROBLEM_JSON)
            ? response : response.addHeader(RawHeader.create(REWRITE_MARK, "1")));
  }

  /** {@code response} rewritten by {@link #asProblem} when {@link #rejectionHandler()} marked it, else itself. */
  private static HttpResponse rejectionAsProblem(HttpResponse response, String path) {
    if (response.getHeader(REWRITE_MARK).isEmpty()) {
      return response;
    }
    return asProblem(response, path);
  }

  /** Rewrites a response of Pekko's default rejection handler (text/plain) as problem+json. */
  private static HttpResponse asProblem(HttpResponse response, String path) {
    HttpEntity entity = response.entity();
    if (entity.getContentType().mediaType().equals(PROBLEM_JSON)) {
      return response;
    }
    String detail = entity instanceof HttpEntity.Strict
        ? ((HttpEntity.Strict) entity).getData().decodeString(StandardCharsets.UTF_8)
        : response.status().defaultMessage();
    int status = response.status().intValue();
    ApiProblem problem = Problems.forStatus(status, response.status().reason(), detail);
    HttpResponse rewritten = problemResponse(problem, path);
    for (HttpHeader h : response.getHeaders()) {
      if ((!h.is("www-authenticate") || status != 401) && !h.is(REWRITE_MARK)) {
        rewritten = rewritten.addHeader(h);
      }
    }
    return rewritten;
  }

  private static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
