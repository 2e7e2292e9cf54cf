package io.hankyo.protocol.flow;

/** Documents shared by the flow tests. */
final class FlowDocuments {
  private FlowDocuments() {}

  /** The example of issue 3, with a few more features (multi-digit keys, terminator, exception hours). */
  static final String EXAMPLE = """
      {"start": "hours",
       "steps": {
         "hours":   {"type": "schedule", "timezone": "Asia/Tokyo", "holidays": "JP",
                     "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "fri": ["09:00-18:00", "22:00-02:00"],
                                "sat": ["10:00-15:00"]},
                     "exceptions": [{"date": "2026-12-31", "closed": true},
                                    {"date": "2026-05-04", "hours": ["10:00-15:00"]},
                                    {"date": "2026-05-05", "closed": false}],
                     "open": "away", "closed": "closed"},
         "away":    {"type": "absence", "present": "notice", "absent": "closed"},
         "notice":  {"type": "play", "prompt": "recording-notice", "next": "menu"},
         "menu":    {"type": "menu", "prompt": "welcome", "digits": {"1": "sales", "2": "support", "12": "sales"},
                     "first_digit_timeout_sec": 5, "retries": 2, "invalid": "menu", "timeout": "sales",
                     "terminator": "#"},
         "sales":   {"type": "forward", "targets": [{"to": "03-1111-1111", "ring_sec": 15},
                                                   {"to": "03-2222-2222"}], "failed": "sorry"},
         "support": {"type": "queue", "queue": "support", "lines": 2, "hold_prompt": "hold", "max_wait_sec": 120,
                     "announce_position": true,
                     "targets": [{"to": "03-3333-3333", "ring_sec": 20}], "timeout": "sorry"},
         "closed":  {"type": "hangup", "prompt": "closed"},
         "sorry":   {"type": "hangup"}}}
      """;
}
