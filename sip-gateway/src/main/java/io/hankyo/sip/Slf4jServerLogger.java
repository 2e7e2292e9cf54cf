package io.hankyo.sip;

import gov.nist.core.ServerLogger;
import gov.nist.javax.sip.message.SIPMessage;
import java.util.Properties;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges JAIN-SIP's {@code gov.nist.javax.sip.SERVER_LOGGER} (the message trace) to SLF4J logger
 * {@code io.hankyo.sip.messages} at TRACE. SIP messages carry caller numbers (personal data), so keep that logger off
 * in production. Public with a no-argument constructor only because JAIN-SIP instantiates it by class name.
 */
public final class Slf4jServerLogger implements ServerLogger {
  private static final Logger LOG = LoggerFactory.getLogger("io.hankyo.sip.messages");

  /** Called by JAIN-SIP. */
  public Slf4jServerLogger() {}

  @Override
  public void closeLogFile() {}

  @Override
  public void logMessage(SIPMessage message, String from, String to, boolean sender, long time) {
    log(message, from, to, null, sender);
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender, long time) {
    log(message, from, to, status, sender);
  }

  @Override
  public void logMessage(SIPMessage message, String from, String to, String status, boolean sender) {
    log(message, from, to, status, sender);
  }

  private static void log(SIPMessage message, String from, String to, String status, boolean sender) {
    if (LOG.isTraceEnabled()) {
      LOG.trace("{} {} -> {}{}\n{}", sender ? "sent" : "received", from, to,
          status == null ? "" : " (" + status + ")", message);
    }
  }

  @Override
  public void logException(Exception ex) {
    LOG.debug("JAIN-SIP server log exception", ex);
  }

  @Override
  public void setStackProperties(Properties stackProperties) {}

  @Override
  public void setSipStack(SipStack sipStack) {}
}
