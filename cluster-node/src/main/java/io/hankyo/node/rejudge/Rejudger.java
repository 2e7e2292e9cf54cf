package io.hankyo.node.rejudge;

import io.hankyo.api.ApiProblem;
import io.hankyo.node.call.CallLogWriter;
import io.hankyo.node.call.CallerHistory;
import io.hankyo.node.calllog.CallLogReader;
import io.hankyo.node.directory.Advertiser;
import io.hankyo.node.directory.Rejudgment;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.judgment.CallFacts;
import io.hankyo.protocol.judgment.Judge;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.judgment.PriorCalls;
import io.hankyo.protocol.judgment.RejudgmentPlan;
import io.hankyo.protocol.judgment.RejudgmentView;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Runs a re-judgment (再判定, issue 4, {@code POST /v1/rejudgments}): finds the stored rule version, reads the
 * advertiser's connected calls of the arrival range from the call log, asks the {@code caller_calls} index for the
 * earlier calls before the range, plans with {@link RejudgmentPlan}, stores the result in a {@link Rejudgment} entity
 * and rewrites the changed call-log rows ({@code logvars} {@code valid_res}, {@code valid_code}, {@code
 * judgment_version}, {@code judgment_scope}, {@code valid_reason}, {@code rejudgment_id}). The calls' {@code
 * CallEnded} events are untouched: the original judgment stays there and in the Rejudgment's {@code before}.
 *
 * <p>Facts come from the rows: {@code talking_sec}, answered ({@code tst_tms}), {@code logvars.ivr_digits}, and the
 * caller as the keyed hash of the decrypted {@code clr_id_cipher}. Limitations: a caller whose From was withheld but
 * who had a P-Asserted-Identity is seen as withheld (the row does not keep the PAI); the post-call key is not in the
 * row (as in the live judgment, the button never decides); the {@code caller_calls} index keeps the verdicts the calls
 * ended with; a replay of the call-log projection from an older offset would restore the original judgment of the
 * rows (the Rejudgment entity keeps what to re-apply).
 */
public final class Rejudger {
  /** Scope {@code number} of {@code rules.scope}. */
  public static final String NUMBER = "number";
  /** Scope {@code advertiser} of {@code rules.scope}. */
  public static final String ADVERTISER = "advertiser";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final CallLogReader reader;
  private final CallLogWriter writer;
  private final CallerHistory history;
  private final CallerNumberCipher cipher;
  private final RuleVersions versions;
  private final Duration maxRange;
  private final int maxCalls;

  /**
   * @param maxRange the longest arrival range ({@code hankyo.rejudgment.max-range}); longer is 400
   * @param maxCalls the most connected calls one re-judgment reads ({@code hankyo.rejudgment.max-calls}); more is 413
   */
  public Rejudger(ActorSystem<?> system, ClusterSharding sharding, Duration askTimeout, CallLogReader reader,
      CallLogWriter writer, CallerHistory history, CallerNumberCipher cipher, RuleVersions versions,
      Duration maxRange, int maxCalls) {
    this.system = Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
    this.reader = Objects.requireNonNull(reader, "reader");
    this.writer = Objects.requireNonNull(writer, "writer");
    this.history = Objects.requireNonNull(history, "history");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
    this.versions = Objects.requireNonNull(versions, "versions");
    this.maxRange = Objects.requireNonNull(maxRange, "maxRange");
    this.maxCalls = maxCalls;
    Rejudgment.init(sharding);
  }

  /** The zone re-judgment messages show times in (the call log's, spec section 1: Japan). */
  static final ZoneId ZONE = ZoneId.of("Asia/Tokyo");

  /**
   * 400 when the arrival range is empty or longer than {@code maxRange}, with the JSON Pointer {@code /to} and the
   * times in Asia/Tokyo ({@code 2026-01-01T00:00+09:00}, as operators write them); null when the range is fine.
   */
  static ApiProblem rangeProblem(Instant from, Instant to, Duration maxRange) {
    String detail;
    if (!from.isBefore(to)) {
      detail = "must be after from (" + local(from) + "); got " + local(to);
    } else if (Duration.between(from, to).compareTo(maxRange) > 0) {
      detail = "makes the range from " + local(from) + " to " + local(to) + " longer than " + maxRange.toDays()
          + " days; re-judge it in parts";
    } else {
      return null;
    }
    return ApiProblem.invalid("the re-judgment request has a problem; first: /to: " + detail,
        List.of(new ApiProblem.FieldError("/to", detail)));
  }

  private static String local(Instant t) {
    return t.atZone(ZONE).toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }

  /**
   * Runs one re-judgment.
   *
   * @return the stored re-judgment; fails with {@link ApiProblem} 400 (range, scope), 404 (advertiser, number or
   *     version unknown, also another operator's), 413 (more than {@code maxCalls} calls)
   */
  public CompletionStage<RejudgmentView> run(RejudgmentView.Request req) {
    ApiProblem range = rangeProblem(req.from(), req.to(), maxRange);
    if (range != null) {
      return failed(range);
    }
    if (!NUMBER.equals(req.scope()) && !ADVERTISER.equals(req.scope())) {
      return failed(ApiProblem.invalid("rules.scope must be \"number\" or \"advertiser\""));
    }
    if (NUMBER.equals(req.scope()) && req.dialinId() == null) {
      return failed(ApiProblem.invalid("rules.scope \"number\" needs dialin_id (the number whose version it is)"));
    }
    if (req.version() < 1) {
      return failed(ApiProblem.invalid("rules.version must be 1 or more"));
    }
    Advertiser.Summary[] adv = new Advertiser.Summary[1];
    return advertiser(req)
        .thenCompose(a -> {
          adv[0] = a;
          String e164 = null;
          if (req.dialinId() != null) {
            e164 = a.numbers().get(req.dialinId());
            if (e164 == null) {
              throw ApiProblem.notFound("tracking number '" + req.dialinId() + "' of advertiser '" + req.clientId()
                  + "' not found");
            }
          }
          boolean numberScope = NUMBER.equals(req.scope());
          return versions.find(req.operatorId(), req.clientId(), numberScope ? req.dialinId() : null,
              numberScope ? e164 : null, req.version());
        })
        .thenCompose(found -> {
          JudgmentRules rules = found.orElseThrow(() -> ApiProblem.notFound("version " + req.version() + " of the "
              + (NUMBER.equals(req.scope()) ? "number '" + req.dialinId() + "'" : "advertiser '" + req.clientId()
              + "'") + "'s judgment rules does not exist (or removed the rules)"));
          return rows(req).thenCompose(records -> plan(req, rules, records));
        });
  }

  private CompletionStage<Advertiser.Summary> advertiser(RejudgmentView.Request req) {
    String id;
    try {
      id = Advertiser.entityId(req.operatorId(), req.clientId());
    } catch (IllegalArgumentException e) {
      return failed(ApiProblem.notFound("advertiser '" + req.clientId() + "' not found"));
    }
    return sharding.entityRefFor(Advertiser.ENTITY_KEY, id)
        .<Advertiser.Summary>askWithStatus(Advertiser.Get::new, askTimeout)
        .exceptionally(e -> {
          Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          if (c instanceof StatusReply.ErrorMessage) {
            throw ApiProblem.notFound("advertiser '" + req.clientId() + "' not found");
          }
          throw e instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(e);
        });
  }

  /** The advertiser's connected calls of the range; 413 beyond {@code maxCalls}. */
  private CompletionStage<List<CallLogRecord>> rows(RejudgmentView.Request req) {
    return reader.read(req.operatorId(), req.from(), req.to())
        .filter(r -> req.clientId().equals(r.clientId()) && r.answeredAt() != null)
        .take(maxCalls + 1L)
        .runWith(Sink.seq(), system)
        .thenApply(list -> {
          if (list.size() > maxCalls) {
            throw new ApiProblem(413, "https://hankyo.io/problems/too-many-calls", "Too many calls", "more than " + maxCalls + " connected calls in the range; "
                + "re-judge a shorter range or one number at a time");
          }
          return list;
        });
  }

  private CompletionStage<RejudgmentView> plan(RejudgmentView.Request req, JudgmentRules rules,
      List<CallLogRecord> records) {
    List<RejudgmentPlan.Row> rows = new ArrayList<>();
    Map<String, CallLogRecord> byTrn = new HashMap<>();
    for (CallLogRecord r : records) {
      byTrn.put(r.trnId(), r);
      boolean target = req.dialinId() == null || req.dialinId().equals(r.dialinId());
      rows.add(new RejudgmentPlan.Row(facts(r), before(r), target));
    }
    // the index answers for the targets' earlier calls before the range, fetched first (the planner is pure)
    List<PriorCalls.Query> queries = new ArrayList<>();
    for (RejudgmentPlan.Row row : rows) {
      if (row.target() && row.facts().answered()) {
        Judge.judge(rules, row.facts(), q -> {
          if (q.since().isBefore(req.from())) {
            queries.add(clamp(q, req.from()));
          }
          return Optional.empty();
        });
      }
    }
    return Source.from(queries)
        .mapAsync(8, q -> history.latest(q).thenApply(p -> Pair.create(q, p)))
        .runWith(Sink.seq(), system)
        .thenCompose(answers -> {
          Map<PriorCalls.Query, Optional<PriorCalls.PriorCall>> index = new HashMap<>();
          answers.forEach(p -> index.put(p.first(), p.second()));
          RejudgmentPlan.Result result = RejudgmentPlan.plan(rules, req.version(), req.scope(), rows, req.from(),
              q -> index.getOrDefault(q, Optional.empty()));
          String id = newId();
          return sharding.entityRefFor(Rejudgment.ENTITY_KEY, Rejudgment.entityId(req.operatorId(), id))
              .<RejudgmentView>askWithStatus(
                  r -> new Rejudgment.Record(req, result.examined(), result.changes(), r), askTimeout)
              .thenCompose(view -> rewrite(view, byTrn));
        });
  }

  private CompletionStage<RejudgmentView> rewrite(RejudgmentView view, Map<String, CallLogRecord> byTrn) {
    List<CallLogRecord> rewritten = new ArrayList<>();
    for (RejudgmentPlan.Change c : view.changes()) {
      CallLogRecord r = byTrn.get(c.trnId());
      Map<String, String> vars = new LinkedHashMap<>(r.logvars());
      putOrRemove(vars, "valid_res", c.after().validRes());
      putOrRemove(vars, "valid_code", c.after().validCode());
      putOrRemove(vars, "judgment_version", c.after().judgmentVersion());
      putOrRemove(vars, "judgment_scope", c.after().judgmentScope());
      putOrRemove(vars, "valid_reason", c.after().reason());
      vars.put("rejudgment_id", view.id());
      rewritten.add(withLogvars(r, vars));
    }
    return writer.upsertAll(rewritten)
        .thenCompose(d -> sharding.entityRefFor(Rejudgment.ENTITY_KEY,
                Rejudgment.entityId(view.request().operatorId(), view.id()))
            .<Done>askWithStatus(Rejudgment.MarkApplied::new, askTimeout))
        .thenApply(d -> new RejudgmentView(view.id(), view.request(), view.examined(), view.changes(),
            view.createdAt(), true));
  }

  /**
   * A stored re-judgment.
   *
   * @return it; fails with 404 when the operator has none with that id
   */
  public CompletionStage<RejudgmentView> get(String operatorId, String id) {
    String entityId;
    try {
      entityId = Rejudgment.entityId(operatorId, id);
    } catch (IllegalArgumentException e) {
      return failed(ApiProblem.notFound("rejudgment '" + id + "' not found"));
    }
    return sharding.entityRefFor(Rejudgment.ENTITY_KEY, entityId)
        .<RejudgmentView>askWithStatus(Rejudgment.Get::new, askTimeout)
        .exceptionally(e -> {
          Throwable c = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          if (c instanceof StatusReply.ErrorMessage) {
            throw ApiProblem.notFound("rejudgment '" + id + "' not found");
          }
          throw e instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(e);
        });
  }

  /** The judge's view of a stored row (see the class comment for what the row cannot tell). */
  CallFacts facts(CallLogRecord r) {
    String callerHash = null;
    if (r.caller() != null) {
      try {
        String number = cipher.decrypt(r.caller());
        if (number.matches("\\+[1-9][0-9]{1,14}")) {
          callerHash = cipher.keyedHash(number);
        }
      } catch (RuntimeException e) {
        callerHash = null; // key shredded or rotated out: the caller is unknown, as withheld
      }
    }
    return new CallFacts(r.trnId(), r.operatorId(), r.clientId(), r.dialinId(), r.din(), r.arrivedAt(),
        r.answeredAt() != null, r.talkingSec(), callerHash,
        CallFacts.ivrDigits(r.logvars().get("ivr_digits")), null);
  }

  private static RejudgmentPlan.Outcome before(CallLogRecord r) {
    Map<String, String> v = r.logvars();
    return new RejudgmentPlan.Outcome(v.get("valid_res"), v.get("valid_code"), v.get("judgment_version"),
        v.get("judgment_scope"), v.get("valid_reason"));
  }

  private static PriorCalls.Query clamp(PriorCalls.Query q, Instant from) {
    Instant end = q.before().isBefore(from) ? q.before() : from;
    return new PriorCalls.Query(q.scope(), q.operatorId(), q.scopeKey(), q.callerKey(), q.since(), end,
        q.validOnly());
  }

  private static void putOrRemove(Map<String, String> vars, String key, String value) {
    if (value == null) {
      vars.remove(key);
    } else {
      vars.put(key, value);
    }
  }

  private static CallLogRecord withLogvars(CallLogRecord r, Map<String, String> vars) {
    return new CallLogRecord(r.operatorId(), r.seqNum(), r.trnId(), r.din(), r.clientId(), r.clientName(),
        r.dialinId(), r.dialinName(), r.forwardTo(), r.caller(), r.callerType(), r.forwardType(), r.arrivedAt(),
        r.answeredAt(), r.endedAt(), r.callingSec(), r.talkingSec(), r.connSec(), r.dialStatus(), r.hangupParty(),
        vars, r.nfyEmail(), r.nfyHttp(), r.callCharge(), r.endCause(), r.sipStatus());
  }

  private static String newId() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return "rjd_" + java.util.HexFormat.of().formatHex(b);
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }
}
