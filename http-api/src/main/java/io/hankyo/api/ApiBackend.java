package io.hankyo.api;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.directory.AdvertiserView;
import io.hankyo.protocol.directory.FlowView;
import io.hankyo.protocol.directory.TrackingNumberView;
import io.hankyo.protocol.flow.CallFlow;
import io.hankyo.protocol.number.PhoneNumber;
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

  /** Deletes the advertiser and releases its tracking numbers. @throws ApiProblem 404 when absent */
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
   * Whether {@code number} is currently a tracking number of this cluster, of any operator. A call forwarded to it
   * would come back into the cluster (a loop through the cluster), so it is refused as a forward destination. Reveals
   * no more than the 409 of {@link #createNumber} does. An in-memory read; nothing is persisted.
   *
   * @return true when the number is a tracking number now
   */
  CompletionStage<Boolean> isTrackingNumber(PhoneNumber number);

  /** Deletes the tracking number; calls to it get 404 from then on. @throws ApiProblem 404 when absent */
  CompletionStage<Done> deleteNumber(String operatorId, String clientId, String dialinId);

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
