package io.hankyo.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.hankyo.protocol.privacy.CallerNumberCipher;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the caller-number cipher from {@code hankyo.privacy} (keys, active-key, hash-key). */
public final class PrivacyConfig {
  private PrivacyConfig() {}

  /**
   * @param privacy the {@code hankyo.privacy} block
   * @throws IllegalArgumentException when a key is malformed or the active key is missing (the node does not start)
   */
  public static CallerNumberCipher cipher(Config privacy) {
    Map<String, String> keys = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : privacy.getConfig("keys").root().entrySet()) {
      keys.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
    }
    return new CallerNumberCipher(keys, privacy.getString("active-key"), privacy.getString("hash-key"));
  }
}
