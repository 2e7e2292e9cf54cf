package io.hankyo.node.inventory;

import io.hankyo.node.inventory.InventoryNumber.State;
import io.hankyo.node.inventory.InventoryNumber.Status;
import java.time.Instant;
import java.util.Optional;

/**
 * The decisions of {@link InventoryNumber} as plain functions (issue 5): each answers the refusal text of a command in
 * a state, or empty when the command may proceed (possibly as a no-op the entity acknowledges). The texts are shown to
 * API users after the number ("0120-000-002 is pooled, not available"), so each starts with a verb; times in them are
 * Japan time ({@code 2026-11-30T11:09:03+09:00}), like the rest of the API.
 */
public final class InventoryRules {
  private InventoryRules() {}

  private static final java.time.ZoneId JAPAN = java.time.ZoneId.of("Asia/Tokyo");

  /** {@code t} as an ISO-8601 Japan time to the second, e.g. {@code 2026-11-30T11:09:03+09:00}. */
  static String japanTime(Instant t) {
    return java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(
        t.atZone(JAPAN).toOffsetDateTime().withNano(0));
  }

  /** Import: refused only when another operator owns the number (a number is never moved between operators). */
  public static Optional<String> refuseImport(State s, String operatorId) {
    if (s.owned() && !s.owner().equals(operatorId)) {
      return Optional.of("is in another operator's inventory");
    }
    return Optional.empty();
  }

  /**
   * Static assignment to {@code clientId}/{@code dialinId} at {@code now}: the number must be the operator's and
   * {@code available} (a cool-down past its end counts as available); assigning it again to the same record is
   * allowed (idempotent), to another record refused.
   */
  public static Optional<String> refuseAssign(State s, String operatorId, String clientId, String dialinId,
      Instant now) {
    if (!s.owned()) {
      return Optional.of("is not in any operator's inventory");
    }
    if (!s.owner().equals(operatorId)) {
      return Optional.of("is in another operator's inventory");
    }
    Status st = s.effective(now);
    if (st == Status.ASSIGNED) {
      return clientId.equals(s.clientId()) && dialinId.equals(s.dialinId())
          ? Optional.empty()
          : Optional.of("is already assigned to " + s.clientId() + "/" + s.dialinId());
    }
    if (st != Status.AVAILABLE) {
      return Optional.of("is " + st.apiName() + (s.until() != null ? " until " + japanTime(s.until()) : "")
          + ", not available");
    }
    return Optional.empty();
  }

  /** Release: only by the owner, and not while the number is assigned or pooled; releasing twice is a no-op. */
  public static Optional<String> refuseRelease(State s, String operatorId, Instant now) {
    if (!s.owned()) {
      return Optional.empty();
    }
    if (!s.owner().equals(operatorId)) {
      return Optional.of("is in another operator's inventory");
    }
    Status st = s.effective(now);
    if (st == Status.ASSIGNED || st == Status.POOLED) {
      return Optional.of("is " + st.apiName() + "; end that first");
    }
    return Optional.empty();
  }

  /**
   * Pooling into {@code poolId} at {@code now} (issue 5 pools): the number must be the operator's and {@code available}
   * (a cool-down past its end counts); pooling it again into the same pool is allowed (idempotent), into another pool
   * refused.
   */
  public static Optional<String> refusePool(State s, String operatorId, String poolId, Instant now) {
    if (!s.owned()) {
      return Optional.of("is not in any operator's inventory");
    }
    if (!s.owner().equals(operatorId)) {
      return Optional.of("is in another operator's inventory");
    }
    Status st = s.effective(now);
    if (st == Status.POOLED) {
      return poolId.equals(s.poolId()) ? Optional.empty() : Optional.of("is already in pool " + s.poolId());
    }
    if (st != Status.AVAILABLE) {
      return Optional.of("is " + st.apiName() + (s.until() != null ? " until " + japanTime(s.until()) : "")
          + ", not available");
    }
    return Optional.empty();
  }

  /**
   * A callback number (issue 4 callback pool, {@code PUT /v1/callback-pool}) at {@code now}: a number of the operator's
   * inventory must be {@code available} (not pooled in a visitor pool, not a static number, not cooling down: a
   * callback lease forwards calls to an earlier missed caller, so a visitor shown the number could reach a stranger);
   * a number of another operator's inventory is refused; a number in no inventory is allowed (as before issue 5).
   * The number stays {@code available} in the inventory: pooling it is refused while it is a callback number
   * ({@code ClusterPoolBackend}).
   */
  public static Optional<String> refuseCallback(State s, String operatorId, Instant now) {
    if (!s.owned()) {
      return Optional.empty();
    }
    if (!s.owner().equals(operatorId)) {
      return Optional.of("is in another operator's inventory");
    }
    Status st = s.effective(now);
    if (st == Status.POOLED) {
      return Optional.of("is pooled in pool " + s.poolId() + " (DELETE the pool first)");
    }
    if (st == Status.ASSIGNED) {
      return Optional.of("is assigned to " + s.clientId() + "/" + s.dialinId());
    }
    if (st != Status.AVAILABLE) {
      return Optional.of("is " + st.apiName() + (s.until() != null ? " until " + japanTime(s.until()) : "")
          + ", not available");
    }
    return Optional.empty();
  }
}
