package io.hankyo.sip.media;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared machinery of all {@link MediaSession}s of a gateway: the {@link RtpPortPool}, one receive thread that
 * reads every session's socket through one NIO {@link Selector}, and one scheduler (of
 * {@link MediaSettings#pacerThreads()} threads) that paces the 20 ms packets of every playing session. No thread
 * per session. Also keeps the send-jitter histogram over all sessions.
 *
 * <p>Thread-safe. {@link #close()} closes every session and stops the threads.
 */
public final class MediaEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MediaEngine.class);
  private static final int BIND_ATTEMPTS = 8;
  private static final int MAX_DATAGRAMS_PER_WAKEUP = 64;

  private final MediaSettings settings;
  private final InetAddress bindAddress;
  private final RtpPortPool ports;
  private final Selector selector;
  private final ScheduledThreadPoolExecutor pacer;
  private final Thread receiver;
  private final ConcurrentLinkedQueue<MediaSession> toRegister = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Runnable> receiverTasks = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Integer> releaseAfterSelect = new ConcurrentLinkedQueue<>();
  private final Set<MediaSession> sessions = ConcurrentHashMap.newKeySet();
  private final JitterHistogram sendJitter = new JitterHistogram();
  private final JitterHistogram relayDelay = new JitterHistogram();
  private volatile boolean running = true;

  /**
   * Starts the receive thread and the pacing scheduler.
   *
   * @throws IOException when the selector cannot be opened or the address is not an IP literal of this host
   */
  public MediaEngine(MediaSettings settings) throws IOException {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.bindAddress = InetAddress.getByName(settings.address());
    this.ports = RtpPortPool.of(settings);
    this.selector = Selector.open();
    AtomicInteger n = new AtomicInteger();
    this.pacer = new ScheduledThreadPoolExecutor(settings.pacerThreads(), r -> {
      Thread t = new Thread(r, "rtp-pacer-" + n.incrementAndGet());
      t.setDaemon(true);
      t.setPriority(Thread.MAX_PRIORITY);
      return t;
    });
    pacer.setRemoveOnCancelPolicy(true);
    pacer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    pacer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.receiver = new Thread(this::receiveLoop, "rtp-receiver");
    receiver.setDaemon(true);
    receiver.start();
  }

  /**
   * Opens a session: takes a port from the pool and binds a UDP socket to it on the configured address. The
   * session sends nothing until {@link MediaSession#start} gives it the negotiated media.
   *
   * @param listener receives digits and packets (on the receive thread)
   * @throws PortsExhaustedException when no port is free (answer 503)
   * @throws IOException when no port of several tried could be bound
   */
  public MediaSession open(MediaListener listener) throws PortsExhaustedException, IOException {
    if (!running) {
      throw new IllegalStateException("media engine is closed");
    }
    IOException last = null;
    java.util.List<Integer> taken = new java.util.ArrayList<>();
    try {
      for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
        int port = ports.allocate();
        DatagramChannel channel = null;
        try {
          channel = DatagramChannel.open(bindAddress.getAddress().length == 4 ? StandardProtocolFamily.INET
              : StandardProtocolFamily.INET6);
          channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferSize());
          channel.bind(new InetSocketAddress(bindAddress, port));
          channel.configureBlocking(false);
          MediaSession s = new MediaSession(this, channel, port, listener == null ? MediaListener.NONE : listener);
          sessions.add(s);
          toRegister.add(s);
          selector.wakeup();
          return s;
        } catch (BindException e) {
          // taken by another process: hold it until we have a port, so that the next attempt gets another one
          last = e;
          taken.add(port);
          closeQuietly(channel);
          LOG.warn("RTP port {} is taken by another socket: {}", port, e.getMessage());
        } catch (IOException | RuntimeException e) {
          closeQuietly(channel);
          ports.release(port);
          throw e;
        }
      }
    } finally {
      taken.forEach(ports::release);
    }
    throw new IOException("could not bind an RTP port after " + BIND_ATTEMPTS + " attempts", last);
  }

  /** The port pool (for the ports-in-use gauge). */
  public RtpPortPool ports() {
    return ports;
  }

  /** Sessions open now. */
  public int openSessions() {
    return sessions.size();
  }

  /** Send lateness of paced packets of all sessions (µs). */
  public JitterHistogram sendJitter() {
    return sendJitter;
  }

  /**
   * How long relayed packets of bridged sessions spent in the gateway, µs: from the receive thread's wakeup with the
   * packet readable (its select returning) to the relayed copy handed to the socket — the packets read before it in
   * the same wakeup, transcoding and the send. Time a packet waited in the socket's receive buffer while the thread
   * was busy with an earlier wakeup is not in it (Java has no receive timestamps); the callee-side probe of
   * bench/ivr-load.sh sees that.
   */
  public JitterHistogram relayDelay() {
    return relayDelay;
  }

  /** The settings this engine runs with. */
  public MediaSettings settings() {
    return settings;
  }

  /** The IP address sessions bind to (for SDP {@code c=}). */
  public String address() {
    return bindAddress.getHostAddress();
  }

  ScheduledExecutorService pacer() {
    return pacer;
  }

  /**
   * Closes a session's socket and returns its port to the pool once the socket is really closed. A channel
   * registered with a selector closes only when the selector deregisters it, so the receive thread does it; the
   * caller waits (up to 2 s), so that the port can be bound again as soon as this returns. From the receive thread
   * itself (a listener closing its session) the port is released after the next select instead.
   */
  void closed(MediaSession s, DatagramChannel channel, int port) {
    sessions.remove(s);
    if (Thread.currentThread() == receiver) {
      SelectionKey key = channel.keyFor(selector);
      if (key != null) {
        key.cancel();
      }
      closeQuietly(channel);
      releaseAfterSelect.add(port);
      selector.wakeup();
      return;
    }
    if (!running || !receiver.isAlive()) {
      closeQuietly(channel);
      ports.release(port);
      return;
    }
    CountDownLatch done = new CountDownLatch(1);
    receiverTasks.add(() -> {
      try {
        SelectionKey key = channel.keyFor(selector);
        if (key != null) {
          key.cancel();
          selector.selectNow(); // deregisters the cancelled key, so that close() closes the socket now
        }
      } catch (IOException | RuntimeException e) {
        LOG.debug("deregistering RTP port {}", port, e);
      } finally {
        closeQuietly(channel);
        done.countDown();
      }
    });
    selector.wakeup();
    try {
      if (!done.await(2, TimeUnit.SECONDS)) {
        closeQuietly(channel);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(channel);
    }
    ports.release(port);
  }

  /** Closes every session, then stops the threads. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    for (MediaSession s : sessions) {
      s.close();
    }
    running = false;
    pacer.shutdownNow();
    selector.wakeup();
    try {
      receiver.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing the selector", e);
    }
  }

  private void receiveLoop() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(65536);
    while (running) {
      try {
        selector.select(1000);
        long wokeAt = System.nanoTime();
        Integer port;
        while ((port = releaseAfterSelect.poll()) != null) {
          ports.release(port); // its key was cancelled before this select, so its socket is closed now
        }
        Runnable task;
        while ((task = receiverTasks.poll()) != null) {
          task.run();
        }
        MediaSession pending;
        while ((pending = toRegister.poll()) != null) {
          pending.register(selector);
        }
        Set<SelectionKey> keys = selector.selectedKeys();
        for (SelectionKey key : keys) {
          if (key.isValid() && key.isReadable()) {
            ((MediaSession) key.attachment()).readDatagrams(buffer, MAX_DATAGRAMS_PER_WAKEUP, wokeAt);
          }
        }
        keys.clear();
      } catch (ClosedSelectorException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("RTP receive loop: {}", e.toString(), e);
      }
    }
  }

  private static void closeQuietly(DatagramChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // nothing more to do
      }
    }
  }
}
