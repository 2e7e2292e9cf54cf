package io.hankyo.node.calllog;

import io.hankyo.node.call.Call;
import io.hankyo.node.call.CallLogWriter;
import io.hankyo.protocol.calllog.CallLogRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * The durable backstop of the call log (design-notes.md section 3): a Pekko Projection over the Cassandra journal's
 * {@code eventsByTag} stream of {@link Call.CallEnded} events, at-least-once, writing each call's row with the same
 * idempotent upsert the Call entity uses, grouped ({@link #GROUP_ENVELOPES} events or {@link #GROUP_WAIT}) into
 * per-partition batches. One projection instance per tag ({@code calllog-0..N-1}), spread over the
 * cluster by a sharded daemon process; offsets live in the projection offset store.
 *
 * <p>Rows appear through this path after the journal's eventual-consistency delay plus the query refresh interval
 * (a few seconds); the direct write at the end of the call makes them visible at once. When the writer is a
 * {@link RecentDirectWrites} (as on a node), rows that it saw written directly within its retention are not written
 * again.
 */
public final class CallLogProjection {
  private CallLogProjection() {}

  /** Starts the projection instances on the cluster. */
  public static void init(ActorSystem<?> system, CallLogWriter writer, int tagCount) {
    List<String> tags = Call.allTags(tagCount);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "call-log-projection",
            tags.size(),
            i -> ProjectionBehavior.create(projection(system, writer, tags.get(i))),
            ProjectionBehavior.stopMessage());
  }

  /** Most envelopes in one group of the projection, and the longest a group waits to fill. */
  static final int GROUP_ENVELOPES = 64;

  static final Duration GROUP_WAIT = Duration.ofMillis(500);

  private static Projection<EventEnvelope<Call.Event>> projection(
      ActorSystem<?> system, CallLogWriter writer, String tag) {
    SourceProvider<Offset, EventEnvelope<Call.Event>> source =
        EventSourcedProvider.eventsByTag(system, CassandraReadJournal.Identifier(), tag);
    // Grouped: the rows of a group are written in per-partition batches, then the group's offset is stored
    // (at-least-once; a group retried after a crash rewrites the same rows).
    return CassandraProjection.groupedWithin(ProjectionId.of("call-log", tag), source, () -> new RowHandler(writer))
        .withGroup(GROUP_ENVELOPES, GROUP_WAIT);
  }

  /** Writes the rows of the ended calls of a group; other events of a call carry nothing for the call log. */
  static final class RowHandler extends Handler<List<EventEnvelope<Call.Event>>> {
    private final CallLogWriter writer;

    RowHandler(CallLogWriter writer) {
      this.writer = writer;
    }

    @Override
    public CompletionStage<Done> process(List<EventEnvelope<Call.Event>> envelopes) {
      List<CallLogRecord> rows = new ArrayList<>(envelopes.size());
      for (EventEnvelope<Call.Event> envelope : envelopes) {
        if (envelope.event() instanceof Call.CallEnded ended) {
          rows.add(ended.record());
        } else if (envelope.event() instanceof Call.RecordingStored stored) {
          rows.add(stored.record()); // the row again, now with logvars.recording (issue 4)
        } else if (envelope.event() instanceof Call.RecordingDeleted deleted) {
          rows.add(deleted.record());
        }
      }
      // a call's later row replaces its earlier one of the same group (events of one call come in order)
      Map<String, CallLogRecord> last = new LinkedHashMap<>();
      rows.forEach(r -> {
        last.remove(r.trnId());
        last.put(r.trnId(), r);
      });
      rows = new ArrayList<>(last.values());
      return rows.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance()) : writer.upsertBackstop(rows);
    }
  }
}
