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

  @Test
  void bucketCountsAreExposedPerBoundWithOneOpenBucket() {
    JitterHistogram h = new JitterHistogram();
    long[] bounds = JitterHistogram.bucketBoundsMicros();
    h.record(10); // first bucket: (.., 10]
    h.record(11); // second: (10, 20]
    h.record(11);
    h.record(bounds[bounds.length - 1] + 1); // open bucket
    assertEquals(1, h.bucketCount(0));
    assertEquals(2, h.bucketCount(1));
    assertEquals(1, h.bucketCount(bounds.length));
    long sum = 0;
    for (int i = 0; i <= bounds.length; i++) {
      sum += h.bucketCount(i);
    }
    assertEquals(h.count(), sum);
    bounds[0] = 999;
    assertEquals(10, JitterHistogram.bucketBoundsMicros()[0], "a copy");
  }
}
