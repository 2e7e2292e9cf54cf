package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import org.junit.jupiter.api.Test;

class CallerSmsRuleTest {
  private static final CallerSmsRule.Settings ON = new CallerSmsRule.Settings(true, "クーポン: https://example.jp/c/1");

  private static CallerSmsRule.Reason skipped(PhoneNumber caller, DeviceType type, CallerSmsRule.Settings s) {
    return assertInstanceOf(CallerSmsRule.Skip.class, CallerSmsRule.decide(caller, type, s)).reason();
  }

  @Test
  void mobileCallersOn070080090GetTheSms() {
    for (String n : new String[] {"070-1234-5678", "080-1234-5678", "090-1234-5678"}) {
      PhoneNumber caller = PhoneNumbers.parse(n);
      CallerSmsRule.Send send =
          assertInstanceOf(CallerSmsRule.Send.class, CallerSmsRule.decide(caller, DeviceType.MOBILE, ON), n);
      assertEquals(caller, send.to());
      assertEquals(ON.template(), send.template());
    }
  }

  @Test
  void landlinesIpPhonesFreeCallAndForeignNumbersGetNone() {
    assertEquals(CallerSmsRule.Reason.NOT_MOBILE,
        skipped(PhoneNumbers.parse("03-1234-5678"), DeviceType.FIXED, ON));
    assertEquals(CallerSmsRule.Reason.NOT_MOBILE,
        skipped(PhoneNumbers.parse("050-1234-5678"), DeviceType.IP_PHONE, ON));
    assertEquals(CallerSmsRule.Reason.NOT_MOBILE,
        skipped(PhoneNumbers.parse("0120-111-222"), DeviceType.FREE_CALL, ON));
    PhoneNumber foreignMobile = PhoneNumbers.parse("+447911123456");
    assertEquals(CallerSmsRule.Reason.NOT_MOBILE, skipped(foreignMobile, DeviceType.MOBILE, ON));
    assertFalse(CallerSmsRule.isJapaneseMobile(foreignMobile));
    // A mobile number whose call was classified otherwise (the device type decides too).
    assertEquals(CallerSmsRule.Reason.NOT_MOBILE,
        skipped(PhoneNumbers.parse("090-1234-5678"), DeviceType.UNKNOWN, ON));
  }

  @Test
  void withheldPayphoneAndNonNumbersGetNone() {
    assertEquals(CallerSmsRule.Reason.WITHHELD, skipped(null, DeviceType.WITHHELD, ON));
    assertEquals(CallerSmsRule.Reason.PAYPHONE, skipped(null, DeviceType.PAYPHONE, ON));
    assertEquals(CallerSmsRule.Reason.PAYPHONE,
        skipped(PhoneNumbers.parse("090-1234-5678"), DeviceType.PAYPHONE, ON));
    assertEquals(CallerSmsRule.Reason.NOT_A_NUMBER, skipped(null, DeviceType.UNKNOWN, ON));
    assertEquals(CallerSmsRule.Reason.NOT_A_NUMBER, skipped(null, null, ON));
  }

  @Test
  void disabledOrBadTemplateSendsNothing() {
    PhoneNumber mobile = PhoneNumbers.parse("090-1234-5678");
    assertEquals(CallerSmsRule.Reason.DISABLED, skipped(mobile, DeviceType.MOBILE, CallerSmsRule.Settings.off()));
    assertEquals(CallerSmsRule.Reason.DISABLED,
        skipped(mobile, DeviceType.MOBILE, new CallerSmsRule.Settings(false, "text")));
    CallerSmsRule.Skip bad = assertInstanceOf(CallerSmsRule.Skip.class,
        CallerSmsRule.decide(mobile, DeviceType.MOBILE, new CallerSmsRule.Settings(true, "{coupon}")));
    assertEquals(CallerSmsRule.Reason.BAD_TEMPLATE, bad.reason());
    assertTrue(bad.detail().contains("{coupon}"), bad.detail());
    assertEquals(CallerSmsRule.Reason.BAD_TEMPLATE,
        skipped(mobile, DeviceType.MOBILE, new CallerSmsRule.Settings(true, null)));
  }
}
