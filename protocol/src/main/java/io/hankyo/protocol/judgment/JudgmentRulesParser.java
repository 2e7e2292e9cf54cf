package io.hankyo.protocol.judgment;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hankyo.protocol.flow.DocumentFields;
import io.hankyo.protocol.flow.FlowViolation;
import io.hankyo.protocol.judgment.JudgmentRules.Duplicate;
import io.hankyo.protocol.judgment.JudgmentRules.EarlierCalls;
import io.hankyo.protocol.judgment.JudgmentRules.IvrMatch;
import io.hankyo.protocol.judgment.JudgmentRules.IvrRule;
import io.hankyo.protocol.judgment.JudgmentRules.PostCallButton;
import io.hankyo.protocol.judgment.JudgmentRules.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and checks a judgment-rules document (issue 4, spec section 5) into {@link JudgmentRules}, like {@code
 * CallFlowParser}: every problem is reported with the JSON Pointer of the bad value, in one {@link
 * JudgmentRulesException}. The fields, their units (seconds), defaults and meaning are in the Javadoc of {@link
 * JudgmentRules} and its records.
 *
 * <p>Checks: the text is one JSON object without duplicate keys, at most {@value #MAX_DOCUMENT_BYTES} bytes; no
 * unknown fields; {@code min_talk_sec} required, 0 to {@value #MAX_TALK_SEC}; {@code duplicate.scope} {@code number}
 * or {@code advertiser}; {@code duplicate.period_sec} {@value #MIN_PERIOD_SEC} to {@value #MAX_PERIOD_SEC} (365
 * days); {@code earlier_calls} {@code connected} or {@code valid}; {@code ivr_match} {@code last} or {@code any}; at
 * most {@value #MAX_IVR_RULES} {@code ivr} rules, each with distinct {@code digits} of 1-16 of {@code 0-9 * #}, and a
 * {@code min_talk_sec} only when valid; {@code post_call_button.prompt} a prompt name, {@code timeout_sec} 1 to {@value
 * #MAX_BUTTON_TIMEOUT_SEC}, {@code valid_digits} (at least one) and {@code invalid_digits} single keys, distinct, no
 * key in both. Whether the prompt was uploaded is for the caller to check.
 *
 * <p>Thread-safe, no state.
 */
public final class JudgmentRulesParser {
  /** Largest document, in bytes of UTF-8. */
  public static final int MAX_DOCUMENT_BYTES = 16 * 1024;
  /** Largest {@code min_talk_sec}: one day, in seconds. */
  public static final int MAX_TALK_SEC = 86_400;
  /** Shortest {@code period_sec}: one minute. */
  public static final long MIN_PERIOD_SEC = 60;
  /** Longest {@code period_sec}: 365 days, in seconds. */
  public static final long MAX_PERIOD_SEC = 365L * 86_400;
  /** Most {@code ivr} rules. */
  public static final int MAX_IVR_RULES = 30;
  /** Largest {@code post_call_button.timeout_sec}. */
  public static final int MAX_BUTTON_TIMEOUT_SEC = 60;
  /** Longest {@code ivr[].digits}, as a menu key. */
  public static final int MAX_DIGITS = 16;

  private static final Pattern DIGITS = Pattern.compile("[0-9*#]{1," + MAX_DIGITS + "}");
  private static final Pattern KEY = Pattern.compile("[0-9*#]");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private JudgmentRulesParser() {}

  /**
   * Reads a document from its text.
   *
   * @param json the document, e.g. a request body
   * @return the checked rules, with defaults filled in
   * @throws JudgmentRulesException with every problem found
   */
  public static JudgmentRules parse(String json) {
    return check(DocumentFields.readDocument(MAPPER, json, "the judgment rules", "{\"min_talk_sec\": 30}", MAX_DOCUMENT_BYTES,
        JudgmentRulesException::new));
  }

  /**
   * Reads a document already parsed by Jackson (e.g. by the HTTP layer).
   *
   * @param document the document's root
   * @throws JudgmentRulesException with every problem found
   */
  public static JudgmentRules parse(JsonNode document) {
    if (document == null || document.isMissingNode() || document.isNull()) {
      return parse((String) null);
    }
    DocumentFields.checkSize(MAPPER, document, "the judgment rules", MAX_DOCUMENT_BYTES, JudgmentRulesException::new);
    return check(document);
  }

  private static JudgmentRules check(JsonNode root) {
    Checker c = new Checker();
    JudgmentRules rules = c.document(root);
    if (!c.violations.isEmpty()) {
      throw new JudgmentRulesException(c.violations);
    }
    return rules;
  }

  /** A JSON Pointer made of a parent pointer and one reference token (RFC 6901 escapes). */
  static String pointer(String parent, String token) {
    return DocumentFields.pointer(parent, token);
  }

  /** One pass over one document; collects violations. */
  private static final class Checker {
    final List<FlowViolation> violations = new ArrayList<>();

    void add(String pointer, String message) {
      violations.add(new FlowViolation(pointer, message));
    }

    boolean ok(int before) {
      return violations.size() == before;
    }

    JudgmentRules document(JsonNode root) {
      if (!root.isObject()) {
        add("", "the judgment rules must be a JSON object, e.g. {\"min_talk_sec\": 30}; got " + describe(root));
        return null;
      }
      DocumentFields f = new DocumentFields(this::add, root, "", "the judgment rules",
          List.of("min_talk_sec", "duplicate", "ivr_match", "ivr", "post_call_button"));
      int minTalkSec = f.integer("min_talk_sec", 0, MAX_TALK_SEC, null, "seconds of talk");
      Duplicate duplicate = f.get("duplicate") == null ? null : duplicate(f.get("duplicate"), f.at("duplicate"));
      IvrMatch ivrMatch = f.choice("ivr_match", IvrMatch.class, IvrMatch.LAST);
      List<IvrRule> ivr = ivr(f.get("ivr"), f.at("ivr"));
      PostCallButton button = f.get("post_call_button") == null ? null
          : button(f.get("post_call_button"), f.at("post_call_button"));
      if (!violations.isEmpty()) {
        return null;
      }
      return new JudgmentRules(minTalkSec, duplicate, ivrMatch, ivr, button);
    }

    private Duplicate duplicate(JsonNode node, String p) {
      if (!node.isObject()) {
        add(p, "must be an object, e.g. {\"scope\": \"number\", \"period_sec\": 86400}; got " + describe(node));
        return null;
      }
      int before = violations.size();
      DocumentFields f = new DocumentFields(this::add, node, p, "duplicate", List.of("scope", "period_sec", "count_withheld",
          "earlier_calls"));
      Scope scope = f.choice("scope", Scope.class, null);
      long period = f.longInteger("period_sec", MIN_PERIOD_SEC, MAX_PERIOD_SEC,
          "seconds, e.g. 86400 for 24 h, 604800 for 7 days, 2592000 for 30 days");
      Boolean countWithheld = f.bool("count_withheld", false);
      EarlierCalls earlier = f.choice("earlier_calls", EarlierCalls.class, EarlierCalls.CONNECTED);
      return ok(before) ? new Duplicate(scope, period, countWithheld, earlier) : null;
    }

    private List<IvrRule> ivr(JsonNode node, String p) {
      List<IvrRule> rules = new ArrayList<>();
      if (node == null) {
        return rules;
      }
      if (!node.isArray()) {
        add(p, "must be an array of rules, e.g. [{\"digits\": \"1\", \"min_talk_sec\": 60}]; got "
            + describe(node));
        return rules;
      }
      if (node.size() > MAX_IVR_RULES) {
        add(p, "has " + node.size() + " rules; at most " + MAX_IVR_RULES + " are allowed");
        return rules;
      }
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < node.size(); i++) {
        String rp = p + "/" + i;
        JsonNode r = node.get(i);
        if (!r.isObject()) {
          add(rp, "must be an object, e.g. {\"digits\": \"9\", \"valid\": false}; got " + describe(r));
          continue;
        }
        int before = violations.size();
        DocumentFields f = new DocumentFields(this::add, r, rp, "an ivr rule", List.of("digits", "min_talk_sec", "valid"));
        String digits = null;
        JsonNode d = f.get("digits");
        if (d == null) {
          add(f.at("digits"), "is required: the keys of one menu input as in logvars.ivr_digits, e.g. \"1\"");
        } else if (!d.isTextual() || !DIGITS.matcher(d.asText()).matches()) {
          add(f.at("digits"), "must be 1-" + MAX_DIGITS + " of 0-9 * # (the keys of one menu input, e.g. \"1\" or "
              + "\"23\"); got " + describe(d));
        } else {
          digits = d.asText();
          Integer first = seen.putIfAbsent(digits, i);
          if (first != null) {
            add(f.at("digits"), "digits " + digits + " already have a rule at " + p + "/" + first
                + "; give each input one rule");
          }
        }
        Integer min = f.get("min_talk_sec") == null ? null
            : f.integer("min_talk_sec", 0, MAX_TALK_SEC, null, "seconds of talk");
        Boolean valid = f.bool("valid", true);
        if (Boolean.FALSE.equals(valid) && min != null) {
          add(f.at("min_talk_sec"), "must be left out when valid is false: such a call is invalid whatever its "
              + "seconds");
        }
        if (ok(before)) {
          rules.add(new IvrRule(digits, min, valid));
        }
      }
      return rules;
    }

    private PostCallButton button(JsonNode node, String p) {
      if (!node.isObject()) {
        add(p, "must be an object, e.g. {\"prompt\": \"rate-call\", \"valid_digits\": [\"1\"], "
            + "\"invalid_digits\": [\"2\"]}; got " + describe(node));
        return null;
      }
      int before = violations.size();
      DocumentFields f = new DocumentFields(this::add, node, p, "post_call_button", List.of("prompt", "timeout_sec", "valid_digits",
          "invalid_digits"));
      String prompt = null;
      JsonNode pr = f.get("prompt");
      if (pr == null) {
        add(f.at("prompt"), "is required: the name of the prompt played to the callee");
      } else if (!pr.isTextual() || !NAME.matcher(pr.asText()).matches()) {
        add(f.at("prompt"), "must be a prompt name of 1-64 characters of A-Z a-z 0-9 _ . -; got " + describe(pr));
      } else {
        prompt = pr.asText();
      }
      int timeout = f.integer("timeout_sec", 1, MAX_BUTTON_TIMEOUT_SEC, PostCallButton.DEFAULT_TIMEOUT_SEC,
          "seconds to wait for the key");
      List<String> valid = keys(f, "valid_digits", true, List.of());
      List<String> invalid = keys(f, "invalid_digits", false, valid);
      return ok(before) ? new PostCallButton(prompt, timeout, valid, invalid) : null;
    }

    /** An array of distinct single keys; {@code others} are keys of the other list, refused here. */
    private List<String> keys(DocumentFields f, String field, boolean required, List<String> others) {
      List<String> keys = new ArrayList<>();
      JsonNode node = f.get(field);
      String p = f.at(field);
      if (node == null) {
        if (required) {
          add(p, "is required: the keys that mean valid, e.g. [\"1\"]");
        }
        return keys;
      }
      if (!node.isArray()) {
        add(p, "must be an array of single keys (0-9 * #), e.g. [\"1\"]; got " + describe(node));
        return keys;
      }
      if (required && node.isEmpty()) {
        add(p, "must hold at least one key, e.g. [\"1\"]");
        return keys;
      }
      for (int i = 0; i < node.size(); i++) {
        JsonNode k = node.get(i);
        String kp = p + "/" + i;
        if (!k.isTextual() || !KEY.matcher(k.asText()).matches()) {
          add(kp, "must be one key of 0-9 * #, e.g. \"1\"; got " + describe(k));
        } else if (keys.contains(k.asText())) {
          add(kp, "key " + k.asText() + " is listed twice");
        } else if (others.contains(k.asText())) {
          add(kp, "key " + k.asText() + " is also in valid_digits; a key means valid or invalid, not both");
        } else {
          keys.add(k.asText());
        }
      }
      return keys;
    }
  }

  /** What a JSON value is, for messages ({@link DocumentFields#describe}). */
  static String describe(JsonNode v) {
    return DocumentFields.describe(v);
  }
}
