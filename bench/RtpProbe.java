import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The media endpoint of the benchmark's callee (bench/uas-probe.xml points its SDP m=audio at this port): receives
 * the RTP the gateway relays to every callee leg on ONE UDP port, tells the streams apart by source address and SSRC,
 * and measures what a receiver sees:
 *
 * <ul>
 *   <li>RFC 3550 section 6.4.1 / A.8 interarrival jitter J of each stream (timestamp units of the 8 kHz clock,
 *       reported in ms): the smoothed mean deviation of the transit-time difference;</li>
 *   <li>|D(i-1,i)|, the transit-time difference of consecutive packets (arrival delta minus RTP timestamp delta, i.e.
 *       how far a packet's spacing is off the sender's media clock), p50/p99/max over all packets;</li>
 *   <li>the raw inter-arrival delta p99/max;</li>
 *   <li>loss: packets expected from the extended sequence-number range minus packets received (RFC 3550 A.3),
 *       duplicates and out-of-order packets;</li>
 *   <li>concurrent streams: streams that got a packet within the last second, sampled every second.</li>
 * </ul>
 *
 * Only audio (payload types 0 and 8) enters the timing statistics; other payload types (telephone-events) are
 * counted. With {@code --echo} every datagram is sent back to where it came from (like sipp's -rtp_echo), so RTP also
 * flows callee → gateway → caller through the gateway's bridge.
 *
 * <p>Runs until SIGTERM/SIGINT, then writes {@code <out>/probe-summary.txt} (key=value lines) and
 * {@code <out>/probe-streams.csv} (one line per stream).
 *
 * <p>{@code java bench/RtpProbe.java <port> <out-dir> [--echo]} (listens on 127.0.0.1).
 */
public class RtpProbe {
  private static final double CLOCK = 8000.0;

  static final class Stream {
    final String key;
    long packets;
    long other;
    long dup;
    long reordered;
    int baseSeq = -1;
    int maxSeq;
    long cycles;
    long firstNanos;
    long lastNanos;
    long lastTs;
    double lastArrivalTs; // arrival time of the previous audio packet in timestamp units
    boolean haveTransit;
    double jitter; // RFC 3550 J in timestamp units
    double maxJitter;
    final BitWindow seen = new BitWindow();

    Stream(String key) {
      this.key = key;
    }

    long extendedMax() {
      return cycles + maxSeq;
    }

    long expected() {
      return baseSeq < 0 ? 0 : extendedMax() - baseSeq + 1;
    }
  }

  /** Remembers which of the last 1024 extended sequence numbers arrived, to count duplicates. */
  static final class BitWindow {
    final Set<Long> recent = new HashSet<>();
    final java.util.ArrayDeque<Long> order = new java.util.ArrayDeque<>();

    boolean add(long s) {
      if (!recent.add(s)) {
        return false;
      }
      order.add(s);
      if (order.size() > 1024) {
        recent.remove(order.poll());
      }
      return true;
    }
  }

  /** Growable array of microsecond samples. */
  static final class Samples {
    long[] v = new long[1 << 16];
    int n;

    void add(long x) {
      if (n == v.length) {
        v = Arrays.copyOf(v, n * 2);
      }
      v[n++] = x;
    }

    long[] sorted() {
      long[] s = Arrays.copyOf(v, n);
      Arrays.sort(s);
      return s;
    }
  }

  static long pct(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.ceil(sorted.length * p / 100.0) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    boolean echo = args.length > 2 && args[2].equals("--echo");
    Files.createDirectories(out);
    DatagramChannel ch = DatagramChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 8 << 20);
    ch.setOption(StandardSocketOptions.SO_SNDBUF, 8 << 20);
    ch.bind(new InetSocketAddress("127.0.0.1", port));
    Map<String, Stream> streams = new LinkedHashMap<>();
    Samples transitDiff = new Samples();
    Samples interArrival = new Samples();
    AtomicInteger peakConcurrent = new AtomicInteger();
    List<Integer> concurrentSeries = new ArrayList<>();
    long t0 = System.nanoTime();
    Object lock = new Object();
    long[] counters = new long[3]; // datagrams, malformed, echoed

    Thread sampler = new Thread(() -> {
      while (true) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        long now = System.nanoTime();
        int active = 0;
        synchronized (lock) {
          for (Stream s : streams.values()) {
            if (now - s.lastNanos < 1_000_000_000L) {
              active++;
            }
          }
          concurrentSeries.add(active);
        }
        peakConcurrent.accumulateAndGet(active, Math::max);
      }
    }, "probe-sampler");
    sampler.setDaemon(true);
    sampler.start();

    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        synchronized (lock) {
          write(out, streams, transitDiff, interArrival, peakConcurrent.get(), concurrentSeries, counters,
              (System.nanoTime() - t0) / 1e9);
        }
      } catch (IOException e) {
        e.printStackTrace();
      }
    }));

    ByteBuffer buf = ByteBuffer.allocateDirect(2048);
    byte[] b = new byte[2048];
    while (true) {
      buf.clear();
      SocketAddress from = ch.receive(buf);
      long now = System.nanoTime();
      buf.flip();
      int len = buf.remaining();
      buf.get(b, 0, len);
      if (echo) {
        buf.rewind();
        ch.send(buf, from);
      }
      synchronized (lock) {
        counters[0]++;
        if (echo) {
          counters[2]++;
        }
        if (len < 12 || (b[0] & 0xC0) != 0x80) {
          counters[1]++;
          continue;
        }
        int pt = b[1] & 0x7F;
        int seq = ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        long ts = ((long) (b[4] & 0xFF) << 24) | ((b[5] & 0xFF) << 16) | ((b[6] & 0xFF) << 8) | (b[7] & 0xFF);
        long ssrc = ((long) (b[8] & 0xFF) << 24) | ((b[9] & 0xFF) << 16) | ((b[10] & 0xFF) << 8) | (b[11] & 0xFF);
        String key = from + "/" + Long.toHexString(ssrc);
        Stream s = streams.computeIfAbsent(key, Stream::new);
        if (pt != 0 && pt != 8) {
          s.other++;
          s.lastNanos = now;
          continue;
        }
        // sequence bookkeeping (RFC 3550 A.1, simplified: no probation)
        long ext;
        if (s.baseSeq < 0) {
          s.baseSeq = seq;
          s.maxSeq = seq;
          s.firstNanos = now;
          ext = seq;
        } else {
          int delta = (seq - s.maxSeq) & 0xFFFF;
          if (delta != 0 && delta < 0x8000) {
            if (seq < s.maxSeq) {
              s.cycles += 0x10000;
            }
            s.maxSeq = seq;
            ext = s.cycles + seq;
          } else {
            // older than (or equal to) the highest seen
            ext = s.cycles + seq - (seq > s.maxSeq ? 0x10000 : 0);
            if (delta != 0) {
              s.reordered++;
            }
          }
        }
        if (!s.seen.add(ext)) {
          s.dup++;
          continue;
        }
        s.packets++;
        // timing: transit = arrival (in timestamp units) - RTP timestamp
        // D(i-1,i) = (R_i - R_{i-1}) - (S_i - S_{i-1}) in timestamp units (RFC 3550 section 6.4.1), the timestamp
        // difference taken as a signed 32-bit value so that a wrap does not count
        double arrivalTs = (now - t0) / 1e9 * CLOCK;
        if (s.haveTransit) {
          long tsDelta = (int) (ts - s.lastTs);
          double d = (arrivalTs - s.lastArrivalTs) - tsDelta;
          double ad = Math.abs(d);
          s.jitter += (ad - s.jitter) / 16.0;
          s.maxJitter = Math.max(s.maxJitter, s.jitter);
          transitDiff.add(Math.round(ad / CLOCK * 1e6));
          interArrival.add((now - s.lastNanos) / 1000);
        }
        s.haveTransit = true;
        s.lastArrivalTs = arrivalTs;
        s.lastTs = ts;
        s.lastNanos = now;
      }
    }
  }

  static void write(Path out, Map<String, Stream> streams, Samples transitDiff, Samples interArrival, int peak,
      List<Integer> series, long[] counters, double seconds) throws IOException {
    long packets = 0;
    long expected = 0;
    long dup = 0;
    long reordered = 0;
    long other = 0;
    List<Double> jit = new ArrayList<>();
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("probe-streams.csv")))) {
      w.println("stream;packets;expected;lost;dup;reordered;other_pt;jitter_ms;max_jitter_ms;seconds");
      for (Stream s : streams.values()) {
        packets += s.packets;
        expected += s.expected();
        dup += s.dup;
        reordered += s.reordered;
        other += s.other;
        if (s.packets >= 2) {
          jit.add(s.jitter / CLOCK * 1000);
        }
        w.printf("%s;%d;%d;%d;%d;%d;%d;%.3f;%.3f;%.2f%n", s.key, s.packets, s.expected(),
            Math.max(0, s.expected() - s.packets), s.dup, s.reordered, s.other, s.jitter / CLOCK * 1000,
            s.maxJitter / CLOCK * 1000, (s.lastNanos - s.firstNanos) / 1e9);
      }
    }
    long[] d = transitDiff.sorted();
    long[] ia = interArrival.sorted();
    long[] j = jit.stream().mapToLong(x -> Math.round(x * 1000)).sorted().toArray(); // µs
    long lost = Math.max(0, expected - packets);
    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out.resolve("probe-summary.txt")))) {
      w.printf("seconds=%.1f%n", seconds);
      w.printf("datagrams=%d%n", counters[0]);
      w.printf("malformed=%d%n", counters[1]);
      w.printf("echoed=%d%n", counters[2]);
      w.printf("streams=%d%n", streams.size());
      w.printf("audio_streams=%d%n", j.length);
      w.printf("peak_concurrent_streams=%d%n", peak);
      w.printf("audio_packets=%d%n", packets);
      w.printf("other_pt_packets=%d%n", other);
      w.printf("expected=%d%n", expected);
      w.printf("lost=%d%n", lost);
      w.printf("loss_pct=%.4f%n", expected == 0 ? 0.0 : 100.0 * lost / expected);
      w.printf("duplicates=%d%n", dup);
      w.printf("reordered=%d%n", reordered);
      w.printf("transit_diff_us_p50=%d%n", pct(d, 50));
      w.printf("transit_diff_us_p99=%d%n", pct(d, 99));
      w.printf("transit_diff_us_max=%d%n", d.length == 0 ? 0 : d[d.length - 1]);
      w.printf("interarrival_us_p50=%d%n", pct(ia, 50));
      w.printf("interarrival_us_p99=%d%n", pct(ia, 99));
      w.printf("interarrival_us_max=%d%n", ia.length == 0 ? 0 : ia[ia.length - 1]);
      w.printf("rfc3550_jitter_us_p50=%d%n", pct(j, 50));
      w.printf("rfc3550_jitter_us_p99=%d%n", pct(j, 99));
      w.printf("rfc3550_jitter_us_max=%d%n", j.length == 0 ? 0 : j[j.length - 1]);
      StringBuilder sb = new StringBuilder();
      for (int x : series) {
        sb.append(sb.length() == 0 ? "" : " ").append(x);
      }
      w.printf("concurrent_series=%s%n", sb);
    }
  }
}
