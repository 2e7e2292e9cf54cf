package io.hankyo.node.call;

import io.hankyo.node.directory.NumberRoutes;
import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.sip.CallControl;
import io.hankyo.sip.CallControl.Admission;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.Patterns;

/**
 * The SIP gateway's {@link CallControl} on the cluster: tracking-number lookup, {@code seq_num}, and the sharded
 * {@link Call} entity, wherever in the cluster they live.
 *
 * <p>{@link #arrive}: looks the dialled number up ({@code TrackingNumber} entity, an in-memory read); an unknown number
 * is rejected with 404 and creates nothing (counted in {@link #unknownNumbers()}); a known one gets its {@code seq_num}
 * from the operator's {@link CallSequence}, and the decision ({@link Call#firstDecision}: the call flow's first step) is returned at once while the
 * {@link Call} entity is started; the admission's {@code recorded} completes when the entity has persisted the
 * arrival. Each ask has {@code askTimeout}; a failed lookup fails the stage (the gateway answers 503), a failed
 * start fails {@code recorded} (the gateway gives the call up with 503 before it is connected).
 *
 * <p>{@link #report}: Ringing is told (best effort, it only feeds a transient field); Answered and Ended are asked with
 * retries ({@code reportAttempts} tries, exponential backoff from 200 ms), since they are what the call log is made of.
 */
public final class ClusterCallControl implements CallControl {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final NumberRoutes routes;
  private final Duration askTimeout;
  private final Duration ringTimeout;
  private final int reportAttempts;
  private final AtomicLong unknownNumbers = new AtomicLong();
  private final AtomicLong reportsInFlight = new AtomicLong();
  private volatile Timer routeTimer;
  private volatile Timer seqTimer;
  private volatile Timer startTimer;

  /**
   * @param askTimeout timeout of each ask to an entity
   * @param ringTimeout how long a forward attempt may ring before the Call entity cancels it
   * @param reportAttempts how many times Answered/Ended reports are tried (≥ 1)
   */
  public ClusterCallControl(
      ActorSystem<?> system,
      ClusterSharding sharding,
      NumberRoutes routes,
      Duration askTimeout,
      Duration ringTimeout,
      int reportAttempts) {
    this.system = system;
    this.sharding = sharding;
    this.routes = routes;
    this.askTimeout = askTimeout;
    this.ringTimeout = ringTimeout;
    this.reportAttempts = Math.max(1, reportAttempts);
  }

  /** Calls to numbers that are not tracking numbers (answered 404) since start. */
  public long unknownNumbers() {
    return unknownNumbers.get();
  }

  /**
   * Times each stage of {@link #arrive} into {@code registry} as {@code hankyo.call.arrival.stage} (tag
   * {@code stage} = route, seq, start) with p50/p95/p99, so that where the post-dial delay goes can be read at
   * {@code GET /metrics} under load.
   */
  public ClusterCallControl withStageTimers(MeterRegistry registry) {
    this.routeTimer = stageTimer(registry, "route");
    this.seqTimer = stageTimer(registry, "seq");
    this.startTimer = stageTimer(registry, "start");
    return this;
  }

  private static Timer stageTimer(MeterRegistry registry, String stage) {
    return Timer.builder("hankyo.call.arrival.stage")
        .description("time of one stage of a call's arrival in the cluster: route lookup, seq_num, Call entity start")
        .tag("stage", stage)
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(registry);
  }

  @Override
  public CompletionStage<Admission> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway) {
    long t0 = System.nanoTime();
    return routes.lookup(arrival.dialled().e164()).thenCompose(route -> {
      long t1 = record(routeTimer, t0);
      if (route.isEmpty()) {
        unknownNumbers.incrementAndGet();
        return CompletableFuture.completedFuture(Admission.recorded(new RouteDecision.Reject(404, "Not Found")));
      }
      var r = route.get();
      CompletionStage<Long> seq = sharding.entityRefFor(CallSequence.ENTITY_KEY, r.operatorId())
          .ask(CallSequence.Next::new, askTimeout);
      return seq.thenApply(n -> {
        long t2 = record(seqTimer, t1);
        // The decision is the Call entity's first step, computed here by the same rule so that the gateway can
        // forward while the entity recovers and persists (the journal stays off the post-dial path); the gateway
        // holds the answer until `recorded` completes.
        RouteDecision decision = Call.firstDecision(arrival, r, ringTimeout.toMillis());
        CompletionStage<Done> recorded = sharding.entityRefFor(Call.ENTITY_KEY, arrival.trnId())
            .<RouteDecision>askWithStatus(
                replyTo -> new Call.Start(arrival, r, n, gateway, ringTimeout.toMillis(), replyTo), askTimeout)
            .whenComplete((d, e) -> record(startTimer, t2))
            .thenApply(d -> Done.getInstance());
        return new Admission(decision, recorded);
      });
    });
  }

  private static long record(Timer timer, long since) {
    long now = System.nanoTime();
    if (timer != null) {
      timer.record(now - since, TimeUnit.NANOSECONDS);
    }
    return now;
  }

  @Override
  public CompletionStage<Done> report(CallProgress progress) {
    var entity = sharding.entityRefFor(Call.ENTITY_KEY, progress.trnId());
    if (progress instanceof CallProgress.Ringing) {
      entity.tell(new Call.Report(progress, system.ignoreRef()));
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    reportsInFlight.incrementAndGet();
    return Patterns.retry(
            () -> entity.<Done>askWithStatus(replyTo -> new Call.Report(progress, replyTo), askTimeout),
            reportAttempts,
            Duration.ofMillis(200),
            Duration.ofSeconds(5),
            0.2,
            system.classicSystem())
        .whenComplete((d, e) -> reportsInFlight.decrementAndGet());
  }

  /**
   * Completes when no Answered/Ended report is in flight any more, or after {@code max}. The node waits for this in
   * its shutdown after the SIP drain, so that the calls it drained are recorded before sharding hands off.
   */
  public CompletionStage<Done> awaitReportsDone(Duration max) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    long deadline = System.nanoTime() + max.toNanos();
    Runnable[] check = new Runnable[1];
    check[0] = () -> {
      if (reportsInFlight.get() <= 0 || System.nanoTime() > deadline) {
        done.complete(Done.getInstance());
      } else {
        system.scheduler().scheduleOnce(Duration.ofMillis(50), check[0], system.executionContext());
      }
    };
    check[0].run();
    return done;
  }
}
