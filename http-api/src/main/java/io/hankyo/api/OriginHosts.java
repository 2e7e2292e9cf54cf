package io.hankyo.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The host of a web origin in the one form a browser serialises it (RFC 6454 section 6.2; the WHATWG URL standard's
 * host parser and serialiser, which browsers follow), so that an {@code allowed_origins} element and an {@code Origin}
 * header compare as strings ({@link PoolApi#origin}). Pure text: nothing is resolved (no DNS, no {@link
 * java.net.InetAddress}).
 *
 * <ul>
 *   <li>An IPv6 literal ({@link #ipv6}, without its brackets): RFC 4291 section 2.2 text, at most one {@code ::},
 *       groups of 1-4 hex digits, optionally ending in a dotted IPv4 part; written in the RFC 5952 section 4 canonical
 *       form: lower case, no leading zeros, the longest run of two or more zero groups (the first of equal runs) as
 *       {@code ::}. An embedded IPv4 part is written as two hex groups ({@code ::ffff:1.2.3.4} → {@code ::ffff:102:304}),
 *       as browsers do, not in the mixed form RFC 5952 section 5 recommends, which no {@code Origin} header carries.
 *   <li>A host whose last label is a number ({@link #isNumericHost}: digits, or {@code 0x} hex) is an IPv4 address to a
 *       browser; only the canonical dotted quad is accepted ({@link #ipv4}: four decimal parts 0-255 without leading
 *       zeros). {@code 999.1.1.1} is no address, and {@code 127.1} or {@code 010.0.0.1} are serialised by a browser as
 *       another text ({@code 127.0.0.1}, {@code 8.0.0.1}): none of them can ever equal an {@code Origin} header.
 * </ul>
 */
final class OriginHosts {
  private OriginHosts() {}

  /**
   * {@code text} (an IPv6 address without brackets, any case) in the canonical form of RFC 5952 section 4, or null when
   * it is not one (a zone id, {@code %…}, is not accepted: no origin has one).
   */
  static String ipv6(String text) {
    int[] groups = ipv6Groups(text.toLowerCase(Locale.ROOT));
    return groups == null ? null : canonical(groups);
  }

  /** Whether host (DNS-label characters, lower case) ends in a number, so that a browser parses it as IPv4. */
  static boolean isNumericHost(String host) {
    String last = host.substring(host.lastIndexOf('.') + 1);
    return last.matches("[0-9]+|0x[0-9a-f]*");
  }

  /** Whether {@code host} is a canonical dotted quad: four decimal parts 0-255, each without a leading zero. */
  static boolean ipv4(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (!p.matches("0|[1-9][0-9]{0,2}") || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** The eight 16-bit groups of an IPv6 text (lower case), or null. */
  private static int[] ipv6Groups(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return null;
    }
    List<Integer> head = gap < 0 ? pieces(s, true) : gap == 0 ? List.of() : pieces(s.substring(0, gap), false);
    List<Integer> tail = gap < 0 ? List.of() : gap + 2 == s.length() ? List.of() : pieces(s.substring(gap + 2), true);
    if (head == null || tail == null) {
      return null;
    }
    int count = head.size() + tail.size();
    if (gap < 0 ? count != 8 : count > 7) {
      return null;
    }
    int[] groups = new int[8];
    for (int i = 0; i < head.size(); i++) {
      groups[i] = head.get(i);
    }
    for (int i = 0; i < tail.size(); i++) {
      groups[8 - tail.size() + i] = tail.get(i);
    }
    return groups;
  }

  /**
   * The groups of a colon-separated part without {@code ::}; the last element may be a dotted IPv4 address (two groups)
   * when {@code last} (the part ends the address). Null when malformed (an empty group included).
   */
  private static List<Integer> pieces(String part, boolean last) {
    String[] texts = part.split(":", -1);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      String t = texts[i];
      if (last && i == texts.length - 1 && t.indexOf('.') >= 0) {
        if (!ipv4(t)) {
          return null;
        }
        String[] q = t.split("\\.");
        out.add(Integer.parseInt(q[0]) << 8 | Integer.parseInt(q[1]));
        out.add(Integer.parseInt(q[2]) << 8 | Integer.parseInt(q[3]));
      } else if (t.matches("[0-9a-f]{1,4}")) {
        out.add(Integer.parseInt(t, 16));
      } else {
        return null;
      }
    }
    return out;
  }

  /** RFC 5952 section 4: hex without leading zeros, the longest run (≥ 2, first of equal ones) of zeros as {@code ::}. */
  private static String canonical(int[] groups) {
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
