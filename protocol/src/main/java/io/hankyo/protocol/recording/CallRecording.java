package io.hankyo.protocol.recording;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import java.time.Instant;
import java.util.Objects;

/**
 * A call's recording (2者間通話録音, issue 4) as the call entity keeps it: where it is in the recording store and
 * what it holds.
 *
 * @param key the store key, a relative path such as {@code 2026/11/30/0a1b2c.wav}
 * @param bytes the WAV file's size, header included
 * @param sha256 lower-case hex SHA-256 of the file
 * @param durationMillis the audio's length, ms (bridge to end of call)
 * @param mode both (stereo: caller left, callee right), caller or callee (mono)
 * @param storedAt when the gateway stored it
 * @param deletedAt when it was deleted through the API; null while it exists
 */
public record CallRecording(
    @JsonProperty("key") String key,
    @JsonProperty("bytes") long bytes,
    @JsonProperty("sha256") String sha256,
    @JsonProperty("duration_ms") long durationMillis,
    @JsonProperty("mode") RecordingMode mode,
    @JsonProperty("stored_at") Instant storedAt,
    @JsonProperty("deleted_at") @JsonInclude(JsonInclude.Include.NON_NULL) Instant deletedAt)
    implements JsonSerializable {
  @JsonCreator
  public CallRecording {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(mode, "mode");
  }

  /** True until deleted. */
  public boolean exists() {
    return deletedAt == null;
  }

  /** The same recording, deleted at {@code at}. */
  public CallRecording deleted(Instant at) {
    return new CallRecording(key, bytes, sha256, durationMillis, mode, storedAt, at);
  }
}
