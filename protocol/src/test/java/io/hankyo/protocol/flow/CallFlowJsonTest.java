package io.hankyo.protocol.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A checked flow is stored as Jackson JSON in journal events and must read back equal. */
class CallFlowJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theExampleRoundTrips() throws Exception {
    CallFlow flow = CallFlowParser.parse(FlowDocuments.EXAMPLE);
    String json = JSON.writeValueAsString(flow);
    assertEquals(flow, JSON.readValue(json, CallFlow.class));
    assertTrue(json.contains("\"menu\":{\"type\":\"menu\",\"prompt\":\"welcome\""), json);
    assertTrue(json.contains("\"first_digit_timeout_sec\":5,\"inter_digit_timeout_sec\":3"), json);
    assertTrue(json.contains("\"weekly\":{\"mon\":[\"09:00-12:00\",\"13:00-18:00\"],\"fri\":[\"09:00-18:00\","
        + "\"22:00-02:00\"],\"sat\":[\"10:00-15:00\"]}"), json);
    assertTrue(json.contains("{\"date\":\"2026-12-31\",\"closed\":true,\"hours\":null}"), json);
    assertTrue(json.contains("\"targets\":[{\"to\":{\"e164\":\"+81311111111\",\"national\":\"03-1111-1111\""), json);
    assertTrue(json.contains("\"hold_prompt\":\"hold\",\"announce_position\":true,\"max_wait_sec\":120"), json);
    assertTrue(json.contains("\"sorry\":{\"type\":\"hangup\",\"prompt\":null}"), json);
  }

  @Test
  void eachStepRoundTripsAsAFlowStep() throws Exception {
    for (FlowStep step : CallFlowParser.parse(FlowDocuments.EXAMPLE).steps().values()) {
      String json = JSON.writeValueAsString(step);
      assertEquals(step, JSON.readValue(json, FlowStep.class), json);
      assertTrue(json.startsWith("{\"type\":\"" + step.typeName() + "\""), json);
    }
  }

  @Test
  void theDefaultFlowRoundTrips() throws Exception {
    CallFlow flow = CallFlow.defaultFor(PhoneNumbers.parse("090-1234-5678"), 20);
    assertEquals(flow, JSON.readValue(JSON.writeValueAsString(flow), CallFlow.class));
  }

  @Test
  void valuesReadBackWithoutTheirParsers() throws Exception {
    assertEquals(TimeRange.parse("22:00-02:00"), JSON.readValue("\"22:00-02:00\"", TimeRange.class));
    assertEquals("\"18:00-24:00\"", JSON.writeValueAsString(TimeRange.parse("18:00-24:00")));
    ScheduleException x = ScheduleException.openOn(LocalDate.parse("2026-05-04"), List.of(TimeRange.parse("10:00-15:00")));
    assertEquals(x, JSON.readValue(JSON.writeValueAsString(x), ScheduleException.class));
    assertThrows(Exception.class, () -> JSON.readValue("{\"date\":\"May 4\",\"closed\":true}", ScheduleException.class));
  }

  @Test
  void theWriterGivesBackTheDocumentShape() throws Exception {
    CallFlow flow = CallFlowParser.parse(FlowDocuments.EXAMPLE);
    String doc = CallFlowWriter.toJson(flow);
    assertEquals(flow, CallFlowParser.parse(doc));
    assertTrue(doc.contains("\"targets\":[{\"to\":\"03-1111-1111\",\"ring_sec\":15},{\"to\":\"03-2222-2222\","
        + "\"ring_sec\":20}]"), doc);
    assertTrue(doc.contains("{\"date\":\"2026-12-31\",\"closed\":true}"), doc);
    assertTrue(doc.contains("{\"date\":\"2026-05-04\",\"hours\":[\"10:00-15:00\"]}"), doc);
    assertTrue(doc.contains("{\"date\":\"2026-05-05\",\"closed\":false}"), doc);
    assertTrue(doc.contains("\"sorry\":{\"type\":\"hangup\"}"), doc);
    assertTrue(doc.contains("\"max_digits\":2"), doc);
    assertTrue(doc.contains("\"scope\":\"advertiser\""), doc);
  }

  @Test
  void aQueueOfOneNumberKeepsItsScope() throws Exception {
    CallFlow flow = CallFlowParser.parse("""
        {"start": "q", "steps": {
          "q": {"type": "queue", "queue": "q1", "scope": "number", "lines": 1, "hold_prompt": "hold",
                "targets": [{"to": "090-1234-5678"}], "timeout": "bye"},
          "bye": {"type": "hangup"}}}""");
    assertEquals(QueueStep.Scope.NUMBER, ((QueueStep) flow.step("q")).scope());
    assertEquals(flow, CallFlowParser.parse(CallFlowWriter.toJson(flow)));
    assertEquals(flow, JSON.readValue(JSON.writeValueAsString(flow), CallFlow.class));
    // a flow stored in an event before queues had a scope reads back as an advertiser's queue
    String old = JSON.writeValueAsString(flow).replace("\"scope\":\"number\",", "");
    assertEquals(QueueStep.Scope.ADVERTISER, ((QueueStep) JSON.readValue(old, CallFlow.class).step("q")).scope());
  }
}
