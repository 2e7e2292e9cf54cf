package io.hankyo.protocol.notify;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.hankyo.protocol.JsonSerializable;
import io.hankyo.protocol.number.PhoneNumber;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A tracking number's call notification settings (着信通知, issue 4): which channels notify whom, and on which calls.
 * Versioned on the tracking number like the judgment rules; every call carries the settings it arrived with. Checked by
 * {@link NotificationSettingsParser}. JSON: {@code {"email": {"to": [...], "trigger": "missed"}, "webhook": {"url":
 * "https://...", "secret": "...", "trigger": "every"}, "sms": {"to": ["09012345678"], "trigger": "valid"},
 * "caller_sms": {"text": "...", "trigger": "missed"}}}; every channel optional (null = off), at least one present.
 *
 * @param email email channel, or null
 * @param webhook webhook channel, or null
 * @param sms SMS channel, or null (stored and checked here; sent by the SMS sender)
 * @param callerSms the SMS to a mobile caller after the call (coupon, URL), or null = off; JSON {@code "caller_sms":
 *     {"text": "{advertiser}へのお電話ありがとうございました", "trigger": "every"}}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotificationSettings(
    @JsonProperty("email") Email email,
    @JsonProperty("webhook") Webhook webhook,
    @JsonProperty("sms") Sms sms,
    @JsonProperty("caller_sms") CallerSms callerSms)
    implements JsonSerializable {

  /** Canonical constructor for Jackson; {@code callerSms} null = off. */
  @JsonCreator
  public NotificationSettings {}

  /** Settings without an SMS to the caller. */
  public NotificationSettings(Email email, Webhook webhook, Sms sms) {
    this(email, webhook, sms, null);
  }

  /** Which ended calls notify. */
  public enum Trigger {
    /** Every ended call ({@code "every"}). */
    @JsonProperty("every")
    EVERY,
    /**
     * Calls without talk ({@code "missed"}): not connected, busy, no answer, outside business hours, abandoned in the
     * queue, i.e. {@code talking_sec} 0 and never answered.
     */
    @JsonProperty("missed")
    MISSED,
    /** Calls judged valid (有効, {@code logvars.valid_code} {@code valid}; {@code "valid"}). */
    @JsonProperty("valid")
    VALID;

    /** The JSON name, e.g. {@code missed}. */
    public String jsonName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Email channel.
   *
   * @param to recipients (RFC 5322 addr-spec, checked strictly), 1 to {@value NotificationSettingsParser#MAX_RECIPIENTS}
   * @param trigger which calls
   */
  public record Email(@JsonProperty("to") List<String> to, @JsonProperty("trigger") Trigger trigger)
      implements JsonSerializable {
    @JsonCreator
    public Email {
      to = to == null ? List.of() : List.copyOf(to);
      Objects.requireNonNull(trigger, "trigger");
    }
  }

  /**
   * Webhook channel: an HTTP POST signed with {@code secret} ({@code Hankyo-Signature}).
   *
   * @param url absolute http or https URL
   * @param secret HMAC key, at least {@value NotificationSettingsParser#MIN_SECRET_CHARS} characters; never shown back
   *     by the API
   * @param trigger which calls
   */
  public record Webhook(
      @JsonProperty("url") String url,
      @JsonProperty("secret") @JsonInclude(JsonInclude.Include.NON_NULL) String secret,
      @JsonProperty("trigger") Trigger trigger,
      @JsonProperty("secret_set") boolean secretSet)
      implements JsonSerializable {
    /**
     * {@code secret} may be null only in the copy {@link #withoutSecret()} makes (then {@code secret_set} says whether
     * the number has one); {@code secret_set} is true whenever a secret is present (documents written before the
     * field existed read as true when they hold a secret).
     */
    @JsonCreator
    public Webhook {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(trigger, "trigger");
      secretSet = secretSet || (secret != null && !secret.isEmpty());
    }

    /** A webhook with its secret (the settings as stored on the tracking number). */
    public Webhook(String url, String secret, Trigger trigger) {
      this(url, Objects.requireNonNull(secret, "secret"), trigger, false);
    }

    /** This webhook without the secret, {@code secret_set} kept: what may travel in a call's events. */
    public Webhook withoutSecret() {
      return secret == null ? this : new Webhook(url, null, trigger, secretSet);
    }

    @Override
    public String toString() {
      return "Webhook[url=" + url + ", secret=(hidden), trigger=" + trigger + "]";
    }
  }

  /**
   * These settings without secrets (issue 4): the webhook's secret removed, {@code secret_set} kept. This is the form
   * a {@link io.hankyo.protocol.call.NumberRoute} carries into the call's journal ({@code CallArrived}), which is plain
   * JSON read by analysts; the delivery looks the secret up from the number's current settings at each attempt.
   */
  public NotificationSettings withoutSecrets() {
    return webhook == null || webhook.secret() == null ? this
        : new NotificationSettings(email, webhook.withoutSecret(), sms, callerSms);
  }

  /**
   * SMS channel.
   *
   * @param to recipients (Japanese mobile or other numbers as {@link io.hankyo.protocol.number.PhoneNumbers} reads
   *     them), 1 to {@value NotificationSettingsParser#MAX_RECIPIENTS}
   * @param trigger which calls
   */
  public record Sms(@JsonProperty("to") List<PhoneNumber> to, @JsonProperty("trigger") Trigger trigger)
      implements JsonSerializable {
    @JsonCreator
    public Sms {
      to = to == null ? List.of() : List.copyOf(to);
      Objects.requireNonNull(trigger, "trigger");
    }
  }

  /**
   * The SMS to the caller after the call (spec section 4 "SMS after the call", issue 4: "only to mobile callers;
   * coupon or URL text per number"). Whether a caller gets it is decided per call (a Japanese 070/080/090 mobile
   * caller only).
   *
   * @param text the text with placeholders ({@link #PLACEHOLDERS}), 1 to {@value #MAX_TEXT_CHARS} characters; checked
   *     by {@link #textProblems}
   * @param trigger which calls
   */
  public record CallerSms(@JsonProperty("text") String text, @JsonProperty("trigger") Trigger trigger)
      implements JsonSerializable {
    /** Longest text, in characters (before placeholders are filled). */
    public static final int MAX_TEXT_CHARS = 500;

    /**
     * The placeholders of the text: {@code {number_name}} (the number's name, or the tracking number when it has
     * none), {@code {tracking_number}} (national form), {@code {advertiser}} ({@code client_name}), {@code {date}}
     * ({@code 2017/11/10}) and {@code {time}} ({@code 09:21}) of the call's arrival in Japan time. Other braces (not
     * of the form brace, lowercase letters and underscores, brace) stay as they are.
     */
    public static final java.util.Set<String> PLACEHOLDERS =
        java.util.Set.of("number_name", "tracking_number", "advertiser", "date", "time");

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\{([a-z_]+)}");

    @JsonCreator
    public CallerSms {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(trigger, "trigger");
    }

    /**
     * What is wrong with a text, for the API's 400 (empty when it is usable): blank, an unknown {@code
     * {placeholder}}, or control characters other than line feeds.
     */
    public static List<String> textProblems(String template) {
      List<String> problems = new java.util.ArrayList<>();
      if (template == null || template.isBlank()) {
        problems.add("the SMS text must not be empty");
        return problems;
      }
      java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
      while (m.find()) {
        if (!PLACEHOLDERS.contains(m.group(1))) {
          problems.add("unknown placeholder {" + m.group(1) + "}; known: " + PLACEHOLDERS.stream().sorted()
              .map(p -> "{" + p + "}").toList());
        }
      }
      if (template.chars().anyMatch(c -> c != '\n' && Character.isISOControl(c))) {
        problems.add("the SMS text must not contain control characters other than line feeds");
      }
      return problems;
    }
  }
}
