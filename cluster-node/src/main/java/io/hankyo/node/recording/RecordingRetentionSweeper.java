package io.hankyo.node.recording;

import com.typesafe.config.Config;
import io.hankyo.api.ApiProblem;
import io.hankyo.node.directory.Operator;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Deletes call recordings older than their operator's retention (issue 4: recordings are "deletable (retention period
 * per operator)"; {@link Operator.Settings#recordingRetentionDays()}, {@code PUT /v1/operator/settings}).
 *
 * <p>Where: one instance in the cluster, a cluster singleton (like the open-call sweeper). It sweeps when it starts and
 * then every {@link Settings#interval()}; a sweep still running when the next is due makes that one skip.
 *
 * <p>A sweep: the operators of the {@link RecordingIndex} → each one's retention (an operator without one, or that
 * cannot be read, is skipped) → its indexed days up to the {@link RetentionPlan#lastDay()} → each day's recordings past
 * the retention, deleted one by one (at most {@link Settings#deletesPerSecond()} per second) through {@code delete},
 * which is the path of {@code DELETE /v1/calls/{trn_id}/recording} (file removed, then {@code RecordingDeleted} on the
 * Call, call log {@code logvars.recording = "0"}). A deletion answered 404 (deleted through the API already, or never
 * ended) counts as done. Each done recording's index row is removed, and a day left without rows is removed from the
 * operator's days. A failed deletion leaves its row for the next sweep.
 */
public final class RecordingRetentionSweeper {
  private RecordingRetentionSweeper() {}

  /**
   * @param interval time between the starts of two sweeps (hankyo.recording.retention-sweep.interval, 1 h)
   * @param deletesPerSecond most recordings deleted per second (hankyo.recording.retention-sweep.deletes-per-second,
   *     20), so that the first sweep after a retention is shortened does not flood the store and the journal
   */
  public record Settings(Duration interval, int deletesPerSecond) {
    /** From {@code hankyo.recording.retention-sweep}. */
    public static Settings fromConfig(Config sweep) {
      return new Settings(sweep.getDuration("interval"), sweep.getInt("deletes-per-second"));
    }
  }

  /** Messages of the sweeper itself (local only). */
  interface Command {}

  private record Tick() implements Command {}

  private record Swept(int deleted, Throwable failure) implements Command {}

  /**
   * Starts the sweeper as a cluster singleton.
   *
   * @param index the recordings index
   * @param delete deletes one call's recording for its operator, as {@code DELETE /v1/calls/{trn_id}/recording}
   *     does ({@code ClusterApiBackend::deleteCallRecording})
   * @param askTimeout how long to wait for an operator's settings
   */
  public static void init(ActorSystem<?> system, ClusterSharding sharding, RecordingIndex.Sweepable index,
      BiFunction<String, String, CompletionStage<Done>> delete, Duration askTimeout, Settings settings) {
    Operator.init(sharding); // idempotent: the sweeper asks operators for their retention
    Function<String, CompletionStage<Optional<Integer>>> retention = operatorId -> sharding
        .entityRefFor(Operator.ENTITY_KEY, operatorId)
        .<Operator.Settings>askWithStatus(Operator.GetSettings::new, askTimeout)
        .thenApply(s -> Optional.ofNullable(s.recordingRetentionDays()));
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(settings, index, retention, delete, Clock.systemUTC()))
            .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2)),
        "recording-retention-sweeper"));
  }

  /**
   * The sweeper's behavior.
   *
   * @param retention an operator's retention in days; empty: keep forever
   */
  static Behavior<Command> create(Settings settings, RecordingIndex.Sweepable index,
      Function<String, CompletionStage<Optional<Integer>>> retention,
      BiFunction<String, String, CompletionStage<Done>> delete, Clock clock) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSelf().tell(new Tick());
      timers.startTimerWithFixedDelay("sweep", new Tick(), settings.interval());
      boolean[] busy = {false};
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> {
            if (busy[0]) {
              return Behaviors.same();
            }
            busy[0] = true;
            CompletionStage<Integer> sweep;
            try {
              sweep = sweep(ctx.getSystem(), settings, index, retention, delete, clock);
            } catch (RuntimeException e) {
              sweep = CompletableFuture.failedFuture(e);
            }
            ctx.pipeToSelf(sweep, (n, err) -> new Swept(n == null ? 0 : n, err));
            return Behaviors.same();
          })
          .onMessage(Swept.class, s -> {
            busy[0] = false;
            if (s.failure() != null) {
              ctx.getLog().warn("recording retention sweep failed (next in {}): {}", settings.interval(),
                  s.failure().toString());
            } else if (s.deleted() > 0) {
              ctx.getLog().info("recording retention sweep deleted {} recordings past their operator's retention",
                  s.deleted());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /**
   * One sweep over every operator of the index.
   *
   * @return how many recordings it deleted (404s included)
   */
  static CompletionStage<Integer> sweep(ActorSystem<?> system, Settings settings, RecordingIndex.Sweepable index,
      Function<String, CompletionStage<Optional<Integer>>> retention,
      BiFunction<String, String, CompletionStage<Done>> delete, Clock clock) {
    return Source.completionStage(index.operators())
        .mapConcat(ops -> ops)
        .mapAsync(1, op -> retention.apply(op)
            .handle((days, err) -> {
              if (err != null) {
                system.log().warn("recording retention: settings of operator '{}' unreadable, skipped this sweep: {}",
                    op, err.toString());
                return Optional.<Integer>empty();
              }
              return days;
            })
            .thenCompose(days -> days.isEmpty() ? CompletableFuture.completedFuture(0)
                : sweepOperator(system, settings, index, delete, op,
                    RetentionPlan.of(clock.instant(), days.get()))))
        .runWith(Sink.fold(0, Integer::sum), system);
  }

  private static CompletionStage<Integer> sweepOperator(ActorSystem<?> system, Settings settings,
      RecordingIndex.Sweepable index, BiFunction<String, String, CompletionStage<Done>> delete, String op,
      RetentionPlan plan) {
    return Source.completionStage(index.days(op, plan.lastDay()))
        .mapConcat(days -> days)
        .mapAsync(1, day -> index.recordings(op, day).thenCompose(entries -> {
          List<RecordingIndex.Entry> expired = plan.expired(entries, day);
          return Source.from(expired)
              .throttle(Math.max(1, settings.deletesPerSecond()), Duration.ofSeconds(1))
              .mapAsync(1, e -> deleteOne(system, index, delete, day, e))
              .runWith(Sink.fold(0, Integer::sum), system)
              .thenCompose(n -> n == entries.size() // every row of the day is gone (or there were none)
                  ? index.dayEmptied(op, day).thenApply(d -> n) : CompletableFuture.completedFuture(n));
        }))
        .runWith(Sink.fold(0, Integer::sum), system);
  }

  /** Deletes one recording; 1 when done (or gone already), 0 when it failed (its row stays for the next sweep). */
  private static CompletionStage<Integer> deleteOne(ActorSystem<?> system, RecordingIndex.Sweepable index,
      BiFunction<String, String, CompletionStage<Done>> delete, LocalDate day, RecordingIndex.Entry e) {
    CompletionStage<Done> deletion;
    try {
      deletion = delete.apply(e.operatorId(), e.trnId());
    } catch (RuntimeException ex) {
      deletion = CompletableFuture.failedFuture(ex);
    }
    return deletion
        .handle((done, err) -> {
          Throwable cause = err;
          while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
          }
          boolean gone = cause == null || cause instanceof ApiProblem p && p.status() == 404
              || cause instanceof StatusReply.ErrorMessage;
          if (!gone) {
            system.log().warn("recording retention: deleting the recording of call {} failed (retried next sweep): {}",
                e.trnId(), cause.toString());
          }
          return gone;
        })
        .thenCompose(gone -> gone
            ? index.removed(e.operatorId(), day, e.trnId()).thenApply(d -> 1)
            : CompletableFuture.completedFuture(0));
  }
}
