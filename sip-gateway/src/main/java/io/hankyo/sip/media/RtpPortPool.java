package io.hankyo.sip.media;

import java.util.BitSet;

/**
 * The RTP ports of a configured range: even ports for RTP, each with the odd port above it reserved for RTCP (RFC
 * 3550 section 11). Allocation is round-robin from after the last port handed out, so a port just released is not
 * reused at once (late packets of the old call then find no one). Thread-safe; allocation and release are O(range /
 * 64) at worst.
 */
public final class RtpPortPool {
  private final int first;
  private final int pairs;
  private final BitSet used;
  private int next;
  private int inUse;

  /**
   * @param min the first port of the range (rounded up to even), 1024-65534
   * @param max the last port of the range; the last pair must fit ({@code rtp + 1 <= max})
   * @throws IllegalArgumentException when the range holds no RTP/RTCP pair
   */
  public RtpPortPool(int min, int max) {
    int start = (min + 1) & ~1;
    if (min < 1 || max > 65535 || start + 1 > max) {
      throw new IllegalArgumentException("RTP port range " + min + "-" + max + " holds no even RTP/RTCP pair");
    }
    this.first = start;
    this.pairs = (max - start + 1) / 2;
    this.used = new BitSet(pairs);
  }

  /** A pool over the range of {@link MediaSettings}. */
  public static RtpPortPool of(MediaSettings settings) {
    return new RtpPortPool(settings.rtpPortMin(), settings.rtpPortMax());
  }

  /**
   * Takes a free RTP port.
   *
   * @return an even port; its RTCP port is {@code port + 1}
   * @throws PortsExhaustedException when every pair is in use
   */
  public synchronized int allocate() throws PortsExhaustedException {
    if (inUse == pairs) {
      throw new PortsExhaustedException("all " + pairs + " RTP ports of " + first + "-" + (first + 2 * pairs - 1)
          + " are in use");
    }
    int i = used.nextClearBit(next);
    if (i >= pairs) {
      i = used.nextClearBit(0);
    }
    used.set(i);
    inUse++;
    next = i + 1 >= pairs ? 0 : i + 1;
    return first + 2 * i;
  }

  /**
   * Gives a port back. Releasing a port that is not allocated (twice, or never) does nothing.
   *
   * @param port an RTP port from {@link #allocate()}
   * @return true when the port was in use and is now free
   */
  public synchronized boolean release(int port) {
    int i = index(port);
    if (i < 0 || !used.get(i)) {
      return false;
    }
    used.clear(i);
    inUse--;
    return true;
  }

  /** True when {@code port} is currently allocated. */
  public synchronized boolean isAllocated(int port) {
    int i = index(port);
    return i >= 0 && used.get(i);
  }

  /** Number of RTP ports allocated now (for a gauge metric). */
  public synchronized int inUse() {
    return inUse;
  }

  /** Number of RTP/RTCP pairs in the range. */
  public int capacity() {
    return pairs;
  }

  /** The first RTP port of the range. */
  public int firstPort() {
    return first;
  }

  private int index(int port) {
    int off = port - first;
    if (off < 0 || (off & 1) != 0 || off / 2 >= pairs) {
      return -1;
    }
    return off / 2;
  }
}
