package io.hankyo.sip.testing;

import io.hankyo.protocol.call.CallArrival;
import io.hankyo.protocol.call.CallInstruction;
import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.call.RouteDecision;
import io.hankyo.protocol.judgment.JudgmentRules;
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
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link CallControl} playing a Call entity whose flow begins with a media step: every call is decided
 * {@code AnswerWithMedia}; the test then drives it with {@link #tell} ({@code PlayPrompt}, {@code Forward},
 * {@code Release}) and reads the reports ({@code MediaAnswered}, {@code Digit}, {@code PromptFinished}, …) with
 * {@link #await}. Operator {@value #OPERATOR}. Thread-safe.
 */
public final class MediaCallControl implements CallControl {
  /** The operator of every call's route (the owner of the prompts). */
  public static final String OPERATOR = "op-1";

  private final List<CallProgress> progress = new CopyOnWriteArrayList<>();
  private final Map<String, ActorRef<CallInstruction>> gateways = new ConcurrentHashMap<>();
  private final List<String> trnIds = new CopyOnWriteArrayList<>();
  private volatile String firstPrompt;
  private volatile JudgmentRules judgment;
  private volatile String plainForwardTo;

  /**
   * Decides every later call {@code Forward} to {@code destination} (attempt 1, 20 s) instead of {@code
   * AnswerWithMedia}: the SDP goes end to end, no media is anchored. Null: back to AnswerWithMedia.
   */
  public void plainForward(String destination) {
    this.plainForwardTo = destination;
  }

  /** The judgment rules every later call's route carries (version 1); null: none (issue 4, post-call button). */
  public void judgment(JudgmentRules rules) {
    this.judgment = rules;
  }

  /**
   * Orders {@code prompt} (token 1) the moment a call arrives, before the gateway has the decision, and records the
   * call 200 ms later: what the Call entity does for a flow that starts with guidance. Null: no first prompt.
   */
  public void firstPrompt(String prompt) {
    this.firstPrompt = prompt;
  }

  @Override
  public CompletionStage<Admission> arrive(CallArrival arrival, ActorRef<CallInstruction> gateway) {
    gateways.put(arrival.trnId(), gateway);
    trnIds.add(arrival.trnId());
    NumberRoute route = new NumberRoute(OPERATOR, "client-1", "Test client", "dialin-1", "test number",
        arrival.dialled(), PhoneNumbers.parse("0312345678"));
    JudgmentRules rules = judgment;
    if (rules != null) {
      route = new NumberRoute(route.operatorId(), route.clientId(), route.clientName(), route.dialinId(),
          route.dialinName(), route.din(), route.forwardTo(), false, null, 0, rules, 1);
    }
    String forwardTo = plainForwardTo;
    RouteDecision decision = forwardTo != null
        ? new RouteDecision.Forward(arrival.trnId(), 1, route, PhoneNumbers.parse(forwardTo), 20_000)
        : new RouteDecision.AnswerWithMedia(arrival.trnId(), route);
    String prompt = firstPrompt;
    if (prompt == null) {
      return CompletableFuture.completedFuture(Admission.recorded(decision));
    }
    gateway.tell(new CallInstruction.PlayPrompt(arrival.trnId(), OPERATOR, prompt, false, 1));
    CompletableFuture<Done> recorded = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(200, java.util.concurrent.TimeUnit.MILLISECONDS)
        .execute(() -> recorded.complete(Done.getInstance()));
    return CompletableFuture.completedFuture(new Admission(decision, recorded));
  }

  @Override
  public CompletionStage<Done> report(CallProgress p) {
    progress.add(p);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  /** Sends an instruction to the gateway that holds the call. */
  public void tell(CallInstruction instruction) {
    ActorRef<CallInstruction> gateway = gateways.get(instruction.trnId());
    if (gateway != null) {
      gateway.tell(instruction);
    }
  }

  /** The trn_id of the latest call, waiting for it up to {@code timeout}. */
  public String lastCall(Duration timeout) throws InterruptedException, TimeoutException {
    long until = System.nanoTime() + timeout.toNanos();
    while (trnIds.isEmpty()) {
      if (System.nanoTime() > until) {
        throw new TimeoutException("no call arrived within " + timeout);
      }
      Thread.sleep(5);
    }
    return trnIds.get(trnIds.size() - 1);
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

  /** Forgets everything. */
  public void reset() {
    firstPrompt = null;
    judgment = null;
    plainForwardTo = null;
    progress.clear();
    gateways.clear();
    trnIds.clear();
  }

  /** Waits for a report of {@code type} matching {@code p}. */
  public <T extends CallProgress> T await(Class<T> type, Predicate<T> p, Duration timeout)
      throws InterruptedException, TimeoutException {
    return ProgressReports.await(progress, type, p, timeout);
  }
}
