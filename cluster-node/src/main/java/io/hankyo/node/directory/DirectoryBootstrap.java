package io.hankyo.node.directory;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Node start-up of the directory: registers the directory entities with sharding and makes sure an operator and an
 * API key exist so that a fresh cluster can be used at all.
 */
public final class DirectoryBootstrap {
  /** Id of the operator the bootstrap creates. */
  public static final String BOOTSTRAP_OPERATOR_ID = "default";
  /** Its display name. */
  public static final String BOOTSTRAP_OPERATOR_NAME = "Bootstrap operator";
  /** Shortest API key accepted from the environment. */
  public static final int MIN_KEY_LENGTH = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private DirectoryBootstrap() {}

  /**
   * Registers {@link Operator}, {@link ApiKey}, {@link Advertiser} and {@link TrackingNumber} with sharding.
   * Idempotent (sharding returns the existing regions on later calls).
   */
  public static void initEntities(ClusterSharding sharding) {
    Operator.init(sharding);
    ApiKey.init(sharding);
    Advertiser.init(sharding);
    TrackingNumber.init(sharding);
  }

  /**
   * Ensures the bootstrap operator ({@value #BOOTSTRAP_OPERATOR_ID}, "{@value #BOOTSTRAP_OPERATOR_NAME}") exists and
   * can be reached with an API key. Safe to run on every node at every start (all steps are idempotent), and safe to
   * retry after a failure.
   *
   * <ul>
   *   <li>With {@code envApiKey} ({@code HANKYO_BOOTSTRAP_API_KEY}, surrounding white space removed; blank counts as
   *       not given): registers that key for the operator; completes empty (nothing to print).
   *   <li>Without it: when this call created the operator, generates a key ({@code hk_} + 32 random bytes,
   *       base64url without padding, 46 characters), registers it and completes with it so that the caller prints it
   *       once; when the operator already existed, completes empty.
   * </ul>
   *
   * @param system the node's actor system (unused today; kept for the caller's signature)
   * @param sharding the node's sharding; the directory entities are registered if not done yet
   * @param envApiKey the key from the environment, if any
   * @param timeout per ask to an entity
   * @return the newly generated key, or empty; fails with {@link IllegalArgumentException} when the environment key
   *     is shorter than {@value #MIN_KEY_LENGTH} characters, with an {@code ErrorMessage} when it is bound to another
   *     operator or was revoked, or with a {@code TimeoutException} when the cluster did not answer in time (retry)
   */
  public static CompletionStage<Optional<String>> ensureBootstrapOperator(
      ActorSystem<?> system, ClusterSharding sharding, Optional<String> envApiKey, Duration timeout) {
    Objects.requireNonNull(sharding, "sharding");
    Objects.requireNonNull(timeout, "timeout");
    Optional<String> given =
        envApiKey == null ? Optional.empty() : envApiKey.map(String::strip).filter(k -> !k.isEmpty());
    if (given.isPresent() && given.get().length() < MIN_KEY_LENGTH) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(
          "HANKYO_BOOTSTRAP_API_KEY is too short: an API key needs at least " + MIN_KEY_LENGTH
              + " characters (got " + given.get().length() + ")"));
    }
    initEntities(sharding);
    return sharding.entityRefFor(Operator.ENTITY_KEY, BOOTSTRAP_OPERATOR_ID)
        .<Operator.CreateResult>askWithStatus(r -> new Operator.Create(BOOTSTRAP_OPERATOR_NAME, r), timeout)
        .thenCompose(created -> {
          if (given.isPresent()) {
            return register(sharding, given.get(), timeout).thenApply(d -> Optional.<String>empty());
          }
          if (!created.newlyCreated()) {
            return CompletableFuture.completedFuture(Optional.<String>empty());
          }
          String key = generateApiKey();
          return register(sharding, key, timeout).thenApply(d -> Optional.of(key));
        });
  }

  /** A new random API key: {@code hk_} + base64url (no padding) of 32 bytes from {@link SecureRandom}. */
  public static String generateApiKey() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return "hk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static CompletionStage<org.apache.pekko.Done> register(
      ClusterSharding sharding, String key, Duration timeout) {
    return sharding.entityRefFor(ApiKey.ENTITY_KEY, ApiKey.idFor(key))
        .askWithStatus(r -> new ApiKey.Register(BOOTSTRAP_OPERATOR_ID, r), timeout);
  }
}
