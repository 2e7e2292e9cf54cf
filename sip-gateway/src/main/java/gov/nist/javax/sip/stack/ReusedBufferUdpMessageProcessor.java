package gov.nist.javax.sip.stack;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.LinkedList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP 1.3.0-91's UDP message processor with one receive buffer per socket instead of one per datagram. Part of
 * Hankyo's sip-gateway, in JAIN-SIP's package only because the message channels' constructor and the stack's
 * {@code udpFlag} and {@code threadPoolSize} are package-private; created by
 * {@code io.hankyo.sip.ReusedBufferMessageProcessorFactory}, not meant to be used directly.
 *
 * <p>Why: the stock {@link UDPMessageProcessor#run()} allocates a {@code byte[MAX_MESSAGE_SIZE]} for every datagram
 * (64 KiB in the gateway, so that an over-long request arrives whole and can be answered 513)
 * and queues it to the channel threads, which copy the received bytes out of it again. At 200 calls/s, about 14
 * datagrams per call, that was ≈ 45 MB/s, a fifth of the node's allocation (JFR allocation samples, docs/
 * performance.md), for messages of under 1 KiB. Here the receiver thread reads into one buffer and queues a copy
 * of exactly the received length, so the channels and the parser see the same bytes and length as before
 * (a datagram that filled the buffer still shows as cut, see {@code LenientMessageParserFactory}).
 *
 * <p>Only the thread-pool mode is implemented ({@code gov.nist.javax.sip.THREAD_POOL_SIZE} set, as the gateway always
 * sets it); the factory uses the stock processor otherwise. The thread auditor is not supported (the gateway does
 * not enable it); congestion control and everything else are the stock processor's.
 */
public final class ReusedBufferUdpMessageProcessor extends UDPMessageProcessor {

  private static final Logger LOG = LoggerFactory.getLogger(ReusedBufferUdpMessageProcessor.class);
  private static final int MAX_EXCEPTIONS_TO_REPORT = 10;

  private final int bufferSize;
  private int exceptionsReported;

  /**
   * Binds the UDP socket like the stock processor (same receive/send buffer sizes) and marks the stack as having UDP.
   *
   * @param ipAddress the address to listen on
   * @param stack      the stack; its {@code gov.nist.javax.sip.THREAD_POOL_SIZE} must be positive ({@link #supports})
   * @param port       the UDP port
   * @param bufferSize the receive buffer in bytes, sized as the stock processor sizes its per-datagram buffer
   * @throws IOException when the socket cannot be bound
   */
  public ReusedBufferUdpMessageProcessor(InetAddress ipAddress, SIPTransactionStack stack, int port, int bufferSize)
      throws IOException {
    super(ipAddress, stack, port);
    this.bufferSize = bufferSize;
    stack.udpFlag = true;
  }

  /** Whether a stack can use this processor: it must run its UDP message channels as a thread pool. */
  public static boolean supports(SIPTransactionStack stack) {
    return stack.threadPoolSize > 0;
  }

  @Override
  public void run() {
    LinkedList<UDPMessageChannel> channels = new LinkedList<>();
    this.messageChannels = channels; // what stop() closes
    String name = sipStack instanceof gov.nist.javax.sip.SipStackImpl
        ? ((gov.nist.javax.sip.SipStackImpl) sipStack).getStackName() : "sip";
    for (int i = 0; i < sipStack.threadPoolSize; i++) {
      channels.add(new UDPMessageChannel(sipStack, this, name + "-UDPMessageChannelThread-" + i));
    }
    byte[] buffer = new byte[bufferSize];
    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
    while (isRunning) {
      try {
        packet.setData(buffer); // also resets the length that the previous receive shortened
        sock.receive(packet);
        int length = packet.getLength();
        DatagramPacket received = new DatagramPacket(Arrays.copyOf(buffer, length), length,
            packet.getAddress(), packet.getPort());
        messageQueue.offer(new DatagramQueuedMessageDispatch(received, System.currentTimeMillis()));
        exceptionsReported = 0;
      } catch (SocketTimeoutException e) {
        // only with a socket timeout; keep receiving
      } catch (SocketException e) {
        if (!isRunning) {
          return; // stop() closed the socket
        }
        report(e);
      } catch (IOException | RuntimeException e) {
        report(e);
      }
    }
  }

  private void report(Exception e) {
    // Bounded like the stock processor, so that a socket failing in a loop does not flood the log.
    if (exceptionsReported < MAX_EXCEPTIONS_TO_REPORT) {
      exceptionsReported++;
      LOG.warn("UDP receive failed on port {}, still receiving: {}", getPort(), e.toString());
    }
  }
}
