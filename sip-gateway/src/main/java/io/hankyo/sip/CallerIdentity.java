package io.hankyo.sip;

import io.hankyo.protocol.call.CallerInfo;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.InvalidPhoneNumberException;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.ExtensionHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderAddress;
import javax.sip.message.Request;

/**
 * Who is calling, as far as the INVITE tells (package-private; only {@link CallerInfo} leaves the module).
 *
 * <ul>
 *   <li>Withheld (非通知): the From is anonymous (user {@code anonymous}, host {@code anonymous.invalid} or display
 *       name {@code Anonymous}, RFC 3323 section 4.1.1.3), or a {@code Privacy} header (name and values
 *       case-insensitive) contains {@code id} (RFC 3325 section 9.3) or {@code user} (RFC 3323 section 4.2).
 *   <li>Payphone: the From or P-Asserted-Identity URI carries {@code cpc=payphone} (RFC 4694-style calling party's
 *       category, in a tel URI, a sip user part or a sip URI parameter).
 *   <li>The From number: user part of a sip URI or the number of a tel URI, parsed with
 *       {@link PhoneNumbers#fromUriUser}; not a number → type UNKNOWN.
 *   <li>P-Asserted-Identity (RFC 3325): the first value that is a number; kept encrypted even when withheld.
 * </ul>
 *
 * @param fromNumber the From number; empty when withheld, anonymous or not a number
 * @param unreadableFrom the From user part as received when it is not a number (and not withheld); kept encrypted so
 *     that the call log shows what the carrier sent, with {@code clr_type} 不明
 * @param assertedNumber the P-Asserted-Identity number, when present
 * @param withheld the caller withheld the number
 * @param payphone the call comes from a payphone
 */
record CallerIdentity(
    Optional<PhoneNumber> fromNumber,
    Optional<PhoneNumber> assertedNumber,
    boolean withheld,
    boolean payphone,
    Optional<String> unreadableFrom) {

  /** Longest unreadable From user part kept, in characters (control characters are dropped first). */
  static final int MAX_UNREADABLE_LENGTH = 64;

  private static final Pattern PAYPHONE = Pattern.compile("(?i)[;?&]cpc=payphone(?![a-z0-9])");
  private static final Pattern PRIVACY_SPLIT = Pattern.compile("[;,\\s]+");

  /** Reads the caller from an INVITE. Never throws for odd input: what cannot be read is left empty. */
  static CallerIdentity of(Request invite, AddressFactory addresses) {
    FromHeader from = (FromHeader) invite.getHeader(FromHeader.NAME);
    Address fromAddress = from == null ? null : from.getAddress();
    URI fromUri = fromAddress == null ? null : fromAddress.getURI();
    boolean withheld = isAnonymous(fromAddress) || privacyHidesIdentity(invite);
    Optional<PhoneNumber> asserted = Optional.empty();
    boolean payphone = fromUri != null && PAYPHONE.matcher(fromUri.toString()).find();
    ListIterator<?> pai = invite.getHeaders("P-Asserted-Identity");
    while (pai.hasNext()) {
      Header h = (Header) pai.next();
      URI uri = uriOf(h, addresses);
      if (uri == null) {
        continue;
      }
      payphone |= PAYPHONE.matcher(uri.toString()).find();
      if (asserted.isEmpty()) {
        asserted = numberOf(uri);
      }
    }
    Optional<PhoneNumber> fromNumber = withheld || fromUri == null ? Optional.empty() : numberOf(fromUri);
    Optional<String> unreadable = withheld || fromUri == null || fromNumber.isPresent()
        ? Optional.empty() : userPartOf(fromUri);
    return new CallerIdentity(fromNumber, asserted, withheld, payphone, unreadable);
  }

  /** {@code clr_type}: WITHHELD, PAYPHONE, the From number's device type, or UNKNOWN. */
  DeviceType type() {
    if (withheld) {
      return DeviceType.WITHHELD;
    }
    if (payphone) {
      return DeviceType.PAYPHONE;
    }
    return fromNumber.map(n -> DeviceType.of(n.kind())).orElse(DeviceType.UNKNOWN);
  }

  /** Encrypts the numbers into the protocol record (E.164 encrypted + keyed hash). */
  CallerInfo encrypt(CallerNumberCipher cipher) {
    EncryptedValue number = fromNumber.map(n -> cipher.encrypt(n.e164())).orElse(null);
    String numberHash = fromNumber.map(n -> cipher.keyedHash(n.e164())).orElse(null);
    EncryptedValue pai = assertedNumber.map(n -> cipher.encrypt(n.e164())).orElse(null);
    String paiHash = assertedNumber.map(n -> cipher.keyedHash(n.e164())).orElse(null);
    EncryptedValue unreadable = unreadableFrom.map(cipher::encrypt).orElse(null);
    return new CallerInfo(number, numberHash, pai, paiHash, type(), unreadable);
  }

  /**
   * The user part of a From URI that is not a phone number, as the carrier sent it (e.g. {@code 0312} or
   * {@code abc}), so that the call log keeps what was received instead of nothing: control characters dropped, cut
   * to {@link #MAX_UNREADABLE_LENGTH}; empty when there is no user part.
   */
  static Optional<String> userPartOf(URI uri) {
    String user = null;
    if (uri instanceof SipURI) {
      user = ((SipURI) uri).getUser();
    } else if (uri instanceof TelURL) {
      user = ((TelURL) uri).getPhoneNumber();
    }
    if (user == null) {
      return Optional.empty();
    }
    String clean = user.codePoints()
        .filter(c -> !Character.isISOControl(c))
        .limit(MAX_UNREADABLE_LENGTH)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
        .toString()
        .strip();
    return clean.isEmpty() ? Optional.empty() : Optional.of(clean);
  }

  static boolean isAnonymous(Address a) {
    if (a == null) {
      return false;
    }
    String display = a.getDisplayName();
    if (display != null && display.strip().equalsIgnoreCase("anonymous")) {
      return true;
    }
    URI uri = a.getURI();
    if (uri instanceof SipURI) {
      SipURI sip = (SipURI) uri;
      String user = sip.getUser();
      String host = sip.getHost();
      return (user != null && user.equalsIgnoreCase("anonymous"))
          || (host != null && host.equalsIgnoreCase("anonymous.invalid"));
    }
    return false;
  }

  /** True when a Privacy header (RFC 3323 section 4.2) asks for {@code id} or {@code user} privacy. */
  static boolean privacyHidesIdentity(Request request) {
    ListIterator<?> it = request.getHeaders("Privacy");
    while (it.hasNext()) {
      Object h = it.next();
      String value = valueOf(h);
      for (String token : PRIVACY_SPLIT.split(value.toLowerCase(Locale.ROOT))) {
        if (token.equals("id") || token.equals("user")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String valueOf(Object header) {
    if (header instanceof javax.sip.header.ExtensionHeader) {
      return ((ExtensionHeader) header).getValue();
    }
    if (header instanceof gov.nist.javax.sip.header.ims.PrivacyHeader) {
      return ((gov.nist.javax.sip.header.ims.PrivacyHeader) header).getPrivacy();
    }
    String s = header.toString();
    int colon = s.indexOf(':');
    return (colon >= 0 ? s.substring(colon + 1) : s).strip();
  }

  private static URI uriOf(Header h, AddressFactory addresses) {
    if (h instanceof HeaderAddress) {
      Address a = ((HeaderAddress) h).getAddress();
      return a == null ? null : a.getURI();
    }
    try {
      String value = valueOf(h);
      int comma = value.indexOf(',');
      return addresses.createAddress(comma > 0 ? value.substring(0, comma) : value).getURI();
    } catch (Exception e) {
      return null;
    }
  }

  /** The phone number in a sip/sips user part or a tel URI (RFC 3966), if it is one. */
  static Optional<PhoneNumber> numberOf(URI uri) {
    try {
      if (uri instanceof SipURI) {
        String user = ((SipURI) uri).getUser();
        return user == null || user.isBlank() ? Optional.empty() : Optional.of(PhoneNumbers.fromUriUser(user));
      }
      if (uri instanceof TelURL) {
        TelURL tel = (TelURL) uri;
        String digits = tel.getPhoneNumber();
        if (digits == null) {
          return Optional.empty();
        }
        return Optional.of(PhoneNumbers.fromUriUser(tel.isGlobal() && !digits.startsWith("+") ? "+" + digits : digits));
      }
    } catch (InvalidPhoneNumberException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }
}
