package dev.wharf.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.cli.Cli;
import dev.wharf.cli.Cli.Result;
import dev.wharf.cli.Configs;
import dev.wharf.cli.RealAdmin;
import dev.wharf.config.DocumentLimits;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * validate, apply and diff refuse a document over the limits with the errors validate prints for
 * any invalid document, exit 1, never a stack trace, and send nothing.
 */
class HostileDocumentsTest {
  private static final String DEEP_YAML =
      "routes: []\nlisteners: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
  private static final String DEEP_JSON =
      "{\n  \"routes\": [],\n  \"listeners\": " + "[".repeat(20_000) + "]".repeat(20_000) + "\n}\n";

  @TempDir Path dir;
  private Cli cli;
  private RealAdmin admin;
  private long v;

  @BeforeEach
  void serve() {
    cli = new Cli(dir);
    admin = cli.serveReal("cp-1:9700");
    v = admin.commit(Configs.parse(Configs.BEFORE));
    cli.env.put("WHARF_SERVER", "cp-1:9700");
  }

  @AfterEach
  void stop() {
    cli.close();
  }

  @Test
  void validateRefusesAFileOneByteOverTheLimitByNamingTheLimit() throws Exception {
    Path file = dir.resolve("big.yaml");
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] comment = new byte[1 << 16];
      Arrays.fill(comment, (byte) '#');
      for (int left = DocumentLimits.MAX_BYTES + 1; left > 0; left -= comment.length) {
        out.write(comment, 0, Math.min(left, comment.length));
      }
    }

    Result r = cli.run("validate", "-f", file.toString());

    assertEquals(1, r.exitCode(), r.toString());
    assertEquals(
        file
            + ": 1 error\n  (document): larger than 16777216 bytes (16 MiB), the "
            + "limit for a config document\n",
        r.err());
    assertEquals("", r.out());
  }

  @Test
  void validateReportsTwentyThousandDeepNestingWithItsLineAndNoStackTrace() {
    Path yaml = Configs.write(dir, "deep.yaml", DEEP_YAML);
    Path json = Configs.write(dir, "deep.json", DEEP_JSON);

    Result fromYaml = cli.run("validate", "-f", yaml.toString());
    Result fromJson = cli.run("validate", "-f", json.toString());

    assertEquals(1, fromYaml.exitCode(), fromYaml.toString());
    assertEquals(
        yaml
            + ": 1 error\n  (document): lists and mappings nested more than 64 deep, "
            + "the limit for a config document (line 2)\n",
        fromYaml.err());
    assertEquals(1, fromJson.exitCode(), fromJson.toString());
    assertEquals(
        json
            + ": 1 error\n  (document): lists and mappings nested more than 64 deep, "
            + "the limit for a config document (line 3)\n",
        fromJson.err());
  }

  @Test
  void applyAndDiffOfAHostileDocumentPrintItsErrorAndSendNothing() {
    Path deep = Configs.write(dir, "deep.yaml", DEEP_YAML);
    Path laughs = Configs.write(dir, "laughs.yaml", billionLaughs());

    for (String command : new String[] {"apply", "diff"}) {
      Result r = cli.run(command, "-f", deep.toString());
      assertEquals(1, r.exitCode(), r.toString());
      assertEquals(
          deep
              + ": 1 error\n  (document): lists and mappings nested more than 64 "
              + "deep, the limit for a config document (line 2)\n",
          r.err());

      r = cli.run(command, "-f", laughs.toString());
      assertEquals(1, r.exitCode(), r.toString());
      assertEquals(
          laughs
              + ": 1 error\n  (document): more than 50 aliases of lists or "
              + "mappings, the limit for a config document (line 8)\n",
          r.err());
      assertFalse(r.err().contains("\tat "), r.err());
    }
    assertEquals(0, admin.calls(), "nothing may be sent");
    assertEquals(v, admin.version());
  }

  @Test
  void hostileMetadataOnStandardInputIsRefusedWithTheFieldAndNothingIsSent() {
    String[] documents = {
      "metadata: {version: \"1; rm -rf /\"}\n" + Configs.BEFORE,
      "metadata: {version: " + "9".repeat(5000) + "}\n" + Configs.BEFORE,
      "metadata: &m {version: 1}\nlisteners: [*m]\n",
      "metadata: {version: 1, token: secret}\n" + Configs.BEFORE,
    };
    String[] errors = {
      "stdin: 1 error\n  metadata.version: '1; rm -rf /' is not a config version (expected: a whole number > 0)"
          + " (line 1)\n",
      "stdin: 1 error\n  metadata.version: '"
          + "9".repeat(40)
          + "...' is not a config version (expected: a"
          + " whole number > 0) (line 1)\n",
      "stdin: 3 errors\n  listeners[0].version: unknown field",
      "stdin: 1 error\n  metadata.token: unknown field (expected: version) (line 1)\n",
    };
    for (int i = 0; i < documents.length; i++) {
      Result r = cli.stdin(documents[i], false).run("apply", "-f", "-");

      assertEquals(1, r.exitCode(), r.toString());
      assertEquals(true, r.err().startsWith(errors[i]), r.err());
      assertFalse(r.err().contains("\tat "), r.err());
    }
    assertEquals(0, admin.calls(), "nothing may be sent");
  }

  /** Nine levels of ten aliases each of the level below: a billion values once expanded. */
  private static String billionLaughs() {
    StringBuilder yaml = new StringBuilder("routes:\n  - &l0 {name: lol, respond: {body: lol}}\n");
    for (int level = 1; level < 10; level++) {
      yaml.append("  - &l")
          .append(level)
          .append(" [")
          .append(String.join(", ", Collections.nCopies(10, "*l" + (level - 1))))
          .append("]\n");
    }
    return yaml.toString();
  }
}
