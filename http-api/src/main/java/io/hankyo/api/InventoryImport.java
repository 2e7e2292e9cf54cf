package io.hankyo.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.api.json.ApiJson;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.NumberRange;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the body of {@code POST /v1/inventory} (issue 5 bulk import) into lines, each either a number of a
 * tracking-number range ({@link NumberRange}, spec section 2) or that line's error. Plain code, no actors.
 *
 * <p>Two forms: JSON {@code {"numbers": ["0120-123-456", ...]}} (line = 1-based position in the array) and
 * {@code text/plain} UTF-8, one number per line (line = 1-based line number of the text; blank lines are skipped but
 * counted, CR LF or LF). A line is refused (and only that line) when it is not a phone number, not in one of the four
 * ranges, or repeats a number of an earlier line (same E.164, whatever the spelling). The whole request is refused
 * ({@link ApiProblem} 400) when it is not such a document, has no number, or has more than {@value #MAX_LINES}.
 */
public final class InventoryImport {
  /** Most numbers in one request. */
  public static final int MAX_LINES = 10_000;

  private InventoryImport() {}

  /**
   * One line of the request.
   *
   * @param line 1-based line (text) or array position (JSON)
   * @param input the text as given
   * @param number the parsed number, or null when the line has an error
   * @param range its range, or null when the line has an error
   * @param error why the line is refused, or null
   */
  public record Line(int line, String input, PhoneNumber number, NumberRange range, String error) {
    /** Whether the line is a number to import. */
    public boolean ok() {
      return error == null;
    }
  }

  /** Lines of a JSON body; 400 with JSON Pointers for a body that is not {@code {"numbers": [...]}}. */
  public static List<Line> fromJson(byte[] body) {
    JsonNode doc = ApiJson.readBody(body, JsonNode.class);
    List<ApiProblem.FieldError> errors = new ArrayList<>();
    if (!doc.isObject()) {
      throw ApiProblem.invalid("the inventory document must be a JSON object {\"numbers\": [...]}",
          List.of(new ApiProblem.FieldError("", "must be an object")));
    }
    doc.fieldNames().forEachRemaining(f -> {
      if (!f.equals("numbers")) {
        errors.add(new ApiProblem.FieldError("/" + f, "unknown field; allowed fields: numbers"));
      }
    });
    JsonNode numbers = doc.get("numbers");
    if (numbers == null || !numbers.isArray()) {
      errors.add(new ApiProblem.FieldError("/numbers", "is required: an array of phone numbers"));
    } else if (numbers.isEmpty()) {
      errors.add(new ApiProblem.FieldError("/numbers", "has no number"));
    } else if (numbers.size() > MAX_LINES) {
      errors.add(new ApiProblem.FieldError("/numbers", "has " + numbers.size() + " numbers; at most " + MAX_LINES
          + " per request"));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.invalid("the inventory document has " + errors.size() + " problem(s)", errors);
    }
    List<String> inputs = new ArrayList<>();
    for (JsonNode n : numbers) {
      inputs.add(n.isTextual() ? n.asText() : null);
    }
    return lines(inputs);
  }

  /** Lines of a {@code text/plain} UTF-8 body; 400 when it is not UTF-8, has no number or too many. */
  public static List<Line> fromText(byte[] body) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw ApiProblem.invalid("the text body is not UTF-8");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    String[] raw = text.split("\r?\n", -1);
    List<String> inputs = new ArrayList<>(raw.length);
    long count = 0;
    for (String s : raw) {
      if (s.isBlank()) {
        inputs.add("");
      } else {
        inputs.add(s.strip());
        count++;
      }
    }
    if (count == 0) {
      throw ApiProblem.invalid("the text body has no number; send one number per line");
    }
    if (count > MAX_LINES) {
      throw ApiProblem.invalid("the text body has " + count + " numbers; at most " + MAX_LINES + " per request");
    }
    List<Line> all = lines(inputs);
    return all.stream().filter(l -> !l.input().isEmpty()).toList();
  }

  /** Lines of inputs in order; a null input is "not a string" (JSON), an empty one a blank line (kept, skipped). */
  static List<Line> lines(List<String> inputs) {
    List<Line> out = new ArrayList<>(inputs.size());
    Map<String, Integer> firstLine = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      int line = i + 1;
      String in = inputs.get(i);
      if (in == null) {
        out.add(new Line(line, null, null, null, "must be a phone number string"));
        continue;
      }
      if (in.isEmpty()) {
        out.add(new Line(line, "", null, null, "empty"));
        continue;
      }
      try {
        PhoneNumber n = PhoneNumbers.parse(in);
        NumberRange r = NumberRange.of(n);
        Integer first = firstLine.putIfAbsent(n.e164(), line);
        out.add(first == null ? new Line(line, in, n, r, null)
            : new Line(line, in, null, null, "repeats line " + first + " (" + n.national() + ")"));
      } catch (InvalidPhoneNumberException e) {
        out.add(new Line(line, in, null, null, e.getMessage()));
      }
    }
    return out;
  }
}
