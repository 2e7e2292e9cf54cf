package io.hankyo.node.call;

import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Wakes the {@link Call} entities of calls left open, so that they end themselves (crash recovery of the call log).
 *
 * <p>Why: a call whose node crashed (SIGKILL, power loss) stays open in the journal, because sharding restarts an
 * entity only when a message reaches it (no remember-entities) and the gateway that would have reported the end died
 * with the node. Nothing would ever write its {@link Call.CallEnded}, and the call log (spec: one record per call)
 * would miss it. The sweeper reads the {@link OpenCalls} index and tells each call older than {@link
 * Settings#minAge()} a {@link Call.Wake}; the entity recovers, its death watch on the gateway reports the gateway gone
 * and it ends the call as ステータス異 (see {@link Call}).
 *
 * <p>Where: one instance in the cluster, a cluster singleton on the oldest node (it moves when that node leaves or is
 * downed). It sweeps when it starts (so a cluster restarted after a crash sweeps as soon as sharding runs) and then
 * every {@link Settings#interval()}; a sweep still running when the next is due makes that one skip. Waking an entity
 * whose call is really live (on any node) is harmless: it answers at once and its watch stays armed; it also recovers
 * a live call's entity that passivated while idle, re-arming its watch.
 *
 * <p>Cost: one read per {@link CassandraOpenCalls#BUCKETS} partition per sweep, and one message per call older than
 * {@code minAge} (at most {@link Settings#wakesPerSecond()} per second); no journal write unless a call ends.
 */
public final class OpenCallSweeper {
  private OpenCallSweeper() {}

  /**
   * @param interval time between the starts of two sweeps (hankyo.calls.sweeper.interval, 1 min)
   * @param minAge calls that arrived less than this long ago are left alone: they are live or about to be
   *     (hankyo.calls.sweeper.min-age, 60 s)
   * @param wakesPerSecond most Wake messages sent per second (hankyo.calls.sweeper.wakes-per-second, 500), so that a
   *     sweep after a large crash does not recover thousands of entities at once
   */
  public record Settings(Duration interval, Duration minAge, int wakesPerSecond) {
    /** From {@code hankyo.calls.sweeper}. */
    public static Settings fromConfig(Config sweeper) {
      return new Settings(sweeper.getDuration("interval"), sweeper.getDuration("min-age"),
          sweeper.getInt("wakes-per-second"));
    }
  }

  /** Messages of the sweeper itself (local only: nothing is sent to it across nodes). */
  interface Command {}

  private record Tick() implements Command {}

  private record Swept(int woken, Throwable failure) implements Command {}

  /**
   * Starts the sweeper as a cluster singleton, waking entities through sharding.
   *
   * @param index the open calls, read from Cassandra
   */
  public static void init(ActorSystem<?> system, ClusterSharding sharding, CassandraOpenCalls index,
      Settings settings) {
    Consumer<String> wake = trnId -> sharding.entityRefFor(Call.ENTITY_KEY, trnId)
        .tell(new Call.Wake(system.ignoreRef()));
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(settings, index::arrivedBefore, wake, Clock.systemUTC()))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
        "open-call-sweeper"));
  }

  /**
   * The sweeper's behavior.
   *
   * @param openBefore the open calls that arrived before the given instant
   * @param wake wakes the Call entity of a {@code trn_id}
   */
  static Behavior<Command> create(Settings settings, Function<Instant, CompletionStage<List<OpenCalls.Entry>>> openBefore,
      Consumer<String> wake, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSelf().tell(new Tick()); // at start: after a crash, sweep as soon as sharding runs
      timers.startTimerWithFixedDelay("sweep", new Tick(), settings.interval());
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            if (busy[0]) {
              return Behaviors.same();
            }
            busy[0] = true;
            Instant cutoff = clock.instant().minus(settings.minAge());
            CompletionStage<Integer> sweep = openBefore.apply(cutoff).thenCompose(calls -> Source.from(calls)
                .throttle(Math.max(1, settings.wakesPerSecond()), Duration.ofSeconds(1))
                .runWith(Sink.fold(0, (n, e) -> {
                  wake.accept(e.trnId());
                  return n + 1;
                }), ctx.getSystem()));
            ctx.pipeToSelf(sweep, (n, err) -> new Swept(n == null ? 0 : n, err));
            return Behaviors.same();
          })
          .onMessage(Swept.class, s -> {
            busy[0] = false;
            if (s.failure() != null) {
              ctx.getLog().warn("open-call sweep failed (next in {}): {}", settings.interval(), s.failure().toString());
            } else if (s.woken() > 0) {
              ctx.getLog().info("open-call sweep woke {} call entities left open for more than {}", s.woken(),
                  settings.minAge());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }
}
