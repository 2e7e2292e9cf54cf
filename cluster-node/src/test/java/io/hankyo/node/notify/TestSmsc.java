package io.hankyo.node.notify;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.jsmpp.SMPPConstant;
import org.jsmpp.bean.BroadcastSm;
import org.jsmpp.bean.CancelBroadcastSm;
import org.jsmpp.bean.CancelSm;
import org.jsmpp.bean.DataSm;
import org.jsmpp.bean.OptionalParameter;
import org.jsmpp.bean.QueryBroadcastSm;
import org.jsmpp.bean.QuerySm;
import org.jsmpp.bean.ReplaceSm;
import org.jsmpp.bean.SubmitMulti;
import org.jsmpp.bean.SubmitSm;
import org.jsmpp.extra.ProcessRequestException;
import org.jsmpp.session.BindRequest;
import org.jsmpp.session.BroadcastSmResult;
import org.jsmpp.session.DataSmResult;
import org.jsmpp.session.QueryBroadcastSmResult;
import org.jsmpp.session.QuerySmResult;
import org.jsmpp.session.SMPPServerSession;
import org.jsmpp.session.SMPPServerSessionListener;
import org.jsmpp.session.ServerMessageReceiverListener;
import org.jsmpp.session.Session;
import org.jsmpp.session.SubmitMultiResult;
import org.jsmpp.session.SubmitSmResult;
import org.jsmpp.session.connection.ServerConnection;
import org.jsmpp.session.connection.ServerConnectionFactory;
import org.jsmpp.session.connection.socket.ServerSocketConnection;
import org.jsmpp.util.MessageId;

/**
 * A test SMSC on a free 127.0.0.1 port, made of jSMPP's server side: accepts every bind (with the expected system id
 * and password) and records every submit_sm; {@link #answer} decides the command_status of each submit_sm (0 = accept
 * with a message id). {@link #closeSessions()} drops every bound session, as an SMSC restart would. Public for the
 * end-to-end tests ({@code SmsNotificationE2eTest}).
 */
public final class TestSmsc implements AutoCloseable {
  final String systemId;
  final String password;
  /** Every submit_sm received, in order (accepted or not). */
  public final List<SubmitSm> submits = new CopyOnWriteArrayList<>();
  /** Every accepted bind request's system id, in order. */
  final List<String> binds = new CopyOnWriteArrayList<>();
  /** command_status to answer a submit_sm with; 0 accepts. */
  public volatile ToIntFunction<SubmitSm> answer = sm -> 0;

  private final ServerSocket socket;
  private final SMPPServerSessionListener listener;
  private final List<SMPPServerSession> sessions = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean running = true;

  public TestSmsc(String systemId, String password) throws IOException {
    this.systemId = systemId;
    this.password = password;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    ServerConnectionFactory onLoopback = new ServerConnectionFactory() {
      @Override
      public ServerConnection listen(int port) {
        return new ServerSocketConnection(socket);
      }

      @Override
      public ServerConnection listen(int port, int timeout) throws IOException {
        socket.setSoTimeout(timeout);
        return new ServerSocketConnection(socket);
      }

      @Override
      public ServerConnection listen(int port, int timeout, int backlog) throws IOException {
        return listen(port, timeout);
      }
    };
    this.listener = new SMPPServerSessionListener(socket.getLocalPort(), 0, onLoopback);
    listener.setMessageReceiverListener(new Receiver());
    this.acceptor = new Thread(this::acceptLoop, "test-smsc-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return socket.getLocalPort();
  }

  private void acceptLoop() {
    while (running) {
      try {
        SMPPServerSession s = listener.accept();
        Thread t = new Thread(() -> bind(s), "test-smsc-bind");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        if (running) {
          e.printStackTrace();
        }
        return;
      }
    }
  }

  private void bind(SMPPServerSession s) {
    try {
      BindRequest request = s.waitForBind(5000);
      if (systemId.equals(request.getSystemId()) && password.equals(request.getPassword())) {
        request.accept("test-smsc");
        sessions.add(s);
        binds.add(request.getSystemId());
      } else {
        // jSMPP's server closes the session after sending the negative bind response.
        request.reject(SMPPConstant.STAT_ESME_RINVPASWD);
      }
    } catch (Exception e) {
      s.close();
    }
  }

  /** Closes every session's connection without an unbind. */
  void closeSessions() {
    List<SMPPServerSession> all = new ArrayList<>(sessions);
    sessions.clear();
    all.forEach(SMPPServerSession::close);
  }

  /** Unbinds every session (SMPP 3.4 section 4.2: unbind, then the connection closes), as an SMSC shutting down. */
  void unbindSessions() {
    List<SMPPServerSession> all = new ArrayList<>(sessions);
    sessions.clear();
    all.forEach(SMPPServerSession::unbindAndClose);
  }

  @Override
  public void close() throws IOException {
    running = false;
    closeSessions();
    listener.close();
    socket.close();
  }

  private final class Receiver implements ServerMessageReceiverListener {
    @Override
    public SubmitSmResult onAcceptSubmitSm(SubmitSm sm, SMPPServerSession source) throws ProcessRequestException {
      submits.add(sm);
      int status = answer.applyAsInt(sm);
      if (status != 0) {
        throw new ProcessRequestException("refused by the test SMSC", status);
      }
      try {
        return new SubmitSmResult(new MessageId("m" + ids.incrementAndGet()), new OptionalParameter[0]);
      } catch (Exception e) {
        throw new ProcessRequestException(e.getMessage(), SMPPConstant.STAT_ESME_RSYSERR, e);
      }
    }

    @Override
    public SubmitMultiResult onAcceptSubmitMulti(SubmitMulti sm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public QuerySmResult onAcceptQuerySm(QuerySm sm, SMPPServerSession source) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptReplaceSm(ReplaceSm sm, SMPPServerSession source) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptCancelSm(CancelSm sm, SMPPServerSession source) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public BroadcastSmResult onAcceptBroadcastSm(BroadcastSm sm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public void onAcceptCancelBroadcastSm(CancelBroadcastSm sm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public QueryBroadcastSmResult onAcceptQueryBroadcastSm(QueryBroadcastSm sm, SMPPServerSession source)
        throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }

    @Override
    public DataSmResult onAcceptDataSm(DataSm sm, Session source) throws ProcessRequestException {
      throw new ProcessRequestException("not supported", SMPPConstant.STAT_ESME_RINVCMDID);
    }
  }
}
