package dev.wharf.dataplane.http2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.CommandRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error pages over HTTP/2 as over HTTP/1.1: a 404 page over TLS h2 (curl) and h2c (curl with prior
 * knowledge) keeps the error's status and has the page's body; and the access log's {@code
 * $body_bytes_sent} of an intercepted endpoint error counts the page the client got, not the
 * endpoint's body the node discarded, as nginx's does.
 */
@ExtendWith(NettyLeakExtension.class)
class ErrorPagesOverHttp2Test {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String INDEX = "<!doctype html><title>spa</title>\n";
  private static final String SORRY = "<p>sorry, try later</p>\n";

  @TempDir static Path dir;
  static TestBackend backend;
  static H2Node h2;

  @BeforeAll
  static void start() throws Exception {
    Files.createDirectories(dir.resolve("www"));
    Files.writeString(dir.resolve("www/index.html"), INDEX);
    Files.writeString(dir.resolve("www/50x.html"), SORRY);
    backend = TestBackend.start("b");
    String root = dir.resolve("www").toString().replace('\\', '/');
    h2 =
        H2Node.start(
            dir,
            ", access_log: {path: \""
                + dir.resolve("{name}.log").toString().replace('\\', '/')
                + "\", format: \"$request|$status|$body_bytes_sent\"}",
            """
        upstreams:
          - {name: app, endpoints: [{address: "%1$s"}]}
        routes:
          - name: api
            match: {path: {prefix: /api/}}
            proxy: {upstream: app, rewrite: {regex: "^/api(/.*)$", replacement: "$1"}}
            intercept_errors: true
            error_pages: [{codes: [503], target: /50x.html}]
          - name: site
            match: {path: {prefix: /}}
            static: {root: "%2$s"}
            error_pages: [{codes: [404], target: /index.html}]
        """
                .formatted(backend.endpoint(), root));
  }

  @AfterAll
  static void stop() {
    if (h2 != null) {
      h2.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void a404PageOverTlsH2HasTheErrorsStatusAndThePagesBody() {
    CommandRunner.Result r = h2.curl("--http2", "-i", h2.https("/no/such/file"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("HTTP/2 404"), r.stdout());
    assertTrue(r.stdout().endsWith("\r\n\r\n" + INDEX), r.stdout());
  }

  @Test
  void a404PageOverH2cHasTheErrorsStatusAndThePagesBody() {
    CommandRunner.Result r = h2.curl("--http2-prior-knowledge", "-i", h2.h2c("/no/such/file"));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith("HTTP/2 404"), r.stdout());
    assertTrue(r.stdout().endsWith("\r\n\r\n" + INDEX), r.stdout());
  }

  @Test
  void bodyBytesSentOfAnInterceptedErrorCountsThePageNotTheDiscardedEndpointBody() {
    CommandRunner.Result h1 = h2.curl("--http1.1", "-sS", h2.h2c("/api/status/503?h1"));
    assertEquals(SORRY, h1.stdout(), h1.toString());
    CommandRunner.Result h2c = h2.curl("--http2-prior-knowledge", h2.h2c("/api/status/503?h2c"));
    assertEquals(SORRY, h2c.stdout(), h2c.toString());
    CommandRunner.Result tls = h2.curl("--http2", h2.https("/api/status/503?h2"));
    assertEquals(SORRY, tls.stdout(), tls.toString());
    CommandRunner.Result file = h2.curl("--http2-prior-knowledge", h2.h2c("/missing?h2c"));
    assertEquals(INDEX, file.stdout(), file.toString());
    int page = SORRY.getBytes(StandardCharsets.UTF_8).length;
    int index = INDEX.getBytes(StandardCharsets.UTF_8).length;
    Await.until(
        WAIT,
        () ->
            read("clear.log").contains("GET /api/status/503?h1 HTTP/1.1|503|" + page + "\n")
                && read("clear.log").contains("GET /api/status/503?h2c HTTP/2.0|503|" + page + "\n")
                && read("tls.log").contains("GET /api/status/503?h2 HTTP/2.0|503|" + page + "\n")
                && read("clear.log").contains("GET /missing?h2c HTTP/2.0|404|" + index + "\n"),
        () -> read("clear.log") + "\n" + read("tls.log"));
  }

  private static String read(String name) {
    try {
      Path p = dir.resolve(name);
      return Files.exists(p) ? Files.readString(p) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
