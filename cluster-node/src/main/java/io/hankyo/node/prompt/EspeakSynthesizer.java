package io.hankyo.node.prompt;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Text-to-speech with espeak-ng (Debian package {@code espeak-ng}) run as a separate process, for text prompts
 * (ガイダンス made from the customer's text, spec section 4; issue 3).
 *
 * <p>Runs {@code espeak-ng -v <voice> -b 1 --stdin -w <temp file>}: the text goes in on standard input as UTF-8 (never
 * on the command line, so it cannot be read as an option), the WAV (espeak-ng's 22,050 Hz mono 16-bit PCM) is written
 * to a temporary file, which gives a WAV header with the true lengths (with {@code --stdout} the header cannot hold
 * them). The process is killed when it takes longer than the timeout. Blocking: call it off the actor dispatchers.
 *
 * <p>Japanese voices ({@code ja}, {@code ja+f3}, …) get the text through {@link JapaneseReadings#forSpeech} first:
 * espeak-ng reads kana, but says "Chinese letter" for every kanji.
 * Thread-safe (no state but the settings).
 */
public final class EspeakSynthesizer {
  private static final Logger log = LoggerFactory.getLogger(EspeakSynthesizer.class);
  /** What espeak-ng prints for {@code -v} with a voice it does not have. */
  private static final String NO_SUCH_VOICE = "voice does not exist";

  private final String command;
  private final Duration timeout;
  private final String defaultVoice;

  /**
   * @param command the espeak-ng executable: an absolute path, or a name looked up in {@code PATH}
   * @param timeout longest a synthesis may run before the process is killed (&gt; 0)
   * @param defaultVoice the voice when none is asked for, e.g. {@code ja}
   */
  public EspeakSynthesizer(String command, Duration timeout, String defaultVoice) {
    this.command = Objects.requireNonNull(command, "command");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.defaultVoice = Objects.requireNonNull(defaultVoice, "defaultVoice");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("synthesis timeout must be positive: " + timeout);
    }
  }

  /** Whether an espeak-ng voice name is a Japanese one: {@code ja}, or {@code ja} with a variant ({@code ja+f3}). */
  static boolean isJapanese(String voice) {
    return voice.equals("ja") || voice.startsWith("ja+");
  }

  /** The voice used when none is given. */
  public String defaultVoice() {
    return defaultVoice;
  }

  /** Whether the espeak-ng executable exists and is executable (absolute path, or found in {@code PATH}). */
  public boolean available() {
    return executable() != null;
  }

  private Path executable() {
    Path p = Path.of(command);
    if (p.isAbsolute() || command.contains("/")) {
      return Files.isExecutable(p) ? p : null;
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, command);
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return null;
  }

  /**
   * Speaks {@code text} into a WAV file.
   *
   * @param text the text (UTF-8; the caller limits its length)
   * @param voice an espeak-ng voice name (checked by the caller to hold no option syntax), or null for the default
   * @return the whole WAV file espeak-ng wrote
   * @throws SpeechSynthesisException UNAVAILABLE when espeak-ng is not installed, UNKNOWN_VOICE, TIMED_OUT, FAILED
   */
  public byte[] synthesize(String text, String voice) throws SpeechSynthesisException {
    Path exe = executable();
    if (exe == null) {
      throw new SpeechSynthesisException(SpeechSynthesisException.Kind.UNAVAILABLE,
          "text prompts need espeak-ng installed on the node (Debian package espeak-ng; '" + command
              + "' was not found); upload a WAV file instead");
    }
    String v = voice == null ? defaultVoice : voice;
    String spoken = isJapanese(v) && JapaneseReadings.hasKanji(text) ? JapaneseReadings.forSpeech(text) : text;
    Path wav = null;
    Path output = null;
    Process process = null;
    try {
      wav = Files.createTempFile("hankyo-tts-", ".wav");
      output = Files.createTempFile("hankyo-tts-", ".log");
      process = new ProcessBuilder(List.of(exe.toString(), "-v", v, "-b", "1", "--stdin", "-w", wav.toString()))
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(spoken.getBytes(StandardCharsets.UTF_8));
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new SpeechSynthesisException(SpeechSynthesisException.Kind.TIMED_OUT,
            "espeak-ng did not finish within " + timeout.toMillis() + " ms");
      }
      String said = Files.readString(output, StandardCharsets.UTF_8).strip();
      if (said.contains(NO_SUCH_VOICE)) {
        throw new SpeechSynthesisException(SpeechSynthesisException.Kind.UNKNOWN_VOICE,
            "voice: espeak-ng has no voice '" + v + "' (see espeak-ng --voices)");
      }
      if (process.exitValue() != 0 || Files.size(wav) == 0) {
        throw new SpeechSynthesisException(SpeechSynthesisException.Kind.FAILED,
            "espeak-ng failed (exit " + process.exitValue() + "): " + said);
      }
      return Files.readAllBytes(wav);
    } catch (IOException e) {
      throw new SpeechSynthesisException(SpeechSynthesisException.Kind.FAILED, "espeak-ng could not run: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpeechSynthesisException(SpeechSynthesisException.Kind.FAILED, "interrupted while synthesizing");
    } finally {
      if (process != null && process.isAlive()) {
        process.destroyForcibly();
      }
      delete(wav);
      delete(output);
    }
  }

  private static void delete(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        log.warn("could not delete temporary file {}: {}", p, e.toString());
      }
    }
  }
}
