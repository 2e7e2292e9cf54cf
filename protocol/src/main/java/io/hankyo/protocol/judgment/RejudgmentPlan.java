package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Re-judgment (再判定, issue 4): which connected calls of a range change their judgment under another stored version of
 * the rules. Pure: the node reads the call-log rows and the duplicate index, this class decides, the node writes.
 *
 * <p>Calls are judged in arrival order ({@code din_tms}, then {@code trn_id}), so the duplicate rule sees the calls of
 * the range before each call with their <em>new</em> verdicts; calls before the range come from {@code before} (the
 * {@code caller_calls} index), asked only for arrivals before {@code from} so a call of the range is never seen with
 * its old verdict. Rows that are not {@link Row#target() targets} (e.g. other numbers of the advertiser when only one
 * number is re-judged) are never changed but count as earlier calls with their current verdict. Calls that never
 * connected are skipped (they have no judgment).
 *
 * <p>Limitation: earlier calls before the range count with the verdict the index holds (the one they were judged
 * with when they ended), also for {@code earlier_calls: "valid"}.
 */
public final class RejudgmentPlan {
  private RejudgmentPlan() {}

  /**
   * One connected call of the range as the call log holds it.
   *
   * @param facts the judge's view (from the row: {@code talking_sec}, answered, {@code logvars.ivr_digits}, caller
   *     hash; no post-call key, which the row does not hold)
   * @param before the judgment the row holds now ({@code logvars}); never null, {@link Outcome#NONE_YET} for none
   * @param target true when the call is to be re-judged; false when it only counts as an earlier call
   */
  public record Row(CallFacts facts, Outcome before, boolean target) {
    /** Checks the parts. */
    public Row {
      Objects.requireNonNull(facts, "facts");
      Objects.requireNonNull(before, "before");
    }
  }

  /**
   * A judgment as the call log shows it.
   *
   * @param validRes {@code logvars.valid_res} (有効, 無効(未満), …), or null when none
   * @param validCode {@code logvars.valid_code} ({@code valid}, {@code invalid_short}, …), or null when none
   * @param judgmentVersion {@code logvars.judgment_version}, or null when none
   * @param judgmentScope {@code logvars.judgment_scope} ({@code number}, {@code advertiser}); null when the row
   *     does not say (calls judged under the number's own rules before advertiser rules existed)
   * @param reason {@code logvars.valid_reason}, or null
   */
  public record Outcome(
      @JsonProperty("valid_res") String validRes,
      @JsonProperty("valid_code") String validCode,
      @JsonProperty("judgment_version") String judgmentVersion,
      @JsonProperty("judgment_scope") @JsonInclude(JsonInclude.Include.NON_NULL) String judgmentScope,
      @JsonProperty("valid_reason") @JsonInclude(JsonInclude.Include.NON_NULL) String reason)
      implements JsonSerializable {
    /** A row without a judgment. */
    public static final Outcome NONE_YET = new Outcome(null, null, null, null, null);

    @JsonCreator
    public Outcome {}

    /** The verdict of {@link #validCode}, or {@link Verdict#NONE} when there is none or it is unknown. */
    public Verdict verdict() {
      if (validCode == null) {
        return Verdict.NONE;
      }
      try {
        return Verdict.ofCode(validCode);
      } catch (IllegalArgumentException e) {
        return Verdict.NONE;
      }
    }
  }

  /**
   * A call whose judgment changes.
   *
   * @param trnId {@code trn_id}
   * @param dialinId {@code dialin_id} of the call
   * @param arrivedAt {@code din_tms}
   * @param before the judgment the row held
   * @param after the new judgment (with the re-judgment's version and scope, and the reason)
   */
  public record Change(
      @JsonProperty("trn_id") String trnId,
      @JsonProperty("dialin_id") String dialinId,
      @JsonProperty("arrived_at") Instant arrivedAt,
      @JsonProperty("before") Outcome before,
      @JsonProperty("after") Outcome after)
      implements JsonSerializable {}

  /**
   * The outcome of a plan.
   *
   * @param examined connected target calls judged again
   * @param changes the target calls whose verdict ({@code valid_code}) changes, in arrival order
   */
  public record Result(int examined, List<Change> changes) {
    /** Copies the list. */
    public Result {
      changes = List.copyOf(changes);
    }
  }

  /**
   * Judges the rows again.
   *
   * @param rules the stored version to judge under
   * @param version its version, as written to {@code logvars.judgment_version}
   * @param scope whose version it is ({@code number} or {@code advertiser}), written to {@code
   *     logvars.judgment_scope}
   * @param rows the connected calls of the range (targets and non-targets), in any order
   * @param from the start of the range: {@code before} is asked only for arrivals before it
   * @param before the earlier calls before the range (the {@code caller_calls} index)
   */
  public static Result plan(JudgmentRules rules, int version, String scope, List<Row> rows, Instant from,
      PriorCalls before) {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(before, "before");
    List<Row> ordered = new ArrayList<>(rows);
    ordered.sort(Comparator.comparing((Row r) -> r.facts().arrivedAt()).thenComparing(r -> r.facts().trnId()));
    // the calls of the range judged so far, with the verdict they have from now on
    List<Judged> seen = new ArrayList<>();
    List<Change> changes = new ArrayList<>();
    int examined = 0;
    for (Row row : ordered) {
      CallFacts f = row.facts();
      if (!f.answered()) {
        continue;
      }
      if (!row.target()) {
        seen.add(new Judged(f, row.before().verdict()));
        continue;
      }
      examined++;
      Judgment j = Judge.judge(rules, f, q -> latest(q, seen, from, before));
      seen.add(new Judged(f, j.verdict()));
      if (j.verdict() != row.before().verdict()) {
        changes.add(new Change(f.trnId(), f.dialinId(), f.arrivedAt(), row.before(),
            new Outcome(j.validRes(), j.verdict().code(), Integer.toString(version), scope, j.reason())));
      }
    }
    return new Result(examined, changes);
  }

  private record Judged(CallFacts facts, Verdict verdict) {}

  private static Optional<PriorCalls.PriorCall> latest(PriorCalls.Query q, List<Judged> seen, Instant from,
      PriorCalls before) {
    for (int i = seen.size() - 1; i >= 0; i--) {
      Judged s = seen.get(i);
      CallFacts f = s.facts();
      String key = f.callerHash() != null ? f.callerHash() : Judge.WITHHELD_CALLER;
      String scopeKey = q.scope() == JudgmentRules.Scope.NUMBER ? f.dialinId() : f.clientId();
      boolean matches = key.equals(q.callerKey()) && scopeKey.equals(q.scopeKey())
          && f.arrivedAt().isAfter(q.since()) && f.arrivedAt().isBefore(q.before())
          && (!q.validOnly() || s.verdict() == Verdict.VALID)
          && s.verdict() != Verdict.NONE;
      if (matches) {
        return Optional.of(new PriorCalls.PriorCall(f.trnId(), f.arrivedAt()));
      }
    }
    if (!q.since().isBefore(from)) {
      return Optional.empty();
    }
    Instant end = q.before().isBefore(from) ? q.before() : from;
    return before.latest(new PriorCalls.Query(q.scope(), q.operatorId(), q.scopeKey(), q.callerKey(), q.since(),
        end, q.validOnly()));
  }
}
