package io.hankyo.api;

import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The national display form of E.164 numbers in API answers (e.g. {@code +81120123456} → {@code 0120-123-456}),
 * remembered: a pool hands out the same few thousand numbers again and again, and formatting each answer with
 * libphonenumber ({@link PhoneNumbers#parse}) was about 9 % of a node's allocation under assignment load (issue 5
 * speed target, docs/performance.md "Stop 13").
 *
 * <p>Every answer is exactly what {@code PhoneNumbers.parse(e164).national()} gives, or {@code e164} itself when it
 * does not parse (the API's long-standing fallback). At most {@value #MAX_ENTRIES} numbers are kept; beyond that the
 * map is emptied and refilled, so memory stays bounded whatever the callers pass. Thread-safe.
 */
final class NationalForms {
  /** Most numbers kept (a node's pools hold at most a few thousand numbers; each entry is ~150 bytes). */
  static final int MAX_ENTRIES = 20_000;

  private static final ConcurrentHashMap<String, String> FORMS = new ConcurrentHashMap<>();

  private NationalForms() {}

  /**
   * The national form of {@code e164} ({@link io.hankyo.protocol.number.PhoneNumber#national()}), or {@code e164}
   * when it is not a phone number {@link PhoneNumbers#parse} accepts.
   *
   * @param e164 an E.164 number like {@code +81120123456}; null answers null
   */
  static String of(String e164) {
    if (e164 == null) {
      return null;
    }
    String form = FORMS.get(e164);
    if (form != null) {
      return form;
    }
    form = compute(e164);
    if (FORMS.size() >= MAX_ENTRIES) {
      FORMS.clear();
    }
    FORMS.put(e164, form);
    return form;
  }

  /** What {@link #of} answers, without the cache. */
  static String compute(String e164) {
    try {
      return PhoneNumbers.parse(e164).national();
    } catch (InvalidPhoneNumberException e) {
      return e164;
    }
  }

  /** How many numbers are kept now (tests). */
  static int size() {
    return FORMS.size();
  }
}
