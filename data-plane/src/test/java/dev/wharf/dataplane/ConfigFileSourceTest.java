package dev.wharf.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.config.DocumentLimits;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.RawHttp;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A node fed from a file picks up a changed file, and keeps its config when the file breaks. */
@ExtendWith(NettyLeakExtension.class)
class ConfigFileSourceTest {

  private static String config(int port, String body) {
    return """
        listeners: [{name: web, address: 127.0.0.1, port: %d}]
        routes:
          - {name: r, match: {path: {prefix: /}}, respond: {body: "%s"}}
        """
        .formatted(port, body);
  }

  /**
   * A node already holding listener {@code web} on a port chosen through {@link TestNode}'s retry
   * (a port that is only written into a file could be taken before the node binds it); the files
   * name that port, so applying them keeps the bound listener.
   */
  private static TestNode boundNode() throws Exception {
    return TestNode.start(ports -> config(ports.next(), "boot"));
  }

  private static String get(InetSocketAddress address) throws Exception {
    try (RawHttp http = new RawHttp(address)) {
      return http.exchange("GET / HTTP/1.1\r\nHost: a\r\n\r\n").body();
    }
  }

  @Test
  void aChangedFileIsAppliedAndABrokenOneKeepsTheLastGoodConfig(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("wharf.yaml");
    try (TestNode node = boundNode();
        ConfigFileSource source = new ConfigFileSource(file, node.node())) {
      int port = node.address("web").getPort();
      Files.writeString(file, config(port, "first"));
      assertTrue(source.reload());
      InetSocketAddress address = node.address("web");
      assertEquals("first", get(address));

      Files.writeString(file, config(port, "second"));
      assertTrue(source.reload());
      assertEquals("second", get(address));

      Files.writeString(file, config(port, "third") + "  - {name: r, respond: {}}\n");
      assertFalse(source.reload(), "a duplicate route name must be refused");
      assertEquals("second", get(address), "the node keeps serving its last good config");
    }
  }

  @Test
  void hostileFilesAreRefusedAndTheWatchStillAppliesTheNextGoodEdit(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("wharf.yaml");
    try (TestNode node = boundNode();
        ConfigFileSource source = new ConfigFileSource(file, node.node())) {
      int port = node.address("web").getPort();
      Files.writeString(file, config(port, "before"));
      assertTrue(source.reload());
      InetSocketAddress address = node.address("web");
      source.watch();

      replace(file, "listeners: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
      assertFalse(source.reload(), "20,000-deep nesting must be refused, not overflow the stack");
      replace(file, "#".repeat(DocumentLimits.MAX_BYTES) + "\n");
      assertFalse(source.reload(), "a file one byte over the limit must be refused");
      assertEquals("before", get(address));

      replace(file, config(port, "after"));
      Await.until(
          Duration.ofSeconds(15),
          () -> "after".equals(getOrNull(address)),
          () -> "still serving " + getOrNull(address));
    }
  }

  /** Replaces {@code file} in one step, so the watcher never reads it half-written. */
  private static void replace(Path file, String text) throws Exception {
    Path next = file.resolveSibling(file.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String getOrNull(InetSocketAddress address) {
    try {
      return get(address);
    } catch (Exception e) {
      return null;
    }
  }

  @Test
  void aListenerThatCannotBindLeavesTheRunningConfigUntouched(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = dir.resolve("wharf.yaml");
      try (TestNode node = boundNode();
          ConfigFileSource source = new ConfigFileSource(file, node.node())) {
        int port = node.address("web").getPort();
        Files.writeString(file, config(port, "before"));
        assertTrue(source.reload());
        InetSocketAddress address = node.address("web");

        Files.writeString(
            file,
            """
            listeners:
              - {name: web, address: 127.0.0.1, port: %d}
              - {name: other, address: 127.0.0.1, port: %d}
            routes:
              - {name: r, match: {path: {prefix: /}}, respond: {body: "after"}}
            """
                .formatted(port, taken.getLocalPort()));

        assertFalse(source.reload(), "binding a port in use must fail the whole apply");
        assertEquals("before", get(address), "the routes of the failed config must not be live");
        assertNull(node.node().address("other"));
      }
    }
  }
}
