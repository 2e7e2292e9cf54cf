package io.hankyo.node.callback;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one asynchronous call per item with at most {@code parallelism} calls in flight, so that a document of 1000
 * numbers does not start 1000 entity recoveries at once and let the last of them run out of their ask timeout (the
 * newcomer trial: a 1000-number {@code PUT /v1/callback-pool} answered 503 on a slow machine). Each call keeps its own
 * timeout; the whole takes about {@code items / parallelism} call times. A plain class, testable without actors.
 */
final class BoundedAsks {
  private BoundedAsks() {}

  /**
   * The results of {@code call} for each item, in item order.
   *
   * @param parallelism most calls in flight, at least 1
   * @return completes when all calls did; fails with the first failure (no new call starts after it)
   */
  static <T, R> CompletionStage<List<R>> map(List<T> items, int parallelism, Function<T, CompletionStage<R>> call) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    Object[] results = new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    CompletableFuture<List<R>> done = new CompletableFuture<>();
    List<CompletableFuture<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(parallelism, items.size()); w++) {
      CompletableFuture<Void> worker = new CompletableFuture<>();
      workers.add(worker);
      step(items, call, results, next, worker, done);
    }
    CompletableFuture.allOf(workers.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
      } else {
        @SuppressWarnings("unchecked")
        List<R> out = (List<R>) Arrays.asList(results);
        done.complete(out);
      }
    });
    return done;
  }

  private static <T, R> void step(List<T> items, Function<T, CompletionStage<R>> call, Object[] results,
      AtomicInteger next, CompletableFuture<Void> worker, CompletableFuture<List<R>> done) {
    int i = next.getAndIncrement();
    if (i >= items.size() || done.isDone()) {
      worker.complete(null);
      return;
    }
    CompletionStage<R> stage;
    try {
      stage = call.apply(items.get(i));
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
      worker.completeExceptionally(e);
      return;
    }
    stage.whenComplete((r, e) -> {
      if (e != null) {
        done.completeExceptionally(e);
        worker.completeExceptionally(e);
      } else {
        results[i] = r;
        step(items, call, results, next, worker, done);
      }
    });
  }
}
