package io.hankyo.api;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.directory.AdvertiserView;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.directory.NotificationView;
import io.hankyo.protocol.directory.RecordingView;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.EncryptedValue;
import io.hankyo.protocol.prompt.PromptAudio;
import io.hankyo.protocol.prompt.PromptSource;
import io.hankyo.protocol.prompt.PromptStored;
import io.hankyo.protocol.prompt.PromptView;
import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A map-based {@link ApiBackend} honouring the contract: operator isolation (another operator's data is not found),
 * 404 for absent records, 409 for taken ids and numbers (across operators). {@link #down} makes every call fail as a
 * cluster that cannot answer.
 */
final class InMemoryBackend implements ApiBackend {
  /** Key id whose key is "shredded": decryption yields empty. */
  static final String SHREDDED_KEY = "shredded";
  static final String KEY = "k1";

  private final Map<String, String> apiKeys = new HashMap<>();
  private final Map<String, TreeMap<String, Adv>> operators = new HashMap<>();
  private final Map<String, String> numberOwners = new HashMap<>();
  private final Map<String, FlowView> flows = new HashMap<>();
  private final Map<String, JudgmentView> judgments = new HashMap<>();
  private final Map<String, NotificationView> notifications = new HashMap<>();
  private final Map<String, RecordingView> recordings = new HashMap<>();
  /** Recorded calls' WAV bytes by operator + "/" + trn_id (issue 4). */
  final Map<String, byte[]> callRecordings = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<CallLogRecord> calls = new ArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<String, TreeMap<String, PromptAudio>> prompts = new HashMap<>();
  /** {@link #storePromptText} answers 503 as a node without espeak-ng. */
  volatile boolean espeakMissing;
  /** The texts {@link #storePromptText} synthesized ("espeak-ng runs"). */
  final List<String> synthesized = new ArrayList<>();
  /** Longest prompt accepted, ms. */
  volatile long maxPromptMillis = 10_000;
  /** Every call but {@link #authenticate} fails as a cluster that cannot answer. */
  volatile boolean down;
  /** {@link #authenticate} fails as a cluster that cannot answer. */
  volatile boolean authDown;
  /** {@link #calls} emits one record, then fails. */
  volatile boolean callsBreakAfterFirst;
  /** {@link #calls} (wrongly) returns the calls of every operator. */
  volatile boolean leakOtherOperators;
  volatile Instant now = Instant.parse("2026-11-29T00:00:00Z");
  /** The last range asked of {@link #calls}. */
  volatile Instant lastFrom;
  volatile Instant lastTo;

  private static final class Adv {
    final String clientId;
    String name;
    final Instant createdAt;
    Instant updatedAt;
    final TreeMap<String, TrackingNumberView> numbers = new TreeMap<>();

    Adv(String clientId, String name, Instant at) {
      this.clientId = clientId;
      this.name = name;
      this.createdAt = at;
      this.updatedAt = at;
    }

    AdvertiserView view() {
      return new AdvertiserView(clientId, name, numbers.size(), createdAt, updatedAt);
    }
  }

  synchronized void addApiKey(String key, String operator) {
    apiKeys.put(key, operator);
  }

  synchronized void addCall(CallLogRecord record) {
    calls.add(record);
  }

  /** Encrypts (for the test: base64) a caller number the way the cluster would. */
  static EncryptedValue encrypt(String e164) {
    return new EncryptedValue(KEY, Base64.getEncoder().encodeToString(e164.getBytes(StandardCharsets.UTF_8)));
  }

  private <T> CompletionStage<T> run(Supplier<T> body) {
    if (down) {
      return CompletableFuture.failedFuture(new RuntimeException("ask timed out (test: cluster down)"));
    }
    try {
      synchronized (this) {
        return CompletableFuture.completedFuture(body.get());
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Adv advertiser(String operatorId, String clientId) {
    Adv a = operators.getOrDefault(operatorId, new TreeMap<>()).get(clientId);
    if (a == null) {
      throw ApiProblem.notFound("client_id: advertiser '" + clientId + "' does not exist");
    }
    return a;
  }

  /** Calls of {@link #authenticate}. */
  final java.util.concurrent.atomic.AtomicInteger authCalls = new java.util.concurrent.atomic.AtomicInteger();
  /** {@link #authenticate} throws instead of answering (a broken backend). */
  volatile boolean authThrows;

  @Override
  public CompletionStage<Optional<String>> authenticate(String apiKey) {
    authCalls.incrementAndGet();
    if (authThrows) {
      throw new IllegalStateException("test: authenticate throws");
    }
    if (authDown) {
      return CompletableFuture.failedFuture(new RuntimeException("ask timed out (test: auth down)"));
    }
    synchronized (this) {
      return CompletableFuture.completedFuture(Optional.ofNullable(apiKeys.get(apiKey)));
    }
  }

  @Override
  public CompletionStage<AdvertiserView> createAdvertiser(String operatorId, String clientId, String clientName) {
    return run(() -> {
      TreeMap<String, Adv> advs = operators.computeIfAbsent(operatorId, k -> new TreeMap<>());
      String id = clientId != null ? clientId : "adv-" + ids.incrementAndGet();
      if (advs.containsKey(id)) {
        throw ApiProblem.conflict("client_id: '" + id + "' is taken");
      }
      Adv a = new Adv(id, clientName, now);
      advs.put(id, a);
      return a.view();
    });
  }

  @Override
  public CompletionStage<List<AdvertiserView>> listAdvertisers(String operatorId) {
    return run(() -> operators.getOrDefault(operatorId, new TreeMap<>()).values().stream().map(Adv::view)
        .collect(Collectors.toList()));
  }

  @Override
  public CompletionStage<AdvertiserView> getAdvertiser(String operatorId, String clientId) {
    return run(() -> advertiser(operatorId, clientId).view());
  }

  @Override
  public CompletionStage<AdvertiserView> updateAdvertiser(String operatorId, String clientId, String clientName) {
    return run(() -> {
      Adv a = advertiser(operatorId, clientId);
      a.name = clientName;
      a.updatedAt = now.plusSeconds(60);
      return a.view();
    });
  }

  @Override
  public CompletionStage<Done> deleteAdvertiser(String operatorId, String clientId) {
    return run(() -> {
      Adv a = advertiser(operatorId, clientId);
      a.numbers.values().forEach(n -> numberOwners.remove(n.number().e164()));
      operators.get(operatorId).remove(clientId);
      return Done.getInstance();
    });
  }

  @Override
  public CompletionStage<TrackingNumberView> createNumber(
      String operatorId, String clientId, String dialinId, PhoneNumber number, String name, PhoneNumber forwardTo) {
    return run(() -> {
      Adv a = advertiser(operatorId, clientId);
      if (numberOwners.containsKey(number.e164())) {
        throw ApiProblem.conflict("number: " + number.national() + " is already a tracking number");
      }
      String id = dialinId != null ? dialinId : "num-" + ids.incrementAndGet();
      boolean taken = operators.get(operatorId).values().stream().anyMatch(x -> x.numbers.containsKey(id));
      if (taken) {
        throw ApiProblem.conflict("dialin_id: '" + id + "' is taken");
      }
      TrackingNumberView v = new TrackingNumberView(id, clientId, number, name, forwardTo, now, now, false);
      a.numbers.put(id, v);
      numberOwners.put(number.e164(), operatorId);
      return v;
    });
  }

  @Override
  public CompletionStage<Boolean> isTrackingNumber(PhoneNumber number) {
    return run(() -> numberOwners.containsKey(number.e164()));
  }

  @Override
  public CompletionStage<List<TrackingNumberView>> listNumbers(String operatorId, String clientId) {
    return run(() -> new ArrayList<>(advertiser(operatorId, clientId).numbers.values()));
  }

  @Override
  public CompletionStage<TrackingNumberView> getNumber(String operatorId, String clientId, String dialinId) {
    return run(() -> number(operatorId, clientId, dialinId));
  }

  private TrackingNumberView number(String operatorId, String clientId, String dialinId) {
    TrackingNumberView v = advertiser(operatorId, clientId).numbers.get(dialinId);
    if (v == null) {
      throw ApiProblem.notFound("dialin_id: tracking number '" + dialinId + "' does not exist");
    }
    return v;
  }

  @Override
  public CompletionStage<TrackingNumberView> updateNumber(
      String operatorId, String clientId, String dialinId, String name, PhoneNumber forwardTo) {
    return run(() -> {
      TrackingNumberView v = number(operatorId, clientId, dialinId);
      TrackingNumberView updated = new TrackingNumberView(v.dialinId(), v.clientId(), v.number(),
          name != null ? name : v.name(), forwardTo != null ? forwardTo : v.forwardTo(), v.createdAt(),
          now.plusSeconds(60), v.absent());
      advertiser(operatorId, clientId).numbers.put(dialinId, updated);
      return updated;
    });
  }

  @Override
  public CompletionStage<FlowView> getFlow(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return flows.getOrDefault(operatorId + "/" + clientId + "/" + dialinId,
          new FlowView(dialinId, clientId, 0, null, null));
    });
  }

  @Override
  public CompletionStage<FlowView> storeFlow(String operatorId, String clientId, String dialinId, CallFlow flow) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      String key = operatorId + "/" + clientId + "/" + dialinId;
      FlowView current = flows.getOrDefault(key, new FlowView(dialinId, clientId, 0, null, null));
      if (flow == null && current.flow() == null) {
        return current;
      }
      FlowView stored = new FlowView(dialinId, clientId, current.version() + 1, flow, now.plusSeconds(120));
      flows.put(key, stored);
      return stored;
    });
  }

  @Override
  public CompletionStage<JudgmentView> getJudgment(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return judgments.getOrDefault(operatorId + "/" + clientId + "/" + dialinId,
          new JudgmentView(dialinId, clientId, 0, null, null));
    });
  }

  @Override
  public CompletionStage<JudgmentView> storeJudgment(
      String operatorId, String clientId, String dialinId, JudgmentRules rules) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      if (rules == null) {
        throw new IllegalArgumentException("rules must not be null");
      }
      return putJudgment(operatorId, clientId, dialinId, rules);
    });
  }

  @Override
  public CompletionStage<JudgmentView> clearJudgment(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return putJudgment(operatorId, clientId, dialinId, null);
    });
  }

  @Override
  public CompletionStage<JudgmentView> getAdvertiserJudgment(String operatorId, String clientId) {
    return run(() -> {
      advertiser(operatorId, clientId);
      return judgments.getOrDefault(operatorId + "/" + clientId, new JudgmentView(null, clientId, 0, null, null));
    });
  }

  @Override
  public CompletionStage<JudgmentView> storeAdvertiserJudgment(
      String operatorId, String clientId, JudgmentRules rules) {
    return run(() -> {
      advertiser(operatorId, clientId);
      if (rules == null) {
        throw new IllegalArgumentException("rules must not be null");
      }
      return putAdvertiserJudgment(operatorId, clientId, rules);
    });
  }

  @Override
  public CompletionStage<JudgmentView> clearAdvertiserJudgment(String operatorId, String clientId) {
    return run(() -> {
      advertiser(operatorId, clientId);
      return putAdvertiserJudgment(operatorId, clientId, null);
    });
  }

  /** Re-judgments by operator + "/" + id. */
  private final Map<String, io.hankyo.protocol.judgment.RejudgmentView> rejudgments = new HashMap<>();
  /** Most connected calls one re-judgment reads (413 beyond). */
  volatile int maxRejudgedCalls = 50_000;

  /**
   * Re-judges the test's calls of the advertiser under its (or the number's) current rules when {@code version} is
   * the current version; any other version is 404 (the fake keeps no history).
   */
  @Override
  public CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> rejudge(
      io.hankyo.protocol.judgment.RejudgmentView.Request req) {
    return run(() -> {
      advertiser(req.operatorId(), req.clientId());
      if (req.dialinId() != null) {
        number(req.operatorId(), req.clientId(), req.dialinId());
      }
      if (java.time.Duration.between(req.from(), req.to()).compareTo(java.time.Duration.ofDays(31)) > 0) {
        throw ApiProblem.invalid("the range is longer than 31 days; re-judge it in parts");
      }
      String key = req.scope().equals("number") ? req.operatorId() + "/" + req.clientId() + "/" + req.dialinId()
          : req.operatorId() + "/" + req.clientId();
      JudgmentView current = judgments.get(key);
      if (current == null || current.version() != req.version() || current.rules() == null) {
        throw ApiProblem.notFound("version " + req.version() + " of the judgment rules does not exist");
      }
      List<io.hankyo.protocol.judgment.RejudgmentPlan.Row> rows = new ArrayList<>();
      for (CallLogRecord r : calls) {
        if (r.operatorId().equals(req.operatorId()) && r.clientId().equals(req.clientId())
            && r.answeredAt() != null && !r.arrivedAt().isBefore(req.from()) && r.arrivedAt().isBefore(req.to())) {
          rows.add(new io.hankyo.protocol.judgment.RejudgmentPlan.Row(
              new io.hankyo.protocol.judgment.CallFacts(r.trnId(), r.operatorId(), r.clientId(), r.dialinId(),
                  r.din(), r.arrivedAt(), true, r.talkingSec(), null, List.of(), null),
              new io.hankyo.protocol.judgment.RejudgmentPlan.Outcome(r.logvars().get("valid_res"),
                  r.logvars().get("valid_code"), r.logvars().get("judgment_version"), null, null),
              req.dialinId() == null || req.dialinId().equals(r.dialinId())));
        }
      }
      if (rows.size() > maxRejudgedCalls) {
        throw new ApiProblem(413, "https://hankyo.io/problems/too-many-calls", "Too many calls",
            "more than " + maxRejudgedCalls + " connected calls in the range");
      }
      var result = io.hankyo.protocol.judgment.RejudgmentPlan.plan(current.rules(), req.version(), req.scope(),
          rows, req.from(), io.hankyo.protocol.judgment.PriorCalls.NONE);
      String id = "rjd_" + String.format("%012d", ids.incrementAndGet());
      var view = new io.hankyo.protocol.judgment.RejudgmentView(id, req, result.examined(), result.changes(),
          now.plusSeconds(300), true);
      rejudgments.put(req.operatorId() + "/" + id, view);
      return view;
    });
  }

  @Override
  public CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> getRejudgment(String operatorId, String id) {
    return run(() -> {
      var v = rejudgments.get(operatorId + "/" + id);
      if (v == null) {
        throw ApiProblem.notFound("rejudgment '" + id + "' not found");
      }
      return v;
    });
  }

  private JudgmentView putAdvertiserJudgment(String operatorId, String clientId, JudgmentRules rules) {
    String key = operatorId + "/" + clientId;
    JudgmentView current = judgments.getOrDefault(key, new JudgmentView(null, clientId, 0, null, null));
    if (rules == null && current.rules() == null) {
      return current;
    }
    JudgmentView stored = new JudgmentView(null, clientId, current.version() + 1, rules, now.plusSeconds(240));
    judgments.put(key, stored);
    return stored;
  }

  @Override
  public CompletionStage<RecordingView> getRecording(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return recordings.getOrDefault(operatorId + "/" + clientId + "/" + dialinId,
          new RecordingView(dialinId, clientId, 0, null, null));
    });
  }

  @Override
  public CompletionStage<RecordingView> storeRecording(
      String operatorId, String clientId, String dialinId, RecordingSettings settings) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      if (settings == null) {
        throw new IllegalArgumentException("settings must not be null");
      }
      return putRecording(operatorId, clientId, dialinId, settings);
    });
  }

  @Override
  public CompletionStage<RecordingView> clearRecording(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return putRecording(operatorId, clientId, dialinId, null);
    });
  }

  @Override
  public CompletionStage<RecordingAudio> openCallRecording(String operatorId, String trnId) {
    return run(() -> {
      byte[] wav = callRecordings.get(operatorId + "/" + trnId);
      if (wav == null) {
        throw ApiProblem.notFound("call '" + trnId + "' has no recording");
      }
      return new RecordingAudio(wav.length, "00", new ByteArrayInputStream(wav));
    });
  }

  @Override
  public CompletionStage<Done> deleteCallRecording(String operatorId, String trnId) {
    return run(() -> {
      if (callRecordings.remove(operatorId + "/" + trnId) == null) {
        throw ApiProblem.notFound("call '" + trnId + "' has no recording");
      }
      return Done.getInstance();
    });
  }

  private RecordingView putRecording(String operatorId, String clientId, String dialinId, RecordingSettings settings) {
    String key = operatorId + "/" + clientId + "/" + dialinId;
    RecordingView current = recordings.getOrDefault(key, new RecordingView(dialinId, clientId, 0, null, null));
    if (settings == null && current.settings() == null) {
      return current;
    }
    RecordingView stored = new RecordingView(dialinId, clientId, current.version() + 1, settings, now.plusSeconds(180));
    recordings.put(key, stored);
    return stored;
  }

  private JudgmentView putJudgment(String operatorId, String clientId, String dialinId, JudgmentRules rules) {
    String key = operatorId + "/" + clientId + "/" + dialinId;
    JudgmentView current = judgments.getOrDefault(key, new JudgmentView(dialinId, clientId, 0, null, null));
    if (rules == null && current.rules() == null) {
      return current;
    }
    JudgmentView stored = new JudgmentView(dialinId, clientId, current.version() + 1, rules, now.plusSeconds(180));
    judgments.put(key, stored);
    return stored;
  }

  @Override
  public CompletionStage<NotificationView> getNotifications(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return notifications.getOrDefault(operatorId + "/" + clientId + "/" + dialinId,
          new NotificationView(dialinId, clientId, 0, null, null));
    });
  }

  @Override
  public CompletionStage<NotificationView> storeNotifications(
      String operatorId, String clientId, String dialinId, NotificationSettings settings) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      if (settings == null) {
        throw new IllegalArgumentException("settings must not be null");
      }
      return putNotifications(operatorId, clientId, dialinId, settings);
    });
  }

  @Override
  public CompletionStage<NotificationView> clearNotifications(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      number(operatorId, clientId, dialinId);
      return putNotifications(operatorId, clientId, dialinId, null);
    });
  }

  private NotificationView putNotifications(String operatorId, String clientId, String dialinId,
      NotificationSettings settings) {
    String key = operatorId + "/" + clientId + "/" + dialinId;
    NotificationView current = notifications.getOrDefault(key, new NotificationView(dialinId, clientId, 0, null, null));
    if (settings == null && current.settings() == null) {
      return current;
    }
    NotificationView stored = new NotificationView(dialinId, clientId, current.version() + 1, settings,
        now.plusSeconds(180));
    notifications.put(key, stored);
    return stored;
  }

  @Override
  public CompletionStage<TrackingNumberView> setAbsence(
      String operatorId, String clientId, String dialinId, boolean on) {
    return run(() -> {
      TrackingNumberView v = number(operatorId, clientId, dialinId);
      TrackingNumberView updated = new TrackingNumberView(v.dialinId(), v.clientId(), v.number(), v.name(),
          v.forwardTo(), v.createdAt(), v.absent() == on ? v.updatedAt() : now.plusSeconds(60), on);
      advertiser(operatorId, clientId).numbers.put(dialinId, updated);
      return updated;
    });
  }

  @Override
  public CompletionStage<Done> deleteNumber(String operatorId, String clientId, String dialinId) {
    return run(() -> {
      TrackingNumberView v = number(operatorId, clientId, dialinId);
      advertiser(operatorId, clientId).numbers.remove(dialinId);
      numberOwners.remove(v.number().e164());
      return Done.getInstance();
    });
  }

  @Override
  public Source<CallLogRecord, NotUsed> calls(String operatorId, Instant from, Instant to) {
    lastFrom = from;
    lastTo = to;
    if (down) {
      return Source.failed(new RuntimeException("read side unavailable (test: cluster down)"));
    }
    List<CallLogRecord> selected;
    synchronized (this) {
      selected = calls.stream()
          .filter(c -> leakOtherOperators || c.operatorId().equals(operatorId))
          .filter(c -> !c.arrivedAt().isBefore(from) && c.arrivedAt().isBefore(to))
          .sorted(Comparator.comparing(CallLogRecord::arrivedAt))
          .collect(Collectors.toList());
    }
    if (callsBreakAfterFirst) {
      // (a concatenated Source.failed would fail the whole stream at once, before the first element)
      return Source.from(selected).zipWithIndex().map(p -> {
        if (p.second() >= 1) {
          throw new RuntimeException("read side lost (test: broken stream)");
        }
        return p.first();
      });
    }
    return Source.from(selected);
  }

  @Override
  public Optional<String> decryptCaller(EncryptedValue value) {
    if (value.keyId().equals(SHREDDED_KEY)) {
      return Optional.empty();
    }
    return Optional.of(new String(Base64.getDecoder().decode(value.data()), StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------------------------------------ prompts
  // A simple stand-in for the cluster's check (WavPromptLoader): javax.sound reads the header; the same refusals
  // and statuses, the audio stored as uploaded.

  @Override
  public CompletionStage<PromptStored> storePromptAudio(String operatorId, String name, byte[] wav) {
    return run(() -> {
      long millis = checkWav(wav);
      return store(operatorId, name, PromptSource.UPLOAD, null, null, wav, millis);
    });
  }

  @Override
  public CompletionStage<PromptStored> storePromptText(String operatorId, String name, String text, String voice) {
    return run(() -> {
      if (espeakMissing) {
        throw Problems.unavailable("text prompts need espeak-ng installed on the node (test)");
      }
      synthesized.add(text);
      byte[] wav = TestWavs.pcm16(8000, 1, 8000 * text.length() / 10);
      return store(operatorId, name, PromptSource.TEXT, text, voice == null ? "ja" : voice, wav, checkWav(wav));
    });
  }

  private PromptStored store(String operatorId, String name, PromptSource source, String text, String voice,
      byte[] wav, long millis) {
    TreeMap<String, PromptAudio> mine = prompts.computeIfAbsent(operatorId, k -> new TreeMap<>());
    boolean created = !mine.containsKey(name);
    PromptView view = new PromptView(name, source, text, voice, millis, wav.length, sha256(wav),
        now.plusSeconds(created ? 0 : 60));
    mine.put(name, new PromptAudio(view, wav.clone()));
    return new PromptStored(view, created);
  }

  private long checkWav(byte[] wav) {
    AudioFileFormat file;
    try {
      file = AudioSystem.getAudioFileFormat(new ByteArrayInputStream(wav));
    } catch (Exception e) {
      throw ApiProblem.invalid("prompt: not a WAV file we can read");
    }
    if (file.getType() != AudioFileFormat.Type.WAVE) {
      throw ApiProblem.invalid("prompt: not a WAV file but " + file.getType());
    }
    AudioFormat f = file.getFormat();
    boolean pcm16 = AudioFormat.Encoding.PCM_SIGNED.equals(f.getEncoding()) && f.getSampleSizeInBits() == 16;
    boolean g711 = (AudioFormat.Encoding.ULAW.equals(f.getEncoding())
        || AudioFormat.Encoding.ALAW.equals(f.getEncoding())) && f.getSampleSizeInBits() == 8;
    if (!pcm16 && !g711) {
      throw Problems.unsupportedMediaType("prompt: unsupported encoding " + f.getEncoding() + " "
          + f.getSampleSizeInBits() + "-bit; use 16-bit PCM, or 8-bit µ-law/A-law");
    }
    if (file.getFrameLength() <= 0) {
      throw ApiProblem.invalid("prompt has no audio");
    }
    long millis = (long) (file.getFrameLength() * 1000.0 / f.getFrameRate());
    if (millis > maxPromptMillis) {
      throw ApiProblem.invalid("prompt is " + millis / 1000.0 + " s long, the limit is " + maxPromptMillis / 1000.0
          + " s");
    }
    return millis;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private PromptAudio prompt(String operatorId, String name) {
    PromptAudio a = prompts.getOrDefault(operatorId, new TreeMap<>()).get(name);
    if (a == null) {
      throw ApiProblem.notFound("name: prompt '" + name + "' does not exist");
    }
    return a;
  }

  @Override
  public CompletionStage<List<PromptView>> listPrompts(String operatorId) {
    return run(() -> prompts.getOrDefault(operatorId, new TreeMap<>()).values().stream().map(PromptAudio::prompt)
        .collect(Collectors.toList()));
  }

  @Override
  public CompletionStage<PromptView> getPrompt(String operatorId, String name) {
    return run(() -> prompt(operatorId, name).prompt());
  }

  @Override
  public CompletionStage<PromptAudio> getPromptAudio(String operatorId, String name) {
    return run(() -> prompt(operatorId, name));
  }

  @Override
  public CompletionStage<Done> deletePrompt(String operatorId, String name) {
    return run(() -> {
      prompt(operatorId, name);
      prompts.get(operatorId).remove(name);
      return Done.getInstance();
    });
  }
}
