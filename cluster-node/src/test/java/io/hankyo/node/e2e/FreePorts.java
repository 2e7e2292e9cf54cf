package io.hankyo.node.e2e;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Finds ports on 127.0.0.1 that are free for tests. */
final class FreePorts {
  private FreePorts() {}

  /** A TCP port that is free now (the OS picks it). */
  static int tcp() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A port free for both UDP and TCP (SIP listens on both), from {@code [from, to)}. */
  static int udpAndTcp(int from, int to) {
    for (int i = 0; i < 200; i++) {
      int p = ThreadLocalRandom.current().nextInt(from, to);
      try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", p));
          ServerSocket t = new ServerSocket()) {
        t.bind(new InetSocketAddress("127.0.0.1", p));
        return p;
      } catch (IOException busy) {
        // try another
      }
    }
    throw new IllegalStateException("no free UDP+TCP port in " + from + "-" + to);
  }
}
