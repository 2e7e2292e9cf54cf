package io.hankyo.api.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.api.ApiProblem;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ApiJsonTest {
  private static String fail(String body) {
    ApiProblem p = assertThrows(ApiProblem.class,
        () -> ApiJson.readBody(body.getBytes(StandardCharsets.UTF_8), CreateAdvertiserRequest.class));
    assertEquals(400, p.status());
    return p.detail();
  }

  private static String failBytes(byte[] body) {
    ApiProblem p = assertThrows(ApiProblem.class, () -> ApiJson.readBody(body, CreateAdvertiserRequest.class));
    assertEquals(400, p.status());
    return p.detail();
  }

  private static byte[] withBytes(String before, int[] bytes, String after) {
    byte[] a = before.getBytes(StandardCharsets.UTF_8);
    byte[] c = after.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[a.length + bytes.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    for (int i = 0; i < bytes.length; i++) {
      out[a.length + i] = (byte) bytes[i];
    }
    System.arraycopy(c, 0, out, a.length + bytes.length, c.length);
    return out;
  }

  private static ApiProblem problem(String body) {
    return assertThrows(ApiProblem.class,
        () -> ApiJson.readBody(body.getBytes(StandardCharsets.UTF_8), CreateAdvertiserRequest.class));
  }

  /** A refusal at a member lists it with its RFC 6901 pointer (~ and / escaped); one not at a member lists none. */
  @Test
  void memberErrorsCarryTheirJsonPointer() {
    ApiProblem unknown = problem("{\"client_name\":\"x\",\"a/b~c\":1}");
    assertEquals(java.util.List.of(new ApiProblem.FieldError("/a~1b~0c",
        "unknown field; allowed fields: client_id, client_name")), unknown.errors());
    assertTrue(unknown.detail().startsWith("unknown field 'a/b~c'"), unknown.detail());
    ApiProblem type = problem("{\"client_id\":[1]}");
    assertEquals(java.util.List.of(new ApiProblem.FieldError("/client_id", "expected a string, got an array")),
        type.errors());
    assertEquals("client_id: expected a string, got an array", type.detail());
    assertTrue(problem("{\"client_name\": ").errors().isEmpty());
    assertTrue(problem("[]").errors().isEmpty());
    assertTrue(problem("{} {}").errors().isEmpty());
  }

  @Test
  void textThatIsNotWellFormedUtf8IsRefusedWithItsByteOffset() {
    String before = "{\"client_name\":\"";
    int at = before.length();
    for (int[] bad : new int[][] {
        {0xC0, 0xAF},              // overlong "/"
        {0xED, 0xA0, 0x80},        // an encoded (lone) surrogate, CESU-8
        {0xF4, 0x90, 0x80, 0x80},  // above U+10FFFF
        {0xC3},                    // a lead byte without its continuation
        {0xFF}}) {
      assertEquals("the request body is not valid UTF-8 at byte " + at + "; send JSON encoded as UTF-8",
          failBytes(withBytes(before, bad, "\"}")));
    }
    assertTrue(failBytes(new byte[] {'{', 0, '}', 0}).contains("NUL byte at byte 1"), "UTF-16 or UTF-32 text");
    // four-byte characters are fine
    assertEquals("𠮷野家", ApiJson.readBody(withBytes(before, new int[] {0xF0, 0xA0, 0xAE, 0xB7}, "野家\"}"),
        CreateAdvertiserRequest.class).clientName());
  }

  @Test
  void escapesLeavingHalfASurrogatePairAreRefusedAndWholePairsRead() {
    for (String bad : new String[] {"\\ud800", "\\udc00", "\\ud800x", "\\ud800\\u0041", "\\ud800\\ud800\\udc00",
        "a\\uDBFF"}) {
      String detail = fail("{\"client_name\":\"" + bad + "\"}");
      assertTrue(detail.contains("half of a UTF-16 surrogate pair"), bad + ": " + detail);
    }
    assertEquals("😀 x\\ud800", ApiJson.readBody(
        "{\"client_name\":\"\\ud83d\\ude00 x\\\\ud800\"}".getBytes(StandardCharsets.UTF_8),
        CreateAdvertiserRequest.class).clientName(), "a whole pair, and an escaped backslash before 'ud800' text");
  }

  @Test
  void readsAValidBody() {
    CreateAdvertiserRequest r = ApiJson.readBody(
        "{\"client_id\":\"acme\",\"client_name\":\"アクメ\"}".getBytes(StandardCharsets.UTF_8),
        CreateAdvertiserRequest.class);
    assertEquals(new CreateAdvertiserRequest("acme", "アクメ"), r);
  }

  @Test
  void unknownFieldListsTheAllowedOnes() {
    assertEquals("unknown field 'name'; allowed fields: client_id, client_name", fail("{\"name\":\"x\"}"));
  }

  @Test
  void wrongTypesNameTheField() {
    assertEquals("client_name: expected a string, got a number", fail("{\"client_name\":123}"));
    assertEquals("client_name: expected a string, got a boolean", fail("{\"client_name\":true}"));
    assertEquals("client_name: expected a string, got a number", fail("{\"client_name\":1.5}"));
    assertEquals("client_id: expected a string, got an object", fail("{\"client_id\":{\"a\":1}}"));
    assertEquals("client_id: expected a string, got an array", fail("{\"client_id\":[\"a\"]}"));
  }

  @Test
  void malformedJsonSaysWhere() {
    String d = fail("{\"client_name\": }");
    assertTrue(d.startsWith("malformed JSON at line 1, column 17"), d);
    assertTrue(fail("{\"client_name\":\"a\"").startsWith("malformed JSON"));
    assertTrue(fail("{\"client_name\":\"a\",\"client_name\":\"b\"}").contains("Duplicate field 'client_name'"));
    assertEquals("malformed JSON: unexpected content after the JSON object", fail("{\"client_name\":\"a\"} {}"));
  }

  @Test
  void bodyMustBeAnObject() {
    assertEquals("the request body is empty; a JSON object is expected", fail(""));
    assertEquals("the request body must be a JSON object, got an array", fail("[]"));
    assertEquals("the request body must be a JSON object, got a string", fail("\"acme\""));
    assertEquals("the request body must be a JSON object, got null", fail("null"));
  }
}
