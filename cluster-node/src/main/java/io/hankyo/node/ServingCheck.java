package io.hankyo.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * Pekko Management readiness check ({@code pekko.management.health-checks.readiness-checks.hankyo-serving}):
 * {@code GET /ready} answers 200 only while the node serves HTTP and takes SIP calls. Pekko's own checks say ready
 * as soon as the node is an Up cluster member, which is a few seconds before the HTTP API and the SIP gateway are
 * bound (and stays so while a stopping node drains its calls), so a load balancer or a script polling {@code /ready}
 * sent its first requests to closed ports. Instantiated by Pekko Management with the actor system.
 */
public final class ServingCheck implements Supplier<CompletionStage<Boolean>> {

  private final AtomicBoolean serving;

  /** Called by Pekko Management. */
  public ServingCheck(ActorSystem system) {
    this.serving = State.ID.get(system).serving;
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(serving.get());
  }

  /** Marks the node as serving (HTTP bound, SIP accepting) or not (starting, or draining on the way down). */
  static void serving(ActorSystem system, boolean on) {
    State.ID.get(system).serving.set(on);
  }

  /** The flag, one per actor system. */
  static final class State extends AbstractExtensionId<State.Flag> implements ExtensionIdProvider {
    static final State ID = new State();

    @Override
    public State lookup() {
      return ID;
    }

    @Override
    public Flag createExtension(ExtendedActorSystem system) {
      return new Flag();
    }

    static final class Flag implements Extension {
      final AtomicBoolean serving = new AtomicBoolean();
    }
  }
}
