package io.hankyo.node.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock the test sets or moves by hand (thread-safe: entities read it on their own threads). */
public final class ManualClock extends Clock {
  private volatile Instant now;

  /** A clock showing {@code start} until set or moved. */
  public ManualClock(Instant start) {
    this.now = start;
  }

  /** Shows {@code instant} from now on. */
  public void set(Instant instant) {
    now = instant;
  }

  /** Moves the clock forward by {@code d}. */
  public void advance(Duration d) {
    now = now.plus(d);
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
