package io.hankyo.node.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The commands an entity gathers into one journal write (issue 5 pool benchmark: {@link NumberPool}'s assignments,
 * {@link PoolSessions}' claims), and when that write starts: at once when {@code max} commands wait; otherwise, with a
 * zero {@code window}, as soon as the commands already in the entity's mailbox have joined (group commit: the flush
 * message is told to the entity itself and queues behind them), with a positive window that long after the batch's
 * first command (a timer). Commands arriving while the write runs are stashed by Pekko and form the next batch.
 *
 * <p>A flush dropped by a full stash (commands arriving during a write are stashed; a full stash drops them): the flush
 * is asked again every window (with group commit every {@link #BACKSTOP}) until {@link #take()} empties the batch, so
 * the batch is still written.
 *
 * <p>Only the entity's own thread may touch it (it is a mutable field of the entity, never part of its state).
 *
 * @param <C> the gathered command type
 * @param <M> the entity's command type (of the flush message)
 */
final class WriteBatch<C, M> {
  private static final Object TIMER_KEY = "flush";
  /** With group commit, how often the flush is asked again while a batch waits (a lost flush message). */
  static final Duration BACKSTOP = Duration.ofMillis(50);
  private final int max;
  private final Duration window;
  private final TimerScheduler<M> timers;
  private final ActorRef<M> self;
  private final Supplier<M> flush;
  private final List<C> pending = new ArrayList<>();

  /**
   * @param max most commands in one write (≥ 1)
   * @param window how long the first command of a batch waits for others (zero: group commit)
   * @param timers the entity's timers (for a positive window)
   * @param self the entity (for group commit)
   * @param flush makes the entity's flush command, on which it calls {@link #take()} and writes
   */
  WriteBatch(int max, Duration window, TimerScheduler<M> timers, ActorRef<M> self, Supplier<M> flush) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1: " + max);
    }
    this.max = max;
    this.window = Objects.requireNonNull(window, "window");
    this.timers = timers;
    this.self = self;
    this.flush = Objects.requireNonNull(flush, "flush");
  }

  /** Adds {@code c}; true when the batch is full and must be written now (then call {@link #take()}). */
  boolean add(C c) {
    pending.add(c);
    if (pending.size() >= max) {
      // the timer (if any) runs on until take() empties the batch: the entity may not be able to write at once
      return true;
    }
    if (pending.size() == 1) {
      if (window.isZero()) {
        self.tell(flush.get());
      }
      // repeated every window (with group commit every BACKSTOP) until take() empties the batch: a flush can be
      // dropped, as Pekko drops commands arriving while a write runs once the entity's stash is full
      // (pekko.persistence.typed.stash-capacity, e.g. in a Cassandra stall); without it the batch would wait until
      // max commands had joined it
      timers.startTimerWithFixedDelay(TIMER_KEY, flush.get(), window.isZero() ? BACKSTOP : window);
    }
    return false;
  }

  /** Whether no command waits. */
  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** The waiting commands in arrival order (possibly none); the batch is empty afterwards. */
  List<C> take() {
    return take(Integer.MAX_VALUE);
  }

  /**
   * The first {@code limit} waiting commands in arrival order (possibly none); the rest stay waiting, as a new batch
   * whose flush the caller asks for when it can write again (with a positive window its timer keeps running).
   */
  List<C> take(int limit) {
    int n = Math.min(limit, pending.size());
    List<C> batch = List.copyOf(pending.subList(0, n));
    pending.subList(0, n).clear();
    if (pending.isEmpty()) {
      timers.cancel(TIMER_KEY);
    }
    return batch;
  }
}
