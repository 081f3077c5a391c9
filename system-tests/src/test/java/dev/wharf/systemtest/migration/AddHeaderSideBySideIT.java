package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.Http;
import dev.wharf.dataplane.testing.TestBackend;
import dev.wharf.testkit.Await;
import dev.wharf.testkit.FreePorts;
import dev.wharf.testkit.JarProcess;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code add_header} with and without {@code always}, its inheritance (a location with its own
 * {@code add_header} inherits none of the server's), and {@code return} at server and location
 * level, run by a real nginx and, through {@code wharfctl import-nginx}, by a real Wharf node: the
 * same statuses, the same added headers and {@code Location}, the same bodies where nginx does not
 * write a page of its own.
 */
class AddHeaderSideBySideIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final List<String> HEADERS =
      List.of("x-server", "x-server-always", "x-own", "x-second", "location");

  @TempDir static Path dir;
  private static TestBackend backend;
  private static NginxProcess nginx;
  private static JarProcess wharf;
  private static List<Integer> nginxPorts;
  private static List<Integer> wharfPorts;

  @BeforeAll
  static void start() throws Exception {
    NginxProcess.assumeInstalled();
    backend = TestBackend.start("b");
    Path root = dir.resolve("site");
    Files.createDirectories(root.resolve("files"));
    Files.createDirectories(root.resolve("own"));
    Files.writeString(root.resolve("files").resolve("a.txt"), "file a\n");
    Files.writeString(root.resolve("own").resolve("a.txt"), "own a\n");
    List<Integer> ports = FreePorts.loopback(4);
    nginxPorts = ports.subList(0, 2);
    wharfPorts = ports.subList(2, 4);
    Path nginxConf = write(dir.resolve("nginx"), nginxPorts, root);
    Path wharfConf = write(dir.resolve("wharf"), wharfPorts, root);
    SeedSetup.makeReadable(dir);
    Path prefix = dir.resolve("nginx");
    nginx = NginxProcess.start(prefix, nginxConf, "pid " + prefix.resolve("nginx.pid") + ";");
    wharf = ImportedNode.start(dir, wharfConf, BOUND);
    for (int port : nginxPorts) {
      Await.until(BOUND, () -> answers(port), nginx::errors);
    }
  }

  private static Path write(Path at, List<Integer> ports, Path root) throws IOException {
    Files.createDirectories(at.resolve("logs"));
    String conf =
        """
        worker_processes 1;
        events { worker_connections 64; }
        http {
          access_log off;
          server {
            listen 127.0.0.1:PORT1;
            root ROOT;
            add_header X-Server s;
            add_header X-Server-Always sa always;
            location /files/ { }
            location /own/ { add_header X-Own o; }
            location = /hello { return 200 "hello\\n"; }
            location /teapot { return 418 "short and stout\\n"; }
            location /moved { return 301 https://example.com/hello; }
            location /status/ { proxy_pass http://BACKEND; }
          }
          server {
            listen 127.0.0.1:PORT2;
            add_header X-Second 2;
            return 302 https://example.com/elsewhere;
          }
        }
        """
            .replace("PORT1", Integer.toString(ports.get(0)))
            .replace("PORT2", Integer.toString(ports.get(1)))
            .replace("ROOT", root.toString())
            .replace("BACKEND", backend.endpoint());
    Path file = at.resolve("nginx.conf");
    Files.writeString(file, conf);
    return file;
  }

  @AfterAll
  static void stop() throws Exception {
    if (wharf != null) {
      wharf.close();
    }
    if (nginx != null) {
      nginx.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private static boolean answers(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** What a client sees of one response: the status, the headers above, and the body if asked. */
  private static List<String> seen(int port, String path, boolean body) throws Exception {
    HttpResponse<String> r =
        Http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(BOUND)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    List<String> out = new ArrayList<>();
    out.add(Integer.toString(r.statusCode()));
    for (String name : HEADERS) {
      r.headers().firstValue(name).ifPresent(v -> out.add(name + ": " + v));
    }
    if (body) {
      out.add(r.body());
    }
    return out;
  }

  /** The same request to nginx and to Wharf (on the first or second server): the same view. */
  private static List<String> same(int server, String path, boolean body) throws Exception {
    List<String> fromNginx = seen(nginxPorts.get(server), path, body);
    List<String> fromWharf = seen(wharfPorts.get(server), path, body);
    assertEquals(fromNginx, fromWharf, path);
    return fromWharf;
  }

  @Test
  void aFileGetsTheServersHeaders() throws Exception {
    assertEquals(
        List.of("200", "x-server: s", "x-server-always: sa", "file a\n"),
        same(0, "/files/a.txt", true));
  }

  @Test
  void aMissingFileGetsOnlyTheAlwaysHeader() throws Exception {
    assertEquals(List.of("404", "x-server-always: sa"), same(0, "/files/none.txt", false));
  }

  @Test
  void aLocationWithItsOwnAddHeaderInheritsNoneOfTheServers() throws Exception {
    assertEquals(List.of("200", "x-own: o", "own a\n"), same(0, "/own/a.txt", true));
    assertEquals(List.of("404"), same(0, "/own/none.txt", false));
  }

  @Test
  void aLocationReturnIsAnsweredWithTheHeadersItsStatusGets() throws Exception {
    assertEquals(
        List.of("200", "x-server: s", "x-server-always: sa", "hello\n"), same(0, "/hello", true));
    assertEquals(
        List.of("418", "x-server-always: sa", "short and stout\n"), same(0, "/teapot", true));
    assertEquals(
        List.of("301", "x-server: s", "x-server-always: sa", "location: https://example.com/hello"),
        same(0, "/moved", false));
  }

  @Test
  void aBackendsErrorGetsOnlyTheAlwaysHeader() throws Exception {
    assertEquals(
        List.of("200", "x-server: s", "x-server-always: sa"), same(0, "/status/200", false));
    assertEquals(List.of("500", "x-server-always: sa"), same(0, "/status/500", false));
    assertEquals(List.of("203", "x-server-always: sa"), same(0, "/status/203", false));
  }

  @Test
  void aServerReturnAnswersEveryPathWithItsHeaders() throws Exception {
    assertEquals(
        List.of("302", "x-second: 2", "location: https://example.com/elsewhere"),
        same(1, "/any/path?q=1", false));
  }
}
