package io.hankyo.sip.testing;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.EndCause;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.sip.CallControl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link CallControl} playing the Call entity of a sequential forward (順次転送, issue 3), for gateway tests: every
 * call is forwarded to the first of {@link #destinations} with {@code holdCallerOnFailure}; on each {@code LegFailed}
 * it sends {@code CallInstruction.Forward} for the next destination, or {@code Release(cause of the failure)} when
 * none is left. A ring timer per attempt sends {@code CancelForward(NO_ANSWER)}. {@link #silent} stops the automatic
 * instructions (the test sends its own with {@link #tell}); {@link #duplicateForwards} sends every Forward twice plus
 * a stale one for the previous attempt (at-least-once delivery). Thread-safe.
 */
public final class SequentialCallControl implements CallControl, AutoCloseable {
  private final List<CallProgress> progress = new CopyOnWriteArrayList<>();
  private final List<CallInstruction> sent = new CopyOnWriteArrayList<>();
  private final Map<String, ActorRef<CallInstruction>> gateways = new ConcurrentHashMap<>();
  private final Map<String, CallArrival> arrivals = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "sequential-call-control");
    t.setDaemon(true);
    return t;
  });
  private volatile List<PhoneNumber> destinations = List.of();
  private volatile long ringTimeoutMillis = 20_000;
  private volatile boolean silent;
  private volatile boolean duplicateForwards;
  private volatile boolean holdFirst;

  /** The destinations, tried in this order (any form PhoneNumbers parses). */
  public SequentialCallControl destinations(String... numbers) {
    List<PhoneNumber> list = new ArrayList<>();
    for (String n : numbers) {
      list.add(PhoneNumbers.parse(n));
    }
    destinations = List.copyOf(list);
    return this;
  }

  /** The ring timeout of every attempt (ms); CancelForward(NO_ANSWER) follows when the leg is still ringing. */
  public SequentialCallControl ringTimeout(Duration d) {
    ringTimeoutMillis = d.toMillis();
    return this;
  }

  /** When true, LegFailed is recorded but answered with nothing. */
  public SequentialCallControl silent(boolean on) {
    silent = on;
    return this;
  }

  /** When true, each Forward is sent twice, followed by a Forward repeating the failed attempt. */
  public SequentialCallControl duplicateForwards(boolean on) {
    duplicateForwards = on;
    return this;
  }

  /**
   * When true, the decision is {@link RouteDecision.Hold} (a flow that asks a queue first) and the test sends the
   * first instruction itself ({@link #tell}).
   */
  public SequentialCallControl holdFirst(boolean on) {
    holdFirst = on;
    return this;
  }

  /** Forgets progress and restores the defaults (destinations are kept). */
  public void reset() {
    progress.clear();
    sent.clear();
    arrivals.clear();
    gateways.clear();
    ringTimeoutMillis = 20_000;
    silent = false;
    duplicateForwards = false;
    holdFirst = false;
  }

  @Override
  public CompletionStage<Admission> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway) {
    arrivals.put(arrival.trnId(), arrival);
    gateways.put(arrival.trnId(), gateway);
    PhoneNumber first = destinations.get(0);
    NumberRoute route = new NumberRoute("op-1", "client-1", "Test client", "dialin-1", "test number",
        arrival.dialled(), first);
    if (holdFirst) {
      return CompletableFuture.completedFuture(Admission.recorded(new RouteDecision.Hold(arrival.trnId(), route)));
    }
    scheduleRingTimer(arrival.trnId(), 1);
    return CompletableFuture.completedFuture(Admission.recorded(
        new RouteDecision.Forward(arrival.trnId(), 1, route, first, ringTimeoutMillis, true)));
  }

  private void scheduleRingTimer(String trnId, int attempt) {
    timer.schedule(() -> {
      boolean settled = progress.stream().anyMatch(p -> p.trnId().equals(trnId)
          && (p instanceof CallProgress.Answered || p instanceof CallProgress.Ended
          || (p instanceof CallProgress.LegFailed && ((CallProgress.LegFailed) p).attempt() == attempt)));
      if (!settled) {
        tell(new CallInstruction.CancelForward(trnId, attempt, EndCause.NO_ANSWER));
      }
    }, ringTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<Done> report(CallProgress p) {
    progress.add(p);
    if (p instanceof CallProgress.LegFailed && !silent) {
      CallProgress.LegFailed failed = (CallProgress.LegFailed) p;
      int next = failed.attempt() + 1;
      if (next <= destinations.size()) {
        CallInstruction.Forward forward = new CallInstruction.Forward(p.trnId(), next, destinations.get(next - 1),
            ringTimeoutMillis, true);
        scheduleRingTimer(p.trnId(), next);
        tell(forward);
        if (duplicateForwards) {
          tell(forward);
          tell(new CallInstruction.Forward(p.trnId(), failed.attempt(), destinations.get(next - 1),
              ringTimeoutMillis, true));
        }
      } else {
        tell(new CallInstruction.Release(p.trnId(), failed.cause()));
      }
    }
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** Sends an instruction to the gateway that holds the call (recorded in {@link #sentInstructions()}). */
  public void tell(CallInstruction instruction) {
    sent.add(instruction);
    ActorRef<CallInstruction> gateway = gateways.get(instruction.trnId());
    if (gateway != null) {
      gateway.tell(instruction);
    }
  }

  /** The trn_ids of the calls that arrived since the last {@link #reset()}. */
  public java.util.Set<String> arrivedTrnIds() {
    return java.util.Set.copyOf(arrivals.keySet());
  }

  /** Reports about one call, in order. */
  public List<CallProgress> progressOf(String trnId) {
    List<CallProgress> out = new ArrayList<>();
    for (CallProgress p : progress) {
      if (p.trnId().equals(trnId)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Instructions sent so far. */
  public List<CallInstruction> sentInstructions() {
    return List.copyOf(sent);
  }

  /** Waits for a progress report matching {@code p}. */
  public <T extends CallProgress> T await(Class<T> type, Predicate<T> p, Duration timeout)
      throws InterruptedException, TimeoutException {
    return ProgressReports.await(progress, type, p, timeout);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
