package io.hankyo.protocol.flow;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link CallFlow} back as a document in the shape users write ({@link CallFlowParser}), e.g. for {@code GET
 * .../flow}: forward targets as their national number ({@code "to": "03-1111-1111"}) instead of the parsed number of
 * the journal form, defaults written out, absent optional fields left out. {@code CallFlowParser.parse} of the result
 * gives an equal flow up to the {@code raw} text of the numbers.
 */
public final class CallFlowWriter {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CallFlowWriter() {}

  /** The document as a JSON tree. */
  public static ObjectNode toTree(CallFlow flow) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("start", flow.start());
    ObjectNode steps = root.putObject("steps");
    for (Map.Entry<String, FlowStep> e : flow.steps().entrySet()) {
      steps.set(e.getKey(), step(e.getValue()));
    }
    return root;
  }

  /** The document as compact JSON text. */
  public static String toJson(CallFlow flow) {
    return toTree(flow).toString();
  }

  private static ObjectNode step(FlowStep step) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("type", step.typeName());
    if (step instanceof ScheduleStep s) {
      n.put("timezone", s.timezone());
      if (s.holidays() != null) {
        n.put("holidays", s.holidays());
      }
      ObjectNode weekly = n.putObject("weekly");
      for (Map.Entry<String, List<TimeRange>> day : s.weekly().entrySet()) {
        ranges(weekly.putArray(day.getKey()), day.getValue());
      }
      if (!s.exceptions().isEmpty()) {
        ArrayNode exceptions = n.putArray("exceptions");
        for (ScheduleException x : s.exceptions()) {
          ObjectNode xn = exceptions.addObject();
          xn.put("date", x.date().toString());
          if (x.hours() != null) {
            ranges(xn.putArray("hours"), x.hours());
          } else {
            xn.put("closed", x.closed());
          }
        }
      }
      n.put("open", s.open());
      n.put("closed", s.closed());
    } else if (step instanceof AbsenceStep a) {
      n.put("present", a.present());
      n.put("absent", a.absent());
    } else if (step instanceof PlayStep p) {
      n.put("prompt", p.prompt());
      n.put("next", p.next());
    } else if (step instanceof MenuStep m) {
      n.put("prompt", m.prompt());
      ObjectNode digits = n.putObject("digits");
      m.digits().forEach(digits::put);
      n.put("first_digit_timeout_sec", m.firstDigitTimeoutSec());
      n.put("inter_digit_timeout_sec", m.interDigitTimeoutSec());
      n.put("retries", m.retries());
      n.put("invalid", m.invalid());
      n.put("timeout", m.timeout());
      if (m.terminator() != null) {
        n.put("terminator", m.terminator());
      }
      n.put("max_digits", m.maxDigits());
    } else if (step instanceof ForwardStep f) {
      targets(n.putArray("targets"), f.targets());
      if (f.failed() != null) {
        n.put("failed", f.failed());
      }
    } else if (step instanceof QueueStep q) {
      n.put("queue", q.queue());
      n.put("scope", q.scope().jsonName());
      n.put("lines", q.lines());
      n.put("hold_prompt", q.holdPrompt());
      n.put("announce_position", q.announcePosition());
      n.put("max_wait_sec", q.maxWaitSec());
      targets(n.putArray("targets"), q.targets());
      n.put("timeout", q.timeout());
      if (q.failed() != null) {
        n.put("failed", q.failed());
      }
    } else if (step instanceof HangupStep h) {
      if (h.prompt() != null) {
        n.put("prompt", h.prompt());
      }
    }
    return n;
  }

  private static void ranges(ArrayNode array, List<TimeRange> ranges) {
    for (TimeRange r : ranges) {
      array.add(r.text());
    }
  }

  private static void targets(ArrayNode array, List<ForwardTarget> targets) {
    for (ForwardTarget t : targets) {
      ObjectNode tn = array.addObject();
      tn.put("to", t.to().national());
      tn.put("ring_sec", t.ringSec());
    }
  }
}
