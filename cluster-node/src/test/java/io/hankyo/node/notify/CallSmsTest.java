package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.number.PhoneNumbers;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallSmsTest {
  @Test
  void missedCallSmsFitsOneSmsWithTimeNameCallerAndCallbackNumber() {
    CallSms sms = CallSms.missedCall(CallEmailTest.missedCall(), "+81312345678",
        PhoneNumbers.parse("050-3333-4444"), false, CallEmail.JAPAN);
    assertEquals("【不在着信】11/10 09:21 ショップ本店 発信者:03-1234-5678 折返し:050-3333-4444", sms.text());
    assertTrue(sms.text().length() <= SmsText.SINGLE_UNITS, "one SMS");
    assertEquals(CallSms.Kind.MISSED_CALL, sms.kind());
    assertEquals("0123456789abcdef01234567:sms-missed", sms.key());
  }

  @Test
  void missedCallSmsOfAWithheldCallerToANumberWithoutNameAndAnEmptyCallbackPool() {
    CallSms sms = CallSms.missedCall(CallEmailTest.answeredCall(), null, null, true, CallEmail.JAPAN);
    assertEquals("【不在着信】11/10 09:21 050-1234-5678 発信者:非通知 折返し番号なし", sms.text());
    CallSms off = CallSms.missedCall(CallEmailTest.answeredCall(), "", null, false, CallEmail.JAPAN);
    assertEquals("【不在着信】11/10 09:21 050-1234-5678 発信者:非通知", off.text());
  }

  @Test
  void followUpFillsEveryPlaceholder() {
    CallSms sms = CallSms.callerFollowUp(CallEmailTest.missedCall(),
        "{advertiser} {number_name}({tracking_number})へ{date} {time}にお電話ありがとうございます。\n"
            + "クーポン: https://example.jp/c/{x-y} {unknown-form}", CallEmail.JAPAN);
    assertEquals("株式会社アクメ ショップ本店(0120-111-222)へ2017/11/10 09:21にお電話ありがとうございます。\n"
        + "クーポン: https://example.jp/c/{x-y} {unknown-form}", sms.text());
    assertEquals(CallSms.Kind.CALLER_FOLLOW_UP, sms.kind());
    assertEquals("0123456789abcdef01234567:sms-caller", sms.key());
  }

  @Test
  void followUpWithoutNumberNameUsesTheTrackingNumber() {
    assertEquals("050-1234-5678 ありがとうございました",
        CallSms.callerFollowUp(CallEmailTest.answeredCall(), "{number_name} ありがとうございました", CallEmail.JAPAN)
            .text());
  }

  @Test
  void templateProblemsAreListed() {
    assertEquals(List.of(), CallSms.templateProblems("クーポン {date}"));
    assertEquals(List.of("the SMS text must not be empty"), CallSms.templateProblems("  "));
    assertEquals(List.of("the SMS text must not be empty"), CallSms.templateProblems(null));
    List<String> p = CallSms.templateProblems("{coupon} {name}\t");
    assertEquals(3, p.size(), p::toString);
    assertTrue(p.get(0).startsWith("unknown placeholder {coupon}; known: [{advertiser}, {date}"), p.get(0));
    assertTrue(p.get(2).contains("control characters"), p.get(2));
    assertThrows(IllegalArgumentException.class,
        () -> CallSms.callerFollowUp(CallEmailTest.missedCall(), "{coupon}", CallEmail.JAPAN));
  }
}
