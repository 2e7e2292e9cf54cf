package io.hankyo.protocol.recording;

import com.fasterxml.jackson.databind.JsonNode;
import io.hankyo.protocol.flow.DocumentFields;
import io.hankyo.protocol.flow.FlowViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads and checks a recording-setting document (issue 4) into {@link RecordingSettings}, like {@code
 * JudgmentRulesParser}: every problem is reported with the JSON Pointer of the bad value, in one {@link
 * RecordingSettingsException}.
 *
 * <p>Checks: the document is a JSON object with only {@code mode} and {@code consent_prompt}; {@code mode} is
 * required, one of {@code off}, {@code both}, {@code caller}, {@code callee}; {@code consent_prompt} is a prompt name
 * of 1-64 characters of {@code A-Z a-z 0-9 _ . -}, required unless the mode is {@code off}. Whether the prompt was
 * uploaded is for the caller to check (the HTTP API does, as for the judgment's post-call prompt).
 *
 * <p>Thread-safe, no state.
 */
public final class RecordingSettingsParser {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private RecordingSettingsParser() {}

  /**
   * Reads a document already parsed by Jackson (e.g. by the HTTP layer).
   *
   * @param document the document's root; null or missing is refused
   * @return the checked setting
   * @throws RecordingSettingsException with every problem found
   */
  public static RecordingSettings parse(JsonNode document) {
    List<FlowViolation> violations = new ArrayList<>();
    DocumentFields.Sink sink = (p, m) -> violations.add(new FlowViolation(p, m));
    if (document == null || document.isMissingNode() || document.isNull() || !document.isObject()) {
      sink.add("", "the recording setting must be a JSON object, e.g. {\"mode\": \"both\", \"consent_prompt\": "
          + "\"recording-notice\"}; got " + DocumentFields.describe(document));
      throw new RecordingSettingsException(violations);
    }
    DocumentFields f = new DocumentFields(sink, document, "", "the recording setting",
        List.of("mode", "consent_prompt"));
    RecordingMode mode = f.choice("mode", RecordingMode.class, null);
    String prompt = null;
    JsonNode pr = f.get("consent_prompt");
    if (pr == null) {
      if (mode != null && mode.records()) {
        sink.add(f.at("consent_prompt"), "is required while recording is on: the name of the prompt the caller "
            + "hears before the bridge, e.g. \"recording-notice\"");
      }
    } else if (!pr.isTextual() || !NAME.matcher(pr.asText()).matches()) {
      sink.add(f.at("consent_prompt"), "must be a prompt name of 1-64 characters of A-Z a-z 0-9 _ . -; got "
          + DocumentFields.describe(pr));
    } else {
      prompt = pr.asText();
    }
    if (!violations.isEmpty()) {
      throw new RecordingSettingsException(violations);
    }
    return new RecordingSettings(mode, prompt);
  }
}
