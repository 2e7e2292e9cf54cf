package io.hankyo.sip.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real UDP on 127.0.0.1, ports 16100-16199 for sessions and 16900-16999 for raw peers. */
class MediaSessionTest {
  static final String HOST = "127.0.0.1";

  MediaEngine engine;
  final List<AutoCloseable> toClose = new ArrayList<>();

  /** Collects what a session reports. */
  static final class Recorder implements MediaListener {
    final List<RtpPacket> packets = new CopyOnWriteArrayList<>();
    final StringBuffer digits = new StringBuffer();

    @Override
    public void onDigit(MediaSession session, DtmfDigit digit) {
      digits.append(digit.digit());
    }

    @Override
    public void onPacket(MediaSession session, RtpPacket packet) {
      packets.add(packet);
    }

    List<RtpPacket> withPt(int pt) {
      return packets.stream().filter(p -> p.payloadType() == pt).toList();
    }
  }

  /** A raw RTP endpoint on a fixed port of 16900-16999. */
  static final class Peer implements AutoCloseable {
    final DatagramSocket socket;

    Peer(int port) throws Exception {
      socket = new DatagramSocket(new InetSocketAddress(HOST, port));
      socket.setSoTimeout(2000);
    }

    int port() {
      return socket.getLocalPort();
    }

    void send(RtpPacket p, int toPort) throws Exception {
      byte[] b = p.encode();
      socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(HOST), toPort));
    }

    void sendRaw(byte[] b, int toPort) throws Exception {
      socket.send(new DatagramPacket(b, b.length, InetAddress.getByName(HOST), toPort));
    }

    RtpPacket receive() throws Exception {
      byte[] buf = new byte[2048];
      DatagramPacket d = new DatagramPacket(buf, buf.length);
      socket.receive(d);
      return RtpPacket.decode(buf, 0, d.getLength());
    }

    /** Packets until {@code quietMillis} pass without one. */
    List<RtpPacket> drain(int quietMillis) throws Exception {
      List<RtpPacket> out = new ArrayList<>();
      socket.setSoTimeout(quietMillis);
      try {
        while (true) {
          out.add(receive());
        }
      } catch (SocketTimeoutException done) {
        return out;
      } finally {
        socket.setSoTimeout(2000);
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  @BeforeEach
  void startEngine() throws Exception {
    engine = new MediaEngine(new MediaSettings(HOST, 16100, 16199, 1 << 20, Duration.ofMinutes(1), 1, 65536));
  }

  @AfterEach
  void stopEngine() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    engine.close();
  }

  Peer peer(int port) throws Exception {
    Peer p = new Peer(port);
    toClose.add(p);
    return p;
  }

  static NegotiatedMedia to(int port, Codec codec, int tePt) {
    return new NegotiatedMedia(HOST, port, codec, codec.payloadType(), tePt, 20, MediaDirection.SENDRECV);
  }

  /** A prompt of {@code frames} 20 ms frames, each frame a different constant level so frames can be told apart. */
  static Prompt steps(String name, int frames) {
    short[] s = new short[frames * 160];
    for (int i = 0; i < s.length; i++) {
      s[i] = (short) (1000 * (i / 160 + 1));
    }
    return Prompt.ofSamples(name, s);
  }

  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(5);
    }
  }

  static PlayOutcome outcome(java.util.concurrent.CompletionStage<PlayOutcome> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static void assertContinuous(List<RtpPacket> packets) {
    for (int i = 1; i < packets.size(); i++) {
      assertEquals((packets.get(i - 1).sequenceNumber() + 1) & 0xFFFF, packets.get(i).sequenceNumber(),
          "sequence at " + i);
      assertEquals(packets.get(0).ssrc(), packets.get(i).ssrc(), "ssrc at " + i);
    }
  }

  @Test
  void twoSessionsExchangeAPromptAndDigitsOverUdp() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    MediaSession a = engine.open(ra);
    MediaSession b = engine.open(rb);
    assertEquals(0, a.localPort() % 2);
    a.start(to(b.localPort(), Codec.PCMU, 101));
    b.start(to(a.localPort(), Codec.PCMU, 101));
    Prompt prompt = steps("ten", 10);

    long t0 = System.nanoTime();
    assertEquals(PlayOutcome.FINISHED, outcome(a.play(prompt)));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(tookMs >= 170 && tookMs < 3000, "10 frames paced at 20 ms took " + tookMs + " ms");
    await("10 packets at b", () -> rb.packets.size() >= 10);
    List<RtpPacket> first = List.copyOf(rb.packets);
    assertEquals(10, first.size());
    assertContinuous(first);
    assertEquals(a.ssrc(), first.get(0).ssrc());
    for (int i = 0; i < 10; i++) {
      RtpPacket p = first.get(i);
      assertEquals(i == 0, p.marker(), "marker only on the first packet of the talkspurt, at " + i);
      assertEquals(0, p.payloadType());
      assertEquals((first.get(0).timestamp() + 160L * i) & 0xFFFFFFFFL, p.timestamp(), "timestamp at " + i);
      assertArrayEquals(prompt.frames(Codec.PCMU).get(i), p.payload(), "payload at " + i);
    }

    rb.packets.clear();
    assertEquals(PlayOutcome.FINISHED, outcome(a.sendDtmf('5', 100)));
    await("the digit at b", () -> rb.digits.length() > 0);
    await("8 event packets at b", () -> rb.packets.size() >= 8);
    Thread.sleep(60);
    assertEquals("5", rb.digits.toString());
    List<RtpPacket> dtmf = List.copyOf(rb.packets);
    assertEquals(8, dtmf.size(), "5 updates and 3 end packets");
    assertTrue(dtmf.get(0).marker());
    assertEquals((first.get(9).sequenceNumber() + 1) & 0xFFFF, dtmf.get(0).sequenceNumber());
    assertContinuous(dtmf);
    long eventTs = dtmf.get(0).timestamp();
    assertTrue(((eventTs - first.get(9).timestamp()) & 0xFFFFFFFFL) >= 160);
    for (RtpPacket p : dtmf) {
      assertEquals(101, p.payloadType());
      assertEquals(eventTs, p.timestamp(), "all packets of an event carry its start");
    }
    for (int i = 5; i < 8; i++) {
      TelephoneEvent e = TelephoneEvent.decode(dtmf.get(i).payload());
      assertTrue(e.end());
      assertEquals(800, e.duration());
    }

    rb.packets.clear();
    Thread.sleep(100); // silence between prompts
    assertEquals(PlayOutcome.FINISHED, outcome(a.play(steps("three", 3))));
    await("3 more packets", () -> rb.packets.size() >= 3);
    List<RtpPacket> second = List.copyOf(rb.packets);
    assertTrue(second.get(0).marker(), "a new talkspurt");
    assertEquals((dtmf.get(7).sequenceNumber() + 1) & 0xFFFF, second.get(0).sequenceNumber());
    long gap = (second.get(0).timestamp() - eventTs) & 0xFFFFFFFFL;
    assertEquals(0, gap % 160);
    // 5 updates + 3 end packets (8 frames), 100 ms silence (~5 frames) at least
    assertTrue(gap >= 160 * 12 && gap <= 160 * 40, "timestamp follows the clock: " + gap);

    // and the other way, digits only
    for (char c : "12#".toCharArray()) {
      assertEquals(PlayOutcome.FINISHED, outcome(b.sendDtmf(c, 60)));
    }
    await("3 digits at a", () -> ra.digits.length() >= 3);
    Thread.sleep(60);
    assertEquals("12#", ra.digits.toString());

    assertTrue(a.sendJitter().count() >= 10 + 8 + 3);
    assertTrue(engine.sendJitter().count() >= a.sendJitter().count());
    System.out.println("send jitter of a: " + a.sendJitter() + ", engine: " + engine.sendJitter());
  }

  @Test
  void loopsUntilStoppedAndBargesInOnADigit() throws Exception {
    Recorder ra = new Recorder();
    Recorder rb = new Recorder();
    MediaSession a = engine.open(ra);
    MediaSession b = engine.open(rb);
    a.start(to(b.localPort(), Codec.PCMA, 101));
    b.start(to(a.localPort(), Codec.PCMA, 101));
    var looping = a.play(steps("hold", 3), true, true);
    await("the loop to go round", () -> rb.packets.size() >= 8);
    List<RtpPacket> got = List.copyOf(rb.packets);
    assertContinuous(got);
    assertEquals(1, got.stream().filter(RtpPacket::marker).count(), "one talkspurt across loop rounds");
    assertArrayEquals(got.get(0).payload(), got.get(3).payload(), "frame 0 again after 3 frames");
    assertFalse(looping.toCompletableFuture().isDone());

    b.sendDtmf('9', 40);
    assertEquals(PlayOutcome.BARGED_IN, outcome(looping));
    await("the digit", () -> ra.digits.length() > 0);
    assertEquals("9", ra.digits.toString());
    assertFalse(a.isPlaying());

    var again = a.play(steps("hold", 3), true, false);
    Thread.sleep(100);
    assertTrue(a.stopPlaying());
    assertEquals(PlayOutcome.STOPPED, outcome(again));
    assertFalse(a.stopPlaying());

    var replaced = a.play(steps("long", 50));
    var replacement = a.play(steps("short", 2));
    assertEquals(PlayOutcome.STOPPED, outcome(replaced));
    assertEquals(PlayOutcome.FINISHED, outcome(replacement));

    var closing = a.play(steps("long", 50));
    a.close();
    assertEquals(PlayOutcome.CLOSED, outcome(closing));
    assertEquals(PlayOutcome.CLOSED, outcome(a.play(steps("after", 1))));
  }

  @Test
  void learnsThePeerFromItsPacketsAndSurvivesGarbage() throws Exception {
    Peer p = peer(16900);
    Peer stranger = peer(16902);
    Recorder r = new Recorder();
    MediaSession s = engine.open(r);
    s.start(new NegotiatedMedia("", 4000, Codec.PCMU, 0, 101, -1, MediaDirection.SENDRECV)); // c=0.0.0.0
    assertTrue(s.remote().isEmpty());

    stranger.sendRaw(new byte[] {1, 2, 3}, s.localPort());
    stranger.sendRaw(RtpPacket.of(false, 18, 1, 1, 1, new byte[20]).encode(), s.localPort()); // G.729: not ours
    p.send(RtpPacket.of(true, 0, 7, 800, 42, new byte[160]), s.localPort());
    await("the latch", () -> s.remote().isPresent());
    assertEquals(16900, s.remote().get().getPort());
    assertEquals(2, s.packetsRejected());
    stranger.send(RtpPacket.of(false, 0, 1, 1, 99, new byte[160]), s.localPort());
    await("the stranger's packet", () -> s.packetsReceived() == 4);
    assertEquals(16900, s.remote().get().getPort(), "a stranger does not take over while the peer talks");
    assertEquals(1, r.packets.size());

    assertEquals(PlayOutcome.FINISHED, outcome(s.play(steps("x", 2))));
    RtpPacket got = p.receive();
    assertEquals(s.ssrc(), got.ssrc());
    assertTrue(got.marker());
  }

  @Test
  void theInactivityClockRestartsWithEveryRtpPacketFromThePeer() throws Exception {
    Peer p = peer(16920);
    MediaSession s = engine.open(MediaListener.NONE);
    assertEquals(0, s.millisSinceLastReceived(), "not started: no clock");
    s.start(to(16920, Codec.PCMU, 101));
    Thread.sleep(300);
    assertTrue(s.millisSinceLastReceived() >= 250, "counts from start: " + s.millisSinceLastReceived());
    p.send(RtpPacket.of(true, 0, 1, 160, 42, new byte[160]), s.localPort());
    await("the packet", () -> s.packetsReceived() == 1);
    assertTrue(s.millisSinceLastReceived() < 250, "restarted by the packet: " + s.millisSinceLastReceived());
    Thread.sleep(300);
    p.send(RtpPacket.of(false, 13, 2, 320, 42, new byte[1]), s.localPort()); // comfort noise: not ours, but alive
    await("the CN packet", () -> s.packetsReceived() == 2);
    assertTrue(s.millisSinceLastReceived() < 250, "any RTP proves the peer alive: " + s.millisSinceLastReceived());
    p.sendRaw(new byte[] {1, 2, 3}, s.localPort()); // not RTP
    await("the garbage", () -> s.packetsReceived() == 3);
    Thread.sleep(300);
    assertTrue(s.millisSinceLastReceived() >= 250, "garbage does not count: " + s.millisSinceLastReceived());
    s.close();
  }

  @Test
  void bridgeRelaysBothWaysRewritingStreamsConsistently() throws Exception {
    Peer caller = peer(16910);
    Peer callee = peer(16912);
    Recorder ra = new Recorder();
    MediaSession a = engine.open(ra); // faces the caller, PCMU, events 101
    MediaSession b = engine.open(MediaListener.NONE); // faces the callee, PCMA, events 96
    a.start(to(caller.port(), Codec.PCMU, 101));
    b.start(new NegotiatedMedia(HOST, callee.port(), Codec.PCMA, 8, 96, 20, MediaDirection.SENDRECV));
    // b played a prompt to the callee before the bridge
    assertEquals(PlayOutcome.FINISHED, outcome(b.play(steps("ringback", 2))));
    List<RtpPacket> before = callee.drain(100);
    assertEquals(2, before.size());
    a.bridge(b);
    assertEquals(b, a.bridgedTo().orElseThrow());

    // caller -> callee: seq 100..105 without 103, ts +160, PCMU to PCMA
    byte[] frame = steps("f", 1).frames(Codec.PCMU).get(0);
    for (int i = 0; i < 6; i++) {
      if (i != 3) {
        caller.send(RtpPacket.of(i == 0, 0, 100 + i, 50_000 + 160L * i, 0xCAFE, frame), a.localPort());
      }
    }
    List<RtpPacket> out = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      out.add(callee.receive());
    }
    RtpPacket last = before.get(1);
    assertTrue(out.get(0).marker());
    assertEquals(b.ssrc(), out.get(0).ssrc());
    assertEquals((last.sequenceNumber() + 1) & 0xFFFF, out.get(0).sequenceNumber(), "continues b's numbering");
    int[] inIndex = {0, 1, 2, 4, 5};
    for (int k = 0; k < 5; k++) {
      RtpPacket p = out.get(k);
      assertEquals(8, p.payloadType());
      assertEquals(b.ssrc(), p.ssrc());
      assertEquals((out.get(0).sequenceNumber() + inIndex[k]) & 0xFFFF, p.sequenceNumber(), "gap kept");
      assertEquals((out.get(0).timestamp() + 160L * inIndex[k]) & 0xFFFFFFFFL, p.timestamp());
      assertArrayEquals(Codec.PCMU.transcodeTo(Codec.PCMA, frame), p.payload());
      if (k > 0) {
        assertFalse(p.marker());
      }
    }
    assertTrue(((out.get(0).timestamp() - last.timestamp()) & 0xFFFFFFFFL) >= 160);

    // a telephone-event from the caller: detected at a, relayed with the callee's payload type
    caller.send(RtpPacket.of(true, 101, 106, 51_000, 0xCAFE, new TelephoneEvent(3, false, 10, 0).encode()),
        a.localPort());
    RtpPacket ev = callee.receive();
    assertEquals(96, ev.payloadType());
    assertEquals((out.get(0).sequenceNumber() + 6) & 0xFFFF, ev.sequenceNumber());
    await("the digit at a", () -> ra.digits.length() > 0);
    assertEquals("3", ra.digits.toString());

    // callee -> caller: PCMA to PCMU, a's stream
    byte[] alaw = steps("g", 1).frames(Codec.PCMA).get(0);
    for (int i = 0; i < 3; i++) {
      callee.send(RtpPacket.of(false, 8, 65534 + i & 0xFFFF, 4_294_967_000L + 160L * i & 0xFFFFFFFFL, 0xBEEF, alaw),
          b.localPort());
    }
    List<RtpPacket> back = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      back.add(caller.receive());
    }
    assertContinuous(back);
    assertEquals(a.ssrc(), back.get(0).ssrc());
    assertTrue(back.get(0).marker());
    for (int i = 0; i < 3; i++) {
      assertEquals(0, back.get(i).payloadType());
      assertEquals((back.get(0).timestamp() + 160L * i) & 0xFFFFFFFFL, back.get(i).timestamp());
      assertArrayEquals(Codec.PCMA.transcodeTo(Codec.PCMU, alaw), back.get(i).payload());
    }
    await("the relay counters", () -> a.packetsRelayed() == 3 && b.packetsRelayed() == 6);

    // b plays a prompt while bridged: it has the floor, relayed packets are dropped, then relay resumes
    var prompt = b.play(steps("announce", 5));
    caller.send(RtpPacket.of(false, 0, 107, 52_000, 0xCAFE, frame), a.localPort());
    assertEquals(PlayOutcome.FINISHED, outcome(prompt));
    List<RtpPacket> announced = callee.drain(100);
    assertEquals(5, announced.size(), "only the prompt");
    assertContinuous(announced);
    caller.send(RtpPacket.of(false, 0, 108, 52_160, 0xCAFE, frame), a.localPort());
    RtpPacket resumed = callee.receive();
    assertTrue(resumed.marker(), "relay resumes as a new talkspurt");
    assertEquals((announced.get(4).sequenceNumber() + 1) & 0xFFFF, resumed.sequenceNumber());

    b.close();
    assertTrue(a.bridgedTo().isEmpty(), "closing one side ends the bridge");
  }

  @Test
  void closeReleasesPortsAndExhaustionIsReported() throws Exception {
    engine.close();
    engine = new MediaEngine(new MediaSettings(HOST, 16120, 16125, 1 << 20, Duration.ofMinutes(1), 1, 65536));
    List<MediaSession> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(engine.open(MediaListener.NONE));
    }
    assertEquals(3, engine.ports().inUse());
    assertEquals(3, engine.openSessions());
    assertThrows(PortsExhaustedException.class, () -> engine.open(MediaListener.NONE));
    open.get(1).close();
    open.get(1).close(); // idempotent
    assertEquals(2, engine.ports().inUse());
    MediaSession again = engine.open(MediaListener.NONE);
    assertEquals(open.get(1).localPort(), again.localPort(), "the only free port");
    again.close();
    engine.close();
    assertEquals(0, engine.ports().inUse());
    assertEquals(0, engine.openSessions());
    assertTrue(open.get(0).isClosed());
  }

  @Test
  void sendsNothingWhenTheDirectionForbidsIt() throws Exception {
    Peer p = peer(16920);
    MediaSession s = engine.open(MediaListener.NONE);
    s.start(new NegotiatedMedia(HOST, p.port(), Codec.PCMU, 0, -1, -1, MediaDirection.RECVONLY));
    assertEquals(PlayOutcome.FINISHED, outcome(s.play(steps("x", 3))));
    assertEquals(0, p.drain(100).size());
    assertEquals(3, s.packetsDropped());
    s.start(new NegotiatedMedia(HOST, p.port(), Codec.PCMU, 0, -1, -1, MediaDirection.SENDRECV)); // re-INVITE
    assertEquals(PlayOutcome.FINISHED, outcome(s.play(steps("x", 3))));
    assertEquals(3, p.drain(100).size());
  }

  @Test
  void playingBeforeStartIsAnError() throws Exception {
    MediaSession s = engine.open(MediaListener.NONE);
    assertThrows(IllegalStateException.class, () -> s.play(steps("x", 1)));
    s.start(to(16990, Codec.PCMU, -1));
    assertThrows(IllegalStateException.class, () -> s.sendDtmf('1', 100), "no telephone-event negotiated");
  }
}
