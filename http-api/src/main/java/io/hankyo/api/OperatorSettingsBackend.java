package io.hankyo.api;

import java.util.concurrent.CompletionStage;

/**
 * The cluster side of {@code /v1/operator/settings} (issue 4: recordings are "deletable (retention period per
 * operator)"). Kept apart from {@link ApiBackend} so that the feature can be wired in (and faked in tests) on its own.
 */
public interface OperatorSettingsBackend {
  /**
   * An operator's settings.
   *
   * @param recordingRetentionDays days the operator's call recordings are kept, 1..3650; null: kept until deleted
   */
  record Settings(Integer recordingRetentionDays) {}

  /** The operator's settings; an operator that never set any has the defaults (all null). */
  CompletionStage<Settings> getSettings(String operatorId);

  /**
   * Replaces the operator's settings.
   *
   * @param settings checked by the API (retention 1..3650 or null)
   * @return the settings afterwards
   */
  CompletionStage<Settings> putSettings(String operatorId, Settings settings);
}
