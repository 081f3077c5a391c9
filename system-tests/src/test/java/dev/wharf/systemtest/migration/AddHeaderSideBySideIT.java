package dev.wharf.systemtest.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.Http;
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
  private static final Duration BOUND = SideBySide.BOUND;
  private static final List<String> HEADERS =
      List.of("x-server", "x-server-always", "x-own", "x-second", "location", "x-sn");

  @TempDir static Path dir;
  private static SideBySide sbs;

  @BeforeAll
  static void start() throws Exception {
    Path root = dir.resolve("site");
    Files.createDirectories(root.resolve("files"));
    Files.createDirectories(root.resolve("own"));
    Files.writeString(root.resolve("files").resolve("a.txt"), "file a\n");
    Files.writeString(root.resolve("own").resolve("a.txt"), "own a\n");
    String template =
        SideBySide.http(
            """
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
          server {
            listen 127.0.0.1:PORT3;
            server_name Www.Example.COM *.example.com;
            add_header X-SN $server_name always;
            location / { return 200 "sn=$server_name\\n"; }
          }
        """);
    sbs = SideBySide.start(dir, BOUND, 3, template.replace("ROOT", root.toString()), "b");
  }

  @AfterAll
  static void stop() throws Exception {
    if (sbs != null) {
      sbs.close();
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

  /**
   * The same request to nginx and to Wharf (on the first, second or third server): the same view.
   */
  private static List<String> same(int server, String path, boolean body) throws Exception {
    return sbs.same(path, server, port -> seen(port, path, body));
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

  @Test
  void serverNameIsTheFirstNameOfTheServerTheRequestWasMatchedIn() throws Exception {
    assertEquals(
        List.of("200", "x-sn: www.example.com", "sn=www.example.com\n"), same(2, "/", true));
  }
}
