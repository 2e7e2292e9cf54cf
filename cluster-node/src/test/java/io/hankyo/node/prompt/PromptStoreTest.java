package io.hankyo.node.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.hankyo.api.ApiProblem;
import io.hankyo.node.api.ClusterApiBackend;
import io.hankyo.node.calllog.CassandraCallLog;
import io.hankyo.node.directory.DirectoryTestConfig;
import io.hankyo.node.testing.TestCassandra;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.protocol.prompt.PromptAudio;
import io.hankyo.protocol.prompt.PromptSource;
import io.hankyo.protocol.prompt.PromptStored;
import io.hankyo.protocol.prompt.PromptView;
import io.hankyo.sip.media.InvalidPromptException;
import io.hankyo.sip.media.Prompt;
import io.hankyo.sip.media.WavPromptLoader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PromptStore} and the prompt methods of {@link ClusterApiBackend} against the real test Cassandra (a keyspace
 * of this class, tables from {@link PromptStore#createSchema}), with real espeak-ng for text prompts (deploy/test.sh
 * installs it). Each test uses its own operator ids.
 */
class PromptStoreTest {
  private static final Duration TTL = Duration.ofSeconds(10);
  private static final AtomicInteger OPERATORS = new AtomicInteger();

  private static ActorTestKit testKit;
  private static CassandraSession session;
  private static String keyspace;
  private static Executor blocking;
  private static WavPromptLoader loader;

  @BeforeAll
  static void start() throws Exception {
    keyspace = TestCassandra.uniqueKeyspace("prompts");
    testKit = ActorTestKit.create("PromptStoreTest", DirectoryTestConfig.cluster()
        .withFallback(TestCassandra.persistenceConfig(keyspace))
        .withFallback(ConfigFactory.load()));
    // DELETE asks the directory entities which flows play the prompt: sharding needs a cluster member that is up
    org.apache.pekko.cluster.typed.Cluster cluster = org.apache.pekko.cluster.typed.Cluster.get(testKit.system());
    cluster.manager().tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
    long upBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.selfMember().status() != org.apache.pekko.cluster.MemberStatus.up() && System.nanoTime() < upBy) {
      Thread.sleep(50);
    }
    session = CassandraSessionRegistry.get(testKit.system())
        .sessionFor(CassandraSessionSettings.create("pekko.persistence.cassandra"));
    CassandraCallLog.createSchema(session, keyspace, 1)
        .thenCompose(d -> PromptStore.createSchema(session, keyspace))
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    blocking = testKit.system().dispatchers().lookup(DispatcherSelector.blocking());
    loader = new WavPromptLoader(400_000, Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private static String newOperator() {
    return "op-" + OPERATORS.incrementAndGet();
  }

  private static PromptStore store(int cacheSize, AtomicLong ticker) {
    return new PromptStore(session, keyspace, loader, blocking, cacheSize, TTL, java.time.Clock.systemUTC(),
        ticker::get);
  }

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("stage failed: " + e, e);
    }
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(
        ExecutionException.class, () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static ApiProblem problem(int status, CompletionStage<?> stage) {
    Throwable cause = failure(stage);
    ApiProblem p = assertInstanceOf(ApiProblem.class, cause, "cause: " + cause);
    assertEquals(status, p.status(), p.getMessage());
    return p;
  }

  /** A 16-bit PCM WAV of a 440 Hz tone. */
  static byte[] pcm16(int rate, int channels, int frames) {
    byte[] data = new byte[frames * channels * 2];
    for (int i = 0; i < frames; i++) {
      short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / rate));
      for (int c = 0; c < channels; c++) {
        data[(i * channels + c) * 2] = (byte) v;
        data[(i * channels + c) * 2 + 1] = (byte) (v >> 8);
      }
    }
    return wav(new AudioFormat(rate, 16, channels, true, false), data, frames);
  }

  private static byte[] wav(AudioFormat format, byte[] data, int frames) {
    try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(data), format, frames)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ClusterApiBackend backend(EspeakSynthesizer speech) {
    CallerNumberCipher cipher = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
    return new ClusterApiBackend(testKit.system(), ClusterSharding.get(testKit.system()), Duration.ofSeconds(5),
        (op, from, to) -> org.apache.pekko.stream.javadsl.Source.empty(), cipher, store(16, new AtomicLong()),
        speech, blocking);
  }

  private static String key() {
    return Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
  }

  // ------------------------------------------------------------------------------------------------ store

  @Test
  void uploadIsNormalizedStoredAndPlayedFromTheCache() throws Exception {
    String op = newOperator();
    PromptStore store = store(16, new AtomicLong());
    // 16 kHz stereo, 1 s: stored as 8 kHz mono 16-bit PCM
    PromptStored first = await(store.store(op, "welcome", PromptSource.UPLOAD, null, null, pcm16(16000, 2, 16000)));
    assertTrue(first.created());
    PromptView v = first.prompt();
    assertEquals(PromptSource.UPLOAD, v.source());
    assertNull(v.text());
    assertEquals(1000, v.durationMs());
    // (javax.sound's rate converter may add a sample or two)
    assertTrue(Math.abs(v.bytes() - (44 + 16000)) <= 4, "bytes " + v.bytes());

    PromptAudio audio = await(store.audio(op, "welcome")).orElseThrow();
    assertEquals(v, audio.prompt());
    assertEquals(v.bytes(), audio.wav().length);
    assertEquals(PromptStore.sha256(audio.wav()), v.sha256());
    AudioFormat f = AudioSystem.getAudioFileFormat(new ByteArrayInputStream(audio.wav())).getFormat();
    assertEquals(8000, (int) f.getSampleRate());
    assertEquals(1, f.getChannels());
    assertEquals(16, f.getSampleSizeInBits());
    assertEquals(AudioFormat.Encoding.PCM_SIGNED, f.getEncoding());

    Prompt played = await(store.get(op, "welcome")).orElseThrow();
    assertEquals("welcome", played.name());
    assertEquals(44 + 2 * played.sampleCount(), v.bytes());
    assertArrayEquals(loader.load("welcome", audio.wav()).samples(), played.samples());
    assertEquals(1, store.loadCount());
    await(store.get(op, "welcome"));
    assertEquals(1, store.loadCount(), "the second get is served from the cache");

    // a replace through this store is heard at once
    PromptStored second = await(store.store(op, "welcome", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 4000)));
    assertFalse(second.created());
    assertEquals(500, await(store.get(op, "welcome")).orElseThrow().durationMillis());
    assertEquals(2, store.loadCount());
  }

  @Test
  void anotherNodeHearsAChangeWhenItsEntryExpires() {
    String op = newOperator();
    AtomicLong tickerA = new AtomicLong();
    AtomicLong tickerB = new AtomicLong();
    PromptStore nodeA = store(16, tickerA);
    PromptStore nodeB = store(16, tickerB);
    await(nodeA.store(op, "hold", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 8000)));
    assertEquals(1000, await(nodeB.get(op, "hold")).orElseThrow().durationMillis());

    await(nodeA.store(op, "hold", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 2400)));
    tickerB.addAndGet(TTL.toNanos() - 1);
    assertEquals(1000, await(nodeB.get(op, "hold")).orElseThrow().durationMillis(), "within the TTL: cached");
    tickerB.addAndGet(2);
    assertEquals(300, await(nodeB.get(op, "hold")).orElseThrow().durationMillis(), "after the TTL: read again");

    await(nodeA.delete(op, "hold"));
    tickerB.addAndGet(TTL.toNanos() + 1);
    assertTrue(await(nodeB.get(op, "hold")).isEmpty());
  }

  @Test
  void cacheIsBounded() {
    String op = newOperator();
    PromptStore store = store(2, new AtomicLong());
    for (String name : List.of("a", "b", "c")) {
      await(store.store(op, name, PromptSource.UPLOAD, null, null, pcm16(8000, 1, 800)));
      await(store.get(op, name));
    }
    assertEquals(2, store.cachedCount());
    long loads = store.loadCount();
    await(store.get(op, "c"));
    assertEquals(loads, store.loadCount(), "the most recent stays");
    await(store.get(op, "a"));
    assertEquals(loads + 1, store.loadCount(), "the eldest was dropped");
  }

  @Test
  void listIsPerOperatorOrderedAndDeleteRemoves() {
    String op = newOperator();
    String other = newOperator();
    PromptStore store = store(16, new AtomicLong());
    await(store.store(op, "z.last", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 800)));
    await(store.store(op, "a-first", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 800)));
    await(store.store(other, "mine", PromptSource.UPLOAD, null, null, pcm16(8000, 1, 800)));
    assertEquals(List.of("a-first", "z.last"), await(store.list(op)).stream().map(PromptView::name).toList());
    assertTrue(await(store.meta(other, "a-first")).isEmpty());
    assertTrue(await(store.get(other, "a-first")).isEmpty());

    assertTrue(await(store.delete(op, "a-first")));
    assertFalse(await(store.delete(op, "a-first")));
    assertTrue(await(store.audio(op, "a-first")).isEmpty());
    assertEquals(List.of("z.last"), await(store.list(op)).stream().map(PromptView::name).toList());
  }

  @Test
  void refusedAudioFailsWithTheLoadersReason() {
    PromptStore store = store(16, new AtomicLong());
    Throwable notWav = failure(store.store(newOperator(), "x", PromptSource.UPLOAD, null, null, new byte[100]));
    assertEquals(InvalidPromptException.Reason.NOT_WAV,
        assertInstanceOf(InvalidPromptException.class, notWav).reason());
  }

  // ------------------------------------------------------------------------------------------------ backend

  @Test
  void backendMapsRefusedAudioToStatuses() {
    ClusterApiBackend backend = backend(new EspeakSynthesizer("espeak-ng", Duration.ofSeconds(30), "ja"));
    String op = newOperator();
    problem(400, backend.storePromptAudio(op, "x", "RIFF....WAVEjunk".getBytes()));
    byte[] pcm8 = wav(new AudioFormat(AudioFormat.Encoding.PCM_UNSIGNED, 8000, 8, 1, 1, 8000, false),
        new byte[800], 800);
    assertTrue(problem(415, backend.storePromptAudio(op, "x", pcm8)).getMessage().contains("unsupported encoding"));
    problem(413, backend.storePromptAudio(op, "x", new byte[400_001]));
    problem(400, backend.storePromptAudio(op, "x", pcm16(8000, 1, 8000 * 21))); // 21 s > 20 s
    problem(400, backend.storePromptAudio(op, "x", pcm16(8000, 1, 0)));
    problem(404, backend.getPrompt(op, "x"));
    problem(404, backend.getPromptAudio(op, "x"));
    problem(404, backend.deletePrompt(op, "x"));
    assertTrue(await(backend.listPrompts(op)).isEmpty());
  }

  @Test
  void textPromptIsSynthesizedByEspeakNgAndStored() {
    EspeakSynthesizer speech = new EspeakSynthesizer("espeak-ng", Duration.ofSeconds(30), "ja");
    assertTrue(speech.available(), "espeak-ng must be installed (deploy/test.sh installs it)");
    ClusterApiBackend backend = backend(speech);
    String op = newOperator();
    PromptStored stored = await(backend.storePromptText(op, "closed", "お電話ありがとうございます。", null));
    assertTrue(stored.created());
    PromptView v = stored.prompt();
    assertEquals(PromptSource.TEXT, v.source());
    assertEquals("お電話ありがとうございます。", v.text());
    assertEquals("ja", v.voice());
    assertTrue(v.durationMs() > 500, "duration " + v.durationMs());
    // stored once: reads return the same audio without synthesizing again
    assertEquals(v, await(backend.getPrompt(op, "closed")));
    PromptAudio audio = await(backend.getPromptAudio(op, "closed"));
    assertEquals(v.sha256(), PromptStore.sha256(audio.wav()));
    assertEquals(List.of(v), await(backend.listPrompts(op)));

    PromptStored english = await(backend.storePromptText(op, "closed", "We are closed.", "en-us"));
    assertFalse(english.created());
    assertEquals("en-us", english.prompt().voice());
    assertTrue(english.prompt().durationMs() > 0);

    assertTrue(problem(400, backend.storePromptText(op, "x", "test", "zz-no-such-voice")).getMessage()
        .contains("zz-no-such-voice"));
    await(backend.deletePrompt(op, "closed"));
    problem(404, backend.getPrompt(op, "closed"));
  }

  @Test
  void textPromptWithoutEspeakNgIs503() {
    EspeakSynthesizer missing = new EspeakSynthesizer("/nonexistent/espeak-ng", Duration.ofSeconds(5), "ja");
    assertFalse(missing.available());
    ApiProblem p = problem(503, backend(missing).storePromptText(newOperator(), "x", "テスト", null));
    assertTrue(p.getMessage().contains("espeak-ng installed"), p.getMessage());
  }

  @Test
  void backendWithoutPromptStoreIs503() {
    CallerNumberCipher cipher = new CallerNumberCipher(Map.of("k1", key()), "k1", key());
    ClusterApiBackend plain = new ClusterApiBackend(testKit.system(), ClusterSharding.get(testKit.system()),
        Duration.ofSeconds(5), (op, from, to) -> org.apache.pekko.stream.javadsl.Source.empty(), cipher);
    problem(503, plain.listPrompts("op"));
  }
}
