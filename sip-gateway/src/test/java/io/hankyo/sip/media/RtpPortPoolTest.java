package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RtpPortPoolTest {

  @Test
  void handsOutEvenPortsLeavingRtcpFree() throws Exception {
    RtpPortPool pool = new RtpPortPool(16001, 16010); // pairs 16002/3 .. 16008/9 (16010 has no RTCP)
    assertEquals(4, pool.capacity());
    assertEquals(16002, pool.firstPort());
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(pool.allocate());
    }
    assertEquals(List.of(16002, 16004, 16006, 16008), got);
    assertEquals(4, pool.inUse());
    PortsExhaustedException e = assertThrows(PortsExhaustedException.class, pool::allocate);
    assertTrue(e.getMessage().contains("all 4 RTP ports of 16002-16009 are in use"), e.getMessage());
  }

  @Test
  void releaseFreesAndIsNotReusedAtOnce() throws Exception {
    RtpPortPool pool = new RtpPortPool(16000, 16007);
    int a = pool.allocate();
    int b = pool.allocate();
    assertTrue(pool.release(a));
    assertFalse(pool.release(a), "twice");
    assertFalse(pool.release(16001), "an RTCP port");
    assertFalse(pool.release(17000), "outside");
    assertEquals(1, pool.inUse());
    int c = pool.allocate();
    assertTrue(c != a && c != b, "round robin: " + c);
    assertEquals(16006, pool.allocate());
    assertEquals(a, pool.allocate(), "wraps to the freed one");
    assertTrue(pool.isAllocated(b));
    assertThrows(PortsExhaustedException.class, pool::allocate);
    pool.release(b);
    assertEquals(b, pool.allocate());
  }

  @Test
  void rejectsRangesWithoutAPair() {
    assertThrows(IllegalArgumentException.class, () -> new RtpPortPool(16001, 16002));
    assertThrows(IllegalArgumentException.class, () -> new RtpPortPool(16000, 16000));
    new RtpPortPool(16000, 16001);
  }

  @Test
  void threadSafeUnderContention() throws Exception {
    RtpPortPool pool = new RtpPortPool(16000, 16199); // 100 pairs
    Set<Integer> held = ConcurrentHashMap.newKeySet();
    AtomicInteger clashes = new AtomicInteger();
    AtomicInteger exhausted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        try {
          start.await();
          Set<Integer> mine = new HashSet<>();
          for (int i = 0; i < 20_000; i++) {
            if (mine.size() < 30 && (i % 3 != 2)) {
              try {
                int p = pool.allocate();
                if (!held.add(p)) {
                  clashes.incrementAndGet();
                }
                mine.add(p);
              } catch (PortsExhaustedException e) {
                exhausted.incrementAndGet();
              }
            } else if (!mine.isEmpty()) {
              int p = mine.iterator().next();
              mine.remove(p);
              held.remove(p);
              pool.release(p);
            }
          }
          for (int p : mine) {
            held.remove(p);
            pool.release(p);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(0, clashes.get());
    assertEquals(0, pool.inUse());
  }

  @Test
  void settingsGiveTheDefaultRange() {
    RtpPortPool pool = RtpPortPool.of(MediaSettings.defaults());
    assertEquals(20000, pool.firstPort());
    assertEquals(5000, pool.capacity());
  }
}
