package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.NumberingPlanIndicator;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.bean.TypeOfNumber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SmsSender} against a real SMPP 3.4 server in the test JVM ({@link TestSmsc}, jSMPP's server side). */
class SmsSenderTest {
  private static final PhoneNumber MOBILE = PhoneNumbers.parse("090-1234-5678");

  private TestSmsc smsc;
  private SmsSender sender;

  @BeforeEach
  void start() throws IOException {
    smsc = new TestSmsc("hankyo", "secret");
    sender = new SmsSender(settings(smsc.port()));
  }

  @AfterEach
  void stop() throws IOException {
    sender.close();
    smsc.close();
  }

  private static SmppSettings settings(int port) {
    return SmppSettings.disabled().withServer("127.0.0.1", port, "hankyo", "secret")
        .withSource("0312345678", TypeOfNumber.NATIONAL, NumberingPlanIndicator.ISDN)
        .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5));
  }

  private static String decode(SubmitSm sm) {
    byte[] b = sm.getShortMessage();
    int offset = (sm.getEsmClass() & 0x40) != 0 ? (b[0] & 0xFF) + 1 : 0;
    return new String(b, offset, b.length - offset, StandardCharsets.UTF_16BE);
  }

  @Test
  void aShortJapaneseSmsArrivesIntactAsOneUcs2Message() {
    String text = "【不在着信】11/10 09:21 ショップ本店 03-1234-5678 から 😀";
    SmsSendResult r = sender.send(MOBILE, text);
    SmsSendResult.Sent sent = assertInstanceOf(SmsSendResult.Sent.class, r, r::describe);
    assertEquals(List.of("m1"), sent.messageIds());
    assertFalse(sent.truncated());
    assertEquals(1, smsc.submits.size());
    SubmitSm sm = smsc.submits.get(0);
    assertEquals(text, decode(sm));
    assertEquals(0x08, sm.getDataCoding());
    assertEquals(0, sm.getEsmClass(), "no UDHI for a single SMS");
    assertEquals(0, sm.getRegisteredDelivery(), "no delivery receipt");
    assertEquals("819012345678", sm.getDestAddress());
    assertEquals(TypeOfNumber.INTERNATIONAL.value(), sm.getDestAddrTon());
    assertEquals(NumberingPlanIndicator.ISDN.value(), sm.getDestAddrNpi());
    assertEquals("0312345678", sm.getSourceAddr());
    assertEquals(TypeOfNumber.NATIONAL.value(), sm.getSourceAddrTon());
    assertEquals(List.of("hankyo"), smsc.binds);
  }

  @Test
  void a150CharacterTextArrivesAsThreePartsOfOneConcatenatedSms() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 150; i++) {
      b.append((char) ('ア' + i % 80));
    }
    String text = b.toString();
    SmsSendResult r = sender.send(MOBILE, text);
    SmsSendResult.Sent sent = assertInstanceOf(SmsSendResult.Sent.class, r, r::describe);
    assertEquals(3, sent.messageIds().size());
    assertEquals(3, smsc.submits.size());
    int reference = smsc.submits.get(0).getShortMessage()[3] & 0xFF;
    StringBuilder reassembled = new StringBuilder();
    for (int i = 0; i < 3; i++) {
      SubmitSm sm = smsc.submits.get(i);
      byte[] m = sm.getShortMessage();
      assertEquals(0x40, sm.getEsmClass() & 0x40, "UDHI set");
      assertEquals(0x08, sm.getDataCoding());
      assertEquals(5, m[0], "UDH length");
      assertEquals(0x00, m[1], "IEI: concatenation, 8-bit reference");
      assertEquals(3, m[2]);
      assertEquals(reference, m[3] & 0xFF, "the same reference in every part");
      assertEquals(3, m[4], "total parts");
      assertEquals(i + 1, m[5], "sequence number");
      assertTrue(m.length <= 140, "at most 140 octets");
      reassembled.append(decode(sm));
    }
    assertEquals(text, reassembled.toString());

    // The next message gets another reference.
    sender.send(MOBILE, text);
    assertEquals((reference + 1) & 0xFF, smsc.submits.get(3).getShortMessage()[3] & 0xFF);
  }

  @Test
  void aThrottledSubmitIsRetryable() {
    smsc.answer = sm -> SMPPConstant.STAT_ESME_RTHROTTLED;
    SmsSendResult r = sender.send(MOBILE, "テスト");
    SmsSendResult.Retryable t = assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
    assertEquals(0x58, t.commandStatus());
    assertTrue(t.reason().contains("ESME_RTHROTTLED"), t.reason());
    smsc.answer = sm -> 0;
    assertInstanceOf(SmsSendResult.Sent.class, sender.send(MOBILE, "テスト"), "the same session goes on");
    assertEquals(1, sender.binds());
  }

  @Test
  void anInvalidDestinationIsPermanent() {
    smsc.answer = sm -> SMPPConstant.STAT_ESME_RINVDSTADR;
    SmsSendResult r = sender.send(MOBILE, "テスト");
    SmsSendResult.Permanent p = assertInstanceOf(SmsSendResult.Permanent.class, r, r::describe);
    assertEquals(0x0b, p.commandStatus());
    assertTrue(p.reason().contains("ESME_RINVDSTADR"), p.reason());
  }

  @Test
  void aRefusedSecondPartNamesThePartsAlreadyAccepted() {
    smsc.answer = sm -> smsc.submits.size() == 2 ? SMPPConstant.STAT_ESME_RMSGQFUL : 0;
    SmsSendResult r = sender.send(MOBILE, "あ".repeat(100));
    SmsSendResult.Retryable t = assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
    assertTrue(t.reason().startsWith("part 2 of 2 (parts [m1] were accepted)"), t.reason());
  }

  @Test
  void smscDownIsRetryable() throws IOException {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (SmsSender down = new SmsSender(settings(closedPort))) {
      SmsSendResult r = down.send(MOBILE, "テスト");
      SmsSendResult.Retryable t = assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
      assertEquals(0, t.commandStatus());
      assertTrue(t.reason().contains("127.0.0.1:" + closedPort), t.reason());
    }
  }

  @Test
  void anSmscThatNeverAnswersTheBindIsRetryableAfterTheBindTimeout() throws IOException {
    // A listening socket that nobody accepts from: TCP connects (backlog), the bind is never answered.
    try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        SmsSender s = new SmsSender(settings(silent.getLocalPort())
            .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(30), Duration.ofSeconds(5)))) {
      SmsSendResult r = s.send(MOBILE, "テスト");
      SmsSendResult.Retryable t = assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
      assertTrue(t.reason().contains("no bind response"), t.reason());
      assertEquals(0, s.binds());
    }
  }

  @Test
  void aRefusedBindIsRetryableAndNamesTheStatus() {
    try (SmsSender wrong = new SmsSender(settings(smsc.port()).withServer("127.0.0.1", smsc.port(), "hankyo", "bad"))) {
      SmsSendResult r = wrong.send(MOBILE, "テスト");
      SmsSendResult.Retryable t = assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
      assertTrue(t.reason().contains("refused: ESME_RINVPASWD"), t.reason());
      assertEquals(SMPPConstant.STAT_ESME_RINVPASWD, t.commandStatus());
    }
  }

  @Test
  void theSenderBindsAgainAfterTheSmscClosedTheSession() {
    assertInstanceOf(SmsSendResult.Sent.class, sender.send(MOBILE, "一通目"));
    assertEquals(1, sender.binds());
    smsc.closeSessions();
    waitUntil(() -> !sender.sessionState().isBound(), "the sender noticed the closed session");
    SmsSendResult r = sender.send(MOBILE, "二通目");
    assertInstanceOf(SmsSendResult.Sent.class, r, r::describe);
    assertEquals(2, sender.binds());
    assertEquals(2, smsc.binds.size());
    assertEquals("二通目", decode(smsc.submits.get(1)));
  }

  @Test
  void theSenderBindsAgainAfterTheSmscUnbound() {
    assertInstanceOf(SmsSendResult.Sent.class, sender.send(MOBILE, "一通目"));
    smsc.unbindSessions();
    waitUntil(() -> !sender.sessionState().isBound(), "the sender answered the unbind");
    SmsSendResult r = sender.send(MOBILE, "二通目");
    assertInstanceOf(SmsSendResult.Sent.class, r, r::describe);
    assertEquals(2, sender.binds());
  }

  @Test
  void anSmscThatNoLongerSeesTheSessionBoundGetsAFreshBindNextTime() {
    smsc.answer = sm -> smsc.submits.size() == 1 ? SMPPConstant.STAT_ESME_RINVBNDSTS : 0;
    SmsSendResult r = sender.send(MOBILE, "一通目");
    assertInstanceOf(SmsSendResult.Retryable.class, r, r::describe);
    assertInstanceOf(SmsSendResult.Sent.class, sender.send(MOBILE, "一通目"));
    assertEquals(2, sender.binds());
  }

  @Test
  void statusClassification() {
    assertInstanceOf(SmsSendResult.Retryable.class, SmsSender.classify(SMPPConstant.STAT_ESME_RMSGQFUL));
    assertInstanceOf(SmsSendResult.Retryable.class, SmsSender.classify(SMPPConstant.STAT_ESME_RSYSERR));
    assertInstanceOf(SmsSendResult.Retryable.class, SmsSender.classify(0x400));
    assertInstanceOf(SmsSendResult.Permanent.class, SmsSender.classify(SMPPConstant.STAT_ESME_RINVDSTTON));
    assertInstanceOf(SmsSendResult.Permanent.class, SmsSender.classify(SMPPConstant.STAT_ESME_RX_P_APPN));
    assertEquals("ESME_RTHROTTLED (0x58)", SmsSender.statusName(0x58));
    assertEquals("0x4d2", SmsSender.statusName(1234));
  }

  @Test
  void disabledSettingsAreRefusedAndAClosedSenderSendsNothing() {
    assertThrows(IllegalArgumentException.class, () -> new SmsSender(SmppSettings.disabled()));
    sender.close();
    assertInstanceOf(SmsSendResult.Retryable.class, sender.send(MOBILE, "テスト"));
    assertEquals(0, smsc.submits.size());
  }

  private static void waitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
