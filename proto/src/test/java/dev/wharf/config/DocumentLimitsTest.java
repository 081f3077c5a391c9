package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Duration;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Size;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile documents are refused with one error that names the limit they broke (and the line, where
 * there is one), quickly, and without the work they ask for.
 */
class DocumentLimitsTest {
  private static final String SMALL =
      """
      listeners: [{name: web, port: 8080}]
      routes:
        - {name: r, match: {path: {prefix: /}}, respond: {body: ok}}
      """;

  /**
   * Far more than reading MAX_BYTES + 1 bytes takes, far less than parsing them would: CPU time of
   * the reading thread (see {@link #cpuMillis}), so other processes on a loaded machine do not
   * count, while a parse that does far more work than reading still does.
   */
  private static final long FAST_MILLIS = 3_000;

  /**
   * The CPU time the current thread has used, in ms. The bounds below are on it, not on wall-clock
   * time: on a two-core machine shared by a dozen JVMs a 1-second read took 37 s of wall time.
   */
  private static long cpuMillis() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1_000_000;
  }

  private static ConfigError onlyError(String document) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigDocuments.load(document, "hostile.yaml"));
    assertEquals(1, e.errors().size(), e.getMessage());
    return e.errors().get(0);
  }

  private static ConfigError onlyError(ConfigException e) {
    assertEquals(1, e.errors().size(), e.getMessage());
    return e.errors().get(0);
  }

  @Test
  void aStreamOneByteOverTheLimitIsRefusedAfterReadingOneByteMoreThanTheLimit() {
    // Endless, and fails the test if read past MAX_BYTES + 1: the refusal must not read on.
    InputStream endless =
        new InputStream() {
          private long read;

          @Override
          public int read() {
            if (++read > DocumentLimits.MAX_BYTES + 1L) {
              throw new AssertionError("read byte " + read + ", past the limit + 1");
            }
            return '#';
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (read + len > DocumentLimits.MAX_BYTES + 1L) {
              throw new AssertionError(
                  "asked for bytes up to "
                      + (read + len)
                      + ", past the limit + 1 ("
                      + (DocumentLimits.MAX_BYTES + 1L)
                      + ")");
            }
            Arrays.fill(b, off, off + len, (byte) '#');
            read += len;
            return len;
          }
        };

    long start = cpuMillis();
    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigDocuments.load(endless, "endless"));
    long millis = cpuMillis() - start;

    assertEquals(
        "(document): larger than 16777216 bytes (16 MiB), the limit for a config " + "document",
        onlyError(e).toString());
    assertTrue(millis < FAST_MILLIS, "took " + millis + " ms of CPU");
  }

  @Test
  void aFileOfTheLimitPlusOneByteIsRefused(@TempDir Path dir) throws Exception {
    Path over = padded(dir.resolve("over.yaml"), DocumentLimits.MAX_BYTES + 1);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigDocuments.load(over));

    assertEquals(
        "(document): larger than 16777216 bytes (16 MiB), the limit for a config " + "document",
        onlyError(e).toString());
  }

  @Test
  void aFileOfExactlyTheLimitIsReadInSecondsOfCpuThoughItIsOneLongLine(@TempDir Path dir)
      throws Exception {
    // One 16 MB comment line: snakeyaml-engine's default 1 KiB buffer made this take 130 s.
    Path atLimit = padded(dir.resolve("at-limit.yaml"), DocumentLimits.MAX_BYTES);

    long start = cpuMillis();
    Config config = ConfigDocuments.load(atLimit);
    long millis = cpuMillis() - start;

    assertEquals(1, config.getRoutesCount());
    assertTrue(millis < 20_000, "took " + millis + " ms of CPU");
  }

  @Test
  void aStringOverTheLimitInUtf8IsRefusedThoughItHasFewerChars() {
    // 'é' is two bytes: under the limit in chars, over it in bytes.
    String text = SMALL + "# " + "é".repeat(DocumentLimits.MAX_BYTES / 2) + "\n";

    assertEquals(
        "(document): larger than 16777216 bytes (16 MiB), the limit for a config " + "document",
        onlyError(text).toString());
  }

  @Test
  void nestingTwentyThousandDeepIsAConfigErrorWithItsLineInYamlAndJson() {
    String yaml = "routes: []\nlisteners: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
    String json =
        "{\n  \"routes\": [],\n  \"listeners\": "
            + "[".repeat(20_000)
            + "]".repeat(20_000)
            + "\n}\n";

    assertEquals(
        "(document): lists and mappings nested more than 64 deep, the limit for a "
            + "config document (line 2)",
        onlyError(yaml).toString());
    assertEquals(
        "(document): lists and mappings nested more than 64 deep, the limit for a "
            + "config document (line 3)",
        onlyError(json).toString());
  }

  @Test
  void nestingAtTheLimitIsReadAsUsual() {
    // The document's mapping is one level; 63 lists inside it make 64.
    String yaml = "listeners: " + "[".repeat(63) + "]".repeat(63) + "\n";

    assertEquals(
        "listeners[0]: expected a mapping of fields (" + fieldNames("Listener") + ") (line 1)",
        ConfigDocuments.parse(yaml, "t").errors().get(0).toString());
  }

  @Test
  void theDeepestDocumentTheSchemaAllowsIsFarBelowTheDepthLimit() {
    int deepest = depth(Config.getDescriptor(), new HashSet<>());

    assertEquals(7, deepest, "docs/configuration.md and DocumentLimits.MAX_DEPTH say 7");
    assertTrue(deepest * 4 < DocumentLimits.MAX_DEPTH);
  }

  @Test
  void billionLaughsIsRefusedAtTheFirstAliasOverTheLimit() {
    StringBuilder yaml = new StringBuilder("routes:\n");
    yaml.append("  - &l0 {name: lol, match: {hosts: [")
        .append(IntStream.range(0, 10).mapToObj(i -> "lol").collect(Collectors.joining(", ")))
        .append("]}, respond: {body: lol}}\n");
    for (int level = 1; level < 10; level++) {
      String alias = "*l" + (level - 1);
      yaml.append("  - &l")
          .append(level)
          .append(" [")
          .append(IntStream.range(0, 10).mapToObj(i -> alias).collect(Collectors.joining(", ")))
          .append("]\n");
    }

    long start = cpuMillis();
    ConfigError error = onlyError(yaml.toString());
    long millis = cpuMillis() - start;

    // Line 7 holds aliases 41 to 50; the 51st is on line 8.
    assertEquals(
        "(document): more than 50 aliases of lists or mappings, the limit for a config "
            + "document (line 8)",
        error.toString());
    assertTrue(millis < FAST_MILLIS, "took " + millis + " ms of CPU");
  }

  @Test
  void aFewAliasesOfOneLargeBlockAreStoppedOnceTheirExpansionIsTooLarge() {
    // 20,000 hosts read 50 times is a million values from a document of 120 kB.
    String hosts =
        IntStream.range(0, 20_000).mapToObj(i -> "h" + i).collect(Collectors.joining(", "));
    String yaml =
        "routes:\n  - &r {name: r, match: {hosts: ["
            + hosts
            + "]}, respond: {}}\n"
            + "  - *r\n".repeat(49);

    assertEquals(
        "(document): more than 500000 values once aliases are expanded, the limit for "
            + "a config document (line 2)",
        onlyError(yaml).toString());
  }

  @Test
  void aDocumentOfMoreValuesThanTheLimitIsRefusedBeforeItIsComposed() {
    String yaml =
        "routes:\n  - name: r\n    match:\n      hosts: ["
            + "a,".repeat(DocumentLimits.MAX_VALUES)
            + "a]\n";

    assertEquals(
        "(document): more than 500000 values (keys, strings, numbers, lists, "
            + "mappings), the limit for a config document (line 4)",
        onlyError(yaml).toString());
  }

  @Test
  void aValueLongerThanTheLimitIsRefusedWithItsLine() {
    String yaml =
        SMALL + "upstreams:\n  - name: " + "x".repeat(DocumentLimits.MAX_VALUE_CHARS + 1) + "\n";

    assertEquals(
        "(document): a value of more than 1048576 characters, the limit for one value "
            + "(line 5)",
        onlyError(yaml).toString());
  }

  @Test
  void aTenThousandRouteSizedDocumentIsWithinEveryLimit() {
    // 10,000 routes of the shape FleetConfigs generates are 3.2 MB of YAML and 318,000 values;
    // this one, with as many values per route, must read without a limit in the way.
    StringBuilder yaml = new StringBuilder("listeners: [{name: web, port: 8080}]\nroutes:\n");
    for (int i = 0; i < 10_000; i++) {
      yaml.append("  - name: r")
          .append(i)
          .append('\n')
          .append("    match: {hosts: [h")
          .append(i % 8)
          .append(".example.com], path: {prefix: /p")
          .append(i)
          .append("/}}\n")
          .append("    response_headers: {set: [{name: x-route, value: r")
          .append(i)
          .append("}]}\n")
          .append("    respond: {status: 200, body: \"route ")
          .append(i)
          .append("\"}\n");
    }

    ConfigDocuments.Parsed parsed = ConfigDocuments.parse(yaml.toString(), "10k.yaml");

    assertEquals(List.of(), parsed.errors());
    assertEquals(10_000, parsed.config().getRoutesCount());
  }

  /** A valid document padded with a comment to exactly {@code bytes} bytes. */
  private static Path padded(Path file, int bytes) throws Exception {
    byte[] head = (SMALL + "#").getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head);
      byte[] pad = new byte[1 << 16];
      Arrays.fill(pad, (byte) 'x');
      long left = bytes - head.length - 1L;
      while (left > 0) {
        int n = (int) Math.min(pad.length, left);
        out.write(pad, 0, n);
        left -= n;
      }
      out.write('\n');
    }
    assertEquals(bytes, Files.size(file));
    return file;
  }

  private static String fieldNames(String message) {
    return Config.getDescriptor().getFile().findMessageTypeByName(message).getFields().stream()
        .map(FieldDescriptor::getName)
        .collect(Collectors.joining(", "));
  }

  /** Lists and mappings a document of {@code type} can nest, its own mapping included. */
  private static int depth(Descriptor type, Set<Descriptor> open) {
    if (!open.add(type)) {
      throw new AssertionError(type.getFullName() + " contains itself: no depth is enough");
    }
    int deepest = 0;
    for (FieldDescriptor field : type.getFields()) {
      int d = 0;
      if (field.isMapField()) {
        FieldDescriptor value = field.getMessageType().findFieldByName("value");
        d =
            1
                + (value.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                    ? valueDepth(value.getMessageType(), open)
                    : 0);
      } else {
        d =
            field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                ? valueDepth(field.getMessageType(), open)
                : 0;
        if (field.isRepeated()) {
          d++;
        }
      }
      deepest = Math.max(deepest, d);
    }
    open.remove(type);
    return 1 + deepest;
  }

  private static int valueDepth(Descriptor type, Set<Descriptor> open) {
    boolean scalar = type.equals(Duration.getDescriptor()) || type.equals(Size.getDescriptor());
    return scalar ? 0 : depth(type, open);
  }
}
