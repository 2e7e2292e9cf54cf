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
 * A {@link CallControl} that behaves like the cluster would, for gateway tests: a route table (tracking number
 * E.164 → destination), {@code Forward} for known numbers and {@code Reject(404)} for others, a ring timer that
 * sends {@code CancelForward(NO_ANSWER)} when the call is neither answered nor ended in time, and a record of every
 * arrival and progress report. The admission's {@code recorded} can be delayed or failed ({@link #recordDelay},
 * {@link #failRecord}) to play a Call entity that persists slowly or not at all. Thread-safe.
 */
public final class FakeCallControl implements CallControl, AutoCloseable {
  private final Map<String, PhoneNumber> routes = new ConcurrentHashMap<>();
  private final List<CallArrival> arrivals = new CopyOnWriteArrayList<>();
  private final List<CallProgress> progress = new CopyOnWriteArrayList<>();
  private final List<CallInstruction> sent = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "fake-call-control");
    t.setDaemon(true);
    return t;
  });
  private volatile long ringTimeoutMillis = 20_000;
  private volatile boolean sendCancelForward = true;
  private volatile Duration decisionDelay = Duration.ZERO;
  private volatile boolean neverDecide;
  private volatile Duration recordDelay = Duration.ZERO;
  private volatile boolean failRecord;

  /** Routes {@code trackingNumber} (any form PhoneNumbers parses) to {@code destination}. */
  public FakeCallControl route(String trackingNumber, String destination) {
    routes.put(PhoneNumbers.parse(trackingNumber).e164(), PhoneNumbers.parse(destination));
    return this;
  }

  /** The ring timeout put into Forward decisions (ms). */
  public FakeCallControl ringTimeout(Duration d) {
    this.ringTimeoutMillis = d.toMillis();
    return this;
  }

  /** Whether the ring timer sends CancelForward (off = the gateway's own failsafe must act). */
  public FakeCallControl sendCancelForward(boolean on) {
    this.sendCancelForward = on;
    return this;
  }

  /** Delay before arrive() completes. */
  public FakeCallControl decisionDelay(Duration d) {
    this.decisionDelay = d;
    return this;
  }

  /** When true, arrive() never completes (a cluster that does not answer). */
  public FakeCallControl neverDecide(boolean on) {
    this.neverDecide = on;
    return this;
  }

  /** Delay, counted from the decision, before the admission's {@code recorded} completes. */
  public FakeCallControl recordDelay(Duration d) {
    this.recordDelay = d;
    return this;
  }

  /** When true, the admission's {@code recorded} fails (after {@link #recordDelay}): the entity could not persist. */
  public FakeCallControl failRecord(boolean on) {
    this.failRecord = on;
    return this;
  }

  /** Forgets recorded arrivals/progress and restores defaults (routes are kept). */
  public void reset() {
    arrivals.clear();
    progress.clear();
    sent.clear();
    ringTimeoutMillis = 20_000;
    sendCancelForward = true;
    decisionDelay = Duration.ZERO;
    neverDecide = false;
    recordDelay = Duration.ZERO;
    failRecord = false;
  }

  @Override
  public CompletionStage<Admission> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway) {
    arrivals.add(arrival);
    if (neverDecide) {
      return new CompletableFuture<>();
    }
    PhoneNumber destination = routes.get(arrival.dialled().e164());
    RouteDecision decision;
    if (destination == null) {
      decision = new RouteDecision.Reject(404, "Not Found");
    } else {
      NumberRoute route = new NumberRoute("op-1", "client-1", "Test client", "dialin-1", "test number",
          arrival.dialled(), destination);
      decision = new RouteDecision.Forward(arrival.trnId(), 1, route, destination, ringTimeoutMillis);
      long ring = ringTimeoutMillis;
      timer.schedule(() -> {
        boolean settled = progress.stream().anyMatch(p -> p.trnId().equals(arrival.trnId())
            && (p instanceof CallProgress.Answered || p instanceof CallProgress.Ended));
        if (!settled && sendCancelForward) {
          CallInstruction i = new CallInstruction.CancelForward(arrival.trnId(), 1, EndCause.NO_ANSWER);
          sent.add(i);
          gateway.tell(i);
        }
      }, decisionDelay.toMillis() + ring, TimeUnit.MILLISECONDS);
    }
    CompletableFuture<Done> recorded = new CompletableFuture<>();
    boolean fail = failRecord;
    long recordAfter = decisionDelay.toMillis() + recordDelay.toMillis();
    if (recordAfter <= 0 && !fail) {
      recorded.complete(Done.getInstance());
    } else {
      timer.schedule(() -> {
        if (fail) {
          recorded.completeExceptionally(new TimeoutException("fake: the Call entity did not record the call"));
        } else {
          recorded.complete(Done.getInstance());
        }
      }, Math.max(1, recordAfter), TimeUnit.MILLISECONDS);
    }
    Admission admission = decision instanceof RouteDecision.Reject
        ? Admission.recorded(decision) : new Admission(decision, recorded);
    CompletableFuture<Admission> f = new CompletableFuture<>();
    timer.schedule(() -> f.complete(admission), Math.max(1, decisionDelay.toMillis()), TimeUnit.MILLISECONDS);
    return f;
  }

  @Override
  public CompletionStage<Done> report(CallProgress p) {
    progress.add(p);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** Every arrival so far. */
  public List<CallArrival> arrivals() {
    return List.copyOf(arrivals);
  }

  /** Every progress report so far, in arrival order. */
  public List<CallProgress> progress() {
    return List.copyOf(progress);
  }

  /** Reports about one call. */
  public List<CallProgress> progressOf(String trnId) {
    List<CallProgress> out = new ArrayList<>();
    for (CallProgress p : progress) {
      if (p.trnId().equals(trnId)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Instructions the fake sent to the gateway. */
  public List<CallInstruction> sentInstructions() {
    return List.copyOf(sent);
  }

  /** Waits for the single arrival (fails when there is none, or more than one). */
  public CallArrival awaitOnlyArrival(Duration timeout) throws InterruptedException, TimeoutException {
    long until = System.nanoTime() + timeout.toNanos();
    while (arrivals.isEmpty()) {
      if (System.nanoTime() > until) {
        throw new TimeoutException("no CallArrival within " + timeout);
      }
      Thread.sleep(10);
    }
    if (arrivals.size() != 1) {
      throw new AssertionError("expected one arrival, got " + arrivals);
    }
    return arrivals.get(0);
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
