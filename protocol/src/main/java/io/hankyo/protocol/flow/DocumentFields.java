package io.hankyo.protocol.flow;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The fields of one JSON object of a configuration document (a call flow, judgment rules): reports unknown fields at
 * once, reads the known ones, and reports each bad value with its JSON Pointer (RFC 6901) to a {@link Sink}, so that
 * a parser can collect every problem of a document instead of stopping at the first. Shared by {@link
 * CallFlowParser} and {@code JudgmentRulesParser}, whose messages are therefore worded alike.
 */
public final class DocumentFields {
  /** Where problems go: a pointer and a message for the user ({@link FlowViolation}). */
  @FunctionalInterface
  public interface Sink {
    /** Records one problem. */
    void add(String pointer, String message);
  }

  private final Sink sink;
  private final JsonNode node;
  private final String pointer;

  /**
   * Reads {@code node} at {@code pointer}; every field not in {@code allowed} is reported at once as unknown.
   *
   * @param what the object, for messages: {@code "a menu step"}
   */
  public DocumentFields(Sink sink, JsonNode node, String pointer, String what, List<String> allowed) {
    this.sink = sink;
    this.node = node;
    this.pointer = pointer;
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        sink.add(pointer(pointer, name), "unknown field for " + what + "; the fields are " + String.join(", ", allowed));
      }
    }
  }

  /** The pointer of a field. */
  public String at(String field) {
    return pointer(pointer, field);
  }

  /** The value of a field; null when absent or JSON null. */
  public JsonNode get(String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v;
  }

  /**
   * A whole number in [min, max]; {@code dflt} when absent (a violation when {@code dflt} is null); -1 after a
   * violation.
   *
   * @param unit for messages, e.g. {@code "seconds"}
   */
  public int integer(String field, int min, int max, Integer dflt, String unit) {
    return (int) longInteger(field, min, max, dflt == null ? null : dflt.longValue(), unit);
  }

  /** A required whole number in [min, max]; -1 after a violation. */
  public long longInteger(String field, long min, long max, String unit) {
    return longInteger(field, min, max, null, unit);
  }

  /** A whole number in [min, max]; {@code dflt} when absent (a violation when null); -1 after a violation. */
  public long longInteger(String field, long min, long max, Long dflt, String unit) {
    JsonNode v = get(field);
    if (v == null) {
      if (dflt == null) {
        sink.add(at(field), "is required: a whole number from " + min + " to " + max + " (" + unit + ")");
        return -1;
      }
      return dflt;
    }
    Long whole = wholeNumber(v);
    if (whole == null || whole < min || whole > max) {
      sink.add(at(field), "must be a whole number from " + min + " to " + max + " (" + unit + "); got "
          + (v.isNumber() ? v.asText() : describe(v)));
      return -1;
    }
    return whole;
  }

  /**
   * The whole number a JSON value denotes, or null when it is not one: {@code 100}, {@code 1e2} and {@code 100.0}
   * are all 100 (RFC 8259 section 6 does not tell integers from other numbers; Jackson reads {@code 1e2} as a
   * double), {@code 100.5}, strings and numbers beyond a Java {@code long} are null.
   */
  public static Long wholeNumber(JsonNode v) {
    if (v == null || !v.isNumber()) {
      return null;
    }
    if (v.isIntegralNumber()) {
      return v.canConvertToLong() ? v.longValue() : null;
    }
    if (v.isDouble() || v.isFloat()) {
      double d = v.doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return null;
      }
    }
    try {
      return v.decimalValue().stripTrailingZeros().longValueExact();
    } catch (ArithmeticException notWhole) {
      return null;
    }
  }

  /** A boolean; {@code dflt} when absent; null after a violation. */
  public Boolean bool(String field, Boolean dflt) {
    JsonNode v = get(field);
    if (v == null) {
      return dflt;
    }
    if (!v.isBoolean()) {
      sink.add(at(field), "must be true or false; got " + describe(v));
      return null;
    }
    return v.booleanValue();
  }

  /** One of an enum's JSON names (its lower-case name); {@code dflt} when absent (a violation when null). */
  public <E extends Enum<E>> E choice(String field, Class<E> type, E dflt) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    String allowed = "\"" + String.join("\" or \"", names) + "\"";
    JsonNode v = get(field);
    if (v == null) {
      if (dflt == null) {
        sink.add(at(field), "is required: " + allowed);
      }
      return dflt;
    }
    if (v.isTextual()) {
      for (E e : type.getEnumConstants()) {
        if (e.name().toLowerCase(Locale.ROOT).equals(v.asText())) {
          return e;
        }
      }
    }
    sink.add(at(field), "must be " + allowed + "; got " + describe(v));
    return null;
  }

  /** A JSON Pointer made of a parent pointer and one reference token (RFC 6901 escapes). */
  public static String pointer(String parent, String token) {
    return parent + "/" + token.replace("~", "~0").replace("/", "~1");
  }

  /** What a JSON value is, for messages: {@code the string "abc"}, {@code the number 5}, {@code an array}. */
  public static String describe(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return "null";
    }
    if (v.isTextual()) {
      String s = v.asText();
      return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
    }
    if (v.isNumber()) {
      return "the number " + v.asText();
    }
    if (v.isBoolean()) {
      return v.asText();
    }
    if (v.isArray()) {
      return "an array";
    }
    if (v.isObject()) {
      return "an object";
    }
    return v.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  /**
   * The message of a refused document: {@code "<subject> has 2 problems: /a: ...; /b: ..."}.
   *
   * @param subject e.g. {@code "the call flow"}
   * @throws IllegalArgumentException when there is no violation
   */
  public static String summary(String subject, List<FlowViolation> violations) {
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("a refused document needs at least one violation");
    }
    StringBuilder b = new StringBuilder(subject).append(' ').append(subject.endsWith("s") ? "have " : "has ")
        .append(violations.size()).append(violations.size() == 1 ? " problem: " : " problems: ");
    for (int i = 0; i < violations.size(); i++) {
      if (i > 0) {
        b.append("; ");
      }
      b.append(violations.get(i));
    }
    return b.toString();
  }

  /**
   * Reads a configuration document from its text (the first step of every document parser). Empty text, text longer
   * than {@code maxBytes} UTF-8 bytes, and text that is not one JSON value are refused with one violation at the
   * root pointer {@code ""}.
   *
   * @param mapper the parser's mapper (its strictness: duplicate keys, trailing tokens)
   * @param json the document text; null or blank is refused
   * @param subject the document as messages name it, e.g. {@code "the judgment rules"} ("are" when it ends in s)
   * @param example a small valid document, shown when the text is empty
   * @param maxBytes the largest document accepted, in UTF-8 bytes
   * @param refuse makes the parser's exception from the violations
   * @return the tree
   */
  public static JsonNode readDocument(ObjectMapper mapper, String json, String subject, String example, int maxBytes,
      Function<List<FlowViolation>, ? extends DocumentException> refuse) {
    if (json == null || json.isBlank()) {
      throw refuse.apply(List.of(new FlowViolation("", subject + " document is empty; send a JSON object, e.g. "
          + example)));
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw refuse.apply(List.of(tooLarge(subject, bytes, maxBytes)));
    }
    try {
      return mapper.readTree(json);
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw refuse.apply(List.of(new FlowViolation("", subject + (subject.endsWith("s") ? " are" : " is")
          + " not accepted: " + jsonLimitProblem(e))));
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw refuse.apply(List.of(new FlowViolation("", subject + (subject.endsWith("s") ? " are" : " is")
          + " not valid JSON: " + e.getOriginalMessage() + where)));
    }
  }

  /**
   * Refuses a document already parsed (by the HTTP layer) when it serializes to more than {@code maxBytes}.
   *
   * @param document not null
   * @see #readDocument
   */
  public static void checkSize(ObjectMapper mapper, JsonNode document, String subject, int maxBytes,
      Function<List<FlowViolation>, ? extends DocumentException> refuse) {
    int bytes;
    try {
      bytes = mapper.writeValueAsBytes(document).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree did not serialize", e);
    }
    if (bytes > maxBytes) {
      throw refuse.apply(List.of(tooLarge(subject, bytes, maxBytes)));
    }
  }

  private static FlowViolation tooLarge(String subject, int bytes, int maxBytes) {
    return new FlowViolation("", subject + (subject.endsWith("s") ? " are " : " is ") + bytes + " bytes long; at most "
        + maxBytes + " bytes (" + (maxBytes / 1024) + " KiB) are allowed");
  }

  /**
   * What a JSON processing limit refused, for API users: Jackson's {@code StreamReadConstraints} messages name the
   * library's own methods ("… exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)").
   *
   * @return e.g. "the JSON is nested deeper than 1000 levels"
   */
  public static String jsonLimitProblem(com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
    String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    java.util.regex.Matcher max = java.util.regex.Pattern.compile("maximum allowed \\((\\d+)").matcher(m);
    String limit = max.find() ? max.group(1) : null;
    if (m.startsWith("Document nesting depth") || m.contains("nesting depth")) {
      return "the JSON is nested deeper than " + (limit != null ? limit : "the limit of") + " levels";
    }
    if (m.startsWith("String value length")) {
      return "a JSON string is longer than " + (limit != null ? limit + " characters" : "the limit");
    }
    if (m.startsWith("Number value length")) {
      return "a JSON number is longer than " + (limit != null ? limit + " digits" : "the limit");
    }
    if (m.startsWith("Name length") || m.contains("name length")) {
      return "a JSON field name is longer than " + (limit != null ? limit + " characters" : "the limit");
    }
    return "the JSON exceeds a processing limit";
  }
}
