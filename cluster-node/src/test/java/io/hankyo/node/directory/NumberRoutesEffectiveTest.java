package io.hankyo.node.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.hankyo.protocol.call.NumberRoute;
import io.hankyo.protocol.judgment.JudgmentRules;
import io.hankyo.protocol.number.PhoneNumber;
import io.hankyo.protocol.number.PhoneNumbers;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Precedence of judgment rules in a call's route (issue 4): the number's own rules win over the advertiser's. */
class NumberRoutesEffectiveTest {
  private static final PhoneNumber DIN = PhoneNumbers.parse("0120-123-456");
  private static final PhoneNumber FWD = PhoneNumbers.parse("03-1234-5678");
  private static final JudgmentRules OWN = JudgmentRules.threshold(10);
  private static final JudgmentRules ADV = JudgmentRules.threshold(60);
  private static final Advertiser.AdvertiserJudgment ADVERTISER =
      new Advertiser.AdvertiserJudgment("shop", 4, ADV, Instant.parse("2026-11-01T00:00:00Z"));

  private static NumberRoute route(JudgmentRules rules, int version) {
    return new NumberRoute("op", "shop", "Shop", "d1", "", DIN, FWD, false, null, 0, rules, version);
  }

  @Test
  void theNumbersOwnRulesWin() {
    NumberRoute own = route(OWN, 2);
    assertSame(own, NumberRoutes.effective(own, ADVERTISER));
  }

  @Test
  void aNumberWithoutRulesGetsTheAdvertisersWithTheirVersion() {
    NumberRoute r = NumberRoutes.effective(route(null, 0), ADVERTISER);
    assertEquals(ADV, r.judgment());
    assertEquals(4, r.judgmentVersion());
    assertEquals("a4", r.judgmentVersionId());
    // removed own rules (a version above 0, no rules) count as none
    assertEquals("a4", NumberRoutes.effective(route(null, 3), ADVERTISER).judgmentVersionId());
  }

  @Test
  void noAdvertiserRulesLeaveTheRouteAsItIs() {
    NumberRoute none = route(null, 3);
    assertSame(none, NumberRoutes.effective(none, null));
    assertSame(none, NumberRoutes.effective(none, new Advertiser.AdvertiserJudgment("shop", 2, null, null)));
  }
}
