package io.hankyo.api;

import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The cluster side of the number inventory API (issue 5, spec sections 2–3). Kept apart from {@link ApiBackend} so
 * the feature can be wired in (and faked in tests) on its own, like {@link CallbackBackend}.
 */
public interface InventoryBackend {
  /** What importing one number did. */
  enum Outcome { IMPORTED, ALREADY_OWNED, ERROR }

  /**
   * The result of one number.
   *
   * @param outcome what happened
   * @param error why the number was refused (e.g. "in another operator's inventory"), null unless {@code ERROR}
   */
  record Result(Outcome outcome, String error) {}

  /**
   * One number of an inventory.
   *
   * @param e164 the number, E.164
   * @param national the display form, e.g. {@code 0120-123-456}
   * @param range the range label, e.g. {@code 0120}
   * @param state the status at the time of the request, API name ({@code available}, {@code assigned},
   *     {@code pooled}, {@code held}, {@code cooling_down})
   * @param clientId the advertiser of an assigned number, else null
   * @param dialinId its tracking number record, else null
   * @param until end of a hold or cool-down, else null
   * @param poolId the pool of a {@code pooled} number, else null
   */
  record Entry(String e164, String national, String range, String state, String clientId, String dialinId,
      Instant until, String poolId) {
    /** An entry of a number in no pool. */
    public Entry(String e164, String national, String range, String state, String clientId, String dialinId,
        Instant until) {
      this(e164, national, range, state, clientId, dialinId, until, null);
    }
  }

  /**
   * One page of a listing.
   *
   * @param entries the numbers, by E.164
   * @param lastE164 the E.164 of the last entry when more match after it (the API's cursor), else null
   */
  record Page(List<Entry> entries, String lastE164) {
    public Page {
      entries = List.copyOf(entries);
    }
  }

  /**
   * Adds numbers to {@code operatorId}'s inventory, each on its own: one number's refusal (another operator owns it)
   * or failure does not undo or stop the others, and a number is never moved between operators.
   *
   * @param numbers distinct numbers of the four ranges (checked by the API), with their ranges
   * @return a result per E.164 of {@code numbers}
   */
  CompletionStage<Map<String, Result>> importNumbers(String operatorId, Map<PhoneNumber, NumberRange> numbers);

  /**
   * Lists the operator's numbers by E.164.
   *
   * @param state the API state name to keep, or null for all (checked by the API)
   * @param range the range to keep, or null for all
   * @param afterE164 start after this number (exclusive), or null from the start
   * @param limit most entries, 1..1000
   */
  CompletionStage<Page> list(String operatorId, String state, NumberRange range, String afterE164, int limit);
}
