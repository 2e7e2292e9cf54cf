package io.hankyo.sip;

import io.hankyo.protocol.call.CallProgress;
import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.sip.media.MediaSession;
import io.hankyo.sip.media.RecordingStore;
import io.hankyo.sip.media.WavRecorder;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording of one bridged call (2者間通話録音, issue 4): taps both legs' media sessions into a {@link
 * WavRecorder} from the bridge (talk start) and, when the call ends, finishes the file off the call's thread (flush,
 * header, SHA-256, atomic rename into the store) and reports {@link CallProgress.RecordingStored} (the report is
 * retried until the call entity takes it; the entity takes it once). A failure of the disk loses the recording, not
 * the call: it is logged and nothing is reported.
 */
final class CallRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(CallRecorder.class);

  private final SipGateway gw;
  private final String trnId;
  private final WavRecorder wav;
  private final MediaSession caller;
  private final MediaSession callee;
  private final AtomicBoolean failed = new AtomicBoolean();

  private CallRecorder(SipGateway gw, String trnId, WavRecorder wav, MediaSession caller, MediaSession callee) {
    this.gw = gw;
    this.trnId = trnId;
    this.wav = wav;
    this.caller = caller;
    this.callee = callee;
  }

  /**
   * Starts recording when the route asks for it and the gateway has a store.
   *
   * @return the recorder, or null when the call is not recorded (or the file cannot be created: logged)
   */
  static CallRecorder start(SipGateway gw, String trnId, NumberRoute route, MediaSession caller,
      MediaSession callee) {
    RecordingStore store = gw.recordingStore;
    if (route == null || !route.recorded() || store == null || caller == null || callee == null) {
      return null;
    }
    WavRecorder wav;
    try {
      wav = WavRecorder.start(store, trnId, route.recording().mode(), Instant.now(), gw.recordingZone,
          System.nanoTime());
    } catch (IOException | RuntimeException e) {
      LOG.warn("call {}: recording not started: {}", trnId, e.toString());
      return null;
    }
    CallRecorder r = new CallRecorder(gw, trnId, wav, caller, callee);
    caller.tap((at, codes, codec) -> r.take(WavRecorder.Party.CALLER, at, codes, codec));
    callee.tap((at, codes, codec) -> r.take(WavRecorder.Party.CALLEE, at, codes, codec));
    return r;
  }

  private void take(WavRecorder.Party party, long at, byte[] codes, io.hankyo.sip.media.Codec codec) {
    if (failed.get()) {
      return;
    }
    try {
      wav.write(party, at, codes, codec);
    } catch (IOException | RuntimeException e) {
      if (failed.compareAndSet(false, true)) {
        LOG.warn("call {}: recording failed and is dropped: {}", trnId, e.toString());
        wav.close();
      }
    }
  }

  /** Ends the recording now (the call's end); the file is finished and reported on a worker thread. */
  void stop() {
    long end = System.nanoTime();
    caller.tap(null);
    callee.tap(null);
    if (failed.get()) {
      return;
    }
    Runnable finish = () -> {
      try {
        WavRecorder.Finished done = wav.finish(end);
        LOG.info("call {}: recording stored as {} ({} bytes, {} ms)", trnId, done.key(), done.bytes(),
            done.durationMillis());
        gw.report(new CallProgress.RecordingStored(trnId, done.key(), done.bytes(), done.sha256(),
            done.durationMillis(), wav.mode(), Instant.now()));
      } catch (IOException | RuntimeException e) {
        LOG.warn("call {}: recording could not be stored: {}", trnId, e.toString());
      }
    };
    try {
      gw.workers.execute(finish);
    } catch (RejectedExecutionException e) {
      finish.run(); // the gateway is stopping: finish here rather than lose the file
    }
  }
}
