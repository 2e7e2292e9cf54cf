package io.hankyo.api;

import io.hankyo.protocol.number.ForwardDestinations;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.NumberKind;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Input rules of the API. Every failure is an {@link ApiProblem} whose detail starts with the field name, e.g.
 * {@code "client_name: must not be blank"}.
 */
public final class Validation {
  /** Longest advertiser name or tracking-number name, in Unicode code points. */
  public static final int MAX_NAME_LENGTH = 200;

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern ONLY_DOTS = Pattern.compile("\\.+");
  private static final String ID_RULE = "1-64 characters of A-Z a-z 0-9 _ . - (not only dots)";
  /** The kinds {@link #forwardDestination} accepts, as every refusal states them. */
  static final String FORWARD_KINDS = ForwardDestinations.KINDS;

  /** Longest prompt text ({@code PUT /v1/prompts/{name}} with {@code {"text"}}), in Unicode code points. */
  public static final int MAX_PROMPT_TEXT_LENGTH = 500;

  /** Prompt names: the names call flows use ({@code io.hankyo.protocol.flow.CallFlowParser#NAME}). */
  private static final Pattern PROMPT_NAME = io.hankyo.protocol.flow.CallFlowParser.NAME;
  private static final String PROMPT_NAME_RULE = "1-64 characters of A-Z a-z 0-9 _ . - (not only dots)";
  /** espeak-ng voice names: {@code ja}, {@code en-us}, {@code ja+f3}, {@code mb/mb-fr1}. */
  private static final Pattern VOICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_+/-]{0,39}");

  private Validation() {}

  /**
   * A prompt name from the path of a PUT (the name of the prompt to create): the rule of call flows'
   * {@code prompt} fields, {@code [A-Za-z0-9_.-]{1,64}}, and not only dots.
   *
   * @throws ApiProblem 400 {@code "name: '...' is not a valid prompt name; use ..."}
   */
  public static String promptName(String value) {
    if (!isValidPromptName(value)) {
      throw ApiProblem.invalid("name: '" + value + "' is not a valid prompt name; use " + PROMPT_NAME_RULE);
    }
    return value;
  }

  /**
   * A prompt name from the path of a GET or DELETE.
   *
   * @throws ApiProblem 404 when not a valid name (no such prompt can exist)
   */
  public static String promptPathName(String value) {
    if (!isValidPromptName(value)) {
      throw ApiProblem.notFound("name: prompt '" + value + "' does not exist (names are " + PROMPT_NAME_RULE + ")");
    }
    return value;
  }

  private static boolean isValidPromptName(String value) {
    return value != null && PROMPT_NAME.matcher(value).matches() && !ONLY_DOTS.matcher(value).matches();
  }

  /**
   * The text of a text prompt: required, not blank, at most {@link #MAX_PROMPT_TEXT_LENGTH} code points, no control
   * characters but line breaks and tabs (read as pauses).
   *
   * @return the stripped text
   * @throws ApiProblem 400 naming {@code text}
   */
  public static String promptText(String value) {
    if (value == null) {
      throw ApiProblem.invalid("text: is required");
    }
    String text = value.strip();
    if (text.isEmpty()) {
      throw ApiProblem.invalid("text: must not be blank");
    }
    int length = text.codePointCount(0, text.length());
    if (length > MAX_PROMPT_TEXT_LENGTH) {
      throw ApiProblem.invalid("text: is " + length + " characters long; at most " + MAX_PROMPT_TEXT_LENGTH
          + " are allowed");
    }
    if (text.codePoints().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t')) {
      throw ApiProblem.invalid("text: must not contain control characters other than line breaks and tabs");
    }
    return text;
  }

  /**
   * An optional espeak-ng voice name, e.g. {@code ja}, {@code en-us}, {@code ja+f3}.
   *
   * @return the name, or null when absent
   * @throws ApiProblem 400 when present and not a voice name (letters, digits, {@code _ + / -}, at most 40)
   */
  public static String voice(String value) {
    if (value == null) {
      return null;
    }
    if (!VOICE.matcher(value).matches() || value.contains("..")) {
      throw ApiProblem.invalid("voice: '" + value + "' is not an espeak-ng voice name (e.g. ja, en-us)");
    }
    return value;
  }

  /**
   * Whether {@code value} is a valid {@code client_id} / {@code dialin_id}: 1-64 characters of {@code [A-Za-z0-9_.-]},
   * and not only dots ({@code .} and {@code ..} would be rewritten as path segments by clients).
   */
  public static boolean isValidId(String value) {
    return value != null && ID.matcher(value).matches() && !ONLY_DOTS.matcher(value).matches();
  }

  /**
   * An optional id from a request body.
   *
   * @return the id, or null when absent
   * @throws ApiProblem 400 when present and not a valid id
   */
  public static String optionalId(String value, String field) {
    if (value == null) {
      return null;
    }
    if (!isValidId(value)) {
      throw ApiProblem.invalid(field + ": '" + value + "' is not a valid id; use " + ID_RULE);
    }
    return value;
  }

  /**
   * An id from the request path.
   *
   * @throws ApiProblem 404 when not a valid id (no such resource can exist); the detail names the field
   */
  public static String pathId(String value, String field) {
    if (!isValidId(value)) {
      throw ApiProblem.notFound(field + ": '" + value + "' does not exist (ids are " + ID_RULE + ")");
    }
    return value;
  }

  /**
   * A required name: stripped of surrounding white space, non-blank, at most {@link #MAX_NAME_LENGTH} code points, no
   * control characters.
   *
   * @return the stripped name
   * @throws ApiProblem 400 naming the field
   */
  public static String requiredName(String value, String field) {
    if (value == null) {
      throw ApiProblem.invalid(field + ": is required");
    }
    String name = optionalName(value, field);
    if (name.isEmpty()) {
      throw ApiProblem.invalid(field + ": must not be blank");
    }
    return name;
  }

  /**
   * An optional name; same rules as {@link #requiredName} but may be absent (null) or empty.
   *
   * @return the stripped name, or null when absent
   * @throws ApiProblem 400 naming the field
   */
  public static String optionalName(String value, String field) {
    if (value == null) {
      return null;
    }
    String name = value.strip();
    int length = name.codePointCount(0, name.length());
    if (length > MAX_NAME_LENGTH) {
      throw ApiProblem.invalid(
          field + ": is " + length + " characters long; at most " + MAX_NAME_LENGTH + " are allowed");
    }
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiProblem.invalid(field + ": must not contain control characters (tabs, line breaks, ...)");
    }
    return name;
  }

  /**
   * A required phone number of any kind that the numbering plan knows, in Japan or abroad (e.g. the {@code number} of
   * a PUT, only compared with the current one). Forward destinations use {@link #forwardDestination}.
   *
   * @throws ApiProblem 400 {@code "<field>: is required"} or {@code "<field>: '0120-12-345' is not a valid ..."}
   */
  public static PhoneNumber phoneNumber(String value, String field) {
    if (value == null) {
      throw ApiProblem.invalid(field + ": is required");
    }
    try {
      return PhoneNumbers.parse(value);
    } catch (InvalidPhoneNumberException e) {
      throw ApiProblem.invalid(field + ": " + e.getMessage());
    }
  }

  /**
   * A required tracking number: a valid number that a carrier can route to the service, i.e. free call (0120/0800),
   * IP phone (050) or fixed line. Mobile, shared-cost (0570) and foreign numbers are refused.
   *
   * @throws ApiProblem 400 naming the field
   */
  public static PhoneNumber trackingNumber(String value, String field) {
    PhoneNumber number = phoneNumber(value, field);
    NumberKind kind = number.kind();
    if (kind == NumberKind.FREE_CALL || kind == NumberKind.IP_PHONE || kind == NumberKind.FIXED) {
      return number;
    }
    throw ApiProblem.invalid(field + ": " + number.national() + " is " + describe(kind)
        + "; a tracking number must be a free-call (0120/0800), IP-phone (050) or fixed-line number"
        + (kind == NumberKind.MOBILE ? " (a mobile number can be a forward_to destination)" : ""));
  }

  /**
   * A required forward destination (転送先番号, {@code forward_to}, shown as {@code fwd_id}): the number a call to a
   * tracking number is forwarded to by the cluster's B2BUA. The rule (domestic lines a person answers; never abroad,
   * emergency and special service numbers, premium rate / shared cost, M2M or carrier-specific free call) and its
   * reasons are in {@link ForwardDestinations}, shared with the call-flow parser.
   *
   * The tracking number itself is refused by {@link #notTheTrackingNumber} once the tracking number is known.
   *
   * @param value the number as given, national or international form ({@link PhoneNumbers#parse})
   * @param field the field name for the detail, {@code forward_to}
   * @return the parsed number
   * @throws ApiProblem 400 {@code "<field>: is required"}, {@code "<field>: '03-12' is not a valid ..."}, or {@code
   *     "<field>: <number> is <reason>; a forward destination must be a Japanese fixed-line (0AB-J), mobile/PHS
   *     (070/080/090), IP-phone (050) or free-call (0120/0800) number"}
   */
  public static PhoneNumber forwardDestination(String value, String field) {
    if (value == null) {
      throw ApiProblem.invalid(field + ": is required");
    }
    ForwardDestinations.Verdict verdict = ForwardDestinations.check(value);
    if (!verdict.accepted()) {
      throw ApiProblem.invalid(field + ": " + verdict.problem());
    }
    return verdict.number();
  }

  /**
   * Refuses a forward destination equal to the tracking number: every call would be forwarded to itself.
   *
   * @param trackingNumber the tracking number of the record (created or current)
   * @param forwardTo the forward destination, from {@link #forwardDestination}
   * @param field the field name for the detail, {@code forward_to}
   * @throws ApiProblem 400 {@code "<field>: 0120-123-456 is the tracking number itself; calls would loop ..."}
   */
  public static void notTheTrackingNumber(PhoneNumber trackingNumber, PhoneNumber forwardTo, String field) {
    if (trackingNumber.e164().equals(forwardTo.e164())) {
      throw ApiProblem.invalid(field + ": " + forwardTo.national()
          + " is the tracking number itself; calls would loop. Forward to the advertiser's own phone: "
          + FORWARD_KINDS);
    }
  }

  /**
   * The RFC 6901 JSON Pointer to the top-level member {@code field} of a request body: {@code "/" + field}, with
   * {@code ~} written {@code ~0} and {@code /} written {@code ~1}.
   */
  public static String pointer(String field) {
    return "/" + field.replace("~", "~0").replace("/", "~1");
  }

  /**
   * {@code problem}, a 400 of a check of the body member {@code field} (its detail {@code "<field>: <what is wrong>"}),
   * with that member's entry in {@code errors}: {@code {"pointer": "/<field>", "detail": "<what is wrong>"}} (RFC 9457
   * section 3.2), its {@code detail} unchanged. Any other problem (another status, or errors already listed) is
   * returned as it is.
   */
  public static ApiProblem withPointer(ApiProblem problem, String field) {
    if (problem.status() != 400 || !problem.errors().isEmpty()) {
      return problem;
    }
    String prefix = field + ": ";
    String what = problem.detail().startsWith(prefix) ? problem.detail().substring(prefix.length()) : problem.detail();
    return ApiProblem.invalid(problem.detail(), List.of(new ApiProblem.FieldError(pointer(field), what)));
  }

  /**
   * Runs {@code check} of the body member {@code field}, rethrowing its 400 {@link ApiProblem} {@link #withPointer
   * with the member's pointer}.
   *
   * @return what the check returns
   */
  public static <T> T member(String field, Supplier<T> check) {
    try {
      return check.get();
    } catch (ApiProblem p) {
      throw withPointer(p, field);
    }
  }

  /**
   * The checks of one request body's members, run all before the body is refused, so that the 400 lists every bad
   * member ({@code errors}, one {@code {"pointer", "detail"}} per failed check, RFC 9457 section 3.2) as the pool and
   * inventory resources do. The problem's {@code detail} is the first failed check's own detail (e.g. {@code "number:
   * '0120-12-345' is not a valid ..."}), what a body with that one bad member gets. Not thread-safe: one per request.
   */
  public static final class Members {
    private final List<ApiProblem.FieldError> errors = new ArrayList<>();
    private String firstDetail;

    /**
     * Runs {@code check} of the member {@code field}; a 400 {@link ApiProblem} is noted (other failures propagate).
     *
     * @return what the check returns, or null when it failed
     */
    public <T> T check(String field, Supplier<T> check) {
      try {
        return check.get();
      } catch (ApiProblem p) {
        if (p.status() != 400) {
          throw p;
        }
        ApiProblem pointed = withPointer(p, field);
        if (firstDetail == null) {
          firstDetail = pointed.detail();
        }
        errors.addAll(pointed.errors());
        return null;
      }
    }

    /** Whether no check of the member {@code field} failed so far (to skip checks that need its value). */
    public boolean ok(String field) {
      String pointer = pointer(field);
      return errors.stream().noneMatch(e -> e.pointer().equals(pointer));
    }

    /**
     * Refuses the body when a check failed.
     *
     * @throws ApiProblem 400 with every failed check in {@code errors}
     */
    public void throwIfAny() {
      if (!errors.isEmpty()) {
        throw ApiProblem.invalid(firstDetail, errors);
      }
    }
  }

  private static String describe(NumberKind kind) {
    switch (kind) {
      case MOBILE:
        return "a mobile number";
      case SHARED_COST:
        return "a shared-cost / premium-rate number";
      default:
        return "not a Japanese fixed, free-call or IP-phone number";
    }
  }
}
