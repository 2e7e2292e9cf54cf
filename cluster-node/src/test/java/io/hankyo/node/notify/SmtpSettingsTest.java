package io.hankyo.node.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpSettingsTest {
  private static Config conf(String smtp) {
    return ConfigFactory.parseString("hankyo.notify.smtp {" + smtp + "}");
  }

  @Test
  void defaultsAreTheLocalRelayWithoutAuth() {
    SmtpSettings d = SmtpSettings.fromConfig(ConfigFactory.empty());
    assertEquals("127.0.0.1", d.host());
    assertEquals(25, d.port());
    assertEquals(SmtpSettings.StartTls.OFF, d.startTls());
    assertFalse(d.authenticates());
    assertEquals("hankyo@localhost", d.from().getAddress());
    assertEquals(Duration.ofSeconds(10), d.timeout());
    assertEquals(d, SmtpSettings.defaults());
  }

  @Test
  void theShippedApplicationConfHasTheSameDefaults() {
    Config app = ConfigFactory.parseResources("application.conf").resolve();
    assertEquals(SmtpSettings.defaults(), SmtpSettings.fromConfig(app));
  }

  @Test
  void readsEveryKey() {
    SmtpSettings s = SmtpSettings.fromConfig(conf("""
        host = "smtp.example.jp", port = 587, starttls = required, username = "notify", password = "s3cret",
        from = "Hankyo 通知 <noreply@example.jp>", timeout = 2500ms"""));
    assertEquals("smtp.example.jp", s.host());
    assertEquals(587, s.port());
    assertEquals(SmtpSettings.StartTls.REQUIRED, s.startTls());
    assertTrue(s.authenticates());
    assertEquals("notify", s.username());
    assertEquals("s3cret", s.password());
    assertEquals("noreply@example.jp", s.from().getAddress());
    assertEquals("Hankyo 通知", s.from().getPersonal());
    assertEquals(2500, s.timeoutMillis());
    assertEquals(SmtpSettings.StartTls.OPTIONAL,
        SmtpSettings.fromConfig(conf("starttls = Optional")).startTls());
  }

  @Test
  void environmentOverridesOfTheShippedConfigApply() {
    // The ${?HANKYO_SMTP_*} substitutions of application.conf, resolved against a stand-in environment.
    Config env = ConfigFactory.parseString(
        "HANKYO_SMTP_HOST = mail.example.jp, HANKYO_SMTP_PORT = 2525, HANKYO_SMTP_STARTTLS = optional, "
            + "HANKYO_SMTP_USERNAME = u, HANKYO_SMTP_PASSWORD = p, HANKYO_SMTP_FROM = \"a@example.jp\", "
            + "HANKYO_SMTP_TIMEOUT = 3s");
    Config app = ConfigFactory.parseResources("application.conf").withFallback(env).resolve();
    SmtpSettings s = SmtpSettings.fromConfig(app);
    assertEquals("mail.example.jp", s.host());
    assertEquals(2525, s.port());
    assertEquals(SmtpSettings.StartTls.OPTIONAL, s.startTls());
    assertEquals("u", s.username());
    assertEquals("p", s.password());
    assertEquals("a@example.jp", s.from().getAddress());
    assertEquals(Duration.ofSeconds(3), s.timeout());
  }

  @Test
  void invalidValuesNameTheKey() {
    assertBad("port = 0", "port must be 1..65535");
    assertBad("port = 70000", "port must be 1..65535");
    assertBad("port = smtp", "hankyo.notify.smtp.port");
    assertBad("host = \"  \"", "host must not be empty");
    assertBad("starttls = maybe", "starttls must be off, optional or required");
    assertBad("from = \"not an address\"", "hankyo.notify.smtp.from");
    assertBad("from = \"a@example.jp, b@example.jp\"", "one address");
    assertBad("from = \"\"", "from address is empty");
    assertBad("password = p", "username is empty");
    assertBad("timeout = 0s", "timeout must be 1ms..24d");
    assertBad("timeout = soon", "hankyo.notify.smtp.timeout");
  }

  @Test
  void toStringHidesThePassword() {
    SmtpSettings s = SmtpSettings.defaults().withCredentials("u", "topsecret");
    assertFalse(s.toString().contains("topsecret"), s.toString());
    assertTrue(s.toString().contains("password=****"), s.toString());
  }

  private static void assertBad(String smtp, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> SmtpSettings.fromConfig(conf(smtp)), smtp);
    assertTrue(e.getMessage().contains(expected), smtp + " → " + e.getMessage());
  }
}
