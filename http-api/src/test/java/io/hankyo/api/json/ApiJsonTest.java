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
