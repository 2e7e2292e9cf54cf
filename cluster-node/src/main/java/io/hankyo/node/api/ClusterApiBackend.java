package io.hankyo.node.api;

import io.hankyo.api.ApiBackend;
import io.hankyo.api.ApiProblem;
import io.hankyo.api.Problems;
import io.hankyo.node.calllog.CallLogReader;
import io.hankyo.node.directory.Advertiser;
import io.hankyo.node.directory.ApiKey;
import io.hankyo.node.directory.DirectoryBootstrap;
import io.hankyo.node.directory.Operator;
import io.hankyo.node.directory.TrackingNumber;
import io.hankyo.node.prompt.EspeakSynthesizer;
import io.hankyo.node.prompt.PromptStore;
import io.hankyo.node.prompt.SpeechSynthesisException;
import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.directory.AdvertiserView;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.directory.JudgmentView;
import io.hankyo.protocol.directory.NotificationView;
import io.hankyo.protocol.directory.RecordingView;
import io.hankyo.api.RecordingAudio;
import io.hankyo.node.call.Call;
import io.hankyo.protocol.recording.CallRecording;
import io.hankyo.sip.media.RecordingStore;
import io.hankyo.protocol.recording.RecordingSettings;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.protocol.privacy.EncryptedValue;
import io.hankyo.protocol.prompt.PromptAudio;
import io.hankyo.protocol.prompt.PromptSource;
import io.hankyo.protocol.prompt.PromptStored;
import io.hankyo.protocol.prompt.PromptView;
import io.hankyo.sip.media.InvalidPromptException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@link ApiBackend} on the sharded directory entities ({@link Operator}, {@link ApiKey}, {@link Advertiser},
 * {@link TrackingNumber}), the call-log read side and the caller-number cipher.
 *
 * <p>Error mapping: an entity's rejection ({@link StatusReply.ErrorMessage}) becomes an {@link ApiProblem}: 404 for
 * what does not exist for the operator (another operator's data looks the same as absent data), 409 for a taken
 * client id, dialin id or number, 400 for a forward destination equal to the tracking number or an id the entity ids
 * cannot hold. Timeouts and other failures are left as they are (the routes answer 503).
 *
 * <p>Multi-entity operations are ordered so that a failure half-way leaves nothing visible that is wrong, and a retry
 * finishes the job: create number = reserve the dialin id in the advertiser, then assign the number (on conflict the
 * reservation is dropped again); delete advertiser = delete, release each number, drop from the operator's index;
 * delete number = release, then drop the reservation. After the assign, the advertiser is read again so that a
 * delete that raced with the create does not leave the number held by a deleted advertiser. Readers verify against the
 * {@link TrackingNumber} entity, which is the authority on who holds a number; {@link #listAdvertisers} skips index
 * entries whose advertiser is absent (and answers an empty list for an operator that does not exist).
 *
 * <p>Prompts ({@link #storePromptAudio} and the other prompt methods) live in a {@link PromptStore}; refused audio
 * maps by {@link InvalidPromptException#reason()}: TOO_LARGE 413, UNSUPPORTED_ENCODING 415, the others 400. Text
 * prompts are synthesized by {@link EspeakSynthesizer} on the blocking executor; espeak-ng missing, failing or too
 * slow is 503, an unknown voice 400. A backend built without a prompt store answers 503 to every prompt method.
 *
 * <p>{@link #authenticate} caches positive answers for 30 s (keyed by the key's SHA-256, never the key), so a revoked
 * key may keep working that long on a node that used it recently. Thread-safe.
 */
public final class ClusterApiBackend implements ApiBackend {
  private static final Duration AUTH_CACHE_TTL = Duration.ofSeconds(30);
  private static final int AUTH_CACHE_MAX_ENTRIES = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final CallLogReader callLogs;
  private final CallerNumberCipher cipher;
  private final AuthCache authCache = new AuthCache(AUTH_CACHE_MAX_ENTRIES);
  private final PromptStore prompts;
  private final EspeakSynthesizer speech;
  private final Executor blocking;
  /** {@code hankyo.notify.webhook-allow-private}: off refuses private webhook URLs at PUT time too (issue 4). */
  private final boolean allowPrivateWebhooks;
  /** Runs re-judgments (issue 4); null until {@link #withRejudger} (then re-judgment methods answer 503). */
  private volatile io.hankyo.node.rejudge.Rejudger rejudger;
  /** Where call recordings are (issue 4); null: none (the recording downloads answer 404). */
  private volatile RecordingStore recordings;
  /** The number inventory (issue 5); null: none (tracking numbers are not checked against it). */
  private volatile io.hankyo.node.inventory.ClusterInventoryBackend inventory;
  /** Which live pools use a tracking number (issue 5); null: none (deletions are not checked against pools). */
  private volatile io.hankyo.node.pool.PoolUses poolUses;

  /**
   * Registers the directory entities with sharding if not done yet.
   *
   * @param system the node's actor system
   * @param sharding the node's sharding
   * @param askTimeout per ask to an entity; operations that touch several entities take a few of them in sequence
   * @param callLogs the call-log read side, for {@link #calls}
   * @param cipher the caller-number cipher, for {@link #decryptCaller}
   */
  public ClusterApiBackend(
      ActorSystem<?> system,
      ClusterSharding sharding,
      Duration askTimeout,
      CallLogReader callLogs,
      CallerNumberCipher cipher) {
    this(system, sharding, askTimeout, callLogs, cipher, null, null, null);
  }

  /**
   * A backend that also serves prompts.
   *
   * @param prompts the prompt store (Cassandra), or null for none (prompt methods answer 503)
   * @param speech espeak-ng for text prompts (required with {@code prompts})
   * @param blocking where synthesis runs (a blocking dispatcher; required with {@code prompts})
   */
  public ClusterApiBackend(
      ActorSystem<?> system,
      ClusterSharding sharding,
      Duration askTimeout,
      CallLogReader callLogs,
      CallerNumberCipher cipher,
      PromptStore prompts,
      EspeakSynthesizer speech,
      Executor blocking) {
    Objects.requireNonNull(system, "system");
    this.sharding = Objects.requireNonNull(sharding, "sharding");
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
    this.callLogs = Objects.requireNonNull(callLogs, "callLogs");
    this.cipher = Objects.requireNonNull(cipher, "cipher");
    this.prompts = prompts;
    this.speech = prompts == null ? speech : Objects.requireNonNull(speech, "speech");
    this.blocking = prompts == null ? blocking : Objects.requireNonNull(blocking, "blocking");
    var config = system.settings().config();
    this.allowPrivateWebhooks = config.hasPath(io.hankyo.node.notify.WebhookAddressGuard.SETTING)
        && config.getBoolean(io.hankyo.node.notify.WebhookAddressGuard.SETTING);
    DirectoryBootstrap.initEntities(sharding);
    io.hankyo.node.callback.CallbackNumber.init(sharding); // createNumber asks whether a number is a callback number
  }

  // ------------------------------------------------------------------------------------------------------ keys

  @Override
  public CompletionStage<Optional<String>> authenticate(String apiKey) {
    if (apiKey == null || apiKey.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String hash = ApiKey.idFor(apiKey);
    Optional<String> cached = authCache.get(hash, System.nanoTime());
    if (cached.isPresent()) {
      return CompletableFuture.completedFuture(cached);
    }
    return sharding.entityRefFor(ApiKey.ENTITY_KEY, hash)
        .ask(ApiKey.Resolve::new, askTimeout)
        .thenApply(r -> {
          r.operatorId().ifPresent(op -> authCache.put(hash, op, System.nanoTime() + AUTH_CACHE_TTL.toNanos()));
          return r.operatorId();
        });
  }

  // ----------------------------------------------------------------------------------------------- advertisers

  @Override
  public CompletionStage<AdvertiserView> createAdvertiser(String operatorId, String clientId, String clientName) {
    if (clientName == null || clientName.isBlank()) {
      return CompletableFuture.failedFuture(ApiProblem.invalid("client_name must not be blank"));
    }
    String id = clientId == null ? newId("cl_") : clientId;
    EntityRef<Advertiser.Command> adv;
    try {
      adv = advertiser(operatorId, id);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.invalid(e.getMessage()));
    }
    // Index first: an index entry without an advertiser is skipped by readers; the reverse would hide it.
    CompletionStage<Done> indexed = onRejection(
        operator(operatorId).askWithStatus(r -> new Operator.AdvertiserAdded(id, r), askTimeout),
        ApiProblem::notFound);
    return indexed
        .thenCompose(d -> onRejection(
            adv.<Advertiser.Summary>askWithStatus(
                r -> new Advertiser.Create(operatorId, id, clientName, r), askTimeout),
            ApiProblem::conflict))
        .thenApply(Advertiser.Summary::toView);
  }

  @Override
  public CompletionStage<List<AdvertiserView>> listAdvertisers(String operatorId) {
    return recoverRejection(
            operator(operatorId).<Operator.ClientIds>askWithStatus(Operator.ListAdvertisers::new, askTimeout),
            msg -> new Operator.ClientIds(List.of()))
        .thenCompose(ids -> {
          List<CompletionStage<Optional<Advertiser.Summary>>> gets = new ArrayList<>();
          for (String id : ids.clientIds()) {
            gets.add(findAdvertiser(operatorId, id));
          }
          return sequence(gets);
        })
        .thenApply(found -> found.stream()
            .flatMap(Optional::stream)
            .map(Advertiser.Summary::toView)
            .sorted(Comparator.comparing(AdvertiserView::clientId))
            .toList());
  }

  @Override
  public CompletionStage<AdvertiserView> getAdvertiser(String operatorId, String clientId) {
    return requireAdvertiser(operatorId, clientId).thenApply(Advertiser.Summary::toView);
  }

  @Override
  public CompletionStage<AdvertiserView> updateAdvertiser(String operatorId, String clientId, String clientName) {
    if (clientName == null || clientName.isBlank()) {
      return CompletableFuture.failedFuture(ApiProblem.invalid("client_name must not be blank"));
    }
    EntityRef<Advertiser.Command> adv;
    try {
      adv = advertiser(operatorId, clientId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.notFound(advertiserNotFound(clientId)));
    }
    return onRejection(
            adv.<Advertiser.Summary>askWithStatus(r -> new Advertiser.Rename(clientName, r), askTimeout),
            ApiProblem::notFound)
        .thenCompose(summary -> {
          // Copy the name into each number so that calls log the new name.
          List<CompletionStage<Done>> renames = new ArrayList<>();
          for (String e164 : summary.numbers().values()) {
            renames.add(number(e164).askWithStatus(
                r -> new TrackingNumber.UpdateClientName(operatorId, clientId, summary.clientName(), r),
                askTimeout));
          }
          return sequence(renames).thenApply(done -> summary.toView());
        });
  }

  @Override
  public CompletionStage<Done> deleteAdvertiser(String operatorId, String clientId) {
    EntityRef<Advertiser.Command> adv;
    try {
      adv = advertiser(operatorId, clientId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.notFound(advertiserNotFound(clientId)));
    }
    // a tracking number of a live pool (issue 5) refuses the whole deletion, before anything is deleted
    EntityRef<Advertiser.Command> advRef = adv;
    CompletionStage<Done> unused = poolUses == null ? CompletableFuture.completedFuture(Done.getInstance())
        : requireAdvertiser(operatorId, clientId).thenCompose(summary -> refuseIfPooled(operatorId,
            summary.numbers().values(), "advertiser " + clientId));
    return unused.thenCompose(ok -> onRejection(
            advRef.<Advertiser.Removed>askWithStatus(Advertiser.Delete::new, askTimeout),
            ApiProblem::notFound))
        .thenCompose(removed -> {
          List<CompletionStage<Done>> releases = new ArrayList<>();
          removed.numbers().forEach((dialinId, e164) -> releases.add(number(e164).askWithStatus(
              r -> new TrackingNumber.Release(operatorId, clientId, dialinId, r), askTimeout)));
          // inventory numbers (issue 5) of the deleted tracking numbers cool down
          io.hankyo.node.inventory.ClusterInventoryBackend inv = inventory;
          if (inv != null) {
            removed.numbers().forEach((dialinId, e164) -> releases.add(inv.unassignStatic(operatorId, clientId,
                dialinId, io.hankyo.protocol.number.PhoneNumbers.parse(e164), false)));
          }
          return sequence(releases);
        })
        .thenCompose(released -> recoverRejection(
            operator(operatorId).askWithStatus(r -> new Operator.AdvertiserRemoved(clientId, r), askTimeout),
            msg -> Done.getInstance()));
  }

  // --------------------------------------------------------------------------------------------------- numbers

  @Override
  public CompletionStage<TrackingNumberView> createNumber(
      String operatorId, String clientId, String dialinId, PhoneNumber number, String name, PhoneNumber forwardTo) {
    Objects.requireNonNull(number, "number");
    Objects.requireNonNull(forwardTo, "forwardTo");
    if (number.e164().equals(forwardTo.e164())) {
      return CompletableFuture.failedFuture(ApiProblem.invalid(
          "fwd_id must differ from the tracking number " + number.national()));
    }
    if (!TrackingNumber.isE164(number.e164())) {
      return CompletableFuture.failedFuture(ApiProblem.invalid("din_id '" + number.e164() + "' is not E.164"));
    }
    if (dialinId != null && dialinId.isBlank()) {
      return CompletableFuture.failedFuture(ApiProblem.invalid("dialin_id must not be blank"));
    }
    String dialin = dialinId == null ? newId("dn_") : dialinId;
    return requireAdvertiser(operatorId, clientId)
        .thenCompose(adv -> notACallbackNumber(operatorId, number).thenApply(x -> adv))
        .thenCompose(adv -> inventoryAssign(
        operatorId, clientId, dialin, number, () -> {
          EntityRef<Advertiser.Command> advRef = advertiser(operatorId, clientId);
          CompletionStage<Done> reserved = onRejection(
              advRef.askWithStatus(r -> new Advertiser.ReserveNumber(dialin, number.e164(), r), askTimeout),
              ApiProblem::conflict);
          return reserved.thenCompose(d -> assignOrUndo(advRef, adv, dialin, number, name, forwardTo));
        })).thenApply(TrackingNumber.Details::toView);
  }

  /**
   * Fails with 409 when {@code number} is in some operator's callback pool ({@link
   * io.hankyo.node.callback.CallbackNumber}, issue 4): a tracking number on it would silently win the routing of its
   * callbacks. The pool's PUT refuses tracking numbers the other way round. Another operator is not named.
   */
  private CompletionStage<Done> notACallbackNumber(String operatorId, PhoneNumber number) {
    return sharding.entityRefFor(io.hankyo.node.callback.CallbackNumber.ENTITY_KEY, number.e164())
        .<io.hankyo.node.callback.CallbackNumber.Owner>ask(io.hankyo.node.callback.CallbackNumber.GetOwner::new,
            askTimeout)
        .thenApply(owner -> {
          if (owner.operatorId().isPresent()) {
            throw ApiProblem.conflict("din_id " + number.national() + " is a callback number of "
                + (owner.operatorId().get().equals(operatorId) ? "this operator's" : "an operator's")
                + " pool (PUT /v1/callback-pool); take it out of the pool first");
          }
          return Done.getInstance();
        });
  }

  /**
   * Checks the number inventory (issue 5) around creating a tracking number: a number in some operator's inventory
   * must be {@code operatorId}'s and available (else 409) and is marked assigned before {@code create} runs; when
   * {@code create} is refused it is available again. Without an inventory, or for a number in none, just
   * {@code create}.
   */
  private <T> CompletionStage<T> inventoryAssign(String operatorId, String clientId, String dialin,
      PhoneNumber number, java.util.function.Supplier<CompletionStage<T>> create) {
    io.hankyo.node.inventory.ClusterInventoryBackend inv = inventory;
    if (inv == null) {
      return create.get();
    }
    return inv.assignStatic(operatorId, clientId, dialin, number).thenCompose(d -> create.get()
        .handle((t, error) -> error == null ? CompletableFuture.completedFuture(t)
            : !(unwrap(error) instanceof ApiProblem) ? CompletableFuture.<T>failedFuture(error)
            : inv.unassignStatic(operatorId, clientId, dialin, number, true)
                .handle((x, e2) -> CompletableFuture.<T>failedFuture(error)).thenCompose(Function.identity()))
        .thenCompose(Function.identity()));
  }

  /**
   * Links the tracking-number API with the number inventory (issue 5): see {@link
   * io.hankyo.node.inventory.ClusterInventoryBackend#assignStatic}.
   *
   * @return this
   */
  public ClusterApiBackend withInventory(io.hankyo.node.inventory.ClusterInventoryBackend inv) {
    this.inventory = Objects.requireNonNull(inv, "inventory");
    return this;
  }

  /**
   * Refuses (409) deleting a tracking number, or an advertiser with one, that is the {@code tracking_number} or
   * {@code fallback_number} of a live pool of the operator (issue 5): the pool must be deleted first, else its numbers'
   * calls would be lost or follow the number to its next owner.
   *
   * @return this
   */
  public ClusterApiBackend withPoolUses(io.hankyo.node.pool.PoolUses uses) {
    this.poolUses = Objects.requireNonNull(uses, "uses");
    return this;
  }

  /** Fails with 409 when live pools of {@code operatorId} use one of {@code e164s}; else completes. */
  private CompletionStage<Done> refuseIfPooled(String operatorId, java.util.Collection<String> e164s, String what) {
    io.hankyo.node.pool.PoolUses uses = poolUses;
    if (uses == null) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return uses.of(operatorId, e164s).thenApply(found -> {
      if (!found.isEmpty()) {
        throw ApiProblem.conflict(io.hankyo.node.pool.PoolUses.refusal(what, found));
      }
      return Done.getInstance();
    });
  }

  private CompletionStage<TrackingNumber.Details> assignOrUndo(
      EntityRef<Advertiser.Command> advRef,
      Advertiser.Summary adv,
      String dialin,
      PhoneNumber number,
      String name,
      PhoneNumber forwardTo) {
    CompletionStage<TrackingNumber.Details> assigned = number(number.e164()).askWithStatus(
        r -> new TrackingNumber.Assign(
            adv.operatorId(), adv.clientId(), adv.clientName(), dialin, name, number, forwardTo, r),
        askTimeout);
    return assigned.handle((details, error) -> {
      if (error == null) {
        return confirmAssignment(details);
      }
      Throwable cause = unwrap(error);
      if (cause instanceof StatusReply.ErrorMessage rejected) {
        // The number belongs to another record: drop our reservation so no half-created record is left.
        return advRef.<Done>askWithStatus(r -> new Advertiser.UnreserveNumber(dialin, r), askTimeout)
            .thenCompose(d -> CompletableFuture.<TrackingNumber.Details>failedFuture(
                ApiProblem.conflict(rejected.getMessage())));
      }
      // Unknown outcome (e.g. timeout): keep the reservation, so that a retry or a delete can finish the job.
      return CompletableFuture.<TrackingNumber.Details>failedFuture(cause);
    }).thenCompose(Function.identity());
  }

  /**
   * Closes the race with a concurrent delete (or rename) of the advertiser between reserve and assign: when the
   * advertiser no longer lists this dialin id for this number, the number is released again (404); when it was
   * renamed meanwhile, the new name is copied into the number.
   */
  private CompletionStage<TrackingNumber.Details> confirmAssignment(TrackingNumber.Details details) {
    String op = details.operatorId();
    String client = details.clientId();
    String dialin = details.dialinId();
    String e164 = details.number().e164();
    return findAdvertiser(op, client).thenCompose(adv -> {
      if (adv.isEmpty() || !e164.equals(adv.get().numbers().get(dialin))) {
        return number(e164)
            .<Done>askWithStatus(r -> new TrackingNumber.Release(op, client, dialin, r), askTimeout)
            .thenCompose(d -> CompletableFuture.<TrackingNumber.Details>failedFuture(
                ApiProblem.notFound(advertiserNotFound(client))));
      }
      String name = adv.get().clientName();
      if (name.equals(details.clientName())) {
        return CompletableFuture.completedFuture(details);
      }
      return number(e164)
          .<Done>askWithStatus(r -> new TrackingNumber.UpdateClientName(op, client, name, r), askTimeout)
          .thenCompose(d -> number(e164).<TrackingNumber.Details>askWithStatus(TrackingNumber.Get::new, askTimeout));
    });
  }

  @Override
  public CompletionStage<List<TrackingNumberView>> listNumbers(String operatorId, String clientId) {
    return requireAdvertiser(operatorId, clientId).thenCompose(adv -> {
      List<CompletionStage<Optional<TrackingNumber.Details>>> gets = new ArrayList<>();
      adv.numbers().forEach((dialinId, e164) -> gets.add(findHeld(operatorId, clientId, dialinId, e164)));
      return sequence(gets);
    }).thenApply(found -> found.stream()
        .flatMap(Optional::stream)
        .map(TrackingNumber.Details::toView)
        .sorted(Comparator.comparing(TrackingNumberView::dialinId))
        .toList());
  }

  @Override
  public CompletionStage<TrackingNumberView> getNumber(String operatorId, String clientId, String dialinId) {
    return getNumberDetails(operatorId, clientId, dialinId).thenApply(TrackingNumber.Details::toView);
  }

  /** The record (operator, client id, dialin id); fails with 404 when the advertiser or the record is absent. */
  private CompletionStage<TrackingNumber.Details> getNumberDetails(
      String operatorId, String clientId, String dialinId) {
    return requireAdvertiser(operatorId, clientId)
        .thenCompose(adv -> {
          String e164 = adv.numbers().get(dialinId);
          if (e164 == null) {
            return CompletableFuture.failedFuture(ApiProblem.notFound(numberNotFound(clientId, dialinId)));
          }
          return findHeld(operatorId, clientId, dialinId, e164).thenCompose(d -> d
              .map(CompletableFuture::completedFuture)
              .orElseGet(() -> CompletableFuture.failedFuture(
                  ApiProblem.notFound(numberNotFound(clientId, dialinId)))));
        });
  }

  /**
   * Sends a command to the TrackingNumber entity of the record (operator, client id, dialin id); fails with 404 when
   * the advertiser or the record is absent, or the entity says the record does not hold the number.
   */
  private CompletionStage<TrackingNumber.Details> onNumber(String operatorId, String clientId, String dialinId,
      Function<ActorRef<StatusReply<TrackingNumber.Details>>, TrackingNumber.Command> command) {
    return requireAdvertiser(operatorId, clientId)
        .thenCompose(adv -> {
          String e164 = adv.numbers().get(dialinId);
          if (e164 == null) {
            return CompletableFuture.failedFuture(ApiProblem.notFound(numberNotFound(clientId, dialinId)));
          }
          return onRejection(number(e164).askWithStatus(command::apply, askTimeout),
              msg -> ApiProblem.notFound(numberNotFound(clientId, dialinId)));
        });
  }

  @Override
  public CompletionStage<TrackingNumberView> updateNumber(
      String operatorId, String clientId, String dialinId, String name, PhoneNumber forwardTo) {
    return requireAdvertiser(operatorId, clientId)
        .thenCompose(adv -> {
          String e164 = adv.numbers().get(dialinId);
          if (e164 == null) {
            return CompletableFuture.failedFuture(ApiProblem.notFound(numberNotFound(clientId, dialinId)));
          }
          if (forwardTo != null && forwardTo.e164().equals(e164)) {
            return CompletableFuture.failedFuture(ApiProblem.invalid("fwd_id must differ from the tracking number"));
          }
          return onRejection(
              number(e164).<TrackingNumber.Details>askWithStatus(
                  r -> new TrackingNumber.Update(operatorId, clientId, dialinId,
                      Optional.ofNullable(name), Optional.ofNullable(forwardTo), r),
                  askTimeout),
              msg -> ApiProblem.notFound(numberNotFound(clientId, dialinId)));
        })
        .thenApply(TrackingNumber.Details::toView);
  }

  @Override
  public CompletionStage<FlowView> getFlow(String operatorId, String clientId, String dialinId) {
    return getNumberDetails(operatorId, clientId, dialinId).thenApply(TrackingNumber.Details::toFlowView);
  }

  @Override
  public CompletionStage<FlowView> storeFlow(String operatorId, String clientId, String dialinId, CallFlow flow) {
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.StoreFlow(operatorId, clientId, dialinId, flow, r))
        .thenApply(TrackingNumber.Details::toFlowView);
  }

  @Override
  public CompletionStage<JudgmentView> getJudgment(String operatorId, String clientId, String dialinId) {
    return getNumberDetails(operatorId, clientId, dialinId).thenApply(TrackingNumber.Details::toJudgmentView);
  }

  @Override
  public CompletionStage<JudgmentView> storeJudgment(
      String operatorId, String clientId, String dialinId, JudgmentRules rules) {
    Objects.requireNonNull(rules, "rules");
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.StoreJudgment(operatorId, clientId, dialinId, rules, r))
        .thenApply(TrackingNumber.Details::toJudgmentView);
  }

  @Override
  public CompletionStage<JudgmentView> clearJudgment(String operatorId, String clientId, String dialinId) {
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.ClearJudgment(operatorId, clientId, dialinId, r))
        .thenApply(TrackingNumber.Details::toJudgmentView);
  }

  /**
   * Serves call recordings (issue 4) from {@code store}, which must be the store the gateways write to (shared
   * storage in a cluster of several nodes).
   *
   * @return this backend
   */
  public ClusterApiBackend recordingsIn(RecordingStore store) {
    this.recordings = Objects.requireNonNull(store, "store");
    return this;
  }

  /** A {@code trn_id} as the gateways make them: 96 random bits as 24 lower-case hex digits (SipKit.randomHex). */
  private static final java.util.regex.Pattern TRN_ID = java.util.regex.Pattern.compile("[0-9a-f]{24}");

  /**
   * The call's recording: the {@link Call} entity is the authority on whose call it is (its call-log record names the
   * operator) and where the file is; another operator's call looks the same as none.
   */
  private CompletionStage<CallRecording> callRecording(String operatorId, String trnId) {
    if (trnId == null || !TRN_ID.matcher(trnId).matches()) {
      // not a call id the gateways make: answered without starting (and journaling the recovery of) an idle entity
      return java.util.concurrent.CompletableFuture.failedFuture(ApiProblem.notFound("trn_id: '" + trnId
          + "' is not a call id (24 lower-case hexadecimal digits)"));
    }
    return sharding.entityRefFor(Call.ENTITY_KEY, trnId).<Call.State>ask(Call.GetState::new, askTimeout)
        .thenApply(state -> {
          if (!(state instanceof Call.Ended ended) || !ended.record().operatorId().equals(operatorId)) {
            throw ApiProblem.notFound("trn_id: call '" + trnId + "' does not exist or has not ended");
          }
          if (ended.recording() == null || !ended.recording().exists() || recordings == null) {
            throw ApiProblem.notFound("trn_id: call '" + trnId + "' has no recording"
                + (ended.recording() != null && !ended.recording().exists() ? " (it was deleted)" : ""));
          }
          return ended.recording();
        });
  }

  @Override
  public CompletionStage<RecordingAudio> openCallRecording(String operatorId, String trnId) {
    return callRecording(operatorId, trnId).thenApply(rec -> {
      try {
        RecordingStore.Blob blob = recordings.open(rec.key()).orElseThrow(() -> ApiProblem.notFound(
            "trn_id: the recording of call '" + trnId + "' is missing from the recording store"));
        return new RecordingAudio(blob.bytes(), rec.sha256(), blob.content());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  @Override
  public CompletionStage<Done> deleteCallRecording(String operatorId, String trnId) {
    return callRecording(operatorId, trnId).thenCompose(rec -> {
      try {
        recordings.delete(rec.key()); // first: a failed persist below leaves no file behind and can be retried
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return sharding.entityRefFor(Call.ENTITY_KEY, trnId)
          .<CallRecording>askWithStatus(Call.DeleteRecording::new, askTimeout)
          .thenApply(was -> Done.getInstance());
    });
  }

  @Override
  public CompletionStage<RecordingView> getRecording(String operatorId, String clientId, String dialinId) {
    return getNumberDetails(operatorId, clientId, dialinId).thenApply(TrackingNumber.Details::toRecordingView);
  }

  @Override
  public CompletionStage<RecordingView> storeRecording(
      String operatorId, String clientId, String dialinId, RecordingSettings settings) {
    Objects.requireNonNull(settings, "settings");
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.StoreRecording(operatorId, clientId, dialinId, settings, r))
        .thenApply(TrackingNumber.Details::toRecordingView);
  }

  @Override
  public CompletionStage<RecordingView> clearRecording(String operatorId, String clientId, String dialinId) {
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.ClearRecording(operatorId, clientId, dialinId, r))
        .thenApply(TrackingNumber.Details::toRecordingView);
  }

  @Override
  public CompletionStage<NotificationView> getNotifications(String operatorId, String clientId, String dialinId) {
    return getNumberDetails(operatorId, clientId, dialinId).thenApply(TrackingNumber.Details::toNotificationView);
  }

  @Override
  public CompletionStage<NotificationView> storeNotifications(
      String operatorId, String clientId, String dialinId, NotificationSettings settings) {
    Objects.requireNonNull(settings, "settings");
    if (!allowPrivateWebhooks && settings.webhook() != null) {
      // the SSRF guard's PUT-time half: literal IPs and localhost only (names are checked at every send)
      String host;
      try {
        host = java.net.URI.create(settings.webhook().url()).getHost();
      } catch (IllegalArgumentException e) {
        host = null; // the parser already accepted the URL; nothing more to say here
      }
      Optional<String> problem = io.hankyo.node.notify.WebhookAddressGuard.literalProblem(host);
      if (problem.isPresent()) {
        return CompletableFuture.failedFuture(ApiProblem.invalid("the notification settings are invalid",
            List.of(new ApiProblem.FieldError("/webhook/url", problem.get() + "; webhooks to loopback, link-local, "
                + "private and multicast addresses are refused while "
                + io.hankyo.node.notify.WebhookAddressGuard.SETTING + " = off"))));
      }
    }
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.StoreNotifications(operatorId, clientId, dialinId, settings, r))
        .thenApply(TrackingNumber.Details::toNotificationView);
  }

  @Override
  public CompletionStage<NotificationView> clearNotifications(String operatorId, String clientId, String dialinId) {
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.ClearNotifications(operatorId, clientId, dialinId, r))
        .thenApply(TrackingNumber.Details::toNotificationView);
  }

  @Override
  public CompletionStage<JudgmentView> getAdvertiserJudgment(String operatorId, String clientId) {
    return advertiserJudgment(clientId, () -> advertiser(operatorId, clientId)
        .<Advertiser.AdvertiserJudgment>askWithStatus(Advertiser.GetJudgment::new, askTimeout));
  }

  @Override
  public CompletionStage<JudgmentView> storeAdvertiserJudgment(
      String operatorId, String clientId, JudgmentRules rules) {
    Objects.requireNonNull(rules, "rules");
    return advertiserJudgment(clientId, () -> advertiser(operatorId, clientId)
        .<Advertiser.AdvertiserJudgment>askWithStatus(r -> new Advertiser.StoreJudgment(rules, r), askTimeout));
  }

  @Override
  public CompletionStage<JudgmentView> clearAdvertiserJudgment(String operatorId, String clientId) {
    return advertiserJudgment(clientId, () -> advertiser(operatorId, clientId)
        .<Advertiser.AdvertiserJudgment>askWithStatus(Advertiser.ClearJudgment::new, askTimeout));
  }

  /**
   * Serves re-judgments ({@code POST /v1/rejudgments}, issue 4) with {@code r}.
   *
   * @return this backend
   */
  public ClusterApiBackend withRejudger(io.hankyo.node.rejudge.Rejudger r) {
    this.rejudger = Objects.requireNonNull(r, "rejudger");
    return this;
  }

  @Override
  public CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> rejudge(
      io.hankyo.protocol.judgment.RejudgmentView.Request request) {
    io.hankyo.node.rejudge.Rejudger r = rejudger;
    return r == null ? noRejudger() : r.run(request);
  }

  @Override
  public CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> getRejudgment(String operatorId, String id) {
    io.hankyo.node.rejudge.Rejudger r = rejudger;
    return r == null ? noRejudger() : r.get(operatorId, id);
  }

  private static <T> CompletionStage<T> noRejudger() {
    return CompletableFuture.failedFuture(Problems.unavailable("re-judgment is not available on this node"));
  }

  /** The advertiser entity's answer about its judgment rules; a rejection (absent, deleted, bad id) is 404. */
  private CompletionStage<JudgmentView> advertiserJudgment(String clientId,
      java.util.function.Supplier<CompletionStage<Advertiser.AdvertiserJudgment>> ask) {
    CompletionStage<Advertiser.AdvertiserJudgment> asked;
    try {
      asked = ask.get();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiProblem.notFound(advertiserNotFound(clientId)));
    }
    return onRejection(asked, msg -> ApiProblem.notFound(advertiserNotFound(clientId)))
        .thenApply(Advertiser.AdvertiserJudgment::toView);
  }

  @Override
  public CompletionStage<TrackingNumberView> setAbsence(
      String operatorId, String clientId, String dialinId, boolean on) {
    return onNumber(operatorId, clientId, dialinId,
        r -> new TrackingNumber.SetAbsence(operatorId, clientId, dialinId, on, r))
        .thenApply(TrackingNumber.Details::toView);
  }

  @Override
  public CompletionStage<Boolean> isTrackingNumber(PhoneNumber number) {
    return number(number.e164())
        .ask(TrackingNumber.GetRoute::new, askTimeout)
        .thenApply(r -> r.route().isPresent());
  }

  @Override
  public CompletionStage<Done> deleteNumber(String operatorId, String clientId, String dialinId) {
    return requireAdvertiser(operatorId, clientId).thenCompose(adv -> {
      String e164 = adv.numbers().get(dialinId);
      if (e164 == null) {
        return CompletableFuture.failedFuture(ApiProblem.notFound(numberNotFound(clientId, dialinId)));
      }
      // Release first: while the reservation stays, a retry can still find the number to release.
      // An inventory number (issue 5) starts cooling down first, so that a failure after it leaves nothing assigned
      // to a deleted record; a retry of the delete finds the number again and finishes.
      // a tracking or fallback number of a live pool (issue 5) is refused before anything changes
      io.hankyo.node.inventory.ClusterInventoryBackend inv = inventory;
      CompletionStage<Done> unassigned = refuseIfPooled(operatorId, List.of(e164), "tracking number " + dialinId)
          .thenCompose(ok -> inv == null ? CompletableFuture.completedFuture(Done.getInstance())
          : inv.unassignStatic(operatorId, clientId, dialinId, io.hankyo.protocol.number.PhoneNumbers.parse(e164),
              false));
      return unassigned.thenCompose(u -> number(e164)
          .<Done>askWithStatus(r -> new TrackingNumber.Release(operatorId, clientId, dialinId, r), askTimeout))
          .thenCompose(d -> advertiser(operatorId, clientId)
              .<Done>askWithStatus(r -> new Advertiser.UnreserveNumber(dialinId, r), askTimeout));
    });
  }

  // ----------------------------------------------------------------------------------------------- prompts

  @Override
  public CompletionStage<PromptStored> storePromptAudio(String operatorId, String name, byte[] wav) {
    if (prompts == null) {
      return noPrompts();
    }
    return audioProblems(prompts.store(operatorId, name, PromptSource.UPLOAD, null, null, wav));
  }

  @Override
  public CompletionStage<PromptStored> storePromptText(String operatorId, String name, String text, String voice) {
    if (prompts == null) {
      return noPrompts();
    }
    String v = voice == null ? speech.defaultVoice() : voice;
    CompletableFuture<byte[]> wav = CompletableFuture.supplyAsync(() -> {
      try {
        return speech.synthesize(text, v);
      } catch (SpeechSynthesisException e) {
        throw new CompletionException(e.kind() == SpeechSynthesisException.Kind.UNKNOWN_VOICE
            ? ApiProblem.invalid(e.getMessage())
            : Problems.unavailable(e.getMessage()));
      }
    }, blocking);
    return audioProblems(wav.thenCompose(bytes -> prompts.store(operatorId, name, PromptSource.TEXT, text, v, bytes)));
  }

  @Override
  public CompletionStage<List<PromptView>> listPrompts(String operatorId) {
    return prompts == null ? noPrompts() : prompts.list(operatorId);
  }

  @Override
  public CompletionStage<PromptView> getPrompt(String operatorId, String name) {
    return prompts == null ? noPrompts()
        : prompts.meta(operatorId, name).thenApply(p -> p.orElseThrow(() -> promptNotFound(name)));
  }

  @Override
  public CompletionStage<PromptAudio> getPromptAudio(String operatorId, String name) {
    return prompts == null ? noPrompts()
        : prompts.audio(operatorId, name).thenApply(p -> p.orElseThrow(() -> promptNotFound(name)));
  }

  /**
   * Deletes a prompt unless a stored call flow or judgment rules (post-call button) of the operator play it: then 409
   * naming those numbers (a call following the flow, or its post-call button, would fail at that step). The check reads every number record of the operator (operator →
   * advertisers → numbers, as {@link #listNumbers} does), a fan-out of one in-memory ask per number; a flow or rules
   * stored between the check and the delete are not seen (their PUTs check that the prompts exist, so only that
   * narrow race is left).
   */
  @Override
  public CompletionStage<Done> deletePrompt(String operatorId, String name) {
    if (prompts == null) {
      return noPrompts();
    }
    return numbersUsingPrompt(operatorId, name).thenCompose(users -> {
      if (!users.isEmpty()) {
        throw ApiProblem.conflict("name: prompt '" + name + "' is played by the call flow or the judgment rules' "
            + "post-call button of " + String.join(", ", users) + "; change or delete those first");
      }
      return prompts.delete(operatorId, name);
    }).thenApply(existed -> {
      if (!existed) {
        throw promptNotFound(name);
      }
      return Done.getInstance();
    });
  }

  /**
   * The numbers of the operator whose stored call flow, judgment rules' post-call button or recording consent notice
   * (issue 4) play the prompt {@code name}, as {@code client_id/dialin_id} sorted; empty when none.
   */
  CompletionStage<List<String>> numbersUsingPrompt(String operatorId, String name) {
    return recoverRejection(
            operator(operatorId).<Operator.ClientIds>askWithStatus(Operator.ListAdvertisers::new, askTimeout),
            msg -> new Operator.ClientIds(List.of()))
        .thenCompose(ids -> {
          List<CompletionStage<Optional<Advertiser.Summary>>> gets = new ArrayList<>();
          for (String id : ids.clientIds()) {
            gets.add(findAdvertiser(operatorId, id));
          }
          return sequence(gets);
        })
        .thenCompose(advertisers -> {
          List<CompletionStage<Optional<TrackingNumber.Details>>> gets = new ArrayList<>();
          for (Optional<Advertiser.Summary> adv : advertisers) {
            adv.ifPresent(a -> a.numbers().forEach((dialinId, e164) ->
                gets.add(findHeld(operatorId, a.clientId(), dialinId, e164))));
          }
          return sequence(gets);
        })
        .thenApply(found -> found.stream()
            .flatMap(Optional::stream)
            .filter(d -> (d.flow().present() && d.flow().document().prompts().contains(name))
                || (d.judgment().present() && d.judgment().document().postCallButton() != null
                    && d.judgment().document().postCallButton().prompt().equals(name))
                || (d.recording().present() && name.equals(d.recording().document().consentPrompt())))
            .map(d -> d.clientId() + "/" + d.dialinId())
            .sorted()
            .toList());
  }

  private static ApiProblem promptNotFound(String name) {
    return ApiProblem.notFound("name: prompt '" + name + "' does not exist");
  }

  private static <T> CompletionStage<T> noPrompts() {
    return CompletableFuture.failedFuture(Problems.unavailable("prompts are not available on this node"));
  }

  /** Maps a refused audio ({@link InvalidPromptException}) to 413, 415 or 400 by its reason. */
  private static <T> CompletionStage<T> audioProblems(CompletionStage<T> stage) {
    return stage.exceptionally(e -> {
      Throwable cause = unwrap(e);
      if (cause instanceof InvalidPromptException invalid) {
        InvalidPromptException.Reason reason = invalid.reason();
        throw reason == InvalidPromptException.Reason.TOO_LARGE ? Problems.payloadTooLarge(invalid.getMessage())
            : reason == InvalidPromptException.Reason.UNSUPPORTED_ENCODING
                ? Problems.unsupportedMediaType(invalid.getMessage())
                : ApiProblem.invalid(invalid.getMessage());
      }
      throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
    });
  }

  // ----------------------------------------------------------------------------------------------- call logs

  @Override
  public Source<CallLogRecord, NotUsed> calls(String operatorId, Instant from, Instant to) {
    return callLogs.read(operatorId, from, to);
  }

  @Override
  public Optional<String> decryptCaller(EncryptedValue value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(cipher.decrypt(value));
    } catch (CallerNumberCipher.UnknownKeyException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  // --------------------------------------------------------------------------------------------------- helpers

  private EntityRef<Operator.Command> operator(String operatorId) {
    return sharding.entityRefFor(Operator.ENTITY_KEY, operatorId);
  }

  private EntityRef<Advertiser.Command> advertiser(String operatorId, String clientId) {
    return sharding.entityRefFor(Advertiser.ENTITY_KEY, Advertiser.entityId(operatorId, clientId));
  }

  private EntityRef<TrackingNumber.Command> number(String e164) {
    return sharding.entityRefFor(TrackingNumber.ENTITY_KEY, e164);
  }

  /** The active advertiser, or a stage failed with 404. */
  private CompletionStage<Advertiser.Summary> requireAdvertiser(String operatorId, String clientId) {
    return findAdvertiser(operatorId, clientId).thenCompose(found -> found
        .map(CompletableFuture::completedFuture)
        .orElseGet(() -> CompletableFuture.failedFuture(ApiProblem.notFound(advertiserNotFound(clientId)))));
  }

  /** The active advertiser, or empty when absent or deleted (or the ids cannot name one). */
  private CompletionStage<Optional<Advertiser.Summary>> findAdvertiser(String operatorId, String clientId) {
    EntityRef<Advertiser.Command> ref;
    try {
      ref = advertiser(operatorId, clientId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return recoverRejection(
        ref.<Advertiser.Summary>askWithStatus(Advertiser.Get::new, askTimeout).thenApply(Optional::of),
        msg -> Optional.empty());
  }

  /** The number's record when held by (operator, client, dialin); empty otherwise. */
  private CompletionStage<Optional<TrackingNumber.Details>> findHeld(
      String operatorId, String clientId, String dialinId, String e164) {
    if (!TrackingNumber.isE164(e164)) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return recoverRejection(
        number(e164).<TrackingNumber.Details>askWithStatus(TrackingNumber.Get::new, askTimeout)
            .thenApply(d -> Optional.of(d).filter(x -> x.heldBy(operatorId, clientId, dialinId))),
        msg -> Optional.empty());
  }

  private static String advertiserNotFound(String clientId) {
    return "advertiser '" + clientId + "' not found";
  }

  private static String numberNotFound(String clientId, String dialinId) {
    return "tracking number '" + dialinId + "' of advertiser '" + clientId + "' not found";
  }

  private static String newId(String prefix) {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return prefix + HexFormat.of().formatHex(b);
  }

  /** Replaces an entity rejection by the ApiProblem {@code toProblem} makes of its message. */
  private static <T> CompletionStage<T> onRejection(CompletionStage<T> stage, Function<String, ApiProblem> toProblem) {
    return stage.handle((v, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(v);
      }
      Throwable cause = unwrap(e);
      if (cause instanceof StatusReply.ErrorMessage m) {
        return CompletableFuture.<T>failedFuture(toProblem.apply(m.getMessage()));
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(Function.identity());
  }

  /** Replaces an entity rejection by a value. */
  private static <T> CompletionStage<T> recoverRejection(CompletionStage<T> stage, Function<String, T> fallback) {
    return stage.handle((v, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(v);
      }
      Throwable cause = unwrap(e);
      if (cause instanceof StatusReply.ErrorMessage m) {
        return CompletableFuture.completedFuture(fallback.apply(m.getMessage()));
      }
      return CompletableFuture.<T>failedFuture(cause);
    }).thenCompose(Function.identity());
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** All results in order; fails with the first failure (after all have finished). */
  private static <T> CompletionStage<List<T>> sequence(List<CompletionStage<T>> stages) {
    CompletableFuture<?>[] all = stages.stream().map(CompletionStage::toCompletableFuture)
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(all)
        .handle((v, e) -> {
          if (e != null) {
            return CompletableFuture.<List<T>>failedFuture(unwrap(e));
          }
          List<T> out = new ArrayList<>(stages.size());
          for (CompletionStage<T> s : stages) {
            out.add(s.toCompletableFuture().join());
          }
          return CompletableFuture.completedFuture(out);
        })
        .thenCompose(Function.identity());
  }

  /** A small LRU map of key hash → operator id with expiry; never holds key texts. */
  private static final class AuthCache {
    private record Entry(String operatorId, long expiresAtNanos) {}

    private final Map<String, Entry> entries;

    AuthCache(int maxEntries) {
      this.entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > maxEntries;
        }
      };
    }

    synchronized Optional<String> get(String hash, long nowNanos) {
      Entry e = entries.get(hash);
      if (e == null) {
        return Optional.empty();
      }
      if (nowNanos - e.expiresAtNanos() >= 0) {
        entries.remove(hash);
        return Optional.empty();
      }
      return Optional.of(e.operatorId());
    }

    synchronized void put(String hash, String operatorId, long expiresAtNanos) {
      entries.put(hash, new Entry(operatorId, expiresAtNanos));
    }
  }
}
