package io.hankyo.api.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.hankyo.api.ApiTimes;
import io.hankyo.protocol.directory.NotificationView;
import io.hankyo.protocol.notify.NotificationSettings;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.ZoneId;
import java.util.List;

/**
 * A tracking number's call notification settings (issue 4) as the API renders them: {@code {"dialin_id",
 * "client_id", "version": 2, "updated_at": ISO-8601, "settings": {"email": {"to": [...], "trigger": "missed"},
 * "webhook": {"url": "...", "secret_set": true, "trigger": "every"}, "sms": {"to": ["090-1234-5678"], "trigger":
 * "valid"}, "caller_sms": {"text": "...", "trigger": "every"}}}}. The webhook secret is never rendered; {@code secret_set} says one is stored (a {@code PUT} must send
 * the secret again). SMS numbers are rendered in national form. Channels that are off are left out.
 */
@JsonPropertyOrder({"dialin_id", "client_id", "version", "updated_at", "settings"})
public record NotificationsJson(
    @JsonProperty("dialin_id") String dialinId,
    @JsonProperty("client_id") String clientId,
    @JsonProperty("version") int version,
    @JsonProperty("updated_at") String updatedAt,
    @JsonProperty("settings") Settings settings) {

  /** The settings without the secret. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"email", "webhook", "sms", "caller_sms"})
  public record Settings(
      @JsonProperty("email") Recipients email,
      @JsonProperty("webhook") Webhook webhook,
      @JsonProperty("sms") Recipients sms,
      @JsonProperty("caller_sms") CallerSms callerSms) {
    /** Settings without the SMS to the caller. */
    public Settings(Recipients email, Webhook webhook, Recipients sms) {
      this(email, webhook, sms, null);
    }
  }

  /** The SMS to the caller after the call (issue 4): the text as configured (placeholders unfilled) and the trigger. */
  @JsonPropertyOrder({"text", "trigger"})
  public record CallerSms(@JsonProperty("text") String text, @JsonProperty("trigger") String trigger) {}

  /** An email or SMS channel. */
  @JsonPropertyOrder({"to", "trigger"})
  public record Recipients(@JsonProperty("to") List<String> to, @JsonProperty("trigger") String trigger) {}

  /** The webhook channel; {@code secret_set} is always true (a webhook cannot be stored without a secret). */
  @JsonPropertyOrder({"url", "secret_set", "trigger"})
  public record Webhook(
      @JsonProperty("url") String url,
      @JsonProperty("secret_set") boolean secretSet,
      @JsonProperty("trigger") String trigger) {}

  /** Renders the view with times in {@code zone}; {@code settings} null when the number has none. */
  public static NotificationsJson of(NotificationView view, ZoneId zone) {
    NotificationSettings s = view.settings();
    Settings out = s == null ? null : new Settings(
        s.email() == null ? null : new Recipients(s.email().to(), s.email().trigger().jsonName()),
        s.webhook() == null ? null : new Webhook(s.webhook().url(), s.webhook().secretSet(),
            s.webhook().trigger().jsonName()),
        s.sms() == null ? null : new Recipients(s.sms().to().stream().map(PhoneNumber::national).toList(),
            s.sms().trigger().jsonName()),
        s.callerSms() == null ? null : new CallerSms(s.callerSms().text(), s.callerSms().trigger().jsonName()));
    return new NotificationsJson(view.dialinId(), view.clientId(), view.version(),
        view.updatedAt() == null ? null : ApiTimes.iso(view.updatedAt(), zone), out);
  }
}
