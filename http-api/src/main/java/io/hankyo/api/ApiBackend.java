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
import io.hankyo.protocol.prompt.PromptAudio;
import io.hankyo.protocol.prompt.PromptStored;
import io.hankyo.protocol.prompt.PromptView;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * What the HTTP API needs from the cluster. The cluster node implements it on its sharded entities and read side;
 * the routes only validate input, authenticate, and render.
 *
 * <p>Errors: stages fail with {@link ApiProblem} (404 not found, 409 conflict, 400 invalid) for the caller's
 * mistakes, and with any other exception (rendered 503 with a problem+json body) when the cluster could not answer
 * in time. Every method takes the authenticated operator id: data of another operator is reported as not found.
 */
public interface ApiBackend {

  /**
   * Resolves an API key (the bearer token) to the operator it belongs to.
   *
   * @return the operator id, or empty when the key is unknown or revoked
   */
  CompletionStage<Optional<String>> authenticate(String apiKey);

  /**
   * Creates an advertiser.
   *
   * @param clientId the operator's own id for it, or null to have one generated
   * @throws ApiProblem 409 when the client id is taken within the operator
   */
  CompletionStage<AdvertiserView> createAdvertiser(String operatorId, String clientId, String clientName);

  /** All advertisers of the operator, ordered by client id. */
  CompletionStage<List<AdvertiserView>> listAdvertisers(String operatorId);

  /** @throws ApiProblem 404 when absent */
  CompletionStage<AdvertiserView> getAdvertiser(String operatorId, String clientId);

  /** Renames the advertiser. @throws ApiProblem 404 when absent */
  CompletionStage<AdvertiserView> updateAdvertiser(String operatorId, String clientId, String clientName);

  /**
   * Deletes the advertiser and releases its tracking numbers. @throws ApiProblem 404 when absent; 409 (nothing
   * deleted) when one of its numbers is the {@code tracking_number} or {@code fallback_number} of a live pool (issue 5)
   */
  CompletionStage<Done> deleteAdvertiser(String operatorId, String clientId);

  /**
   * Creates a tracking number for the advertiser.
   *
   * @param dialinId the operator's own id for the record, unique within the advertiser, or null to have one
   *     generated
   * @throws ApiProblem 404 when the advertiser is absent; 409 when the number is already a tracking number (of any
   *     operator) or the dialin id is taken within the advertiser
   */
  CompletionStage<TrackingNumberView> createNumber(
      String operatorId, String clientId, String dialinId, PhoneNumber number, String name, PhoneNumber forwardTo);

  /** The advertiser's tracking numbers. @throws ApiProblem 404 when the advertiser is absent */
  CompletionStage<List<TrackingNumberView>> listNumbers(String operatorId, String clientId);

  /** @throws ApiProblem 404 when the advertiser or number is absent */
  CompletionStage<TrackingNumberView> getNumber(String operatorId, String clientId, String dialinId);

  /**
   * Changes the name and/or the forward destination (null = unchanged). The number itself cannot change: delete and
   * create instead. @throws ApiProblem 404 when absent
   */
  CompletionStage<TrackingNumberView> updateNumber(
      String operatorId, String clientId, String dialinId, String name, PhoneNumber forwardTo);

  /**
   * Turns absence mode (不在設定, spec section 4) of the tracking number on or off; setting what is already set
   * changes nothing. @return the record as it is afterwards @throws ApiProblem 404 when the advertiser or number is
   * absent
   */
  CompletionStage<TrackingNumberView> setAbsence(String operatorId, String clientId, String dialinId, boolean on);

  /**
   * The tracking number's call flow (issue 3). @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<FlowView> getFlow(String operatorId, String clientId, String dialinId);

  /**
   * Stores {@code flow} as the number's next flow version, or removes the document when {@code flow} is null (calls
   * are forwarded to {@code fwd_id} again; removing when there is none changes nothing). Calls already under way
   * keep the version they started with.
   *
   * @param flow a flow checked by {@link io.hankyo.protocol.flow.CallFlowParser}, or null
   * @return the flow as it is afterwards
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<FlowView> storeFlow(String operatorId, String clientId, String dialinId, CallFlow flow);

  /**
   * The tracking number's valid-call judgment rules (成果判定, issue 4, spec section 5) with their version; {@link
   * JudgmentView#rules()} is null when the number has none.
   *
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<JudgmentView> getJudgment(String operatorId, String clientId, String dialinId);

  /**
   * Stores {@code rules} as the number's next judgment-rules version (versions count per number across stores and
   * removals). Calls already under way keep the version they arrived with.
   *
   * @param rules rules checked by {@link io.hankyo.protocol.judgment.JudgmentRulesParser}, whose post-call button
   *     prompt (if any) the operator has; not null
   * @return the rules as they are afterwards
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<JudgmentView> storeJudgment(
      String operatorId, String clientId, String dialinId, JudgmentRules rules);

  /**
   * Removes the number's judgment rules: calls arriving from then on get no {@code valid_res}. The removal is a new
   * version; removing when there are none changes nothing.
   *
   * @return the (absent) rules afterwards, with their version
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<JudgmentView> clearJudgment(String operatorId, String clientId, String dialinId);

  /**
   * The tracking number's call notification settings (issue 4) with their version; {@link
   * NotificationView#settings()} is null when the number has none.
   *
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<NotificationView> getNotifications(String operatorId, String clientId, String dialinId);

  /**
   * Stores {@code settings} as the number's next notification-settings version. Calls already under way keep the
   * version they arrived with.
   *
   * @param settings settings checked by {@link io.hankyo.protocol.notify.NotificationSettingsParser}; not null
   * @return the settings as they are afterwards
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<NotificationView> storeNotifications(
      String operatorId, String clientId, String dialinId, NotificationSettings settings);

  /**
   * Removes the number's notification settings: calls arriving from then on notify nobody. The removal is a new
   * version; removing when there are none changes nothing.
   *
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<NotificationView> clearNotifications(String operatorId, String clientId, String dialinId);

  /**
   * The advertiser's own valid-call judgment rules (issue 4), which every number of the advertiser without rules of
   * its own is judged under; {@link JudgmentView#dialinId()} is null, {@link JudgmentView#rules()} null when none.
   *
   * @throws ApiProblem 404 when the advertiser is absent (or another operator's)
   */
  CompletionStage<JudgmentView> getAdvertiserJudgment(String operatorId, String clientId);

  /**
   * Stores {@code rules} as the advertiser's next judgment-rules version (versions count per advertiser, apart from
   * its numbers'). Calls arriving from then on to its numbers without rules of their own are judged under them.
   *
   * @param rules rules checked by {@link io.hankyo.protocol.judgment.JudgmentRulesParser}; not null
   * @return the rules as they are afterwards
   * @throws ApiProblem 404 when the advertiser is absent
   */
  CompletionStage<JudgmentView> storeAdvertiserJudgment(String operatorId, String clientId, JudgmentRules rules);

  /**
   * Removes the advertiser's judgment rules (a new version; nothing changes when it has none).
   *
   * @return the (absent) rules afterwards, with their version
   * @throws ApiProblem 404 when the advertiser is absent
   */
  CompletionStage<JudgmentView> clearAdvertiserJudgment(String operatorId, String clientId);

  /**
   * Re-judges the advertiser's connected calls of the arrival range (optionally of one number) under a stored rule
   * version (再判定, issue 4), stores the result as a new re-judgment and rewrites the changed call-log rows.
   *
   * @param request checked by {@link RejudgmentRequests} ({@code from} before {@code to})
   * @return the stored re-judgment
   * @throws ApiProblem 400 a range longer than the limit; 404 unknown advertiser, number or version (also another
   *     operator's); 413 more calls in the range than the limit; 503 the cluster could not answer
   */
  CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> rejudge(
      io.hankyo.protocol.judgment.RejudgmentView.Request request);

  /**
   * A stored re-judgment of the operator.
   *
   * @throws ApiProblem 404 when the operator has none with that id
   */
  CompletionStage<io.hankyo.protocol.judgment.RejudgmentView> getRejudgment(String operatorId, String id);

  /**
   * The tracking number's recording setting (2者間通話録音, issue 4) with its version; {@link
   * RecordingView#settings()} is null when the number has none.
   *
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<RecordingView> getRecording(String operatorId, String clientId, String dialinId);

  /**
   * Stores {@code settings} as the number's next recording-setting version. Calls already under way keep the
   * setting they arrived with.
   *
   * @param settings checked by {@link io.hankyo.protocol.recording.RecordingSettingsParser}, whose consent prompt
   *     (if any) the operator has; not null
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<RecordingView> storeRecording(
      String operatorId, String clientId, String dialinId, RecordingSettings settings);

  /**
   * Removes the number's recording setting: calls arriving from then on are not recorded. The removal is a new
   * version; removing when there is none changes nothing.
   *
   * @throws ApiProblem 404 when the advertiser or number is absent
   */
  CompletionStage<RecordingView> clearRecording(String operatorId, String clientId, String dialinId);

  /**
   * Opens a call's recording (2者間通話録音, issue 4) for download.
   *
   * @param trnId the call
   * @throws ApiProblem 404 when the call is not the operator's (or does not exist, or has not ended) or has no
   *     recording (never recorded, deleted, or its file is gone)
   */
  CompletionStage<RecordingAudio> openCallRecording(String operatorId, String trnId);

  /**
   * Deletes a call's recording: the file goes from the store, then the call persists the deletion (its call log gets
   * {@code logvars.recording = "0"}).
   *
   * @throws ApiProblem 404 as {@link #openCallRecording}
   */
  CompletionStage<Done> deleteCallRecording(String operatorId, String trnId);

  /**
   * Whether {@code number} is currently a tracking number of this cluster, of any operator. A call forwarded to it
   * would come back into the cluster (a loop through the cluster), so it is refused as a forward destination. Reveals
   * no more than the 409 of {@link #createNumber} does. An in-memory read; nothing is persisted.
   *
   * @return true when the number is a tracking number now
   */
  CompletionStage<Boolean> isTrackingNumber(PhoneNumber number);

  /**
   * Deletes the tracking number; calls to it get 404 from then on. @throws ApiProblem 404 when absent; 409 naming the
   * pool(s) when it is the {@code tracking_number} or {@code fallback_number} of a live pool (issue 5)
   */
  CompletionStage<Done> deleteNumber(String operatorId, String clientId, String dialinId);

  /**
   * Stores uploaded audio as the operator's prompt {@code name} (ガイダンス, spec section 4; issue 3), replacing one
   * of that name. The backend checks and normalizes the audio (8 kHz mono; the limits of the media plane).
   *
   * @param name a valid prompt name ({@code [A-Za-z0-9_.-]{1,64}}, checked by the routes)
   * @param wav the uploaded WAV file, at most {@link HttpApiSettings#maxPromptBytes()} bytes
   * @return the stored prompt and whether it was created
   * @throws ApiProblem 400 when the audio is not a WAV file, is damaged, empty or too long; 413 when it is larger
   *     than the media plane accepts; 415 when its encoding is not 16-bit PCM or 8-bit µ-law/A-law
   */
  CompletionStage<PromptStored> storePromptAudio(String operatorId, String name, byte[] wav);

  /**
   * Synthesizes {@code text} with espeak-ng (once; the audio is stored, not made again on reads) and stores it as the
   * operator's prompt {@code name}, replacing one of that name.
   *
   * @param text at most {@link Validation#MAX_PROMPT_TEXT_LENGTH} code points, not blank (checked by the routes)
   * @param voice an espeak-ng voice name (e.g. {@code ja}, {@code en-us}), or null for the default ({@code ja})
   * @throws ApiProblem 400 for an unknown voice or when the synthesized audio is refused (e.g. too long); 503 when
   *     espeak-ng is not installed on the node or did not finish in time
   */
  CompletionStage<PromptStored> storePromptText(String operatorId, String name, String text, String voice);

  /** The operator's prompts (metadata only), ordered by name. */
  CompletionStage<List<PromptView>> listPrompts(String operatorId);

  /** A prompt's metadata. @throws ApiProblem 404 when the operator has no prompt of that name */
  CompletionStage<PromptView> getPrompt(String operatorId, String name);

  /** A prompt with its stored WAV file. @throws ApiProblem 404 when the operator has no prompt of that name */
  CompletionStage<PromptAudio> getPromptAudio(String operatorId, String name);

  /**
   * Deletes a prompt.
   *
   * @throws ApiProblem 404 when the operator has no prompt of that name; 409 when a stored call flow of the operator
   *     plays it (the detail names those numbers as {@code client_id/dialin_id})
   */
  CompletionStage<Done> deletePrompt(String operatorId, String name);

  /**
   * The operator's call-log records whose arrival time {@code din_tms} is in {@code [from, to)}, in order of arrival.
   */
  Source<CallLogRecord, NotUsed> calls(String operatorId, Instant from, Instant to);

  /**
   * Decrypts a caller number for an authorised reader.
   *
   * @return the number in E.164, or empty when the key that encrypted it is gone (shredded)
   */
  Optional<String> decryptCaller(EncryptedValue value);
}
