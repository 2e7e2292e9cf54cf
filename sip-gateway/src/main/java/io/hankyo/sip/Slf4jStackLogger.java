package io.hankyo.sip;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges JAIN-SIP's {@code gov.nist.javax.sip.STACK_LOGGER} to SLF4J (log4j is excluded from the build, and JAIN-SIP
 * does not start without a stack logger it can instantiate). Public with a no-argument constructor only because
 * JAIN-SIP instantiates it by class name; not part of the gateway's API.
 *
 * <p>JAIN-SIP's levels are mapped one step down, because the stack reports ordinary network events (stray responses,
 * unparsable datagrams) as errors: fatal → ERROR, error and exceptions → WARN, warning → INFO, info and debug →
 * DEBUG, trace → TRACE. The SLF4J logger is {@code gov.nist.javax.sip}.
 */
public final class Slf4jStackLogger implements StackLogger {
  private static final Logger LOG = LoggerFactory.getLogger("gov.nist.javax.sip");

  /** Called by JAIN-SIP. */
  public Slf4jStackLogger() {}

  @Override
  public void logStackTrace() {
    if (LOG.isTraceEnabled()) {
      LOG.trace("stack trace", new Throwable("stack trace"));
    }
  }

  @Override
  public void logStackTrace(int traceLevel) {
    if (isLoggingEnabled(traceLevel)) {
      logStackTrace();
    }
  }

  @Override
  public int getLineCount() {
    return 0;
  }

  @Override
  public void logException(Throwable ex) {
    LOG.warn("JAIN-SIP exception", ex);
  }

  @Override
  public void logDebug(String message) {
    LOG.debug(message);
  }

  @Override
  public void logDebug(String message, Exception ex) {
    LOG.debug(message, ex);
  }

  @Override
  public void logTrace(String message) {
    LOG.trace(message);
  }

  @Override
  public void logFatalError(String message) {
    LOG.error(message);
  }

  @Override
  public void logError(String message) {
    LOG.warn(message);
  }

  @Override
  public boolean isLoggingEnabled() {
    return LOG.isWarnEnabled();
  }

  @Override
  public boolean isLoggingEnabled(int logLevel) {
    if (logLevel <= TRACE_NONE) {
      return false;
    }
    if (logLevel <= TRACE_FATAL) {
      return LOG.isErrorEnabled();
    }
    if (logLevel <= TRACE_ERROR) {
      return LOG.isWarnEnabled();
    }
    if (logLevel <= TRACE_WARN) {
      return LOG.isInfoEnabled();
    }
    if (logLevel <= TRACE_DEBUG) {
      return LOG.isDebugEnabled();
    }
    return LOG.isTraceEnabled();
  }

  @Override
  public void logError(String message, Exception ex) {
    LOG.warn(message, ex);
  }

  @Override
  public void logWarning(String string) {
    LOG.info(string);
  }

  @Override
  public void logInfo(String string) {
    LOG.debug(string);
  }

  @Override
  public void disableLogging() {}

  @Override
  public void enableLogging() {}

  @Override
  public void setBuildTimeStamp(String buildTimeStamp) {}

  @Override
  public void setStackProperties(Properties stackProperties) {}

  @Override
  public String getLoggerName() {
    return LOG.getName();
  }
}
