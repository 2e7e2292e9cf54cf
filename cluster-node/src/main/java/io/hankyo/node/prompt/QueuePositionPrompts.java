package io.hankyo.node.prompt;

import io.hankyo.sip.PromptSource;
import io.hankyo.sip.media.InvalidPromptException;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.WavPromptLoader;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue position announcements (issue 3, {@code queue} step with {@code "announce_position": true}): the prompt
 * source of the media plane, in front of the operators' own prompts.
 *
 * <p>The Call entity plays position {@code n} as the prompt named {@link #name(int) queue-position-n}. An operator
 * that uploaded a prompt of that name ({@code PUT /v1/prompts/queue-position-3}) gets its own recording; otherwise
 * the announcement is spoken by espeak-ng from {@code text} with {@code {position}} replaced by the number (default:
 * "ただいま、{position}番目にお待ちいただいております。"), synthesized once per position on this node and kept in memory
 * (positions 1..{@code maxPosition}; a failed synthesis is tried again next time). Without espeak-ng, or beyond {@code maxPosition}, the announcement is absent:
 * the gateway reports it as not played and the caller goes back to the hold prompt at once, so nothing is lost but
 * the announcement. Thread-safe.
 */
public final class QueuePositionPrompts implements PromptSource {
  private static final Logger LOG = LoggerFactory.getLogger(QueuePositionPrompts.class);
  /** The prefix of announcement prompt names. */
  public static final String PREFIX = "queue-position-";
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "([1-9][0-9]{0,5})");
  /** The default announcement text; {@code {position}} is the caller's position (1 = next). */
  public static final String DEFAULT_TEXT = "ただいま、{position}番目にお待ちいただいております。";

  private final PromptSource operators;
  private final EspeakSynthesizer speech;
  private final WavPromptLoader loader;
  private final Executor blocking;
  private final String text;
  private final int maxPosition;
  private final ConcurrentHashMap<Integer, CompletableFuture<Optional<Prompt>>> spoken = new ConcurrentHashMap<>();

  /**
   * @param operators the operators' prompts (the {@link PromptStore}), asked first
   * @param speech espeak-ng, for positions the operator has not recorded
   * @param loader normalizes the synthesized WAV like an upload
   * @param blocking where synthesis runs (it starts a process and waits for it)
   * @param text the announcement, with {@code {position}} where the number goes
   * @param maxPosition the highest position announced (&ge; 1); callers further back hear the hold prompt only
   */
  public QueuePositionPrompts(PromptSource operators, EspeakSynthesizer speech, WavPromptLoader loader,
      Executor blocking, String text, int maxPosition) {
    this.operators = Objects.requireNonNull(operators, "operators");
    this.speech = Objects.requireNonNull(speech, "speech");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.blocking = Objects.requireNonNull(blocking, "blocking");
    this.text = Objects.requireNonNull(text, "text");
    if (!text.contains("{position}")) {
      throw new IllegalArgumentException("the queue position text must contain {position}: " + text);
    }
    if (maxPosition < 1) {
      throw new IllegalArgumentException("the highest announced position must be at least 1: " + maxPosition);
    }
    this.maxPosition = maxPosition;
  }

  /**
   * The prompt name of position {@code position}: {@code queue-position-3}.
   *
   * @throws IllegalArgumentException when {@code position} is below 1
   */
  public static String name(int position) {
    if (position < 1) {
      throw new IllegalArgumentException("a queue position is at least 1: " + position);
    }
    return PREFIX + position;
  }

  @Override
  public CompletionStage<Optional<Prompt>> prompt(String operatorId, String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return operators.prompt(operatorId, name);
    }
    int position = Integer.parseInt(m.group(1));
    return operators.prompt(operatorId, name).thenCompose(own -> own.isPresent() || position > maxPosition
        ? CompletableFuture.completedFuture(own)
        : spoken.computeIfAbsent(position, this::speak));
  }

  /** How many announcements this node has synthesized and keeps (tests, metrics). */
  public int spokenCount() {
    return (int) spoken.values().stream().filter(f -> f.isDone() && f.join().isPresent()).count();
  }

  /** Synthesizes position {@code position}; a failure is not kept, so the next announcement tries again. */
  private CompletableFuture<Optional<Prompt>> speak(int position) {
    CompletableFuture<Optional<Prompt>> f = CompletableFuture.supplyAsync(() -> {
      try {
        byte[] wav = speech.synthesize(text.replace("{position}", Integer.toString(position)), null);
        return Optional.of(loader.load(name(position), wav));
      } catch (SpeechSynthesisException | InvalidPromptException e) {
        LOG.warn("queue position {} cannot be announced: {}", position, e.getMessage());
        return Optional.empty();
      }
    }, blocking);
    f.whenComplete((p, e) -> {
      if (e != null || p.isEmpty()) {
        spoken.remove(position, f);
      }
    });
    return f;
  }
}
