package io.hankyo.sip.media;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where finished call recordings (2者間通話録音, issue 4) are kept, by key: a relative path with forward slashes such
 * as {@code 2026/11/29/TRN123.wav}. {@link FileRecordingStore} keeps them under a directory ({@code
 * hankyo.recording.dir}); an S3-compatible store can implement the same interface later. In a cluster of several
 * nodes the store must be shared: the file is written on the node whose gateway handled the call, and read by
 * whichever node answers the API request.
 *
 * <p>Implementations are thread-safe.
 */
public interface RecordingStore {

  /** A stored recording opened for reading. @param bytes its size in bytes @param content the bytes; close it */
  record Blob(long bytes, InputStream content) {}

  /**
   * A new empty local file for a recording being written; it becomes a recording only by {@link #put}. The store
   * puts it where {@link #put} can take it over cheaply (the same file system for a directory store).
   *
   * @param trnId the call, for the file's name
   * @throws IOException when the file cannot be created
   */
  Path newTempFile(String trnId) throws IOException;

  /**
   * Takes a finished file over as the recording {@code key}, replacing one of that key; {@code file} is gone
   * afterwards. Readers see either the whole file or none (atomic rename for a directory store).
   *
   * @param key the relative path, e.g. {@code 2026/11/29/TRN123.wav}; no {@code ..}, no leading slash
   * @param file a file from {@link #newTempFile}
   * @throws IOException when it cannot be stored (the temp file is then deleted)
   */
  void put(String key, Path file) throws IOException;

  /**
   * Opens the recording {@code key}.
   *
   * @return empty when there is none
   * @throws IOException when it exists but cannot be read
   */
  Optional<Blob> open(String key) throws IOException;

  /**
   * Deletes the recording {@code key}.
   *
   * @return true when it existed
   * @throws IOException when it exists but cannot be deleted
   */
  boolean delete(String key) throws IOException;
}
