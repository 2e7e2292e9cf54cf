package io.hankyo.protocol.flow;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.hankyo.protocol.number.ForwardDestinations;
import io.hankyo.protocol.number.PhoneNumber;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks a call-flow document (spec section 4, issue 3) into a {@link CallFlow}. Every problem is reported,
 * each with the JSON Pointer of the bad value ({@link FlowViolation}), in one {@link CallFlowException}.
 *
 * <p>The document:
 *
 * <pre>{@code
 * {"start": "<step id>", "steps": {"<step id>": {"type": "<schedule|absence|play|menu|forward|queue|hangup>", ...}}}
 * }</pre>
 *
 * Step ids, prompt names and queue names are 1-64 characters of {@code A-Z a-z 0-9 _ . -}. The fields of each step
 * type, with their defaults and ranges, are in the Javadoc of its record ({@link ScheduleStep}, {@link AbsenceStep},
 * {@link PlayStep}, {@link MenuStep}, {@link ForwardStep}, {@link QueueStep}, {@link HangupStep}).
 *
 * <p>Checks: the text is JSON (one object, no duplicate keys); size limits ({@value #MAX_DOCUMENT_BYTES} bytes,
 * {@value #MAX_STEPS} steps, {@value #MAX_TARGETS} targets per step, {@value #MAX_KEYS} menu keys, {@value
 * #MAX_RANGES_PER_DAY} ranges per day, {@value #MAX_EXCEPTIONS} exceptions); known step types; no unknown fields;
 * required fields present; types (string, whole number, boolean, object, array); numeric ranges; time ranges, dates
 * and time zones; forward targets are valid forward destinations ({@link ForwardDestinations}) and not the tracking
 * number; {@code start} and every step a step names are defined; every step is reachable from {@code start}; no loop
 * of steps that never wait for the caller (only schedule and absence decide at once, so a loop must pass a play,
 * menu, forward or queue step). Prompts are checked for their name only: whether they were uploaded is for the
 * caller to check ({@link CallFlow#prompts()}).
 *
 * <p>Thread-safe, no state.
 */
public final class CallFlowParser {
  /** Largest document, in bytes of UTF-8. */
  public static final int MAX_DOCUMENT_BYTES = 64 * 1024;
  /** Most steps in one flow. */
  public static final int MAX_STEPS = 100;
  /** Most targets of one forward or queue step. */
  public static final int MAX_TARGETS = 10;
  /** Most keys of one menu. */
  public static final int MAX_KEYS = 30;
  /** Most time ranges of one day (weekly or exception). */
  public static final int MAX_RANGES_PER_DAY = 12;
  /** Most dated exceptions of one schedule. */
  public static final int MAX_EXCEPTIONS = 400;
  /** Largest line count of a queue. */
  public static final int MAX_LINES = 1000;

  /** Syntax of step ids, prompt names and queue names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final String NAME_RULE = "1-64 characters of A-Z a-z 0-9 _ . -";
  private static final Pattern KEY = Pattern.compile("[0-9*#]{1," + MenuStep.MAX_KEY_LENGTH + "}");
  private static final List<String> TYPES = List.of(ScheduleStep.TYPE, AbsenceStep.TYPE, PlayStep.TYPE,
      MenuStep.TYPE, ForwardStep.TYPE, QueueStep.TYPE, HangupStep.TYPE);

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private CallFlowParser() {}

  /**
   * Reads a document from its text.
   *
   * @param json the document, e.g. a request body
   * @return the checked flow, with defaults filled in
   * @throws CallFlowException with every problem found
   */
  public static CallFlow parse(String json) {
    return parse(json, null);
  }

  /**
   * Reads a document from its text and also refuses forward targets equal to the tracking number (calls would loop).
   *
   * @param json the document
   * @param trackingNumber the tracking number the flow is for; null to skip that check
   * @throws CallFlowException with every problem found
   */
  public static CallFlow parse(String json, PhoneNumber trackingNumber) {
    return check(DocumentFields.readDocument(MAPPER, json, "the call flow", "{\"start\": ..., \"steps\": {...}}", MAX_DOCUMENT_BYTES,
        CallFlowException::new), trackingNumber);
  }

  /**
   * Reads a document already parsed by Jackson (e.g. by the HTTP layer).
   *
   * @param document the document's root
   * @throws CallFlowException with every problem found
   */
  public static CallFlow parse(JsonNode document) {
    return parse(document, null);
  }

  /**
   * Reads a document already parsed by Jackson, refusing forward targets equal to the tracking number.
   *
   * @param document the document's root
   * @param trackingNumber the tracking number the flow is for; null to skip that check
   * @throws CallFlowException with every problem found
   */
  public static CallFlow parse(JsonNode document, PhoneNumber trackingNumber) {
    if (document == null || document.isMissingNode() || document.isNull()) {
      return parse((String) null, trackingNumber);
    }
    DocumentFields.checkSize(MAPPER, document, "the call flow", MAX_DOCUMENT_BYTES, CallFlowException::new);
    return check(document, trackingNumber);
  }

  private static CallFlow check(JsonNode root, PhoneNumber trackingNumber) {
    Checker c = new Checker(trackingNumber);
    CallFlow flow = c.document(root);
    if (!c.violations.isEmpty()) {
      throw new CallFlowException(c.violations);
    }
    return flow;
  }

  /** A JSON Pointer made of a parent pointer and one reference token (RFC 6901 escapes). */
  static String pointer(String parent, String token) {
    return DocumentFields.pointer(parent, token);
  }

  /** A reference from a field of a step to a step id. */
  private record Ref(String owner, String pointer, String target) {}

  /** One pass over one document; collects violations. */
  private static final class Checker {
    final List<FlowViolation> violations = new ArrayList<>();
    final PhoneNumber trackingNumber;
    final List<Ref> refs = new ArrayList<>();
    /** Step ids of the document with a valid syntax, in document order. */
    final Set<String> defined = new LinkedHashSet<>();
    /** The type of each step with a known type. */
    final Map<String, String> types = new HashMap<>();
    /** The step being read, owner of the references found. */
    String owner;
    /** The number of violations when the step being read started. */
    int stepStart;

    Checker(PhoneNumber trackingNumber) {
      this.trackingNumber = trackingNumber;
    }

    void add(String pointer, String message) {
      violations.add(new FlowViolation(pointer, message));
    }

    CallFlow document(JsonNode root) {
      if (!root.isObject()) {
        add("", "the call flow must be a JSON object {\"start\": ..., \"steps\": {...}}; got " + describe(root));
        return null;
      }
      DocumentFields top = new DocumentFields(this::add, root, "", "the call flow", List.of("start", "steps"));
      JsonNode stepsNode = top.get("steps");
      Map<String, FlowStep> steps = new LinkedHashMap<>();
      boolean stepsOk = false;
      if (stepsNode == null) {
        add("/steps", "is required: an object of steps by id, e.g. {\"sales\": {\"type\": \"forward\", ...}}");
      } else if (!stepsNode.isObject()) {
        add("/steps", "must be an object of steps by id; got " + describe(stepsNode));
      } else if (stepsNode.isEmpty()) {
        add("/steps", "must hold at least one step");
      } else if (stepsNode.size() > MAX_STEPS) {
        add("/steps", "has " + stepsNode.size() + " steps; at most " + MAX_STEPS + " are allowed");
      } else {
        stepsOk = true;
        Iterator<Map.Entry<String, JsonNode>> it = stepsNode.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String id = e.getKey();
          String p = pointer("/steps", id);
          if (!NAME.matcher(id).matches()) {
            add(p, "'" + id + "' is not a valid step id; use " + NAME_RULE);
            continue;
          }
          defined.add(id);
          owner = id;
          FlowStep step = step(e.getValue(), p);
          if (step != null) {
            steps.put(id, step);
          }
        }
      }
      owner = null;
      String start = null;
      JsonNode startNode = top.get("start");
      if (startNode == null) {
        add("/start", "is required: the id of the first step");
      } else if (!startNode.isTextual()) {
        add("/start", "must be a string: the id of the first step; got " + describe(startNode));
      } else {
        start = startNode.asText();
        if (stepsOk && !defined.contains(start)) {
          add("/start", "step '" + start + "' is not defined; " + definedList());
          start = null;
        }
      }
      if (stepsOk) {
        references();
        if (start != null) {
          reachability(start);
        }
        loops();
        queueScopes(steps);
      }
      if (!violations.isEmpty()) {
        return null;
      }
      return new CallFlow(start, steps);
    }

    private String definedList() {
      if (defined.isEmpty()) {
        return "no step is defined";
      }
      List<String> names = new ArrayList<>(defined);
      String shown = String.join(", ", names.subList(0, Math.min(names.size(), 12)));
      return "defined steps: " + shown + (names.size() > 12 ? ", ..." : "");
    }

    private void references() {
      for (Ref r : refs) {
        if (!defined.contains(r.target())) {
          add(r.pointer(), "step '" + r.target() + "' is not defined; " + definedList());
        }
      }
    }

    private Map<String, List<String>> edges() {
      Map<String, List<String>> edges = new LinkedHashMap<>();
      for (String id : defined) {
        edges.put(id, new ArrayList<>());
      }
      for (Ref r : refs) {
        if (defined.contains(r.target())) {
          edges.get(r.owner()).add(r.target());
        }
      }
      return edges;
    }

    private void reachability(String start) {
      Map<String, List<String>> edges = edges();
      Set<String> reached = new HashSet<>();
      Deque<String> todo = new ArrayDeque<>();
      todo.add(start);
      reached.add(start);
      while (!todo.isEmpty()) {
        for (String next : edges.get(todo.poll())) {
          if (reached.add(next)) {
            todo.add(next);
          }
        }
      }
      for (String id : defined) {
        if (!reached.contains(id)) {
          add(pointer("/steps", id), "step '" + id + "' is never reached from the start step '" + start
              + "'; link to it from another step or remove it");
        }
      }
    }

    /** Steps naming the same queue must agree on whose lines it has (the queue entity is chosen by the scope). */
    private void queueScopes(Map<String, FlowStep> steps) {
      Map<String, QueueStep> first = new HashMap<>();
      Map<String, String> firstId = new HashMap<>();
      for (Map.Entry<String, FlowStep> e : steps.entrySet()) {
        if (e.getValue() instanceof QueueStep q) {
          QueueStep seen = first.putIfAbsent(q.queue(), q);
          firstId.putIfAbsent(q.queue(), e.getKey());
          if (seen != null && seen.scope() != q.scope()) {
            add(pointer(pointer("/steps", e.getKey()), "scope"), "queue '" + q.queue() + "' has scope \""
                + seen.scope().jsonName() + "\" in step '" + firstId.get(q.queue()) + "'; steps naming the same "
                + "queue must give the same scope");
          }
        }
      }
    }

    /** Loops made only of steps that decide at once (schedule, absence) would spin without the caller. */
    private void loops() {
      Map<String, List<String>> edges = edges();
      Set<String> reported = new HashSet<>();
      for (String id : defined) {
        if (!decidesAtOnce(id) || reported.contains(id)) {
          continue;
        }
        List<String> cycle = cycleFrom(id, edges);
        if (cycle != null) {
          reported.addAll(cycle);
          cycle.add(id);
          add(pointer("/steps", id), "the steps " + String.join(" → ", cycle) + " form a loop that never waits for "
              + "the caller; a loop must pass a play, menu, forward or queue step");
        }
      }
    }

    private boolean decidesAtOnce(String id) {
      String type = types.get(id);
      return ScheduleStep.TYPE.equals(type) || AbsenceStep.TYPE.equals(type);
    }

    /** A path id → ... → (back to id) through steps that decide at once, without the final id; null when none. */
    private List<String> cycleFrom(String id, Map<String, List<String>> edges) {
      List<String> path = new ArrayList<>();
      path.add(id);
      return extend(id, path, new HashSet<>(Set.of(id)), edges) ? path : null;
    }

    private boolean extend(String target, List<String> path, Set<String> seen, Map<String, List<String>> edges) {
      String last = path.get(path.size() - 1);
      for (String next : edges.get(last)) {
        if (next.equals(target)) {
          return true;
        }
        if (decidesAtOnce(next) && seen.add(next)) {
          path.add(next);
          if (extend(target, path, seen, edges)) {
            return true;
          }
          path.remove(path.size() - 1);
        }
      }
      return false;
    }

    // ------------------------------------------------------------------ steps

    private FlowStep step(JsonNode node, String p) {
      if (!node.isObject()) {
        add(p, "a step must be an object with a \"type\"; got " + describe(node));
        return null;
      }
      JsonNode typeNode = node.get("type");
      if (typeNode == null || typeNode.isNull()) {
        add(pointer(p, "type"), "is required: one of " + String.join(", ", TYPES));
        return null;
      }
      if (!typeNode.isTextual() || !TYPES.contains(typeNode.asText())) {
        add(pointer(p, "type"), (typeNode.isTextual() ? "'" + typeNode.asText() + "'" : describe(typeNode))
            + " is not a step type; use one of " + String.join(", ", TYPES));
        return null;
      }
      String type = typeNode.asText();
      types.put(owner, type);
      stepStart = violations.size();
      FlowStep step;
      try {
        step = stepOfType(type, node, p);
      } catch (IllegalArgumentException | NullPointerException e) {
        // every rule of the records is checked above them; this is a last line, not a path users take
        add(p, "is not a valid " + type + " step: " + e.getMessage());
        return null;
      }
      return ok() ? step : null;
    }

    private FlowStep stepOfType(String type, JsonNode node, String p) {
      switch (type) {
        case ScheduleStep.TYPE:
          return schedule(new DocumentFields(this::add, node, p, "a schedule step",
              List.of("type", "timezone", "holidays", "weekly", "exceptions", "open", "closed")));
        case AbsenceStep.TYPE: {
          DocumentFields f = new DocumentFields(this::add, node, p, "an absence step", List.of("type", "present", "absent"));
          String present = stepRef(f, "present", "the step when the advertiser is present (absence switch off)");
          String absent = stepRef(f, "absent", "the step when the absence switch is on");
          return ok() ? new AbsenceStep(present, absent) : null;
        }
        case PlayStep.TYPE: {
          DocumentFields f = new DocumentFields(this::add, node, p, "a play step", List.of("type", "prompt", "next"));
          String prompt = name(f, "prompt", true, "the name of the prompt to play");
          String next = stepRef(f, "next", "the step after the prompt");
          return ok() ? new PlayStep(prompt, next) : null;
        }
        case MenuStep.TYPE:
          return menu(new DocumentFields(this::add, node, p, "a menu step", List.of("type", "prompt", "digits",
              "first_digit_timeout_sec", "inter_digit_timeout_sec", "retries", "invalid", "timeout", "terminator",
              "max_digits")));
        case ForwardStep.TYPE: {
          DocumentFields f = new DocumentFields(this::add, node, p, "a forward step", List.of("type", "targets", "failed"));
          List<ForwardTarget> targets = targets(f);
          String failed = optionalStepRef(f, "failed");
          return ok() ? new ForwardStep(targets, failed) : null;
        }
        case QueueStep.TYPE:
          return queue(new DocumentFields(this::add, node, p, "a queue step", List.of("type", "queue", "scope", "lines", "hold_prompt",
              "announce_position", "max_wait_sec", "targets", "timeout", "failed")));
        case HangupStep.TYPE: {
          DocumentFields f = new DocumentFields(this::add, node, p, "a hangup step", List.of("type", "prompt"));
          String prompt = name(f, "prompt", false, "the name of the prompt to play before hanging up");
          return ok() ? new HangupStep(prompt) : null;
        }
        default:
          throw new IllegalStateException(type);
      }
    }

    /** True while the step being read has no violation (so its record can be made). */
    private boolean ok() {
      return violations.size() == stepStart;
    }

    private ScheduleStep schedule(DocumentFields f) {
      String timezone = ScheduleStep.DEFAULT_TIMEZONE;
      JsonNode tz = f.get("timezone");
      if (tz != null) {
        if (!tz.isTextual()) {
          add(f.at("timezone"), "must be a string: an IANA time zone such as Asia/Tokyo; got " + describe(tz));
        } else {
          try {
            timezone = ZoneId.of(tz.asText()).getId();
          } catch (DateTimeException e) {
            add(f.at("timezone"), "'" + tz.asText() + "' is not a time zone; use an IANA name such as Asia/Tokyo");
          }
        }
      }
      String holidays = null;
      JsonNode h = f.get("holidays");
      if (h != null) {
        if (!h.isTextual() || !ScheduleStep.HOLIDAYS_JP.equals(h.asText())) {
          add(f.at("holidays"), (h.isTextual() ? "'" + h.asText() + "'" : describe(h)) + " is not a holiday "
              + "calendar; only \"JP\" (Japanese public holidays) is supported; leave it out to ignore holidays");
        } else {
          holidays = ScheduleStep.HOLIDAYS_JP;
        }
      }
      Map<String, List<TimeRange>> weekly = new LinkedHashMap<>();
      JsonNode w = f.get("weekly");
      if (w == null) {
        add(f.at("weekly"), "is required: the opening hours per weekday, e.g. {\"mon\": [\"09:00-18:00\"]}; a day "
            + "left out is closed");
      } else if (!w.isObject()) {
        add(f.at("weekly"), "must be an object of weekdays, e.g. {\"mon\": [\"09:00-18:00\"]}; got " + describe(w));
      } else {
        Iterator<Map.Entry<String, JsonNode>> it = w.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String dp = pointer(f.at("weekly"), e.getKey());
          if (!ScheduleStep.DAY_KEYS.contains(e.getKey())) {
            add(dp, "'" + e.getKey() + "' is not a weekday; use " + String.join(", ", ScheduleStep.DAY_KEYS));
            continue;
          }
          List<TimeRange> ranges = ranges(e.getValue(), dp, true);
          if (ranges != null) {
            weekly.put(e.getKey(), ranges);
          }
        }
      }
      List<ScheduleException> exceptions = exceptions(f);
      String open = stepRef(f, "open", "the step during business hours");
      String closed = stepRef(f, "closed", "the step outside business hours");
      return ok() ? new ScheduleStep(timezone, holidays, weekly, exceptions, open, closed) : null;
    }

    /** An array of "HH:mm-HH:mm"; null after a violation. */
    private List<TimeRange> ranges(JsonNode node, String p, boolean emptyAllowed) {
      if (node == null || !node.isArray()) {
        add(p, "must be an array of time ranges, e.g. [\"09:00-12:00\", \"13:00-18:00\"]; got " + describe(node));
        return null;
      }
      if (node.isEmpty() && !emptyAllowed) {
        add(p, "must hold at least one time range; write \"closed\": true for a closed day");
        return null;
      }
      if (node.size() > MAX_RANGES_PER_DAY) {
        add(p, "has " + node.size() + " time ranges; at most " + MAX_RANGES_PER_DAY + " a day are allowed");
        return null;
      }
      List<TimeRange> ranges = new ArrayList<>();
      boolean good = true;
      for (int i = 0; i < node.size(); i++) {
        JsonNode r = node.get(i);
        String rp = p + "/" + i;
        if (!r.isTextual()) {
          add(rp, "must be a string \"HH:mm-HH:mm\", e.g. \"09:00-18:00\"; got " + describe(r));
          good = false;
          continue;
        }
        try {
          ranges.add(TimeRange.parse(r.asText()));
        } catch (IllegalArgumentException e) {
          add(rp, e.getMessage());
          good = false;
        }
      }
      return good ? ranges : null;
    }

    private List<ScheduleException> exceptions(DocumentFields f) {
      JsonNode node = f.get("exceptions");
      List<ScheduleException> exceptions = new ArrayList<>();
      if (node == null) {
        return exceptions;
      }
      String p = f.at("exceptions");
      if (!node.isArray()) {
        add(p, "must be an array of dated exceptions, e.g. [{\"date\": \"2026-12-31\", \"closed\": true}]; got "
            + describe(node));
        return exceptions;
      }
      if (node.size() > MAX_EXCEPTIONS) {
        add(p, "has " + node.size() + " exceptions; at most " + MAX_EXCEPTIONS + " are allowed");
        return exceptions;
      }
      Map<LocalDate, String> seen = new HashMap<>();
      for (int i = 0; i < node.size(); i++) {
        String ep = p + "/" + i;
        JsonNode e = node.get(i);
        if (!e.isObject()) {
          add(ep, "must be an object such as {\"date\": \"2026-12-31\", \"closed\": true}; got " + describe(e));
          continue;
        }
        DocumentFields ef = new DocumentFields(this::add, e, ep, "a dated exception", List.of("date", "closed", "hours"));
        LocalDate date = null;
        JsonNode d = ef.get("date");
        if (d == null) {
          add(ef.at("date"), "is required: the date in yyyy-MM-dd, e.g. \"2026-12-31\"");
        } else if (!d.isTextual()) {
          add(ef.at("date"), "must be a string yyyy-MM-dd, e.g. \"2026-12-31\"; got " + describe(d));
        } else {
          try {
            date = LocalDate.parse(d.asText());
          } catch (DateTimeParseException x) {
            add(ef.at("date"), "'" + d.asText() + "' is not a date; write yyyy-MM-dd, e.g. \"2026-12-31\"");
          }
        }
        if (date != null) {
          String first = seen.putIfAbsent(date, ep);
          if (first != null) {
            add(ef.at("date"), date + " already has an exception at " + first + "; give one per date");
            date = null;
          }
        }
        Boolean closed = ef.bool("closed", null);
        boolean closedGiven = ef.get("closed") != null;
        JsonNode hoursNode = ef.get("hours");
        if (Boolean.TRUE.equals(closed) && hoursNode != null) {
          add(ep, "a closed day has no hours; give either \"closed\": true or \"hours\"");
          continue;
        }
        if (!closedGiven && hoursNode == null) {
          add(ep, "says nothing about the day; give \"closed\": true, \"hours\": [\"10:00-15:00\"], or "
              + "\"closed\": false for the weekly hours even on a public holiday");
          continue;
        }
        List<TimeRange> hours = hoursNode == null ? null : ranges(hoursNode, ef.at("hours"), false);
        boolean closedOk = !closedGiven || closed != null;
        boolean hoursOk = hoursNode == null || hours != null;
        if (date != null && closedOk && hoursOk) {
          exceptions.add(new ScheduleException(date, Boolean.TRUE.equals(closed), hours));
        }
      }
      return exceptions;
    }

    private MenuStep menu(DocumentFields f) {
      String prompt = name(f, "prompt", true, "the name of the prompt to play");
      String terminator = null;
      JsonNode t = f.get("terminator");
      if (t != null) {
        if (!t.isTextual() || !("#".equals(t.asText()) || "*".equals(t.asText()))) {
          add(f.at("terminator"), "must be \"#\" or \"*\", the key that ends multi-digit input; got " + describe(t));
        } else {
          terminator = t.asText();
        }
      }
      Map<String, String> digits = new LinkedHashMap<>();
      JsonNode d = f.get("digits");
      String dp = f.at("digits");
      if (d == null) {
        add(dp, "is required: the keys and their steps, e.g. {\"1\": \"sales\", \"2\": \"support\"}");
      } else if (!d.isObject()) {
        add(dp, "must be an object of keys and their steps, e.g. {\"1\": \"sales\"}; got " + describe(d));
      } else if (d.isEmpty()) {
        add(dp, "must hold at least one key, e.g. {\"1\": \"sales\"}");
      } else if (d.size() > MAX_KEYS) {
        add(dp, "has " + d.size() + " keys; at most " + MAX_KEYS + " are allowed");
      } else {
        Iterator<Map.Entry<String, JsonNode>> it = d.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          String key = e.getKey();
          String kp = pointer(dp, key);
          if (!KEY.matcher(key).matches()) {
            add(kp, "'" + key + "' is not a key; use 1-" + MenuStep.MAX_KEY_LENGTH + " of 0-9 * #, e.g. \"1\", "
                + "\"12\", \"*\"");
            continue;
          }
          if (terminator != null && key.contains(terminator)) {
            add(kp, "key '" + key + "' contains the terminator '" + terminator + "', which ends the input and is "
                + "never part of a key");
            continue;
          }
          String target = stepRefAt(e.getValue(), kp, "the step for key " + key);
          if (target != null) {
            digits.put(key, target);
          }
        }
      }
      int firstDigit = f.integer("first_digit_timeout_sec", 1, 60, MenuStep.DEFAULT_FIRST_DIGIT_TIMEOUT_SEC,
          "seconds");
      int interDigit = f.integer("inter_digit_timeout_sec", 1, 30, MenuStep.DEFAULT_INTER_DIGIT_TIMEOUT_SEC,
          "seconds");
      int retries = f.integer("retries", 0, 9, MenuStep.DEFAULT_RETRIES, "replays of the prompt");
      String invalid = stepRef(f, "invalid", "the step after the last invalid input");
      String timeout = stepRef(f, "timeout", "the step when the caller presses nothing");
      int longest = MenuStep.longestKey(digits);
      int maxDigits = longest;
      if (f.get("max_digits") != null && longest > 0) {
        maxDigits = f.integer("max_digits", longest, MenuStep.MAX_KEY_LENGTH, longest,
            "digits; at least the longest key");
      }
      if (!ok() || digits.isEmpty()) {
        return null;
      }
      return new MenuStep(prompt, digits, firstDigit, interDigit, retries, invalid, timeout, terminator, maxDigits);
    }

    private QueueStep queue(DocumentFields f) {
      String queue = name(f, "queue", true, "the queue name; calls waiting for the same queue share its lines");
      QueueStep.Scope scope = QueueStep.Scope.ADVERTISER;
      JsonNode sc = f.get("scope");
      if (sc != null) {
        if (sc.isTextual() && sc.asText().equals("number")) {
          scope = QueueStep.Scope.NUMBER;
        } else if (!sc.isTextual() || !sc.asText().equals("advertiser")) {
          add(f.at("scope"), "must be \"advertiser\" (the advertiser's numbers share the queue's lines; the "
              + "default) or \"number\" (this number's own lines); got " + describe(sc));
        }
      }
      int lines = f.integer("lines", 1, MAX_LINES, null, "lines (回線数)");
      String hold = name(f, "hold_prompt", true, "the prompt played in a loop while the caller waits");
      Boolean announce = f.bool("announce_position", false);
      int maxWait = f.integer("max_wait_sec", 10, 3600, QueueStep.DEFAULT_MAX_WAIT_SEC, "seconds");
      List<ForwardTarget> targets = targets(f);
      String timeout = stepRef(f, "timeout", "the step after the longest wait (max_wait_sec)");
      String failed = optionalStepRef(f, "failed");
      if (!ok()) {
        return null;
      }
      return new QueueStep(queue, scope, lines, hold, Boolean.TRUE.equals(announce), maxWait, targets, timeout, failed);
    }

    private List<ForwardTarget> targets(DocumentFields f) {
      JsonNode node = f.get("targets");
      String p = f.at("targets");
      List<ForwardTarget> targets = new ArrayList<>();
      if (node == null) {
        add(p, "is required: the destinations in the order they are rung, e.g. [{\"to\": \"03-1234-5678\", "
            + "\"ring_sec\": 20}]");
        return targets;
      }
      if (!node.isArray()) {
        add(p, "must be an array of destinations, e.g. [{\"to\": \"03-1234-5678\"}]; got " + describe(node));
        return targets;
      }
      if (node.isEmpty()) {
        add(p, "must hold at least one destination");
        return targets;
      }
      if (node.size() > MAX_TARGETS) {
        add(p, "has " + node.size() + " destinations; at most " + MAX_TARGETS + " are allowed");
        return targets;
      }
      Map<String, String> seen = new HashMap<>();
      for (int i = 0; i < node.size(); i++) {
        String tp = p + "/" + i;
        JsonNode t = node.get(i);
        if (!t.isObject()) {
          add(tp, "must be an object such as {\"to\": \"03-1234-5678\", \"ring_sec\": 20}; got " + describe(t));
          continue;
        }
        DocumentFields tf = new DocumentFields(this::add, t, tp, "a destination", List.of("to", "ring_sec"));
        PhoneNumber to = null;
        JsonNode toNode = tf.get("to");
        if (toNode == null) {
          add(tf.at("to"), "is required: the number to ring, e.g. \"03-1234-5678\"");
        } else if (!toNode.isTextual()) {
          add(tf.at("to"), "must be a string: the number to ring, e.g. \"03-1234-5678\"; got " + describe(toNode));
        } else {
          ForwardDestinations.Verdict v = ForwardDestinations.check(toNode.asText());
          if (!v.accepted()) {
            add(tf.at("to"), v.problem());
          } else if (trackingNumber != null && trackingNumber.e164().equals(v.number().e164())) {
            add(tf.at("to"), v.number().national() + " is the tracking number itself; calls would loop. Forward "
                + "to the advertiser's own phone: " + ForwardDestinations.KINDS);
          } else {
            String first = seen.putIfAbsent(v.number().e164(), tp);
            if (first != null) {
              add(tf.at("to"), v.number().national() + " is already rung at " + first + "; list each number once");
            } else {
              to = v.number();
            }
          }
        }
        int ring = tf.integer("ring_sec", ForwardTarget.MIN_RING_SEC, ForwardTarget.MAX_RING_SEC,
            ForwardTarget.DEFAULT_RING_SEC, "seconds");
        if (to != null && ring > 0) {
          targets.add(new ForwardTarget(to, ring));
        }
      }
      return targets;
    }

    // ------------------------------------------------------------------ fields

    /** A required reference to a step; registers it for the reference checks. */
    private String stepRef(DocumentFields f, String field, String what) {
      JsonNode node = f.get(field);
      if (node == null) {
        add(f.at(field), "is required: " + what);
        return null;
      }
      return stepRefAt(node, f.at(field), what);
    }

    private String optionalStepRef(DocumentFields f, String field) {
      JsonNode node = f.get(field);
      return node == null ? null : stepRefAt(node, f.at(field), "the id of a step");
    }

    private String stepRefAt(JsonNode node, String p, String what) {
      if (!node.isTextual()) {
        add(p, "must be a string: " + what + " (a step id); got " + describe(node));
        return null;
      }
      String id = node.asText();
      if (!NAME.matcher(id).matches()) {
        add(p, "'" + id + "' is not a valid step id; use " + NAME_RULE);
        return null;
      }
      refs.add(new Ref(owner, p, id));
      return id;
    }

    /** A prompt or queue name. */
    private String name(DocumentFields f, String field, boolean required, String what) {
      JsonNode node = f.get(field);
      if (node == null) {
        if (required) {
          add(f.at(field), "is required: " + what);
        }
        return null;
      }
      if (!node.isTextual()) {
        add(f.at(field), "must be a string: " + what + "; got " + describe(node));
        return null;
      }
      String name = node.asText();
      if (!NAME.matcher(name).matches()) {
        add(f.at(field), "'" + name + "' is not a valid name; use " + NAME_RULE);
        return null;
      }
      return name;
    }
  }

  /** What a JSON value is, for messages ({@link DocumentFields#describe}). */
  static String describe(JsonNode v) {
    return DocumentFields.describe(v);
  }
}
