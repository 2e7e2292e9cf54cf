package io.hankyo.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link DeliveryBackend} in memory for route tests: deliveries per operator, the same 404/409 answers as the
 * cluster backend (unknown or another operator's id 404, redelivery of a pending delivery 409).
 */
final class InMemoryDeliveries implements DeliveryBackend {
  private final Map<String, String> owners = new LinkedHashMap<>();
  private final Map<String, Detail> deliveries = new LinkedHashMap<>();
  private final Instant now;
  /** The last query the listing got. */
  volatile Query lastQuery;

  InMemoryDeliveries(Instant now) {
    this.now = now;
  }

  /** Adds a delivery of {@code operatorId}. */
  synchronized void add(String operatorId, Detail d) {
    owners.put(d.summary().id(), operatorId);
    deliveries.put(d.summary().id(), d);
  }

  @Override
  public synchronized CompletionStage<List<Summary>> list(String operatorId, Query q) {
    lastQuery = q;
    return CompletableFuture.completedFuture(deliveries.values().stream().map(Detail::summary)
        .filter(s -> operatorId.equals(owners.get(s.id())) && s.channel().equals(q.channel())
            && (q.clientId() == null || q.clientId().equals(s.clientId()))
            && (q.trnId() == null || q.trnId().equals(s.trnId()))
            && (q.status() == null || q.status().equals(s.status()))
            && !s.requestedAt().isBefore(q.from()) && s.requestedAt().isBefore(q.to()))
        .sorted(Comparator.comparing(Summary::requestedAt).reversed())
        .limit(q.limit())
        .toList());
  }

  private String key(String id) {
    return id.split(":").length == 2 ? "webhook:" + id : id;
  }

  @Override
  public synchronized CompletionStage<Detail> get(String operatorId, String id) {
    Detail d = deliveries.get(key(id));
    if (d == null || !operatorId.equals(owners.get(key(id)))) {
      return CompletableFuture.failedFuture(ApiProblem.notFound("no delivery " + id));
    }
    return CompletableFuture.completedFuture(d);
  }

  @Override
  public synchronized CompletionStage<Detail> redeliver(String operatorId, String id) {
    Detail d = deliveries.get(key(id));
    if (d == null || !operatorId.equals(owners.get(key(id)))) {
      return CompletableFuture.failedFuture(ApiProblem.notFound("no delivery " + id));
    }
    if (d.summary().status().equals("pending")) {
      return CompletableFuture.failedFuture(ApiProblem.conflict("delivery " + id + " is still pending"));
    }
    Summary s = d.summary();
    Detail again = new Detail(new Summary(s.id(), s.channel(), s.idempotencyKey(), s.trnId(), s.clientId(),
        s.dialinId(), s.target(), "pending", s.requestedAt(), s.attempts(), s.lastAttemptAt(), s.lastStatus(),
        s.lastError(), now, null), new ArrayList<>(d.attempts()), null, null);
    deliveries.put(s.id(), again);
    return CompletableFuture.completedFuture(again);
  }
}
