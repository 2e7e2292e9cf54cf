package io.hankyo.protocol.notify;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hankyo.protocol.flow.DocumentFields;
import io.hankyo.protocol.flow.FlowViolation;
import io.hankyo.protocol.notify.NotificationSettings.Trigger;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and checks a notification settings document (issue 4) into {@link NotificationSettings}, like {@code
 * JudgmentRulesParser}: every problem is reported with the JSON Pointer of the bad value, in one {@link
 * NotificationSettingsException}.
 *
 * <p>Checks: one JSON object without duplicate keys, at most {@value #MAX_DOCUMENT_BYTES} bytes; no unknown fields;
 * at least one of {@code email}, {@code webhook}, {@code sms}; each channel an object with a required {@code trigger}
 * ({@code every}, {@code missed} or {@code valid}); {@code email.to} 1 to {@value #MAX_RECIPIENTS} distinct addresses,
 * each a bare addr-spec accepted by Jakarta Mail's strict {@link InternetAddress} parsing (RFC 822/5322, with a
 * domain); {@code webhook.url} an absolute {@code http} or {@code https} URL with a host, at most {@value
 * #MAX_URL_CHARS} characters, no user info; {@code webhook.secret} {@value #MIN_SECRET_CHARS} to {@value
 * #MAX_SECRET_CHARS} characters; {@code sms.to} 1 to {@value #MAX_RECIPIENTS} distinct numbers readable by {@link
 * PhoneNumbers#parse}; {@code caller_sms.text} 1 to 500 characters whose placeholders are known and without control
 * characters other than line feeds ({@link NotificationSettings.CallerSms#textProblems}).
 *
 * <p>Thread-safe, no state.
 */
public final class NotificationSettingsParser {
  /** Largest document, in bytes of UTF-8. */
  public static final int MAX_DOCUMENT_BYTES = 16 * 1024;
  /** Most recipients of one channel. */
  public static final int MAX_RECIPIENTS = 10;
  /** Shortest webhook secret, in characters. */
  public static final int MIN_SECRET_CHARS = 16;
  /** Longest webhook secret, in characters. */
  public static final int MAX_SECRET_CHARS = 256;
  /** Longest webhook URL, in characters. */
  public static final int MAX_URL_CHARS = 2048;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private NotificationSettingsParser() {}

  /**
   * Reads a document from its text.
   *
   * @throws NotificationSettingsException with every problem found
   */
  public static NotificationSettings parse(String json) {
    return check(DocumentFields.readDocument(MAPPER, json, "the notification settings", "{\"email\": {\"to\": [\"info@example.jp\"], \"trigger\": \"missed\"}}", MAX_DOCUMENT_BYTES,
        NotificationSettingsException::new));
  }

  /**
   * Reads a document already parsed by Jackson (e.g. by the HTTP layer).
   *
   * @throws NotificationSettingsException with every problem found
   */
  public static NotificationSettings parse(JsonNode document) {
    if (document == null || document.isMissingNode() || document.isNull()) {
      return parse((String) null);
    }
    DocumentFields.checkSize(MAPPER, document, "the notification settings", MAX_DOCUMENT_BYTES, NotificationSettingsException::new);
    return check(document);
  }

  private static NotificationSettingsException one(String pointer, String message) {
    return new NotificationSettingsException(List.of(new FlowViolation(pointer, message)));
  }

  private static NotificationSettings check(JsonNode root) {
    List<FlowViolation> violations = new ArrayList<>();
    DocumentFields.Sink sink = (p, m) -> violations.add(new FlowViolation(p, m));
    if (!root.isObject()) {
      throw one("", "the notification settings must be a JSON object; got " + DocumentFields.describe(root));
    }
    DocumentFields f = new DocumentFields(sink, root, "", "the notification settings", List.of("email", "webhook",
        "sms", "caller_sms"));
    if (f.get("email") == null && f.get("webhook") == null && f.get("sms") == null && f.get("caller_sms") == null) {
      sink.add("", "needs at least one channel: \"email\", \"webhook\", \"sms\" or \"caller_sms\"; to turn "
          + "notifications off, DELETE the settings");
    }
    NotificationSettings.Email email = null;
    NotificationSettings.Webhook webhook = null;
    NotificationSettings.Sms sms = null;
    DocumentFields ef = channel(sink, f, "email", List.of("to", "trigger"));
    if (ef != null) {
      Trigger t = ef.choice("trigger", Trigger.class, null);
      List<String> to = recipients(sink, ef, "to", "an email address", NotificationSettingsParser::email);
      if (t != null && to != null) {
        email = new NotificationSettings.Email(to, t);
      }
    }
    DocumentFields wf = channel(sink, f, "webhook", List.of("url", "secret", "trigger"));
    if (wf != null) {
      Trigger t = wf.choice("trigger", Trigger.class, null);
      String url = url(sink, wf);
      String secret = secret(sink, wf);
      if (t != null && url != null && secret != null) {
        webhook = new NotificationSettings.Webhook(url, secret, t);
      }
    }
    DocumentFields sf = channel(sink, f, "sms", List.of("to", "trigger"));
    if (sf != null) {
      Trigger t = sf.choice("trigger", Trigger.class, null);
      List<PhoneNumber> to = recipients(sink, sf, "to", "a phone number", NotificationSettingsParser::phone);
      if (t != null && to != null) {
        sms = new NotificationSettings.Sms(to, t);
      }
    }
    NotificationSettings.CallerSms callerSms = null;
    DocumentFields cf = channel(sink, f, "caller_sms", List.of("text", "trigger"));
    if (cf != null) {
      Trigger t = cf.choice("trigger", Trigger.class, null);
      String text = callerSmsText(sink, cf);
      if (t != null && text != null) {
        callerSms = new NotificationSettings.CallerSms(text, t);
      }
    }
    if (!violations.isEmpty()) {
      throw new NotificationSettingsException(violations);
    }
    return new NotificationSettings(email, webhook, sms, callerSms);
  }

  private static DocumentFields channel(DocumentFields.Sink sink, DocumentFields parent, String name,
      List<String> fields) {
    JsonNode v = parent.get(name);
    if (v == null) {
      return null;
    }
    if (!v.isObject()) {
      sink.add(parent.at(name), "must be an object with the fields " + String.join(", ", fields) + "; got "
          + DocumentFields.describe(v));
      return null;
    }
    return new DocumentFields(sink, v, parent.at(name), "the " + name + " channel", fields);
  }

  /** {@code caller_sms.text}: 1 to {@value NotificationSettings.CallerSms#MAX_TEXT_CHARS} characters, usable. */
  private static String callerSmsText(DocumentFields.Sink sink, DocumentFields f) {
    JsonNode v = f.get("text");
    String at = f.at("text");
    if (v == null || !v.isTextual()) {
      sink.add(at, (v == null ? "is required: " : "must be ") + "the SMS text as a string, e.g. \"{advertiser}への"
          + "お電話ありがとうございました。クーポン: https://example.jp/c/1\"" + (v == null ? ""
          : "; got " + DocumentFields.describe(v)));
      return null;
    }
    String text = v.asText();
    if (text.codePointCount(0, text.length()) > NotificationSettings.CallerSms.MAX_TEXT_CHARS) {
      sink.add(at, "must be at most " + NotificationSettings.CallerSms.MAX_TEXT_CHARS + " characters; got "
          + text.codePointCount(0, text.length()));
      return null;
    }
    List<String> problems = NotificationSettings.CallerSms.textProblems(text);
    problems.forEach(p -> sink.add(at, p));
    return problems.isEmpty() ? text : null;
  }

  /** Reads one recipient or reports why not (returns null after reporting). */
  private interface Reader<T> {
    T read(DocumentFields.Sink sink, String pointer, String text);
  }

  private static <T> List<T> recipients(DocumentFields.Sink sink, DocumentFields f, String field, String what,
      Reader<T> reader) {
    JsonNode v = f.get(field);
    if (v == null || !v.isArray() || v.isEmpty() || v.size() > MAX_RECIPIENTS) {
      sink.add(f.at(field), (v == null ? "is required: " : "must be ") + "a list of 1 to " + MAX_RECIPIENTS
          + " recipients, each " + what + (v == null ? "" : "; got " + (v.isArray() ? v.size() + " entries"
          : DocumentFields.describe(v))));
      return null;
    }
    List<T> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < v.size(); i++) {
      String at = DocumentFields.pointer(f.at(field), Integer.toString(i));
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        sink.add(at, "must be " + what + " as a string; got " + DocumentFields.describe(e));
        ok = false;
        continue;
      }
      T r = reader.read(sink, at, e.asText());
      if (r == null) {
        ok = false;
      } else if (!seen.add(r instanceof PhoneNumber p ? p.e164() : r.toString().toLowerCase(Locale.ROOT))) {
        sink.add(at, "repeats an earlier recipient");
        ok = false;
      } else {
        out.add(r);
      }
    }
    return ok ? out : null;
  }

  private static String email(DocumentFields.Sink sink, String at, String text) {
    try {
      InternetAddress a = new InternetAddress(text, true);
      if (a.getPersonal() != null || !text.equals(a.getAddress()) || !a.getAddress().contains("@")
          || a.isGroup()) {
        sink.add(at, "must be a bare email address such as info@example.jp; got \"" + text + "\"");
        return null;
      }
      return a.getAddress();
    } catch (AddressException e) {
      sink.add(at, "is not an email address (" + e.getMessage() + "); got \"" + text + "\"");
      return null;
    }
  }

  private static PhoneNumber phone(DocumentFields.Sink sink, String at, String text) {
    try {
      return PhoneNumbers.parse(text);
    } catch (InvalidPhoneNumberException e) {
      sink.add(at, e.getMessage());
      return null;
    }
  }

  private static String url(DocumentFields.Sink sink, DocumentFields f) {
    JsonNode v = f.get("url");
    String need = "an absolute http or https URL such as https://example.jp/hankyo/calls";
    if (v == null || !v.isTextual()) {
      sink.add(f.at("url"), (v == null ? "is required: " : "must be ") + need
          + (v == null ? "" : "; got " + DocumentFields.describe(v)));
      return null;
    }
    String s = v.asText();
    if (s.length() > MAX_URL_CHARS) {
      sink.add(f.at("url"), "is " + s.length() + " characters long; at most " + MAX_URL_CHARS);
      return null;
    }
    try {
      URI u = new URI(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!u.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null
          || u.getHost().isEmpty()) {
        sink.add(f.at("url"), "must be " + need + "; got \"" + s + "\"");
        return null;
      }
      if (u.getRawUserInfo() != null) {
        sink.add(f.at("url"), "must not carry a user name or password; the requests are signed with the secret");
        return null;
      }
      return s;
    } catch (URISyntaxException e) {
      sink.add(f.at("url"), "is not a URL (" + e.getReason() + " at index " + e.getIndex() + "); got \"" + s + "\"");
      return null;
    }
  }

  private static String secret(DocumentFields.Sink sink, DocumentFields f) {
    JsonNode v = f.get("secret");
    String need = "a string of " + MIN_SECRET_CHARS + " to " + MAX_SECRET_CHARS + " characters (the key of the "
        + "Hankyo-Signature HMAC)";
    if (v == null || !v.isTextual()) {
      sink.add(f.at("secret"), (v == null ? "is required: " : "must be ") + need
          + (v == null ? "" : "; got " + DocumentFields.describe(v)));
      return null;
    }
    int n = v.asText().codePointCount(0, v.asText().length());
    if (n < MIN_SECRET_CHARS || n > MAX_SECRET_CHARS || v.asText().isBlank()) {
      // never echo the secret itself
      sink.add(f.at("secret"), "must be " + need + "; got " + n + " characters");
      return null;
    }
    return v.asText();
  }
}
