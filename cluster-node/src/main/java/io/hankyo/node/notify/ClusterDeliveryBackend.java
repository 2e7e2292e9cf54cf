package io.hankyo.node.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.api.ApiProblem;
import io.hankyo.api.DeliveryBackend;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@link DeliveryBackend} over the sharded delivery entities ({@link WebhookDelivery}, one type per channel) and the
 * listing index ({@link CassandraDeliveryIndex}); issue 4, the delivery log and redeliver API.
 *
 * <p>A listing reads the index (eventually consistent with the entities: a change shows there once its entity's
 * write landed, normally within milliseconds). A single delivery is read from its entity, whose state holds every
 * attempt; the owner check reads the operator from the delivery's stored payload. Reading an id that was never
 * requested answers 404 and does not leave a remembered entity behind (the entity passivates itself).
 */
public final class ClusterDeliveryBackend implements DeliveryBackend {
  private static final Pattern TRN = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  private final ClusterSharding sharding;
  private final CassandraDeliveryIndex index;
  private final ObjectMapper json;
  private final Duration timeout;

  /**
   * @param sharding where the delivery entity types are registered ({@link WebhookDelivery#initRemembered})
   * @param index the listing index the entities write
   * @param json reads stored payloads (the owner)
   * @param timeout one ask of an entity
   */
  public ClusterDeliveryBackend(ClusterSharding sharding, CassandraDeliveryIndex index, ObjectMapper json,
      Duration timeout) {
    this.sharding = sharding;
    this.index = index;
    this.json = json;
    this.timeout = timeout;
  }

  /** An API id taken apart: the channel and the entity id. */
  record Ref(WebhookDelivery.Channel channel, String entityId) {
    String apiId() {
      return CassandraDeliveryIndex.channelName(channel) + ":" + entityId;
    }
  }

  /**
   * Reads {@code <channel>:<trn_id>:<event>} or {@code <trn_id>:<event>} (a webhook's {@code Idempotency-Key}).
   *
   * @throws ApiProblem 404 when it is neither
   */
  static Ref parse(String id) {
    String[] parts = id == null ? new String[0] : id.split(":", -1);
    WebhookDelivery.Channel channel = WebhookDelivery.Channel.WEBHOOK;
    int at = 0;
    if (parts.length == 3) {
      channel = channelOf(parts[0]).orElse(null);
      at = 1;
    }
    if (channel == null || parts.length - at != 2 || !TRN.matcher(parts[at]).matches()) {
      throw ApiProblem.notFound("no delivery " + id + " (ids are <channel>:<trn_id>:<event>)");
    }
    try {
      return new Ref(channel, new WebhookDelivery.DeliveryId(parts[at], parts[at + 1]).entityId());
    } catch (IllegalArgumentException e) {
      throw ApiProblem.notFound("no delivery " + id + " (ids are <channel>:<trn_id>:<event>)");
    }
  }

  private static Optional<WebhookDelivery.Channel> channelOf(String name) {
    for (WebhookDelivery.Channel c : WebhookDelivery.Channel.values()) {
      if (CassandraDeliveryIndex.channelName(c).equals(name)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }

  @Override
  public CompletionStage<List<Summary>> list(String operatorId, Query q) {
    Predicate<CassandraDeliveryIndex.Summary> filter = s -> s.channel().equals(q.channel())
        && (q.clientId() == null || q.clientId().equals(s.owner().clientId()))
        && (q.trnId() == null || q.trnId().equals(s.owner().trnId()))
        && (q.status() == null || q.status().equals(s.status()));
    return index.list(operatorId, q.from(), q.to(), filter, q.limit())
        .thenApply(rows -> rows.stream().map(ClusterDeliveryBackend::summary).toList());
  }

  private static Summary summary(CassandraDeliveryIndex.Summary s) {
    return new Summary(s.channel() + ":" + s.deliveryId(), s.channel(), s.deliveryId(), s.owner().trnId(),
        s.owner().clientId(), s.owner().dialinId(), s.target(), s.status(), s.requestedAt(), s.attempts(),
        s.lastAttemptAt(), s.lastStatus(), s.lastError(), s.nextAttemptAt(), s.closedAt());
  }

  @Override
  public CompletionStage<Detail> get(String operatorId, String id) {
    Ref ref;
    try {
      ref = parse(id);
    } catch (ApiProblem p) {
      return CompletableFuture.failedFuture(p);
    }
    return owned(operatorId, id, ref).thenApply(d -> detail(ref, d.owner(), d.delivery()));
  }

  @Override
  public CompletionStage<Detail> redeliver(String operatorId, String id) {
    Ref ref;
    try {
      ref = parse(id);
    } catch (ApiProblem p) {
      return CompletableFuture.failedFuture(p);
    }
    return owned(operatorId, id, ref)
        .thenCompose(d -> sharding.entityRefFor(ref.channel().key(), ref.entityId())
            .<StatusReply<org.apache.pekko.Done>>ask(WebhookDelivery.Redeliver::new, timeout)
            .thenApply(reply -> {
              if (reply.isError()) {
                String why = reply.getError().getMessage();
                throw why.startsWith(WebhookDelivery.NOT_REQUESTED_PREFIX) ? notFound(id)
                    : ApiProblem.conflict(why);
              }
              return d;
            }))
        .thenCompose(d -> owned(operatorId, id, ref))
        .thenApply(d -> detail(ref, d.owner(), d.delivery()));
  }

  private record Owned(CassandraDeliveryIndex.Owner owner, WebhookDelivery.Delivery delivery) {}

  private CompletionStage<Owned> owned(String operatorId, String id, Ref ref) {
    return sharding.entityRefFor(ref.channel().key(), ref.entityId())
        .<WebhookDelivery.State>ask(WebhookDelivery.Get::new, timeout)
        .thenApply(state -> {
          if (state instanceof WebhookDelivery.Delivery d) {
            Optional<CassandraDeliveryIndex.Owner> owner = CassandraDeliveryIndex.owner(json, d.payload());
            if (owner.isPresent() && owner.get().operatorId().equals(operatorId)) {
              return new Owned(owner.get(), d);
            }
          }
          throw notFound(id);
        });
  }

  private static ApiProblem notFound(String id) {
    return ApiProblem.notFound("no delivery " + id);
  }

  static Detail detail(Ref ref, CassandraDeliveryIndex.Owner owner, WebhookDelivery.Delivery d) {
    Summary s = summary(CassandraDeliveryIndex.summary(ref.channel(), ref.entityId(), owner, d));
    return new Detail(s, d.attempts().stream().map(a -> new Attempt(a.number(), a.startedAt(), a.finishedAt(),
            a.status(), a.error(), a.durationMs(), a.verdict().name().toLowerCase(Locale.ROOT))).toList(),
        d.inFlight(), d.gaveUpReason());
  }
}
