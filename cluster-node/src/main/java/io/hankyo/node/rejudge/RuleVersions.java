package io.hankyo.node.rejudge;

import io.hankyo.node.directory.Advertiser;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.protocol.judgment.JudgmentRules;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The stored versions of judgment rules (issue 4), read back from the entities' journals: the advertiser's ({@link
 * Advertiser.AdvertiserJudgmentStored}) and a tracking number's ({@link TrackingNumber.JudgmentStored}, counted from
 * the latest {@link TrackingNumber.NumberAssigned} to that record, since a released and re-assigned number starts its
 * versions again). The journal is the history; the entities keep only the current version in memory.
 */
public interface RuleVersions {
  /**
   * The rules of one stored version.
   *
   * @param operatorId the operator
   * @param clientId {@code client_id}
   * @param dialinId {@code dialin_id} for the number's versions; null for the advertiser's
   * @param e164 the number's E.164 (its entity id) for the number's versions; null for the advertiser's
   * @param version ≥ 1
   * @return the rules; empty when there is no such version or it was a removal
   */
  CompletionStage<Optional<JudgmentRules>> find(
      String operatorId, String clientId, String dialinId, String e164, int version);

  /** Reads the versions from the Cassandra journal (pekko-persistence-cassandra's read journal). */
  static RuleVersions cassandra(ActorSystem<?> system) {
    CassandraReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
    return (operatorId, clientId, dialinId, e164, version) -> {
      if (dialinId == null) {
        String pid = Advertiser.ENTITY_KEY.name() + "|" + Advertiser.entityId(operatorId, clientId);
        return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
            .map(env -> env.event())
            .runWith(Sink.fold(Optional.<JudgmentRules>empty(), (found, e) -> {
              if (e instanceof Advertiser.AdvertiserCreated) {
                return found; // versions continue across re-creates
              }
              if (e instanceof Advertiser.AdvertiserJudgmentStored s && s.version() == version) {
                return Optional.of(s.rules());
              }
              return found;
            }), system);
      }
      String pid = TrackingNumber.ENTITY_KEY.name() + "|" + e164;
      return journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
          .map(env -> env.event())
          .runWith(Sink.fold(new Search(false, Optional.empty()), (s, e) -> {
            if (e instanceof TrackingNumber.NumberAssigned a) {
              boolean ours = a.operatorId().equals(operatorId) && a.clientId().equals(clientId)
                  && a.dialinId().equals(dialinId);
              return new Search(ours, Optional.empty());
            }
            if (s.ours() && e instanceof TrackingNumber.JudgmentStored j && j.version() == version) {
              return new Search(true, Optional.of(j.rules()));
            }
            return s;
          }), system)
          .thenApply(Search::found);
    };
  }

  /** Fold state of a number's journal: inside the record's current hold, and the version if seen there. */
  record Search(boolean ours, Optional<JudgmentRules> found) {}
}
