package dev.wharf.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user reads when a process cannot start: the flag, the reason, no stack trace. */
class StartupTest {
  @TempDir Path dir;

  @Test
  void anAddressThatIsNotHostPortIsAUsageErrorNamingTheFlag() {
    StartupException e =
        assertThrows(StartupException.class, () -> Startup.bindAddress("--admin", "localhost"));

    assertEquals(
        "error: --admin: 'localhost' is not host:port (expected e.g. 127.0.0.1:8080; "
            + "IPv6 as [::1]:8080)\n",
        reported(e));
    assertEquals(2, e.exitCode());
  }

  @Test
  void portZeroAsksForAnyFreePort() throws Exception {
    assertEquals(
        new InetSocketAddress("127.0.0.1", 0), Startup.bindAddress("--admin", "127.0.0.1:0"));
  }

  @Test
  void aConfigThatDoesNotValidateIsReportedOneLinePerError() throws Exception {
    Path config = dir.resolve("bad.yaml");
    Files.writeString(
        config,
        """
        listeners:
          - {name: web, address: 127.0.0.1, port: 70000}
        routes:
          - {name: r, listeners: [web], match: {path: {prefix: /}}, proxy: {upstream: none}}
        """);

    StartupException e =
        assertThrows(StartupException.class, () -> Startup.loadConfig(null, config));

    String[] lines = reported(e).split("\n");
    assertEquals("error: 2 errors in the config:", lines[0]);
    assertEquals(3, lines.length, String.join("\n", lines));
    assertTrue(lines[1].startsWith("  listener web: listeners[0].port: 70000"), lines[1]);
    assertEquals(1, e.exitCode());
  }

  @Test
  void aMissingConfigFileIsNamedWithTheFlagThatGaveIt() {
    Path missing = dir.resolve("nope.yaml");

    StartupException e =
        assertThrows(
            StartupException.class, () -> Startup.loadConfig("--bootstrap-config", missing));

    assertEquals(
        "error: --bootstrap-config: cannot read " + missing + ": no such file\n", reported(e));
    assertEquals(1, e.exitCode());
  }

  @Test
  void addressesArePrintedAsTheyWouldBeTypedBack() {
    assertEquals("127.0.0.1:9901", Startup.hostPort(new InetSocketAddress("127.0.0.1", 9901)));
    assertEquals("[0:0:0:0:0:0:0:1]:9700", Startup.hostPort(new InetSocketAddress("::1", 9700)));
  }

  private static String reported(StartupException e) {
    StringWriter err = new StringWriter();
    e.report(new PrintWriter(err));
    return err.toString();
  }

  @Test
  void nettysLeakSamplingIsSetUnlessTheOperatorSetIt() {
    Properties unset = new Properties();
    Startup.nettyDefaults(unset);
    assertEquals("1024", unset.getProperty("io.netty.leakDetection.samplingInterval"));

    Properties given = new Properties();
    given.setProperty("io.netty.leakDetection.samplingInterval", "1");
    Startup.nettyDefaults(given);
    assertEquals("1", given.getProperty("io.netty.leakDetection.samplingInterval"));
  }
}
