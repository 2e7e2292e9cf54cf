package io.hankyo.api;

import java.util.List;

/**
 * The billing tiers of number displays per month (spec section 3: dynamic and one-time assignment are billed by
 * number displays per month; tiers: up to 10,000 included; 10,001–30,000; 30,001–50,000; 50,001–100,000;
 * 100,001–300,000; 300,001–500,000; 500,001 and more). Only the tier bounds are facts of the spec; the prices are
 * tariff data of the operator, not kept here.
 */
public final class DisplayTiers {
  private DisplayTiers() {}

  /**
   * One tier: displays {@code from..to}, both inclusive.
   *
   * @param from first display count of the tier (0 for the included tier)
   * @param to last display count of the tier, or null for the open last tier
   * @param included whether the tier is included in the monthly fee (the first one)
   */
  public record Tier(long from, Long to, boolean included) {
    /** Whether {@code displays} falls in this tier. */
    public boolean contains(long displays) {
      return displays >= from && (to == null || displays <= to);
    }
  }

  /** The tiers in order. */
  public static final List<Tier> TIERS = List.of(
      new Tier(0, 10_000L, true),
      new Tier(10_001, 30_000L, false),
      new Tier(30_001, 50_000L, false),
      new Tier(50_001, 100_000L, false),
      new Tier(100_001, 300_000L, false),
      new Tier(300_001, 500_000L, false),
      new Tier(500_001, null, false));

  /**
   * The tier a month's {@code displays} fall in.
   *
   * @throws IllegalArgumentException for a negative count
   */
  public static Tier of(long displays) {
    if (displays < 0) {
      throw new IllegalArgumentException("displays must not be negative: " + displays);
    }
    for (Tier t : TIERS) {
      if (t.contains(displays)) {
        return t;
      }
    }
    throw new IllegalStateException("no tier for " + displays);
  }
}
