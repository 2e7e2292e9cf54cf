package io.hankyo.api.calllog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/** A strict RFC 4180 reader for tests: fails the test on anything RFC 4180 does not allow. */
public final class Rfc4180 {
  private Rfc4180() {}

  /** Reads one record: {@code line} must be exactly one record ending in CRLF. */
  public static List<String> parseRecord(String line) {
    List<List<String>> records = parse(line);
    assertEquals(1, records.size(), "exactly one record expected: " + line);
    return records.get(0);
  }

  /** Reads a whole document of CRLF-terminated records (quoted fields may contain CR, LF, commas, quotes). */
  public static List<List<String>> parse(String doc) {
    List<List<String>> records = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    int i = 0;
    while (i < doc.length()) {
      if (doc.charAt(i) == '"') {
        i++;
        while (true) {
          assertTrue(i < doc.length(), "unterminated quoted field");
          char c = doc.charAt(i++);
          if (c == '"') {
            if (i < doc.length() && doc.charAt(i) == '"') {
              field.append('"');
              i++;
            } else {
              break;
            }
          } else {
            field.append(c);
          }
        }
      } else {
        while (i < doc.length() && doc.charAt(i) != ',' && doc.charAt(i) != '\r') {
          char c = doc.charAt(i++);
          assertTrue(c != '"' && c != '\n', "unquoted field with a special character at " + i + ": " + doc);
          field.append(c);
        }
      }
      fields.add(field.toString());
      field.setLength(0);
      assertTrue(i < doc.length(), "record must end with CRLF: " + doc);
      if (doc.charAt(i) == ',') {
        i++;
        continue;
      }
      assertEquals("\r\n", doc.substring(i, Math.min(i + 2, doc.length())), "record must end with CRLF at " + i);
      i += 2;
      records.add(fields);
      fields = new ArrayList<>();
    }
    return records;
  }
}
