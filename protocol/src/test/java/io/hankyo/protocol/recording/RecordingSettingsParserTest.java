package io.hankyo.protocol.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingSettingsParserTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static RecordingSettings parse(String json) throws Exception {
    return RecordingSettingsParser.parse(MAPPER.readTree(json));
  }

  private static List<String> pointers(String json) throws Exception {
    var e = assertThrows(RecordingSettingsException.class, () -> parse(json));
    return e.violations().stream().map(FlowViolation::pointer).toList();
  }

  @Test
  void everyModeIsRead() throws Exception {
    assertEquals(new RecordingSettings(RecordingMode.BOTH, "recording-notice"),
        parse("{\"mode\": \"both\", \"consent_prompt\": \"recording-notice\"}"));
    assertEquals(RecordingMode.CALLER, parse("{\"mode\": \"caller\", \"consent_prompt\": \"n\"}").mode());
    assertEquals(RecordingMode.CALLEE, parse("{\"mode\": \"callee\", \"consent_prompt\": \"n\"}").mode());
    RecordingSettings off = parse("{\"mode\": \"off\"}");
    assertEquals(RecordingMode.OFF, off.mode());
    assertNull(off.consentPrompt(), "no prompt needed while off");
    assertEquals(2, RecordingMode.BOTH.channels());
    assertEquals(1, RecordingMode.CALLEE.channels());
  }

  @Test
  void everyProblemIsReportedWithItsPointer() throws Exception {
    assertEquals(List.of("/mode"), pointers("{\"consent_prompt\": \"n\"}"));
    assertEquals(List.of("/mode"), pointers("{\"mode\": \"stereo\", \"consent_prompt\": \"n\"}"));
    assertEquals(List.of("/consent_prompt"), pointers("{\"mode\": \"both\"}"));
    assertEquals(List.of("/extra", "/consent_prompt"),
        pointers("{\"mode\": \"both\", \"consent_prompt\": \"a b\", \"extra\": 1}"));
    assertEquals(List.of(""), pointers("[1]"));
    var e = assertThrows(RecordingSettingsException.class, () -> RecordingSettingsParser.parse(null));
    assertTrue(e.getMessage().contains("recording setting"), e.getMessage());
  }

  @Test
  void aRecordingModeWithoutPromptCannotBeBuilt() {
    assertThrows(IllegalArgumentException.class, () -> new RecordingSettings(RecordingMode.BOTH, null));
  }
}
