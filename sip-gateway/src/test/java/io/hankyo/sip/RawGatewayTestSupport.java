package io.hankyo.sip;

import io.hankyo.sip.testing.FakeCallControl;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One gateway per test class for tests that send raw SIP: a {@link FakeCallControl} routing {@link #TRACKING} to
 * {@link #DESTINATION}, started by the subclass's {@code @BeforeAll} through {@link #startGatewayOn}, stopped after
 * the class. Before each test the fake is reset and the gateway's malformed-request and unknown-number counters are
 * noted, so a test can assert what it alone added.
 */
abstract class RawGatewayTestSupport extends GatewayTestSupport {
  static ActorTestKit kit;
  static FakeCallControl control;
  static SipGateway gateway;
  long malformedBefore;
  long unknownBefore;

  /** Starts the class's gateway on {@code gatewayPort} (UDP+TCP), forwarding to {@code uasPort}. */
  static void startGatewayOn(int gatewayPort, int uasPort) {
    kit = testKit();
    control = new FakeCallControl().route(TRACKING, DESTINATION);
    gateway = SipGateway.start(settings(gatewayPort, uasPort, ""), control, cipher(), kit.system());
  }

  @AfterAll
  static void stopGateway() {
    stopAll(gateway, control, kit);
  }

  @BeforeEach
  void resetCallControlAndCounters() {
    control.reset();
    malformedBefore = gateway.malformedRequestCount();
    unknownBefore = gateway.unknownNumberCount();
  }
}
