package io.hankyo.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.hankyo.api.HttpApi;
import io.hankyo.api.HttpApiSettings;
import io.hankyo.node.api.ClusterApiBackend;
import io.hankyo.node.call.Call;
import io.hankyo.node.call.CallCharges;
import io.hankyo.node.call.CallOutcomes;
import io.hankyo.node.call.CallSequence;
import io.hankyo.node.call.CassandraCallerHistory;
import io.hankyo.node.call.CassandraOpenCalls;
import io.hankyo.node.call.OpenCallSweeper;
import io.hankyo.node.call.ClusterCallControl;
import io.hankyo.node.calllog.CallLogProjection;
import io.hankyo.node.notify.CallNotificationPayload;
import io.hankyo.node.notify.EmailSender;
import io.hankyo.node.notify.EmailTransport;
import io.hankyo.node.notify.HttpWebhookSender;
import io.hankyo.node.notify.NotificationHandover;
import io.hankyo.node.notify.NotificationProjection;
import io.hankyo.node.notify.RetryPolicy;
import io.hankyo.node.notify.SmppSettings;
import io.hankyo.node.notify.SmsSender;
import io.hankyo.node.notify.SmsTransport;
import io.hankyo.node.notify.SmtpSettings;
import io.hankyo.node.notify.WebhookDelivery;
import io.hankyo.node.calllog.CassandraCallLog;
import io.hankyo.node.calllog.RecentDirectWrites;
import io.hankyo.node.cassandra.DevelopmentSchema;
import io.hankyo.node.cassandra.EmbeddedCassandra;
import io.hankyo.node.directory.Advertiser;
import io.hankyo.node.directory.ApiKey;
import io.hankyo.node.directory.DirectoryBootstrap;
import io.hankyo.node.directory.NumberRoutes;
import io.hankyo.node.callback.ClusterCallbackBackend;
import io.hankyo.node.callback.CallbackPool;
import io.hankyo.node.callback.LeaseResult;
import io.hankyo.node.callback.ShardedCallbackNumbers;
import io.hankyo.node.directory.Operator;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.node.metrics.NodeMetrics;
import io.hankyo.node.prompt.EspeakSynthesizer;
import io.hankyo.node.prompt.PromptStore;
import io.hankyo.node.prompt.QueuePositionPrompts;
import io.hankyo.node.queue.CallQueue;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.sip.SipGateway;
import io.hankyo.sip.SipGatewaySettings;
import io.hankyo.sip.media.JitterHistogram;
import io.hankyo.sip.media.MediaSettings;
import io.hankyo.sip.media.WavPromptLoader;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hankyo node: one member of the Pekko cluster with its HTTP API, SIP gateway and (by default) an embedded Cassandra.
 *
 * <p>Start order: embedded Cassandra (when {@code hankyo.cassandra.embedded.enabled}) → actor system and cluster join
 * (itself when no seed nodes are configured) → read-side schema (when {@code hankyo.cassandra.auto-create}) → sharded
 * entities, the call-log projection and the open-call sweeper → Pekko Management (health) → bootstrap operator → HTTP → SIP.
 *
 * <p>Stop order, through CoordinatedShutdown (Ctrl-C, SIGTERM, {@link #close()}): SIP stops taking new calls
 * ({@code before-service-unbind}), HTTP unbinds ({@code service-unbind}), live calls drain ({@code
 * service-requests-done}), SIP stack closes ({@code service-stop}), the cluster is left, the actor system ends, and
 * then the embedded Cassandra stops.
 */
public final class HankyoNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HankyoNode.class);

  private final ActorSystem<Void> system;
  private final EmbeddedCassandra cassandra;
  private final ServerBinding http;
  private final SipGateway sip;
  private final ClusterCallControl callControl;
  private final Optional<String> generatedApiKey;

  private HankyoNode(
      ActorSystem<Void> system,
      EmbeddedCassandra cassandra,
      ServerBinding http,
      SipGateway sip,
      ClusterCallControl callControl,
      Optional<String> generatedApiKey) {
    this.system = system;
    this.cassandra = cassandra;
    this.http = http;
    this.sip = sip;
    this.callControl = callControl;
    this.generatedApiKey = generatedApiKey;
  }

  /**
   * The JVM property that sizes {@code ForkJoinPool.commonPool()}. On a 2-core machine its default parallelism is 1,
   * and then every async step of a {@code CompletableFuture} without an executor runs on a NEW thread
   * ({@code CompletableFuture.ThreadPerTaskExecutor}); Scala's CompletionStage adapters (every Pekko ask, every
   * Cassandra session call) compose asynchronously, so a call would start several threads. Measured: at 50 calls/s
   * this alone saturated both cores.
   */
  public static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /** Entry point: {@code java io.hankyo.node.HankyoNode}; configuration from application.conf, -D and env. */
  public static void main(String[] args) {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(COMMON_POOL_PARALLELISM,
          Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
    // Logging stops last: after the actor system has terminated (coordinated shutdown, driven by Pekko's own JVM
    // hook, logs the drain, HTTP unbind and Cassandra stop), the asynchronous appender's queue is written out. A
    // logback shutdown hook would stop logging at once, concurrently with that shutdown, and lose all of it.
    AtomicReference<ActorSystem<Void>> running = new AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      ActorSystem<Void> sys = running.get();
      if (sys != null) {
        try {
          sys.getWhenTerminated().toCompletableFuture().get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
          // stop logging anyway
        }
      }
      if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
        context.stop();
      }
    }, "hankyo-logging-stop"));
    HankyoNode node;
    try {
      node = start(ConfigFactory.load(), running::set);
    } catch (RuntimeException e) {
      log.error("Hankyo node failed to start: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    node.generatedApiKey.ifPresent(key -> System.out.println(
        "\n*** Bootstrap operator created. Its API key (shown once, keep it): " + key + "\n"));
    System.out.println("Hankyo node is up: HTTP " + node.httpAddress() + ", SIP " + node.sipDescription());
    node.system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * Starts a node and returns when it serves HTTP and SIP.
   *
   * @param config the full configuration (application.conf + overrides)
   * @throws IllegalStateException when a part fails to start (everything started so far is stopped again); with
   *     {@code pekko.coordinated-shutdown.exit-jvm = on} (the node's default) the JVM exits with status 1 instead,
   *     after logging why
   */
  public static HankyoNode start(Config config) {
    return start(config, system -> { });
  }

  /** As {@link #start(Config)}, telling {@code created} the actor system as soon as it exists (main's log flush). */
  static HankyoNode start(Config config, java.util.function.Consumer<ActorSystem<Void>> created) {
    if (java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() < 2) {
      log.warn("ForkJoinPool.commonPool() has parallelism {}: every async CompletableFuture step will start a new "
          + "thread. Start the JVM with -D{}=4", java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
          COMMON_POOL_PARALLELISM);
    }
    EmbeddedCassandra cassandra = null;
    ActorSystem<Void> system = null;
    try {
      Config hankyo = config.getConfig("hankyo");
      if (hankyo.getBoolean("cassandra.embedded.enabled")) {
        cassandra = new EmbeddedCassandra(EmbeddedCassandra.Settings.fromConfig(config));
        cassandra.start();
        config = ConfigFactory.parseString("datastax-java-driver.basic.contact-points = [\""
                + cassandra.contactPoint().getHostString() + ":" + cassandra.contactPoint().getPort() + "\"]\n"
                + "datastax-java-driver.basic.load-balancing-policy.local-datacenter = \""
                + cassandra.localDatacenter() + "\"")
            .withFallback(config);
      }
      system = ActorSystem.create(Behaviors.empty(), "hankyo", config);
      created.accept(system);
      final ActorSystem<Void> sys = system;
      Cluster cluster = Cluster.get(system);
      if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()
          && hankyo.getBoolean("cluster.join-self-when-no-seeds")) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }

      Duration askTimeout = hankyo.getDuration("calls.ask-timeout");
      Duration startTimeout = Duration.ofSeconds(60);
      CallerNumberCipher cipher = PrivacyConfig.cipher(hankyo.getConfig("privacy"));

      CassandraSession session = CassandraSessionRegistry.get(system)
          .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
      String readKeyspace = hankyo.getString("cassandra.read-side-keyspace");
      if (hankyo.getBoolean("cassandra.auto-create")) {
        DevelopmentSchema.create(sys, session, readKeyspace, hankyo.getInt("cassandra.replication-factor"))
            .toCompletableFuture()
            .get(startTimeout.toSeconds(), TimeUnit.SECONDS);
      }
      ObjectMapper json = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
      CassandraCallLog callLog = new CassandraCallLog(session, readKeyspace, json);

      ClusterSharding sharding = ClusterSharding.get(system);
      Operator.init(sharding);
      ApiKey.init(sharding);
      Advertiser.init(sharding);
      TrackingNumber.init(sharding);
      CallSequence.init(sharding);
      CallQueue.init(sharding);
      int tagCount = hankyo.getInt("calls.tag-count");
      // The entities' direct writes are remembered for a while so that the projection does not write those rows
      // again (one Cassandra row write less per call; RecentDirectWrites).
      RecentDirectWrites rowWriter = new RecentDirectWrites(callLog, Duration.ofMinutes(2), 100_000);
      // calls left open by a crashed node: indexed by their entities, woken by the sweeper so they end themselves
      CassandraOpenCalls openCalls = new CassandraOpenCalls(session, readKeyspace);
      // the duplicate index of the valid-call judgment (issue 4): read and written only by calls to numbers whose
      // judgment rules have a duplicate rule
      CassandraCallerHistory callerHistory = new CassandraCallerHistory(session, readKeyspace);
      // SMS (issue 4): the SMS channel and the SMS to the caller exist only with an SMSC (hankyo.notify.smpp.host)
      SmppSettings smpp = SmppSettings.fromConfig(config);
      // stored recordings by operator and day (issue 4), read by the recording retention sweeper
      io.hankyo.node.recording.CassandraRecordingIndex recordingIndex =
          new io.hankyo.node.recording.CassandraRecordingIndex(session, readKeyspace);
      Call.init(sharding, new Call.Dependencies(new CallOutcomes(CallCharges.defaults(), smpp.enabled()), rowWriter,
          tagCount,
          Call.Queues.sharded(sharding), openCalls, callerHistory,
          positive(hankyo, "judgment.lookup-timeout"), recordingIndex));
      CallLogProjection.init(system, rowWriter, tagCount);
      OpenCallSweeper.init(system, sharding, openCalls,
          OpenCallSweeper.Settings.fromConfig(hankyo.getConfig("calls.sweeper")));

      // the delivery log's listing (issue 4): written by the delivery entities, read by the API
      io.hankyo.node.notify.CassandraDeliveryIndex deliveryIndex =
          new io.hankyo.node.notify.CassandraDeliveryIndex(session, readKeyspace, json);
      initNotifications(sys, sharding, hankyo.getConfig("notify"), SmtpSettings.fromConfig(config), json, cipher,
          new NumberRoutes(system, sharding, askTimeout), tagCount, smpp, askTimeout, deliveryIndex);

      PekkoManagement.get(system).start().toCompletableFuture().get(startTimeout.toSeconds(), TimeUnit.SECONDS);

      String envKey = hankyo.getString("bootstrap.api-key");
      Optional<String> envApiKey = envKey.isBlank() ? Optional.empty() : Optional.of(envKey);
      // Idempotent, so retried: on a fresh cluster the first asks may time out while sharding settles.
      Optional<String> generated = Patterns.retry(
              () -> DirectoryBootstrap.ensureBootstrapOperator(sys, sharding, envApiKey, askTimeout.multipliedBy(3)),
              10, Duration.ofMillis(500), Duration.ofSeconds(5), 0.2, system.classicSystem())
          .toCompletableFuture()
          .get(startTimeout.toSeconds() * 2, TimeUnit.SECONDS);

      Config promptConfig = hankyo.getConfig("prompts");
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
      PromptStore prompts = new PromptStore(session, readKeyspace,
          WavPromptLoader.of(MediaSettings.fromConfig(config)), blocking,
          promptConfig.getInt("cache-size"), promptConfig.getDuration("cache-ttl"));
      EspeakSynthesizer speech = new EspeakSynthesizer(promptConfig.getString("espeak-ng"),
          promptConfig.getDuration("synthesis-timeout"), promptConfig.getString("default-voice"));
      if (!speech.available()) {
        log.warn("espeak-ng ('{}') is not installed: text prompts will be refused with 503 (apt-get install "
            + "espeak-ng)", promptConfig.getString("espeak-ng"));
      }
      // callback tracking (issue 4): leased callback numbers route to the missed call's caller
      ShardedCallbackNumbers callbacks = new ShardedCallbackNumbers(sharding, askTimeout, Clock.systemUTC());
      ClusterApiBackend backend = new ClusterApiBackend(
          system, sharding, askTimeout, callLog, cipher, prompts, speech, blocking);
      // re-judgment (issue 4): rule versions from the journal, rows rewritten through the same writer as the calls'
      backend.withRejudger(new io.hankyo.node.rejudge.Rejudger(system, sharding, askTimeout.multipliedBy(5), callLog,
          rowWriter, callerHistory, cipher, io.hankyo.node.rejudge.RuleVersions.cassandra(system),
          hankyo.getDuration("rejudgment.max-range"), hankyo.getInt("rejudgment.max-calls")));
      // call recordings (issue 4): written by this node's gateway, served by any node's API; in a cluster of several
      // nodes hankyo.recording.dir must be shared storage mounted at the same path on every node
      io.hankyo.sip.media.FileRecordingStore recordingStore = new io.hankyo.sip.media.FileRecordingStore(
          java.nio.file.Path.of(hankyo.getString("recording.dir")));
      backend.recordingsIn(recordingStore);
      // number inventory (issue 5): bulk import and listing; tracking numbers of inventory numbers are checked
      io.hankyo.node.inventory.ClusterInventoryBackend inventory = new io.hankyo.node.inventory.ClusterInventoryBackend(
          system, sharding, askTimeout, hankyo.getDuration("inventory.cool-down"), Clock.systemUTC());
      backend.withInventory(inventory);
      // a tracking number used by a live pool (tracking_number, fallback_number) is not deleted (issue 5)
      backend.withPoolUses(new io.hankyo.node.pool.PoolUses(system, sharding, askTimeout));
      // recording retention per operator (issue 4): recordings older than the operator's recording_retention_days
      // are deleted by a cluster singleton through the same path as DELETE /v1/calls/{trn_id}/recording
      io.hankyo.node.recording.RecordingRetentionSweeper.init(system, sharding, recordingIndex,
          backend::deleteCallRecording, askTimeout, io.hankyo.node.recording.RecordingRetentionSweeper.Settings
              .fromConfig(hankyo.getConfig("recording.retention-sweep")));
      HttpApi api = new HttpApi(backend, HttpApiSettings.fromConfig(config))
          .withCallbacks(new ClusterCallbackBackend(sharding, askTimeout))
          .withOperatorSettings(new io.hankyo.node.recording.ClusterOperatorSettings(sharding, askTimeout))
          .withDeliveries(new io.hankyo.node.notify.ClusterDeliveryBackend(sharding, deliveryIndex, json,
              askTimeout))
          .withInventory(inventory)
          // number pools (issue 5): dynamic / one-time numbers handed out per visitor session
          .withPools(new io.hankyo.node.pool.ClusterPoolBackend(system, sharding, askTimeout,
              hankyo.getDuration("pools.batch-window"), hankyo.getDuration("inventory.cool-down"),
              hankyo.getInt("pools.session-buckets"), hankyo.getDuration("pools.session-claim-ttl"),
              hankyo.getDuration("pools.claim-write-window"), Clock.systemUTC()));
      ServerBinding binding = Http.get(system)
          .newServerAt(hankyo.getString("http.host"), hankyo.getInt("http.port"))
          .withSettings(HttpApi.serverSettings(system))
          .bind(api.handler())
          .toCompletableFuture()
          .get(startTimeout.toSeconds(), TimeUnit.SECONDS);

      ClusterCallControl control = new ClusterCallControl(
          system, sharding, new NumberRoutes(system, sharding, askTimeout).withCallbacks(callbacks, cipher), askTimeout,
          hankyo.getDuration("calls.ring-timeout"), hankyo.getInt("calls.report-attempts"));
      // the media plane plays the operators' prompts from the cluster-wide store (a per-node cache in front), and
      // queue position announcements (the operator's own "queue-position-N" prompts, else spoken by espeak-ng)
      SipGateway sip = SipGateway.start(SipGatewaySettings.fromConfig(config), MediaSettings.fromConfig(config),
          control, cipher, system, new QueuePositionPrompts(prompts::get, speech,
              WavPromptLoader.of(MediaSettings.fromConfig(config)), blocking,
              promptConfig.getString("queue-position-text"), promptConfig.getInt("queue-position-max")));

      sip.recordTo(recordingStore, java.time.ZoneId.of(config.getString("hankyo.http.zone")));
      bindMeters(system, control, sip);
      registerShutdown(system, binding, sip, control, hankyo.getDuration("sip.drain-timeout"));
      ServingCheck.serving(system.classicSystem(), true);
      EmbeddedCassandra c = cassandra;
      if (c != null) {
        // Cassandra stops last: after SIP, HTTP, sharding hand-off and the cluster exit, when the journal has
        // written its last events. Not from its own JVM shutdown hook, which would run concurrently with them.
        c.disableShutdownHook();
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "embedded-cassandra-stop", () -> CompletableFuture.supplyAsync(() -> {
              c.close();
              return Done.getInstance();
            }));
        system.getWhenTerminated().thenRun(c::close);
      }
      log.info("node {} up: HTTP {}, SIP {}", hankyo.getString("node-name"), binding.localAddress(), sip);
      return new HankyoNode(system, cassandra, binding, sip, control, generated);
    } catch (Exception e) {
      // Said before terminating: with coordinated-shutdown.exit-jvm on, terminating the actor system ends the JVM
      // before this method could throw, and the reason the node did not start was never printed.
      log.error("Hankyo node failed to start: {}", e.getMessage(), e);
      if (system != null && system.settings().config().getBoolean("pekko.coordinated-shutdown.exit-jvm")) {
        // Terminating would let coordinated shutdown end the JVM with its exit-code (0) from its own thread, so a
        // node that never started looked like a clean stop. Exit with 1: the JVM's shutdown hooks still run
        // coordinated shutdown and stop the embedded Cassandra.
        System.exit(1);
      }
      if (system != null) {
        system.terminate();
        try {
          system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // best effort
        }
      }
      if (cassandra != null) {
        cassandra.close();
      }
      throw new IllegalStateException("Hankyo node failed to start: " + e.getMessage(), e);
    }
  }

  /** The node's own meters, scraped at {@code GET /metrics} on the management port. */
  private static void bindMeters(ActorSystem<?> system, ClusterCallControl control, SipGateway sip) {
    MeterRegistry registry = NodeMetrics.ID.get(system.classicSystem()).registry();
    control.withStageTimers(registry);
    FunctionCounter.builder("hankyo.sip.unknown.number.calls", sip, SipGateway::unknownNumberCount)
        .description("INVITEs whose Request-URI is not a tracking number (answered 404, no Call entity)")
        .register(registry);
    FunctionCounter.builder("hankyo.sip.malformed.requests", sip, SipGateway::malformedRequestCount)
        .description("SIP requests refused as malformed (400 or dropped)")
        .register(registry);
    Gauge.builder("hankyo.sip.live.calls", sip, SipGateway::liveCalls)
        .description("calls this node's gateway holds now")
        .register(registry);
    Gauge.builder("hankyo.sip.open.transactions", sip, SipGateway::openTransactions)
        .description("SIP transactions open in this node's stack")
        .register(registry);
    Gauge.builder("hankyo.media.open.sessions", sip, SipGateway::openMediaSessions)
        .description("RTP sessions the media plane holds now (guidance, IVR, bridged legs)")
        .register(registry);
    Gauge.builder("hankyo.media.rtp.ports.in.use", sip, SipGateway::rtpPortsInUse)
        .description("RTP ports of hankyo.sip.media.rtp-port-min..max in use")
        .register(registry);
    // Send lateness of paced RTP packets (how long after its 20 ms slot a prompt/DTMF packet left) and relay delay of
    // bridged ones (receive thread's wakeup → relayed copy sent)
    bindHistogram(registry, "hankyo.media.send.lateness", sip.mediaSendLateness(), "send lateness of paced RTP "
        + "packets (prompts, DTMF)");
    bindHistogram(registry, "hankyo.media.relay.delay", sip.mediaRelayDelay(), "relay delay of bridged RTP packets");
  }

  /**
   * A {@link JitterHistogram} (µs) as meters {@code <name>.packets{le_us}}, one counter per fixed bucket (not
   * cumulative across buckets, so that a reader takes the difference of two scrapes: bench/ivr-load.sh), and gauges
   * {@code <name>.p50.us}, {@code .p99.us} (bucket upper bounds) and {@code .max.us} since start.
   */
  private static void bindHistogram(MeterRegistry registry, String name, JitterHistogram h, String what) {
    long[] bounds = JitterHistogram.bucketBoundsMicros();
    for (int i = 0; i <= bounds.length; i++) {
      int bucket = i;
      FunctionCounter.builder(name + ".packets", h, x -> x.bucketCount(bucket))
          .tag("le_us", i < bounds.length ? Long.toString(bounds[i]) : "+Inf")
          .description(what + ": packets in this bucket (µs upper bound; not cumulative across buckets)")
          .register(registry);
    }
    Gauge.builder(name + ".p50.us", h, x -> x.percentileMicros(50))
        .description(what + ": median since start, µs (bucket upper bound)")
        .register(registry);
    Gauge.builder(name + ".p99.us", h, JitterHistogram::p99Micros)
        .description(what + ": 99th percentile since start, µs (bucket upper bound)")
        .register(registry);
    Gauge.builder(name + ".max.us", h, JitterHistogram::maxMicros)
        .description(what + ": largest since start, µs")
        .register(registry);
  }

  private static void registerShutdown(
      ActorSystem<Void> system, ServerBinding binding, SipGateway sip, ClusterCallControl control,
      Duration drainTimeout) {
    CoordinatedShutdown cs = CoordinatedShutdown.get(system);
    cs.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "sip-stop-accepting", () -> {
      ServingCheck.serving(system.classicSystem(), false);
      sip.stopAcceptingCalls();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "http-unbind", () -> {
      log.info("HTTP API stops taking requests ({})", binding.localAddress());
      return binding.unbind();
    });
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "sip-drain",
        () -> sip.drain(drainTimeout).thenApply(x -> Done.getInstance()));
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "http-terminate",
        () -> binding.terminate(Duration.ofSeconds(5)).thenApply(x -> Done.getInstance()));
    cs.addTask(CoordinatedShutdown.PhaseServiceStop(), "call-reports-flush",
        () -> control.awaitReportsDone(Duration.ofSeconds(10)));
    cs.addTask(CoordinatedShutdown.PhaseServiceStop(), "sip-close", () -> {
      sip.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  /** The actor system (tests). */
  public ActorSystem<Void> system() {
    return system;
  }

  /** The SIP gateway (tests). */
  public SipGateway sip() {
    return sip;
  }

  /** The call control (tests, metrics). */
  public ClusterCallControl callControl() {
    return callControl;
  }

  /** The API key generated for the bootstrap operator on this start, if one was. */
  public Optional<String> generatedApiKey() {
    return generatedApiKey;
  }

  /** host:port of the HTTP API. */
  public String httpAddress() {
    return http.localAddress().getHostString() + ":" + http.localAddress().getPort();
  }

  private String sipDescription() {
    return String.valueOf(sip);
  }

  /** Runs CoordinatedShutdown and waits (up to 90 s) until the node and its embedded Cassandra are stopped. */
  @Override
  public void close() {
    try {
      CoordinatedShutdown.get(system)
          .runAll(CoordinatedShutdown.unknownReason())
          .toCompletableFuture()
          .get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("coordinated shutdown did not finish cleanly: {}", e.toString());
    } finally {
      if (cassandra != null) {
        cassandra.close();
      }
    }
  }

  /**
   * Call notifications (issue 4): the webhook and email outbox entities (sharded with remember-entities, so pending
   * deliveries resume after a full cluster restart) and the projection that hands ended calls over to them.
   *
   * @param notify {@code hankyo.notify}
   */
  static void initNotifications(ActorSystem<?> system, ClusterSharding sharding, Config notify, SmtpSettings smtp,
      ObjectMapper json, CallerNumberCipher cipher, NumberRoutes routes, int tagCount, SmppSettings smpp,
      Duration askTimeout, io.hankyo.node.notify.DeliveryIndex deliveryIndex) {
    RetryPolicy policy = new RetryPolicy(notify.getDuration("retry-base"), notify.getDuration("retry-cap"),
        notify.getDuration("give-up-after"), notify.getDuration("max-retry-after"));
    WebhookDelivery.Settings settings = new WebhookDelivery.Settings(policy, notify.getDuration("webhook-timeout"),
        java.time.Clock.systemUTC(), new java.util.Random());
    CallNotificationPayload payloads = new CallNotificationPayload(json, cipher,
        HttpApiSettings.fromConfig(system.settings().config()).zone());
    // the secret and the caller number are resolved at each attempt: neither is in the delivery's journal
    // (the secret from the tracking number's current settings: a NumberRoute never carries it)
    Duration secretTimeout = notify.getDuration("handover-timeout");
    WebhookDelivery.Resolver webhookResolver = (ref, stored) -> sharding
        .entityRefFor(io.hankyo.node.directory.TrackingNumber.ENTITY_KEY, NotificationHandover.numberOf(ref))
        .<io.hankyo.node.directory.TrackingNumber.Details>askWithStatus(
            io.hankyo.node.directory.TrackingNumber.Get::new, secretTimeout)
        .handle((d, failure) -> d == null ? Optional.<String>empty()
            : NotificationHandover.webhookSecret(ref, d.clientId(), d.dialinId(),
                d.notifications().document()))
        .thenApply(secret -> secret.map(s -> new WebhookDelivery.Resolved(
            s.getBytes(java.nio.charset.StandardCharsets.UTF_8), payloads.webhookBody(stored))));
    WebhookDelivery.Resolver emailResolver = (ref, stored) -> java.util.concurrent.CompletableFuture
        .completedFuture(Optional.of(new WebhookDelivery.Resolved(new byte[0], stored)));
    var webhooks = WebhookDelivery.initRemembered(sharding, system, WebhookDelivery.Channel.WEBHOOK, settings,
        new HttpWebhookSender(notify.getDuration("webhook-connect-timeout"),
            notify.getBoolean("webhook-allow-private")), webhookResolver, deliveryIndex);
    var emails = WebhookDelivery.initRemembered(sharding, system, WebhookDelivery.Channel.EMAIL, settings,
        new EmailTransport(new EmailSender(smtp), payloads,
            system.dispatchers().lookup(DispatcherSelector.blocking())), emailResolver, deliveryIndex);
    // SMS (issue 4): registered only with an SMSC; without one the calls' logvars.nfy_sms say false and nothing is
    // handed to this channel
    ActorRef<ShardingEnvelope<WebhookDelivery.Command>> smses = null;
    if (smpp.enabled()) {
      SmsSender smsSender = new SmsSender(smpp);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "smpp-close",
          () -> {
            smsSender.close();
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          });
      smses = WebhookDelivery.initRemembered(sharding, system, WebhookDelivery.Channel.SMS, settings,
          new SmsTransport(smsSender, payloads, system.dispatchers().lookup(DispatcherSelector.blocking())),
          emailResolver, deliveryIndex);
    } else {
      LoggerFactory.getLogger(HankyoNode.class).info("SMS notifications are off: hankyo.notify.smpp.host is empty");
    }
    var smsRegion = smses;
    // callback tracking (issue 4): a missed call's notification leases a callback number of the operator's pool
    // (only when the operator has one) before the notification is persisted
    ShardedCallbackNumbers callbackNumbers = new ShardedCallbackNumbers(sharding, askTimeout,
        java.time.Clock.systemUTC());
    NotificationHandover.Callbacks callbacks = r -> sharding.entityRefFor(CallbackPool.ENTITY_KEY, r.operatorId())
        .ask(CallbackPool.Get::new, askTimeout)
        .thenCompose(pool -> pool.numbers().isEmpty()
            ? java.util.concurrent.CompletableFuture.completedFuture(Optional.<LeaseResult>empty())
            : callbackNumbers.lease(r.operatorId(), r.trnId(), r.clientId(), r.dialinId(), r.caller())
                .thenApply(Optional::of));
    Duration handoverTimeout = notify.getDuration("handover-timeout");
    NotificationHandover handover = new NotificationHandover(routes::lookup,
        (channel, entityId, target, secretRef, stored) -> {
          if (channel == WebhookDelivery.Channel.SMS && smsRegion == null) {
            LoggerFactory.getLogger(HankyoNode.class).warn("SMS notification {} not sent: no SMSC configured",
                entityId);
            return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
          }
          var region = channel == WebhookDelivery.Channel.WEBHOOK ? webhooks
              : channel == WebhookDelivery.Channel.SMS ? smsRegion : emails;
          return org.apache.pekko.actor.typed.javadsl.AskPattern.<ShardingEnvelope<WebhookDelivery.Command>, Done>
              askWithStatus(region, r -> new ShardingEnvelope<>(entityId,
                  new WebhookDelivery.Deliver(target, secretRef, stored, r)), handoverTimeout, system.scheduler());
        }, payloads, callbacks);
    NotificationProjection.init(system, handover, tagCount);
  }

  /** A duration setting under {@code hankyo} that must be above zero; else the node refuses to start, naming it. */
  private static Duration positive(Config hankyo, String path) {
    Duration d = hankyo.getDuration(path);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("hankyo." + path + " must be above zero, got " + d);
    }
    return d;
  }
}
