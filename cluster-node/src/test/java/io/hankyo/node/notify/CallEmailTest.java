package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.calllog.CallLogRecord;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.calllog.DialStatus;
import io.hankyo.protocol.calllog.HangupParty;
import io.hankyo.protocol.number.PhoneNumbers;
import io.hankyo.protocol.privacy.EncryptedValue;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallEmailTest {
  /** 2017/11/10 09:21:55 JST. */
  static final Instant ARRIVED = Instant.parse("2017-11-10T00:21:55Z");

  /** A missed call to 0120-111-222 (ショップ本店) from 03-1234-5678: forwarded to 090-9999-8888, nobody answered. */
  static CallLogRecord missedCall() {
    return new CallLogRecord("op1", 7, "0123456789abcdef01234567", PhoneNumbers.parse("0120-111-222"),
        "acme", "株式会社アクメ", "din-1", "ショップ本店", PhoneNumbers.parse("090-9999-8888"),
        new EncryptedValue("k", "AAAA"), DeviceType.FIXED, DeviceType.MOBILE,
        ARRIVED, null, ARRIVED.plusSeconds(31), 30, 0, 31,
        DialStatus.INCOMPLETE, HangupParty.CALLER, Map.of(), false, false, 0, "NO_ANSWER", 487);
  }

  /** An answered call of 232 s, judged valid, withheld caller, no number name. */
  static CallLogRecord answeredCall() {
    return new CallLogRecord("op1", 8, "fedcba9876543210fedcba98", PhoneNumbers.parse("050-1234-5678"),
        "acme", "株式会社アクメ", "din-2", null, PhoneNumbers.parse("03-9876-5432"),
        null, DeviceType.WITHHELD, DeviceType.FIXED,
        ARRIVED, ARRIVED.plusSeconds(8), ARRIVED.plusSeconds(240), 8, 232, 240,
        DialStatus.NORMAL, HangupParty.CALLEE, Map.of("valid_res", "有効"), false, false, 39, "NORMAL_CLEARING", 0);
  }

  @Test
  void missedCallSubjectAndBodyAreTheExactJapaneseText() {
    CallEmail email = CallEmail.compose(missedCall(), "+81312345678", "Google 広告「渋谷 カフェ」",
        PhoneNumbers.parse("050-3333-4444"), CallEmail.Kind.MISSED_CALL);

    assertEquals("【不在着信】0120-111-222 (ショップ本店) 03-1234-5678 から", email.subject());
    assertEquals("""
        ショップ本店 (0120-111-222) に不在着信がありました。

        着信日時: 2017/11/10 09:21:55
        トラッキング番号: 0120-111-222
        番号名: ショップ本店
        広告主: 株式会社アクメ
        発信者番号: 03-1234-5678
        転送先: 090-9999-8888
        状況: 不完了呼
        最終切断者: 発信者
        通話時間: 0分0秒 (0秒)
        処理ID: 0123456789abcdef01234567
        流入元: Google 広告「渋谷 カフェ」
        折返し番号: 050-3333-4444

        --\s
        このメールは Hankyo から自動送信されています。返信されても届きません。
        """, email.body());
    assertEquals("0123456789abcdef01234567.missed", email.messageIdLocalPart());
    assertEquals("<0123456789abcdef01234567.missed@example.jp>", email.messageId("example.jp"));
  }

  @Test
  void withheldCallerWithoutSourceOrCallbackOrNameLeavesThoseLinesOut() {
    CallEmail email = CallEmail.compose(answeredCall(), null, null, null, CallEmail.Kind.VALID_CALL);

    assertEquals("【有効着信】050-1234-5678 非通知 から", email.subject());
    assertEquals("""
        050-1234-5678 に有効な着信がありました。

        着信日時: 2017/11/10 09:21:55
        トラッキング番号: 050-1234-5678
        広告主: 株式会社アクメ
        発信者番号: 非通知
        転送先: 03-9876-5432
        状況: 正常通話
        最終切断者: 着信者
        通話時間: 3分52秒 (232秒)
        有効判定: 有効
        処理ID: fedcba9876543210fedcba98

        --\s
        このメールは Hankyo から自動送信されています。返信されても届きません。
        """, email.body());
    assertFalse(email.body().contains("番号名"));
    assertFalse(email.body().contains("流入元"));
    assertFalse(email.body().contains("折返し番号"));
  }

  @Test
  void everyCallKindAndTheSameCallGiveDistinctButStableMessageIds() {
    CallEmail every = CallEmail.compose(missedCall(), "+81312345678", null, null, CallEmail.Kind.EVERY_CALL);
    CallEmail missed = CallEmail.compose(missedCall(), "+81312345678", null, null, CallEmail.Kind.MISSED_CALL);
    CallEmail missedAgain = CallEmail.compose(missedCall(), "+81312345678", null, null, CallEmail.Kind.MISSED_CALL);

    assertEquals("【着信】0120-111-222 (ショップ本店) 03-1234-5678 から", every.subject());
    assertTrue(every.body().startsWith("ショップ本店 (0120-111-222) に着信がありました。\n"));
    assertEquals("0123456789abcdef01234567.call", every.messageIdLocalPart());
    assertEquals(missed.messageIdLocalPart(), missedAgain.messageIdLocalPart());
    assertEquals(missed, missedAgain);
  }

  @Test
  void timesAreShownInTheGivenZone() {
    CallEmail utc = CallEmail.compose(missedCall(), null, null, null, CallEmail.Kind.MISSED_CALL, ZoneOffset.UTC);
    assertTrue(utc.body().contains("着信日時: 2017/11/10 00:21:55\n"), utc.body());
  }

  @Test
  void durationsFollowTheReferenceScreen() {
    assertEquals("3分52秒 (232秒)", CallEmail.duration(232));
    assertEquals("0分59秒 (59秒)", CallEmail.duration(59));
    assertEquals("62分3秒 (3723秒)", CallEmail.duration(3723));
    assertEquals("0分0秒 (0秒)", CallEmail.duration(-1));
  }

  @Test
  void callersThatAreNotNumbersAreShownAsReceivedOnOneLine() {
    assertEquals("03-1234-5678", CallEmail.displayCaller("+81312345678"));
    assertEquals("090-1111-2222", CallEmail.displayCaller("+819011112222"));
    assertEquals("+1 202-555-0143", CallEmail.displayCaller("+12025550143"));
    assertEquals("anonymous", CallEmail.displayCaller("anonymous"));
    assertEquals(CallEmail.WITHHELD, CallEmail.displayCaller(""));
    assertEquals("evil  Bcc: x@example.jp", CallEmail.displayCaller("evil\r\nBcc: x@example.jp"));
  }

  @Test
  void controlCharactersInNamesCannotAddLinesOrHeaders() {
    CallLogRecord c = missedCall();
    CallLogRecord evil = new CallLogRecord(c.operatorId(), c.seqNum(), c.trnId(), c.din(), c.clientId(),
        "アクメ\n処理ID: forged", c.dialinId(), "店\r\nBcc: x@example.jp", c.forwardTo(), c.caller(),
        c.callerType(), c.forwardType(), c.arrivedAt(), c.answeredAt(), c.endedAt(), c.callingSec(), c.talkingSec(),
        c.connSec(), c.dialStatus(), c.hangupParty(), c.logvars(), false, false, 0, null, 0);
    CallEmail email = CallEmail.compose(evil, "+81312345678", "a\tb\nc", null, CallEmail.Kind.MISSED_CALL);

    assertEquals("【不在着信】0120-111-222 (店  Bcc: x@example.jp) 03-1234-5678 から", email.subject());
    assertTrue(email.body().contains("\n広告主: アクメ 処理ID: forged\n"), email.body());
    assertTrue(email.body().contains("\n流入元: a b c\n"), email.body());
    assertEquals(1, email.body().split("\n処理ID: ", -1).length - 1, email.body());
  }
}
