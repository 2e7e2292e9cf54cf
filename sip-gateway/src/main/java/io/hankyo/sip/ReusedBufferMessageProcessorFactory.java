package io.hankyo.sip;

import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.OIOMessageProcessorFactory;
import gov.nist.javax.sip.stack.ReusedBufferUdpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.IOException;
import java.net.InetAddress;
import javax.sip.ListeningPoint;

/**
 * JAIN-SIP {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}: the stock (blocking I/O) message processors, except
 * that UDP is received by {@link ReusedBufferUdpMessageProcessor}, which reuses one receive buffer instead of
 * allocating {@code MAX_MESSAGE_SIZE} bytes per datagram. Public with a no-argument constructor only because
 * JAIN-SIP instantiates it by class name; not part of the API.
 */
public final class ReusedBufferMessageProcessorFactory implements MessageProcessorFactory {

  private final OIOMessageProcessorFactory stock = new OIOMessageProcessorFactory();

  @Override
  public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress ipAddress, int port,
      String transport) throws IOException {
    if (ListeningPoint.UDP.equalsIgnoreCase(transport) && ReusedBufferUdpMessageProcessor.supports(stack)) {
      return new ReusedBufferUdpMessageProcessor(ipAddress, stack, port,
          LenientMessageParserFactory.datagramBuffer(stack.getMaxMessageSize()));
    }
    return stock.createMessageProcessor(stack, ipAddress, port, transport);
  }
}
