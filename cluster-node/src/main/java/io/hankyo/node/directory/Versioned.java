package io.hankyo.node.directory;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One versioned document of a tracking number: its call flow, judgment rules, notification settings or recording
 * setting (issues 3 and 4). Every store and every removal of a document is a new version, counted per document and
 * per record, so a call names exactly the document it ran under ({@code flow_version}, {@code judgment_version}, …).
 *
 * @param document the document, or null when the number has none (never had, or the last version removed it)
 * @param version 0 before the first store, then 1, 2, … (a removal is a version too)
 * @param updatedAt when the document was last stored or removed; null before the first store
 * @param <T> the document type (a {@code protocol} record)
 */
public record Versioned<T>(
    @JsonProperty("document") T document,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") Instant updatedAt) {

  @JsonCreator
  public Versioned {
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, got " + version);
    }
  }

  /** No document and no version yet (version 0). */
  public static <T> Versioned<T> none() {
    return new Versioned<>(null, 0, null);
  }

  /** The version after this one: what a store or removal persists. */
  public int next() {
    return version + 1;
  }

  /** True when a document is in force (the last version stored one). */
  public boolean present() {
    return document != null;
  }
}
