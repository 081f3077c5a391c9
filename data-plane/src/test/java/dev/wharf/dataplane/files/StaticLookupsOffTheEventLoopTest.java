package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestNode;
import dev.wharf.testkit.Await;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A static route's disk work runs on the node's file threads: while a lookup is held there, the
 * node's only event loop keeps answering other connections, and the file's answer comes once the
 * lookup runs.
 */
@ExtendWith(NettyLeakExtension.class)
class StaticLookupsOffTheEventLoopTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void aHeldLookupDelaysOnlyItsOwnRequest() throws Exception {
    Files.writeString(dir.resolve("a.txt"), "from disk\n");
    LinkedBlockingQueue<Runnable> held = new LinkedBlockingQueue<>();
    try (TestNode node =
        TestNode.builder()
            .files(held::add)
            .start(
                ports ->
                    """
          listeners: [{name: web, address: 127.0.0.1, port: %d}]
          routes:
            - {name: files, match: {path: {prefix: /files/}}, static: {alias: "%s/"}}
            - {name: ping, match: {path: {exact: /ping}}, respond: {body: pong}}
          """
                        .formatted(ports.next(), dir))) {
      CompletableFuture<HttpResponse<String>> file = Http.getAsync(node.uri("web", "/files/a.txt"));
      Await.until(WAIT, () -> !held.isEmpty(), () -> "the lookup never reached the file threads");

      HttpResponse<String> ping = Http.get(node.uri("web", "/ping"));
      assertEquals("pong", ping.body(), "the event loop answered while the lookup was held");
      assertFalse(file.isDone());

      held.take().run();
      assertEquals("from disk\n", file.get().body());
    }
  }
}
