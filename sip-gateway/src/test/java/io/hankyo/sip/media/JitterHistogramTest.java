package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class JitterHistogramTest {
  @Test
  void percentilesAreBucketUpperBounds() {
    JitterHistogram h = new JitterHistogram();
    assertEquals(0, h.p99Micros());
    for (int i = 0; i < 990; i++) {
      h.record(80); // bucket (50, 100]
    }
    for (int i = 0; i < 10; i++) {
      h.record(4_200); // bucket (4000, 5000]
    }
    assertEquals(1000, h.count());
    assertEquals(100, h.percentileMicros(50));
    assertEquals(100, h.p99Micros());
    assertEquals(4_200, h.percentileMicros(99.5), "capped by the maximum seen");
    h.record(-5);
    h.record(250_000);
    assertEquals(250_000, h.maxMicros());
    assertEquals(250_000, h.percentileMicros(100));
    assertThrows(IllegalArgumentException.class, () -> h.percentileMicros(0));
    h.reset();
    assertEquals(0, h.count());
    assertEquals(0, h.maxMicros());
    h.record(30);
    assertEquals(50, h.p99Micros() < 30 ? -1 : 50);
    assertEquals(30, h.p99Micros(), "capped by the maximum seen");
  }
}
