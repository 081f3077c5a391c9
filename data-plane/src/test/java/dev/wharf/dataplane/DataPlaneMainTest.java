package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.DocumentLimits;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The command line refuses what it cannot run with a message that says why: exit 2 for a misused
 * flag, 1 for a config file that cannot be used.
 */
class DataPlaneMainTest {
  private record Run(int exitCode, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new DataPlaneMain())
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertUsageError(String expectedFirstLine, String... args) {
    Run r = run(args);

    assertEquals(2, r.exitCode(), r.toString());
    assertEquals(expectedFirstLine, r.err().lines().findFirst().orElse(""), r.err());
    assertTrue(r.err().contains("Usage: wharf-data-plane"), r.err());
  }

  @Test
  void anUnknownTransportIsAUsageErrorNamingTheChoices() {
    assertUsageError(
        "--transport: kqueue (expected: auto, epoll, io_uring or nio)",
        "--transport",
        "kqueue",
        "--config",
        "x.yaml");
  }

  @Test
  void neitherAConfigFileNorAControlPlaneIsAUsageError() {
    assertUsageError(
        "error: give either --config FILE (serve a local config file) or "
            + "--control-plane HOST:PORT[,HOST:PORT...] (take config from the control plane)");
  }

  @Test
  void bothAConfigFileAndAControlPlaneIsAUsageError() {
    assertUsageError(
        "error: give either --config FILE (serve a local config file) or "
            + "--control-plane HOST:PORT[,HOST:PORT...] (take config from the control plane), "
            + "not both",
        "--config",
        "x.yaml",
        "--control-plane",
        "127.0.0.1:7000");
  }

  @Test
  void controlPlaneOptionsWithAConfigFileAreRefusedNotIgnored() {
    assertUsageError(
        "error: --state-dir only applies with --control-plane",
        "--config",
        "x.yaml",
        "--state-dir",
        "/tmp/x");
  }

  @Test
  void checkNeedsAConfigFile() {
    assertUsageError(
        "error: --check needs --config", "--control-plane", "127.0.0.1:7000", "--check");
  }

  @Test
  void aControlPlaneThatIsNotHostPortIsNamed() {
    assertUsageError(
        "error: --control-plane: 'cp1' is not host:port (expected e.g. "
            + "127.0.0.1:8080; IPv6 as [::1]:8080)",
        "--control-plane",
        "127.0.0.1:7000,cp1");
  }

  @Test
  void aConfigFileOneByteOverTheLimitIsRefusedNamingTheLimit(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("big.yaml");
    Files.writeString(file, "#".repeat(DocumentLimits.MAX_BYTES) + "\n");

    Run r = run("--config", file.toString(), "--check");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: 1 error in the config:\n  (document): larger than 16777216 bytes "
            + "(16 MiB), the limit for a config document\n",
        r.err());
  }

  @Test
  void aConfigFileNestedTwentyThousandDeepIsAConfigErrorWithItsLine(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("deep.json");
    Files.writeString(
        file, "{\n  \"listeners\": " + "[".repeat(20_000) + "]".repeat(20_000) + "\n}\n");

    Run r = run("--config", file.toString(), "--check");

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        "error: 1 error in the config:\n  (document): lists and mappings nested "
            + "more than 64 deep, the limit for a config document (line 2)\n",
        r.err());
  }
}
