package io.hankyo.api.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.hankyo.api.ApiProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The API's Jackson configuration and the strict reading of request bodies.
 *
 * <p>Reading is strict: unknown fields, duplicate fields, trailing content, and values of the wrong JSON type (e.g. a
 * number where a string is expected) are refused. Every refusal is an {@link ApiProblem} 400 whose detail names the
 * field, e.g. {@code "client_name: expected a string, got a number"} or {@code "unknown field 'foo'; allowed fields:
 * client_id, client_name"}; a refusal at a member also lists it in {@code errors} with its JSON Pointer (RFC 9457
 * section 3.2, RFC 6901), e.g. {@code [{"pointer": "/client_name", "detail": "expected a string, got a number"}]}
 * (Jackson stops at the first such error: one entry). Thread-safe.
 */
public final class ApiJson {
  private static final ObjectMapper MAPPER = createMapper();
  /**
   * A reader bound to each request type read so far (a handful of record classes and {@code JsonNode}): it keeps its
   * root deserializer, so a request does not look the type up again. Readers are immutable and thread-safe.
   */
  private static final java.util.concurrent.ConcurrentHashMap<Class<?>, ObjectReader> READERS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private ApiJson() {}

  /** The shared mapper: Java time support, ISO dates, strict reading as described above. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper createMapper() {
    ObjectMapper mapper = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();
    mapper.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /** {@code value} as compact JSON text. */
  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code value} as compact UTF-8 JSON. */
  public static byte[] writeBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a request body that must be one JSON object of type {@code type}.
   *
   * @param body the raw body: well-formed UTF-8 (RFC 8259 section 8.1), see {@link #requireWellFormedText}
   * @throws ApiProblem 400 explaining what is wrong and where
   */
  public static <T> T readBody(byte[] body, Class<T> type) {
    requireWellFormedText(body);
    try {
      T value = READERS.computeIfAbsent(type, MAPPER::readerFor).readValue(body);
      if (value == null) {
        throw ApiProblem.invalid("the request body must be a JSON object, got null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String allowed = e.getKnownPropertyIds() == null ? ""
          : e.getKnownPropertyIds().stream().map(String::valueOf).collect(Collectors.toCollection(TreeSet::new))
              .stream().collect(Collectors.joining(", "));
      String allowedText = allowed.isEmpty() ? "" : "; allowed fields: " + allowed;
      throw ApiProblem.invalid(pathPrefix(e.getPath().subList(0, e.getPath().size() - 1))
          + "unknown field '" + e.getPropertyName() + "'" + allowedText,
          List.of(new ApiProblem.FieldError(pointer(e.getPath()), "unknown field" + allowedText)));
    } catch (MismatchedInputException e) {
      throw withPointer(mismatch(e), e.getPath());
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw ApiProblem.invalid("the request body is not accepted: "
          + io.hankyo.protocol.flow.DocumentFields.jsonLimitProblem(e));
    } catch (StreamReadException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw ApiProblem.invalid("malformed JSON" + where + ": " + e.getOriginalMessage());
    } catch (JsonMappingException e) {
      throw withPointer(pathPrefix(e.getPath()) + "invalid value: " + e.getOriginalMessage(), e.getPath());
    } catch (IOException e) {
      throw ApiProblem.invalid("the request body could not be read as JSON: " + e.getMessage());
    }
  }

  /**
   * Refuses (400, with the byte offset) a JSON body whose text could not be stored or sent on as it came: bytes that
   * are not well-formed UTF-8 (RFC 3629 section 3: no overlong forms, no encoded surrogates, nothing above U+10FFFF;
   * Jackson's own decoding lets these through), NUL bytes (UTF-16 or UTF-32 text; RFC 8259 section 8.1 asks for
   * UTF-8), and {@code \\u} escapes that leave half of a surrogate pair (RFC 8259 section 8.2). A string with half a
   * pair cannot be encoded as UTF-8: the Cassandra driver failed on it when a call was logged with such a visitor
   * parameter, and the call was missing from the call log.
   *
   * @throws ApiProblem 400
   */
  public static void requireWellFormedText(byte[] body) {
    java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body);
    java.nio.charset.CoderResult r = decoder.decode(in, java.nio.CharBuffer.allocate(body.length), true);
    if (r.isError()) {
      throw ApiProblem.invalid("the request body is not valid UTF-8 at byte " + in.position()
          + "; send JSON encoded as UTF-8");
    }
    int high = -1; // offset of a \\u escape of a high surrogate waiting for its low half
    for (int i = 0; i < body.length; i++) {
      byte b = body[i];
      if (b == 0) {
        throw ApiProblem.invalid("the request body has a NUL byte at byte " + i + "; send JSON encoded as UTF-8");
      }
      if (b != '\\' || i + 1 >= body.length) {
        if (high >= 0) {
          throw halfPair(high);
        }
        continue;
      }
      if (body[i + 1] != 'u' || i + 5 >= body.length) {
        if (high >= 0) {
          throw halfPair(high);
        }
        i++; // an escaped character (an escaped backslash must not start another escape)
        continue;
      }
      int unit = hex4(body, i + 2);
      if (unit >= 0xD800 && unit <= 0xDBFF) {
        if (high >= 0) {
          throw halfPair(high);
        }
        high = i;
      } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
        if (high < 0) {
          throw halfPair(i);
        }
        high = -1;
      } else if (high >= 0) {
        throw halfPair(high);
      }
      i += 5;
    }
    if (high >= 0) {
      throw halfPair(high);
    }
  }

  /** The four hex digits at {@code from} as a UTF-16 unit, or -1 (Jackson reports the malformed escape). */
  private static int hex4(byte[] b, int from) {
    int v = 0;
    for (int i = from; i < from + 4; i++) {
      int d = Character.digit(b[i], 16);
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private static ApiProblem halfPair(int at) {
    return ApiProblem.invalid("the request body has a \\u escape at byte " + at + " that is half of a UTF-16 surrogate "
        + "pair without its other half (RFC 8259 section 8.2); such text cannot be stored");
  }

  private static String mismatch(MismatchedInputException e) {
    List<JsonMappingException.Reference> path = e.getPath();
    JsonToken token = currentToken(e);
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (path.isEmpty()) {
      if (original.startsWith("No content to map")) {
        return "the request body is empty; a JSON object is expected";
      }
      if (original.startsWith("Trailing token")) {
        return "malformed JSON: unexpected content after the JSON object";
      }
      return "the request body must be a JSON object" + (token == null ? "" : ", got " + describe(token));
    }
    return pathPrefix(path) + "expected " + expected(e.getTargetType())
        + (token == null ? "" : ", got " + describe(token));
  }

  private static JsonToken currentToken(MismatchedInputException e) {
    Object processor = e.getProcessor();
    if (processor instanceof JsonParser) {
      return ((JsonParser) processor).currentToken();
    }
    return null;
  }

  /**
   * 400 with {@code detail}; when the error is at a member ({@code path} not empty), its {@code errors} entry too:
   * {@code {"pointer": "/client_name", "detail": <detail without the "client_name: " prefix>}} (RFC 9457 section 3.2).
   */
  private static ApiProblem withPointer(String detail, List<JsonMappingException.Reference> path) {
    String prefix = pathPrefix(path);
    if (prefix.isEmpty() || !detail.startsWith(prefix)) {
      return ApiProblem.invalid(detail);
    }
    return ApiProblem.invalid(detail,
        List.of(new ApiProblem.FieldError(pointer(path), detail.substring(prefix.length()))));
  }

  /** The RFC 6901 JSON Pointer of {@code path}: {@code /numbers/0/forward_to} ({@code ~} as ~0, {@code /} as ~1). */
  private static String pointer(List<JsonMappingException.Reference> path) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        b.append('/').append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else if (ref.getIndex() >= 0) {
        b.append('/').append(ref.getIndex());
      }
    }
    return b.toString();
  }

  private static String pathPrefix(List<JsonMappingException.Reference> path) {
    if (path.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        b.append('[').append(ref.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "" : b + ": ";
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != void.class)) {
      return "a number";
    }
    if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    return "a JSON object";
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_OBJECT:
      case END_OBJECT:
      case FIELD_NAME:
        return "an object";
      case START_ARRAY:
      case END_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.asString() == null ? token.name() : token.asString();
    }
  }
}
