package io.hankyo.node.notify;

import io.hankyo.node.call.Call;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.cassandra.javadsl.CassandraProjection;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.Handler;
import org.apache.pekko.projection.javadsl.SourceProvider;

/**
 * The notification outbox feed (issue 4): a Pekko Projection over the tagged {@link Call.CallEnded} events, like the
 * call-log projection, at-least-once, one instance per tag ({@code ProjectionId.of("notifications", tag)}) spread over
 * the cluster by a sharded daemon process. Each ended call whose record fired a channel is handed to its delivery
 * entity ({@link NotificationHandover}); the offset is stored only after the entity persisted the request (the ask
 * completed), so a crash or a failed ask replays the envelope, and the deterministic entity id makes the replay a
 * no-op. Failures restart the projection with backoff ({@code pekko.projection.restart-backoff}).
 */
public final class NotificationProjection {
  private NotificationProjection() {}

  /** Starts the projection instances on the cluster. */
  public static void init(ActorSystem<?> system, NotificationHandover handover, int tagCount) {
    List<String> tags = Call.allTags(tagCount);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "notification-projection",
            tags.size(),
            i -> ProjectionBehavior.create(projection(system, handover, tags.get(i))),
            ProjectionBehavior.stopMessage());
  }

  private static Projection<EventEnvelope<Call.Event>> projection(
      ActorSystem<?> system, NotificationHandover handover, String tag) {
    SourceProvider<Offset, EventEnvelope<Call.Event>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    return CassandraProjection.atLeastOnce(ProjectionId.of("notifications", tag), source,
        () -> new HandoverHandler(handover));
  }

  /** Hands over the notifications of each ended call; other events carry none. */
  static final class HandoverHandler extends Handler<EventEnvelope<Call.Event>> {
    private final NotificationHandover handover;

    HandoverHandler(NotificationHandover handover) {
      this.handover = handover;
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<Call.Event> envelope) {
      if (envelope.event() instanceof Call.CallEnded ended) {
        return handover.handOver(ended.record());
      }
      return CompletableFuture.completedFuture(Done.getInstance());
    }
  }
}
