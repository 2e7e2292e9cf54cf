package io.hankyo.protocol.flow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Reads a {@link LocalDate} from its ISO text ({@code "2026-12-31"}) whatever modules the ObjectMapper has, so that the
 * dates of a stored call flow read back the same in the journal (Pekko's mapper) and in plain mappers (tests, API).
 * Written with {@code ToStringSerializer}, the same text.
 */
final class IsoDateDeserializer extends StdScalarDeserializer<LocalDate> {
  IsoDateDeserializer() {
    super(LocalDate.class);
  }

  @Override
  public LocalDate deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    String text = p.getValueAsString();
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException | NullPointerException e) {
      return (LocalDate) ctxt.handleWeirdStringValue(LocalDate.class, text, "not an ISO date (yyyy-MM-dd)");
    }
  }
}
