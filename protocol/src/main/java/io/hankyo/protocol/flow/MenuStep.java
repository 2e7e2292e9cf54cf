package io.hankyo.protocol.flow;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code menu} (IVR, spec section 4): answers the caller if not yet done, plays a prompt and branches on the DTMF keys
 * pressed.
 *
 * <pre>{@code
 * {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "2": "support", "12": "billing", "*": "menu"},
 *  "first_digit_timeout_sec": 5, "inter_digit_timeout_sec": 3, "retries": 2,
 *  "invalid": "sorry", "timeout": "sales", "terminator": "#", "max_digits": 4}
 * }</pre>
 *
 * <p>Input: digits pressed while the prompt plays are kept (type-ahead) and stop it (barge-in). The first-digit
 * timeout runs from the end of the prompt, the inter-digit timeout from each digit. Without a terminator the keys are
 * judged as soon as they decide: the digits equal a key that no longer key extends, or start no key at all (invalid),
 * or {@code max_digits} were pressed; otherwise at the inter-digit timeout. With a terminator the caller ends the
 * input with it (the terminator is not part of the key); the inter-digit timeout or more than {@code max_digits}
 * digits also end it. An input that is no key is invalid; no digit before the first-digit timeout is a timeout. Either
 * failure replays the prompt while retries remain, then goes to {@code invalid} or {@code timeout} (the kind of the
 * last failure).
 *
 * @param prompt the prompt name
 * @param digits key → step; keys are 1..{@link #MAX_KEY_LENGTH} characters of {@code 0-9 * #}, e.g. {@code "1"},
 *     {@code "12"}, {@code "*"}
 * @param firstDigitTimeoutSec seconds to wait for the first digit after the prompt (default {@link
 *     #DEFAULT_FIRST_DIGIT_TIMEOUT_SEC})
 * @param interDigitTimeoutSec seconds to wait for each further digit (default {@link
 *     #DEFAULT_INTER_DIGIT_TIMEOUT_SEC})
 * @param retries how many times the prompt is replayed after an invalid input or a timeout (default {@link
 *     #DEFAULT_RETRIES}; 0 = never)
 * @param invalid the step after the last invalid input
 * @param timeout the step after the last timeout
 * @param terminator {@code "#"} or {@code "*"} to end multi-digit input; null for none
 * @param maxDigits most digits of one input (the terminator not counted); in a document it defaults to the longest
 *     key
 */
public record MenuStep(
    @JsonProperty("prompt") String prompt,
    @JsonProperty("digits") Map<String, String> digits,
    @JsonProperty("first_digit_timeout_sec") int firstDigitTimeoutSec,
    @JsonProperty("inter_digit_timeout_sec") int interDigitTimeoutSec,
    @JsonProperty("retries") int retries,
    @JsonProperty("invalid") String invalid,
    @JsonProperty("timeout") String timeout,
    @JsonProperty("terminator") String terminator,
    @JsonProperty("max_digits") int maxDigits)
    implements FlowStep {
  /** The JSON type name. */
  public static final String TYPE = "menu";
  /** Default of {@code first_digit_timeout_sec}. */
  public static final int DEFAULT_FIRST_DIGIT_TIMEOUT_SEC = 5;
  /** Default of {@code inter_digit_timeout_sec}. */
  public static final int DEFAULT_INTER_DIGIT_TIMEOUT_SEC = 3;
  /** Default of {@code retries}. */
  public static final int DEFAULT_RETRIES = 2;
  /** Longest key, and largest {@code max_digits}. */
  public static final int MAX_KEY_LENGTH = 16;

  public MenuStep {
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(invalid, "invalid");
    Objects.requireNonNull(timeout, "timeout");
    digits = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(digits, "digits")));
    if (digits.isEmpty()) {
      throw new IllegalArgumentException("a menu needs at least one key");
    }
    if (maxDigits <= 0) {
      maxDigits = longestKey(digits);
    }
  }

  /** The length of the longest key. */
  public static int longestKey(Map<String, String> digits) {
    int longest = 0;
    for (String key : digits.keySet()) {
      longest = Math.max(longest, key.length());
    }
    return longest;
  }

  /** The first-digit timeout in milliseconds. */
  public long firstDigitTimeoutMillis() {
    return firstDigitTimeoutSec * 1000L;
  }

  /** The inter-digit timeout in milliseconds. */
  public long interDigitTimeoutMillis() {
    return interDigitTimeoutSec * 1000L;
  }

  /** True when some key other than {@code digits} starts with {@code digits} (so more may follow). */
  public boolean extendedByLongerKey(String digits) {
    for (String key : this.digits.keySet()) {
      if (key.length() > digits.length() && key.startsWith(digits)) {
        return true;
      }
    }
    return false;
  }

  /** True when some key starts with {@code digits} (or equals it). */
  public boolean startsSomeKey(String digits) {
    for (String key : this.digits.keySet()) {
      if (key.startsWith(digits)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public List<String> nextSteps() {
    List<String> next = new ArrayList<>(digits.values());
    next.add(invalid);
    next.add(timeout);
    return List.copyOf(next);
  }

  @Override
  public boolean waits() {
    return true;
  }

  @Override
  public String typeName() {
    return TYPE;
  }
}
