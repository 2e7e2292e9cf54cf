package io.hankyo.sip;

import io.hankyo.sip.media.Prompt;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the gateway gets the prompts that {@code CallInstruction.PlayPrompt} names: the port through which the node
 * plugs in its prompt store (uploaded WAV files per operator, loaded with {@link io.hankyo.sip.media.WavPromptLoader}).
 * Given to {@link SipGateway#start(SipGatewaySettings, io.hankyo.sip.media.MediaSettings, CallControl,
 * io.hankyo.protocol.privacy.CallerNumberCipher, org.apache.pekko.actor.typed.ActorSystem, PromptSource)}.
 *
 * <p>Called on the call's worker thread (never a JAIN-SIP or RTP thread): it must return at once and do any file or
 * network work asynchronously. Implementations are expected to cache decoded prompts.
 */
@FunctionalInterface
public interface PromptSource {
  /**
   * Looks a prompt up.
   *
   * @param operatorId the prompt's owner
   * @param name the prompt's name
   * @return completes with the prompt, empty when the operator has no such prompt; fails on a storage or decoding
   *     error (the gateway then reports the prompt as not played)
   */
  CompletionStage<Optional<Prompt>> prompt(String operatorId, String name);

  /** A source without prompts: every PlayPrompt is reported {@code played = false}. */
  PromptSource NONE = (operatorId, name) -> CompletableFuture.completedFuture(Optional.empty());
}
