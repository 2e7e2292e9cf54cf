package io.hankyo.sip.media;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link RecordingStore} on a directory ({@code hankyo.recording.dir}, default {@code ./data/recordings}): the
 * recording {@code 2026/11/29/TRN123.wav} is the file of that relative path under the directory. Files being written
 * live in {@code .partial/} under the directory (the same file system), so {@link #put} is an atomic rename and
 * readers never see half a file. In a multi-node cluster the directory must be shared storage (e.g. NFS) mounted
 * at the same path on every node.
 */
public final class FileRecordingStore implements RecordingStore {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*\\.wav");

  private final Path dir;

  /** @param dir the directory; created when needed */
  public FileRecordingStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
  }

  /** The directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public Path newTempFile(String trnId) throws IOException {
    Path partial = Files.createDirectories(dir.resolve(".partial"));
    String safe = trnId == null ? "call" : trnId.replaceAll("[^A-Za-z0-9_-]", "_");
    return Files.createTempFile(partial, safe + "-", ".wav.part");
  }

  @Override
  public void put(String key, Path file) throws IOException {
    Path target = resolve(key);
    try {
      Files.createDirectories(target.getParent());
      try {
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  @Override
  public Optional<Blob> open(String key) throws IOException {
    Path p = resolve(key);
    try {
      long size = Files.size(p);
      return Optional.of(new Blob(size, Files.newInputStream(p)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean delete(String key) throws IOException {
    return Files.deleteIfExists(resolve(key));
  }

  /** The file of a key; refuses keys that are not plain relative paths to a {@code .wav}. */
  Path resolve(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not a recording key: " + key);
    }
    return dir.resolve(key);
  }
}
