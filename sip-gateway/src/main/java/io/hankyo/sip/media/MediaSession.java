package io.hankyo.sip.media;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One anchored RTP stream (RFC 3550) on one UDP port: plays prompts and DTMF to the peer, receives its packets,
 * detects its key presses, and can be bridged to another session to relay audio both ways. Opened by
 * {@link MediaEngine#open}; {@link #close()} releases the port.
 *
 * <p><b>Sending.</b> Our stream has a random SSRC and random initial sequence number and timestamp (RFC 3550 section
 * 5.1). Prompts are sent as 20 ms packets of 160 samples paced by the engine's shared scheduler: the sequence number
 * grows by one per packet and the timestamp by 160 per frame; a new talkspurt (the first packet after silence, a
 * new prompt, a relayed stream taking over) carries the marker bit (RFC 3551 section 4.1) and a timestamp advanced by
 * the time elapsed since our previous packet (in whole frames), so the timestamps keep following the clock across
 * prompts. Nothing is sent while nothing plays, nor when the negotiated direction is recvonly or inactive (the
 * stream still advances, so playback times stay right). Every paced packet's lateness against its 20 ms grid is
 * recorded in {@link #sendJitter()} (and the engine's histogram).
 *
 * <p><b>Receiving.</b> Packets with the negotiated codec or telephone-event payload type are taken; others and
 * malformed datagrams are counted and dropped. The peer's address is learnt from its packets (symmetric RTP, RFC
 * 4961): the first packet latches it; a different source takes over only after the latched one has been silent for
 * {@value #RELATCH_MILLIS} ms. Telephone-events go through a {@link DtmfDetector} and come out as
 * {@link MediaListener#onDigit} calls; a prompt played with barge-in stops at the first digit.
 *
 * <p><b>Bridging.</b> {@link #bridge} makes two sessions relay each other's peer's packets: audio (transcoded when the
 * two legs use different G.711 laws) and telephone-events (when the other leg negotiated them). Relayed packets leave
 * with the receiving session's SSRC and payload types; their sequence numbers and timestamps are the incoming ones
 * shifted by offsets fixed at the start of each relayed talkspurt, so gaps and order are kept and both numbers
 * continue from what the session sent before. While a session plays a prompt its own prompt has the floor and
 * relayed packets for it are dropped.
 *
 * <p>Thread-safe. Listener calls happen on the engine's receive thread; playback futures complete on the pacing or
 * calling thread: use the async variants to do real work after them.
 */
public final class MediaSession implements AutoCloseable {
  /** How long a latched peer must be silent before another source address may take over, ms. */
  public static final long RELATCH_MILLIS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(MediaSession.class);
  private static final long FRAME_NANOS = TimeUnit.MILLISECONDS.toNanos(Prompt.FRAME_MILLIS);
  private static final int SAMPLES = Prompt.SAMPLES_PER_FRAME;
  private static final int DTMF_VOLUME = 10;

  private final MediaEngine engine;
  private final DatagramChannel channel;
  private final int port;
  private final MediaListener listener;
  private final DtmfDetector detector = new DtmfDetector();
  private final JitterHistogram sendJitter = new JitterHistogram();
  private final long ssrc;

  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();

  private volatile NegotiatedMedia media;
  private volatile InetSocketAddress remote;
  private volatile boolean latched;
  private volatile long lastFromRemoteNanos;
  /** System.nanoTime() of the last RTP-shaped datagram received, or of {@link #start}; 0 before start. */
  private volatile long lastReceivedNanos;
  private volatile MediaSession partner;
  private volatile boolean closed;
  private volatile AudioTap tap;

  // our outgoing stream; guarded by this
  private int nextSeq;
  private long lastTs;
  private long lastSendNanos;
  private boolean sentAny;
  private Playback playback;
  private ScheduledFuture<?> ticker;
  private long tickEpoch;
  private long tickCount;
  private long tickerGeneration;
  private boolean relaySynced;
  private long relayInSsrc;
  private long relayTsOffset;
  private int relaySeqOffset;

  MediaSession(MediaEngine engine, DatagramChannel channel, int port, MediaListener listener) {
    this.engine = engine;
    this.channel = channel;
    this.port = port;
    this.listener = listener;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    this.ssrc = r.nextLong(1L << 32);
    this.nextSeq = r.nextInt(1 << 16);
    this.lastTs = r.nextLong(1L << 32);
  }

  // ------------------------------------------------------------------------------------------------ negotiation

  /**
   * Gives the session the negotiated media (codec, payload types, the peer's address from SDP). Called once after
   * the offer/answer, and again after a re-INVITE changes it (the peer's address is then learnt afresh).
   */
  public void start(NegotiatedMedia negotiated) {
    Objects.requireNonNull(negotiated, "negotiated");
    this.remote = negotiated.remoteSocketAddress().orElse(null);
    this.latched = false;
    this.lastReceivedNanos = System.nanoTime();
    this.media = negotiated;
  }

  /**
   * Milliseconds since the last datagram that decoded as RTP (RFC 3550 section 5.1: any payload type, valid for this
   * session or not, from any source — audio, RFC 4733 events, comfort noise, multiplexed RTCP all prove that the peer
   * is alive), or since the latest {@link #start} when none came after it. The RTCP port (the odd one above) is not
   * read, so plain RTCP does not count. For the RTP inactivity timeout ({@code hankyo.sip.media.rtp-timeout}).
   *
   * @return ms, 0 before {@link #start}
   */
  public long millisSinceLastReceived() {
    long last = lastReceivedNanos;
    if (last == 0) {
      return 0;
    }
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last));
  }

  /** Our RTP port (even; RTCP would be the port above). */
  public int localPort() {
    return port;
  }

  /** Our IP address, for SDP. */
  public String localAddress() {
    return engine.address();
  }

  /** Our SSRC, 0-2^32-1. */
  public long ssrc() {
    return ssrc;
  }

  /** The negotiated media, empty before {@link #start}. */
  public Optional<NegotiatedMedia> media() {
    return Optional.ofNullable(media);
  }

  /** Where we send: the latched source of the peer's packets, else its SDP address; empty when unknown. */
  public Optional<InetSocketAddress> remote() {
    return Optional.ofNullable(remote);
  }

  // ---------------------------------------------------------------------------------------------------- playing

  /** Plays a prompt once, without barge-in. See {@link #play(Prompt, boolean, boolean)}. */
  public CompletionStage<PlayOutcome> play(Prompt prompt) {
    return play(prompt, false, false);
  }

  /**
   * Plays a prompt, replacing whatever plays now (which ends {@link PlayOutcome#STOPPED}).
   *
   * @param prompt the audio, sent in the negotiated codec
   * @param loop true to start over at the end until stopped (hold music); the loop is one talkspurt
   * @param bargeIn true to stop at the first RTP digit received ({@link PlayOutcome#BARGED_IN}); the digit is still
   *     reported
   * @return completes with how the playback ended
   * @throws IllegalStateException before {@link #start}
   */
  public CompletionStage<PlayOutcome> play(Prompt prompt, boolean loop, boolean bargeIn) {
    Objects.requireNonNull(prompt, "prompt");
    NegotiatedMedia m = requireStarted();
    return begin(new PromptPlayback(prompt.frames(m.codec()), loop, bargeIn, m.codecPayloadType()));
  }

  /**
   * Sends one key press as RFC 4733 telephone-events (section 2.5.1): a start packet with the marker bit, an update
   * every 20 ms, and three end packets, all with the event's start timestamp; replaces whatever plays now.
   *
   * @param digit 0-9, *, #, A-D
   * @param durationMillis how long the key is held, ms (at least 20; rounded down to 20 ms steps)
   * @return completes when the last end packet is sent
   * @throws IllegalStateException before {@link #start}, or when the peer did not negotiate telephone-event
   * @throws IllegalArgumentException for another character
   */
  public CompletionStage<PlayOutcome> sendDtmf(char digit, int durationMillis) {
    NegotiatedMedia m = requireStarted();
    if (!m.hasTelephoneEvent()) {
      throw new IllegalStateException("the peer did not negotiate telephone-event");
    }
    int event = TelephoneEvent.eventOf(digit);
    int updates = Math.max(1, durationMillis / Prompt.FRAME_MILLIS);
    return begin(new DtmfPlayback(event, updates, m.telephoneEventPayloadType()));
  }

  /**
   * Stops what plays now ({@link PlayOutcome#STOPPED}), e.g. on a digit received by SIP INFO.
   *
   * @return true when something was playing
   */
  public boolean stopPlaying() {
    return stop(PlayOutcome.STOPPED);
  }

  /** True while a prompt or digit is being sent. */
  public synchronized boolean isPlaying() {
    return playback != null;
  }

  private CompletionStage<PlayOutcome> begin(Playback p) {
    Playback old;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.completedFuture(PlayOutcome.CLOSED);
      }
      old = playback;
      playback = p;
      if (ticker == null) {
        tickEpoch = System.nanoTime();
        tickCount = 0;
        long generation = ++tickerGeneration;
        ticker = engine.pacer().scheduleAtFixedRate(() -> tick(generation), 0, FRAME_NANOS, TimeUnit.NANOSECONDS);
      }
    }
    if (old != null) {
      old.done.complete(PlayOutcome.STOPPED);
    }
    return p.done;
  }

  private boolean stop(PlayOutcome outcome) {
    Playback old;
    synchronized (this) {
      old = playback;
      playback = null;
      cancelTicker();
    }
    if (old != null) {
      old.done.complete(outcome);
      return true;
    }
    return false;
  }

  private void tick(long generation) {
    Playback finished = null;
    try {
      long now = System.nanoTime();
      synchronized (this) {
        if (generation != tickerGeneration) {
          return; // a run of a cancelled ticker that was already waiting for the lock
        }
        Playback p = playback;
        if (p == null || closed) {
          cancelTicker();
          return;
        }
        long intended = tickEpoch + tickCount * FRAME_NANOS;
        tickCount++;
        long lateMicros = (now - intended) / 1000;
        sendJitter.record(lateMicros);
        engine.sendJitter().record(lateMicros);
        if (!p.sendNext(now)) {
          playback = null;
          relaySynced = false;
          cancelTicker();
          finished = p;
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("RTP pacing of port {} failed: {}", port, e.toString(), e);
    }
    if (finished != null) {
      finished.done.complete(PlayOutcome.FINISHED);
    }
  }

  private void cancelTicker() {
    if (ticker != null) {
      ticker.cancel(false);
      ticker = null;
    }
  }

  /** Timestamp of the first packet of a talkspurt sent at {@code now}. Caller holds the lock. */
  private long talkspurtTimestamp(long now) {
    if (!sentAny) {
      return lastTs;
    }
    long elapsedFrames = Math.max(1, Math.round((now - lastSendNanos) / (double) FRAME_NANOS));
    return (lastTs + elapsedFrames * SAMPLES) & 0xFFFFFFFFL;
  }

  /**
   * Sends one packet of our own stream. Caller holds the lock.
   *
   * @param clockTs the timestamp our media clock has reached with this packet (= ts for audio; start + elapsed for
   *     telephone-events, whose packets all carry the start)
   */
  private void sendOwn(boolean marker, int pt, long ts, byte[] payload, long now, long clockTs) {
    RtpPacket p = RtpPacket.of(marker, pt, nextSeq, ts, ssrc, payload);
    nextSeq = (nextSeq + 1) & 0xFFFF;
    lastTs = clockTs & 0xFFFFFFFFL;
    lastSendNanos = now;
    sentAny = true;
    transmit(p);
  }

  private void transmit(RtpPacket p) {
    InetSocketAddress to = remote;
    NegotiatedMedia m = media;
    if (to == null || m == null || !m.localDirection().sends()) {
      dropped.incrementAndGet();
      return;
    }
    try {
      if (channel.send(ByteBuffer.wrap(p.encode()), to) > 0) {
        sent.incrementAndGet();
      } else {
        dropped.incrementAndGet(); // socket buffer full
      }
    } catch (IOException e) {
      dropped.incrementAndGet();
      LOG.debug("RTP send from port {} to {} failed: {}", port, to, e.toString());
    }
  }

  private abstract static class Playback {
    final CompletableFuture<PlayOutcome> done = new CompletableFuture<>();
    final boolean bargeIn;

    Playback(boolean bargeIn) {
      this.bargeIn = bargeIn;
    }

    /** Sends the next packet; false when this was the last one. Caller holds the session's lock. */
    abstract boolean sendNext(long now);
  }

  private final class PromptPlayback extends Playback {
    private final List<byte[]> frames;
    private final boolean loop;
    private final int pt;
    private int index;
    private boolean first = true;

    PromptPlayback(List<byte[]> frames, boolean loop, boolean bargeIn, int pt) {
      super(bargeIn);
      this.frames = frames;
      this.loop = loop;
      this.pt = pt;
    }

    @Override
    boolean sendNext(long now) {
      if (index >= frames.size()) {
        index = 0;
      }
      long ts = first ? talkspurtTimestamp(now) : (lastTs + SAMPLES) & 0xFFFFFFFFL;
      sendOwn(first, pt, ts, frames.get(index++), now, ts);
      first = false;
      return loop || index < frames.size();
    }
  }

  private final class DtmfPlayback extends Playback {
    private final int event;
    private final int updates;
    private final int pt;
    private int k;
    private long start;

    DtmfPlayback(int event, int updates, int pt) {
      super(false);
      this.event = event;
      this.updates = updates;
      this.pt = pt;
    }

    @Override
    boolean sendNext(long now) {
      if (k == 0) {
        start = talkspurtTimestamp(now);
      }
      boolean end = k >= updates;
      int duration = SAMPLES * Math.min(k, updates);
      byte[] payload = new TelephoneEvent(event, end, DTMF_VOLUME, duration).encode();
      sendOwn(k == 0, pt, start, payload, now, start + (long) SAMPLES * k);
      k++;
      return k < updates + 3; // three end packets (RFC 4733 section 2.5.1.4)
    }
  }

  // -------------------------------------------------------------------------------------------------- receiving

  void register(Selector selector) {
    try {
      channel.register(selector, SelectionKey.OP_READ, this);
    } catch (ClosedChannelException e) {
      // closed before the receive thread got to it
    }
  }

  /** Reads up to {@code max} datagrams; {@code wokeAt} is when the receive thread woke (System.nanoTime). */
  void readDatagrams(ByteBuffer buffer, int max, long wokeAt) {
    for (int i = 0; i < max && !closed; i++) {
      SocketAddress from;
      buffer.clear();
      try {
        from = channel.receive(buffer);
      } catch (IOException e) {
        return; // closed under us, or an ICMP error surfaced; nothing to read
      }
      if (from == null) {
        return;
      }
      buffer.flip();
      RtpPacket p;
      try {
        p = RtpPacket.decode(buffer);
      } catch (MalformedPacketException e) {
        rejected.incrementAndGet();
        received.incrementAndGet();
        continue;
      }
      if (media != null) {
        lastReceivedNanos = System.nanoTime();
      }
      // counted after the clock: whoever sees the count sees the restarted inactivity clock too
      received.incrementAndGet();
      try {
        accept(p, (InetSocketAddress) from, System.nanoTime(), wokeAt);
      } catch (RuntimeException e) {
        LOG.warn("RTP packet on port {} failed: {}", port, e.toString(), e);
      }
    }
  }

  private void accept(RtpPacket p, InetSocketAddress from, long now, long wokeAt) {
    NegotiatedMedia m = media;
    boolean event = m != null && m.hasTelephoneEvent() && p.payloadType() == m.telephoneEventPayloadType();
    if (m == null || (!event && p.payloadType() != m.codecPayloadType())) {
      rejected.incrementAndGet();
      return;
    }
    if (!from.equals(remote)) {
      if (latched && now - lastFromRemoteNanos < TimeUnit.MILLISECONDS.toNanos(RELATCH_MILLIS)) {
        rejected.incrementAndGet(); // a stranger while our peer talks
        return;
      }
      remote = from;
    }
    latched = true;
    lastFromRemoteNanos = now;
    listener.onPacket(this, p);
    AudioTap t = tap;
    if (t != null && !event) {
      t.onAudio(now, p.payload(), m.codec());
    }
    if (event) {
      Optional<DtmfDigit> digit = detector.accept(p);
      if (digit.isPresent()) {
        Playback current;
        synchronized (this) {
          current = playback;
        }
        if (current != null && current.bargeIn) {
          stopIf(current, PlayOutcome.BARGED_IN);
        }
        listener.onDigit(this, digit.get());
      }
    }
    MediaSession other = partner;
    if (other != null) {
      other.relay(p, m, now, wokeAt);
    }
  }

  private void stopIf(Playback expected, PlayOutcome outcome) {
    synchronized (this) {
      if (playback != expected) {
        return;
      }
      playback = null;
      cancelTicker();
    }
    expected.done.complete(outcome);
  }

  // -------------------------------------------------------------------------------------------------- recording

  /** Receives the audio the session's peer sends, as it arrives (issue 4: the call recording). */
  @FunctionalInterface
  public interface AudioTap {
    /**
     * One audio packet taken from the peer (codec payload type only; telephone-events are not audio), before any
     * transcoding for a bridged session. Runs on the engine's receive thread: must be quick and must not throw.
     *
     * @param arrivalNanos {@link System#nanoTime()} when it was read
     * @param codes its G.711 payload, one code per sample; not to be modified
     * @param codec the negotiated law of this session
     */
    void onAudio(long arrivalNanos, byte[] codes, Codec codec);
  }

  /** Sets (or with null removes) the tap of the peer's audio; one tap per session. */
  public void tap(AudioTap audioTap) {
    this.tap = audioTap;
  }

  // --------------------------------------------------------------------------------------------------- bridging

  /**
   * Relays RTP between this session's peer and {@code other}'s peer, both ways, until {@link #unbridge()} or
   * {@link #close()} of either. Stops prompts playing on either session. A session is bridged to at most one other;
   * bridging again replaces the previous pairing.
   *
   * @throws IllegalStateException when either session is not started or closed
   * @throws IllegalArgumentException when {@code other} is this session
   */
  public void bridge(MediaSession other) {
    if (other == this) {
      throw new IllegalArgumentException("a session cannot be bridged to itself");
    }
    requireStarted();
    other.requireStarted();
    if (closed || other.closed) {
      throw new IllegalStateException("session closed");
    }
    unbridge();
    other.unbridge();
    stopPlaying();
    other.stopPlaying();
    synchronized (this) {
      relaySynced = false;
    }
    synchronized (other) {
      other.relaySynced = false;
    }
    this.partner = other;
    other.partner = this;
  }

  /** Ends the bridge, if any (both directions). */
  public void unbridge() {
    MediaSession other = partner;
    partner = null;
    if (other != null && other.partner == this) {
      other.partner = null;
    }
  }

  /** The session this one is bridged to, if any. */
  public Optional<MediaSession> bridgedTo() {
    return Optional.ofNullable(partner);
  }

  /** Relays a packet that {@code from}'s peer sent; runs on the receive thread. */
  private void relay(RtpPacket in, NegotiatedMedia from, long now, long wokeAt) {
    NegotiatedMedia m = media;
    if (m == null || closed) {
      return;
    }
    int pt;
    byte[] payload;
    if (in.payloadType() == from.codecPayloadType()) {
      pt = m.codecPayloadType();
      payload = from.codec().transcodeTo(m.codec(), in.payload());
    } else if (m.hasTelephoneEvent()) {
      pt = m.telephoneEventPayloadType();
      payload = in.payload();
    } else {
      return; // the other leg takes no events; its digits were detected here anyway
    }
    RtpPacket out;
    synchronized (this) {
      if (playback != null) {
        dropped.incrementAndGet(); // our own prompt has the floor
        return;
      }
      boolean marker = in.marker();
      if (!relaySynced || in.ssrc() != relayInSsrc) {
        long ts0 = talkspurtTimestamp(now);
        relayTsOffset = ts0 - in.timestamp();
        relaySeqOffset = nextSeq - in.sequenceNumber();
        relayInSsrc = in.ssrc();
        relaySynced = true;
        marker = true;
      }
      int seq = (in.sequenceNumber() + relaySeqOffset) & 0xFFFF;
      long ts = (in.timestamp() + relayTsOffset) & 0xFFFFFFFFL;
      out = new RtpPacket(marker, pt, seq, ts, ssrc, new long[0], null, payload, 0);
      if (RtpPacket.seqAfter(seq, (nextSeq - 1) & 0xFFFF)) {
        nextSeq = (seq + 1) & 0xFFFF;
      }
      if (!sentAny || tsAfter(ts, lastTs)) {
        lastTs = ts;
      }
      lastSendNanos = now;
      sentAny = true;
    }
    transmit(out);
    relayed.incrementAndGet();
    engine.relayDelay().record((System.nanoTime() - wokeAt) / 1000);
  }

  private static boolean tsAfter(long a, long b) {
    long d = (a - b) & 0xFFFFFFFFL;
    return d != 0 && d < 0x80000000L;
  }

  // ------------------------------------------------------------------------------------------------ statistics

  /** Send lateness of this session's paced packets, µs. */
  public JitterHistogram sendJitter() {
    return sendJitter;
  }

  /** Packets sent (own and relayed). */
  public long packetsSent() {
    return sent.get();
  }

  /** Datagrams received, valid or not. */
  public long packetsReceived() {
    return received.get();
  }

  /** Datagrams dropped on receipt: malformed, unexpected payload type, before start, from a stranger. */
  public long packetsRejected() {
    return rejected.get();
  }

  /** Packets relayed to the peer from the bridged session. */
  public long packetsRelayed() {
    return relayed.get();
  }

  /**
   * Packets not sent: no peer address yet, the negotiated direction forbids sending (recvonly, inactive), socket
   * buffer full, our prompt had the floor.
   */
  public long packetsDropped() {
    return dropped.get();
  }

  /** True after {@link #close()}. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops playing ({@link PlayOutcome#CLOSED}), ends the bridge, closes the socket and returns the port to the
   * pool: when this returns the port can be bound again (it waits for the receive thread to let go of the socket,
   * normally well under a millisecond; called from a listener, the port is freed just after). Idempotent.
   */
  @Override
  public void close() {
    Playback old;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      old = playback;
      playback = null;
      cancelTicker();
    }
    unbridge();
    engine.closed(this, channel, port);
    if (old != null) {
      old.done.complete(PlayOutcome.CLOSED);
    }
  }

  private NegotiatedMedia requireStarted() {
    NegotiatedMedia m = media;
    if (m == null) {
      throw new IllegalStateException("media session on port " + port + " is not started");
    }
    return m;
  }

  @Override
  public String toString() {
    return "MediaSession[port=" + port + ", ssrc=" + Long.toHexString(ssrc) + ", remote=" + remote
        + (closed ? ", closed" : "") + "]";
  }
}
