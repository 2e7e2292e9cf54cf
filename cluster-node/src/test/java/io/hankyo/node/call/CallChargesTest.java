package io.hankyo.node.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.number.NumberKind;
import org.junit.jupiter.api.Test;

/** The reference tariff of spec section 7. */
class CallChargesTest {
  private final CallCharges charges = CallCharges.defaults();

  @Test
  void freeCallRatesPerStartedMinute() {
    assertEquals(10, charges.charge(NumberKind.FREE_CALL, DeviceType.FIXED, DeviceType.FIXED, 60));
    assertEquals(20, charges.charge(NumberKind.FREE_CALL, DeviceType.FIXED, DeviceType.FIXED, 61));
    assertEquals(24, charges.charge(NumberKind.FREE_CALL, DeviceType.FIXED, DeviceType.MOBILE, 1));
    assertEquals(24, charges.charge(NumberKind.FREE_CALL, DeviceType.MOBILE, DeviceType.FIXED, 59));
    assertEquals(38, charges.charge(NumberKind.FREE_CALL, DeviceType.MOBILE, DeviceType.MOBILE, 60));
    assertEquals(27, charges.charge(NumberKind.FREE_CALL, DeviceType.WITHHELD, DeviceType.FIXED, 30));
    assertEquals(41, charges.charge(NumberKind.FREE_CALL, DeviceType.PAYPHONE, DeviceType.MOBILE, 30));
  }

  @Test
  void ipPhoneNumbersChargeFixedPerThreeMinutes() {
    assertEquals(8, charges.charge(NumberKind.IP_PHONE, DeviceType.FIXED, DeviceType.FIXED, 180));
    assertEquals(16, charges.charge(NumberKind.IP_PHONE, DeviceType.MOBILE, DeviceType.FIXED, 181));
    assertEquals(34, charges.charge(NumberKind.IP_PHONE, DeviceType.FIXED, DeviceType.MOBILE, 61));
  }

  @Test
  void noTalkNoCharge() {
    assertEquals(0, charges.charge(NumberKind.FREE_CALL, DeviceType.FIXED, DeviceType.FIXED, 0));
    assertEquals(0, charges.charge(NumberKind.FREE_CALL, DeviceType.FIXED, null, 10));
  }
}
