package io.hankyo.node.recording;

import io.hankyo.api.ApiProblem;
import io.hankyo.api.OperatorSettingsBackend;
import io.hankyo.node.directory.Operator;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@link OperatorSettingsBackend} over the sharded {@link Operator} entity ({@code /v1/operator/settings}, issue 4):
 * the settings are {@link Operator.SettingsChanged} events. A rejection by the entity (the operator does not exist,
 * a value out of range) is a 404 or 400 problem.
 */
public final class ClusterOperatorSettings implements OperatorSettingsBackend {
  private final ClusterSharding sharding;
  private final Duration timeout;

  /** @param timeout per ask */
  public ClusterOperatorSettings(ClusterSharding sharding, Duration timeout) {
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    Operator.init(sharding);
  }

  @Override
  public CompletionStage<Settings> getSettings(String operatorId) {
    return sharding.entityRefFor(Operator.ENTITY_KEY, operatorId)
        .<Operator.Settings>askWithStatus(Operator.GetSettings::new, timeout)
        .handle((s, err) -> view(s, err));
  }

  @Override
  public CompletionStage<Settings> putSettings(String operatorId, Settings settings) {
    Operator.Settings next = new Operator.Settings(settings.recordingRetentionDays());
    return sharding.entityRefFor(Operator.ENTITY_KEY, operatorId)
        .<Operator.Settings>askWithStatus(r -> new Operator.SetSettings(next, r), timeout)
        .handle((s, err) -> view(s, err));
  }

  private static Settings view(Operator.Settings s, Throwable err) {
    if (err == null) {
      return new Settings(s.recordingRetentionDays());
    }
    Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (cause instanceof StatusReply.ErrorMessage m) {
      throw m.getMessage().contains("does not exist") ? ApiProblem.notFound(m.getMessage())
          : ApiProblem.invalid(m.getMessage());
    }
    throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
  }
}
