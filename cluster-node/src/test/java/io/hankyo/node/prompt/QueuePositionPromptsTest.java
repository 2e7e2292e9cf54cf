package io.hankyo.node.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.sip.PromptSource;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.WavPromptLoader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Queue position announcements: the operator's own {@code queue-position-N} first, else real espeak-ng (installed by
 * deploy/test.sh), once per position; nothing when espeak-ng is missing or the position is too far back.
 */
class QueuePositionPromptsTest {
  private static final WavPromptLoader LOADER = new WavPromptLoader(8L << 20, Duration.ofMinutes(5));
  private final ExecutorService blocking = Executors.newFixedThreadPool(2);
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final Prompt own = Prompt.silence("queue-position-2", 200);

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  /** The operator has recorded position 2 and a prompt "hold", nothing else. */
  private final PromptSource operators = (operatorId, name) -> {
    asked.add(operatorId + "/" + name);
    return CompletableFuture.completedFuture(name.equals("queue-position-2") || name.equals("hold")
        ? Optional.of(name.equals("hold") ? Prompt.silence("hold", 20) : own) : Optional.empty());
  };

  private QueuePositionPrompts prompts(String espeak) {
    return new QueuePositionPrompts(operators, new EspeakSynthesizer(espeak, Duration.ofSeconds(15), "ja"), LOADER,
        blocking, QueuePositionPrompts.DEFAULT_TEXT, 5);
  }

  private static Optional<Prompt> get(QueuePositionPrompts p, String name) {
    return p.prompt("op-1", name).toCompletableFuture().join();
  }

  @Test
  void aPositionIsSpokenOnceWhenTheOperatorHasNotRecordedIt() {
    QueuePositionPrompts p = prompts("espeak-ng");
    Prompt three = get(p, "queue-position-3").orElseThrow();
    assertEquals("queue-position-3", three.name());
    assertTrue(three.durationMillis() > 500, "a spoken sentence: " + three.durationMillis() + " ms");
    assertSame(three, get(p, "queue-position-3").orElseThrow(), "synthesized once, then kept");
    assertEquals(1, p.spokenCount());
    assertEquals(List.of("op-1/queue-position-3", "op-1/queue-position-3"), asked,
        "the operator's store is asked each time: a recording uploaded later wins");
  }

  @Test
  void theOperatorsRecordingWins() {
    QueuePositionPrompts p = prompts("espeak-ng");
    assertSame(own, get(p, "queue-position-2").orElseThrow());
    assertEquals(0, p.spokenCount());
  }

  @Test
  void otherNamesAndFarPositionsAreTheOperatorsOnly() {
    QueuePositionPrompts p = prompts("espeak-ng");
    assertEquals("hold", get(p, "hold").orElseThrow().name());
    assertTrue(get(p, "queue-position-6").isEmpty(), "beyond the highest announced position (5)");
    assertTrue(get(p, "queue-position-0").isEmpty(), "not a position");
    assertTrue(get(p, "queue-position-x").isEmpty());
    assertEquals(0, p.spokenCount());
  }

  @Test
  void withoutEspeakTheAnnouncementIsAbsentAndTriedAgainLater() {
    QueuePositionPrompts p = prompts("/nonexistent/espeak-ng");
    assertTrue(get(p, "queue-position-1").isEmpty());
    assertTrue(get(p, "queue-position-1").isEmpty());
    assertEquals(0, p.spokenCount());
  }

  @Test
  void badSettingsAreRefused() {
    EspeakSynthesizer speech = new EspeakSynthesizer("espeak-ng", Duration.ofSeconds(1), "ja");
    assertThrows(IllegalArgumentException.class,
        () -> new QueuePositionPrompts(operators, speech, LOADER, blocking, "no placeholder", 5));
    assertThrows(IllegalArgumentException.class,
        () -> new QueuePositionPrompts(operators, speech, LOADER, blocking, QueuePositionPrompts.DEFAULT_TEXT, 0));
    assertThrows(IllegalArgumentException.class, () -> QueuePositionPrompts.name(0));
    assertEquals("queue-position-12", QueuePositionPrompts.name(12));
  }
}
