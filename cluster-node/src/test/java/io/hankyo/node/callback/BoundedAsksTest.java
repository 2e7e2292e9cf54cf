package io.hankyo.node.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@link BoundedAsks}: order kept, never more than the parallelism in flight, first failure fails the whole. */
class BoundedAsksTest {
  @Test
  void atMostParallelismCallsAreInFlightAndResultsKeepItemOrder() throws Exception {
    List<Integer> items = IntStream.range(0, 1000).boxed().toList();
    List<CompletableFuture<Integer>> pending = new ArrayList<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CompletableFuture<List<Integer>> all = BoundedAsks.<Integer, Integer>map(items, 16, i -> {
      most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      CompletableFuture<Integer> f = new CompletableFuture<>();
      synchronized (pending) {
        pending.add(f);
      }
      return f.thenApply(v -> {
        inFlight.decrementAndGet();
        return v * 2;
      });
    }).toCompletableFuture();
    int answered = 0;
    while (!all.isDone()) {
      CompletableFuture<Integer> next;
      synchronized (pending) {
        assertTrue(pending.size() - answered <= 16, "never more than 16 started and unanswered");
        next = pending.get(answered);
      }
      next.complete(answered++);
    }
    assertEquals(1000, answered);
    assertEquals(16, most.get());
    List<Integer> out = all.get(1, TimeUnit.SECONDS);
    assertEquals(1000, out.size());
    assertEquals(1998, out.get(999));
  }

  @Test
  void theFirstFailureFailsTheWholeAndStopsStartingCalls() {
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<List<Object>> all = BoundedAsks.<Integer, Object>map(List.of(1, 2, 3, 4, 5), 1, i -> {
      started.incrementAndGet();
      return i == 2 ? CompletableFuture.failedFuture(new IllegalStateException("no")) : CompletableFuture.completedFuture(i);
    }).toCompletableFuture();
    ExecutionException e = assertThrows(ExecutionException.class, () -> all.get(1, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof IllegalStateException);
    assertEquals(2, started.get());
  }
}
