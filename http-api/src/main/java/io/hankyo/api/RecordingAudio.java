package io.hankyo.api;

import java.io.InputStream;

/**
 * A call's recording opened for download ({@code GET /v1/calls/{trn_id}/recording}, issue 4): a WAV file streamed
 * from the recording store.
 *
 * @param bytes the file's size, for Content-Length
 * @param sha256 lower-case hex SHA-256 of the file, as stored with the call (the ETag)
 * @param content the file's bytes; the HTTP layer reads and closes it
 */
public record RecordingAudio(long bytes, String sha256, InputStream content) {}
