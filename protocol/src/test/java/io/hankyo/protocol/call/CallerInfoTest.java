package io.hankyo.protocol.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hankyo.protocol.calllog.DeviceType;
import io.hankyo.protocol.privacy.EncryptedValue;
import org.junit.jupiter.api.Test;

/** {@link CallerInfo}: which value the call log shows, and events written before {@code unreadable_number}. */
class CallerInfoTest {
  private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules().build();
  private static final EncryptedValue NUMBER = new EncryptedValue("k1", "bnVtYmVy");
  private static final EncryptedValue RAW = new EncryptedValue("k1", "cmF3");

  @Test
  void theNumberIsShownElseWhatWasReceivedAndNothingWhenWithheld() {
    assertEquals(NUMBER, new CallerInfo(NUMBER, "h", null, null, DeviceType.FIXED, null).shownCaller());
    assertEquals(RAW, new CallerInfo(null, null, null, null, DeviceType.UNKNOWN, RAW).shownCaller());
    assertNull(new CallerInfo(null, null, NUMBER, "h", DeviceType.WITHHELD, RAW).shownCaller());
    assertNull(new CallerInfo(null, null, null, null, DeviceType.UNKNOWN).shownCaller());
  }

  @Test
  void eventsWrittenBeforeTheFieldExistedStillRead() throws Exception {
    // the JSON of an event persisted by the previous version: no unreadable_number key at all
    ObjectNode old = JSON.valueToTree(new CallerInfo(NUMBER, "h", null, null, DeviceType.FIXED));
    old.remove("unreadable_number");
    CallerInfo read = JSON.treeToValue(old, CallerInfo.class);
    assertEquals(NUMBER, read.number());
    assertEquals(DeviceType.FIXED, read.type());
    assertNull(read.unreadableNumber());
    CallerInfo withRaw = new CallerInfo(null, null, null, null, DeviceType.UNKNOWN, RAW);
    assertEquals(withRaw, JSON.readValue(JSON.writeValueAsString(withRaw), CallerInfo.class));
  }
}
