package dev.wharf.systemtest.migration;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Debian's headless Chromium driven by playwright-core (test resource {@code
 * browser/load-page.js}), trusting certificates the way a user's browser does: from the NSS
 * database in {@code $HOME/.pki/nssdb}, made with {@code certutil}. Each page load is one bounded
 * node process; what it saw comes back as JSON.
 *
 * <p>playwright-core is found in {@code $WHARF_NODE_MODULES} (CI sets it, see .ci/run), else in
 * {@code ~/.cache/wharf-ci/npm/node_modules}. A missing chromium, node, certutil or playwright-core
 * is {@link MissingTool missing}: a failure under {@code CI=true}, a skip elsewhere.
 */
final class Chromium {
  static final Path EXECUTABLE = Path.of("/usr/bin/chromium");
  static final Path CERTUTIL = Path.of("/usr/bin/certutil");

  /** One page load: start the browser, load, wait for the page's scripts, close. Generous. */
  private static final Duration LOAD_BOUND = Duration.ofSeconds(180);

  private static final Duration CERTUTIL_BOUND = Duration.ofSeconds(60);

  private final Path node;
  private final Path playwrightCore;
  private final Path script;

  private Chromium(Path node, Path playwrightCore, Path script) {
    this.node = node;
    this.playwrightCore = playwrightCore;
    this.script = script;
  }

  /** The browser and its driver, or {@link MissingTool#missing} naming what is not installed. */
  static Chromium find() {
    if (!Files.isExecutable(EXECUTABLE)) {
      MissingTool.missing(EXECUTABLE + " is not installed (apt-get install chromium)");
    }
    if (!Files.isExecutable(CERTUTIL)) {
      MissingTool.missing(CERTUTIL + " is not installed (apt-get install libnss3-tools)");
    }
    Path node =
        onPath("node")
            .orElseGet(() -> MissingTool.missing("node is not installed (apt-get install npm)"));
    String modules = System.getenv("WHARF_NODE_MODULES");
    Path dir =
        modules != null && !modules.isBlank()
            ? Path.of(modules)
            : Path.of(System.getProperty("user.home"), ".cache", "wharf-ci", "npm", "node_modules");
    Path core = dir.resolve("playwright-core");
    if (!Files.isRegularFile(core.resolve("package.json"))) {
      MissingTool.missing(
          "playwright-core is not installed in "
              + dir
              + " (.ci/run installs it: npm install --prefix ~/.cache/wharf-ci/npm"
              + " playwright-core@1.65.2; or set WHARF_NODE_MODULES)");
    }
    return new Chromium(node, core, resource("browser/load-page.js"));
  }

  /**
   * A HOME whose NSS database trusts {@code caPem} for TLS servers ({@code certutil -A -t "C,,"}),
   * as a user who imported their company's CA; without {@code caPem}, an empty database.
   */
  static Path home(Path dir, Optional<Path> caPem) {
    Path db = dir.resolve(".pki").resolve("nssdb");
    try {
      Files.createDirectories(db);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String sql = "sql:" + db;
    certutil(List.of("-d", sql, "-N", "--empty-password"));
    caPem.ifPresent(
        ca ->
            certutil(
                List.of("-d", sql, "-A", "-t", "C,,", "-n", "wharf-test-ca", "-i", ca.toString())));
    return dir;
  }

  /**
   * Loads {@code url} in a fresh browser running with {@code home}; when {@code waitForDataset} is
   * given, also waits until the page's scripts set {@code <body data-NAME>}.
   */
  Page load(Path home, String url, Optional<String> waitForDataset) {
    return load(home, url, waitForDataset, Optional.empty());
  }

  /**
   * As {@link #load(Path, String, Optional)}; with {@code openWebSocket}, once the page has loaded
   * it also opens a WebSocket to that path on its own host, sends one message and records the echo
   * in {@code <body data-ws>} (what the SPA's own script does, for a page without one).
   */
  Page load(
      Path home, String url, Optional<String> waitForDataset, Optional<String> openWebSocket) {
    Path netLog;
    try {
      netLog = Files.createTempFile(home, "netlog-", ".json");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CommandRunner.Result r =
        CommandRunner.run(
            LOAD_BOUND,
            List.of(node.toString(), script.toString(), url),
            Map.of(
                "PLAYWRIGHT_CORE", playwrightCore.toString(),
                "CHROMIUM", EXECUTABLE.toString(),
                "BROWSER_HOME", home.toString(),
                "WAIT_FOR_DATASET", waitForDataset.orElse(""),
                "OPEN_WEBSOCKET", openWebSocket.orElse(""),
                "NET_LOG", netLog.toString()));
    if (r.exitCode() != 0) {
      throw new AssertionError("the browser script failed on " + url + "\n" + r);
    }
    List<String> lines = r.stdout().lines().filter(l -> l.startsWith("{")).toList();
    if (lines.isEmpty()) {
      throw new AssertionError("the browser script printed no JSON for " + url + "\n" + r);
    }
    return new Page(JsonParser.parseString(lines.get(lines.size() - 1)).getAsJsonObject());
  }

  /** What the browser saw of one page (see load-page.js). */
  record Page(JsonObject json) {
    /** The net:: error of a navigation that failed, or null when the page loaded. */
    String navigationError() {
      return string("navigationError");
    }

    int status() {
      return json.get("status").getAsInt();
    }

    String title() {
      return string("title");
    }

    /** {@code <body data-NAME>} as the page's scripts left it. */
    String dataset(String name) {
      JsonElement d = json.getAsJsonObject("dataset").get(name);
      return d == null ? null : d.getAsString();
    }

    /** "TLS 1.3" or "TLS 1.2". */
    String protocol() {
      return string("protocol");
    }

    /** The common name of the certificate's issuer. */
    String issuer() {
      return string("issuer");
    }

    String subjectName() {
      return string("subjectName");
    }

    List<String> consoleErrors() {
      return strings("consoleErrors");
    }

    List<String> failedRequests() {
      return strings("failedRequests");
    }

    /**
     * The protocol the browser used for the page and for each resource it loaded, by URL, as the
     * page's Resource Timing says ({@code nextHopProtocol}: "h2", "http/1.1").
     */
    Map<String, String> protocols() {
      Map<String, String> out = new LinkedHashMap<>();
      json.getAsJsonArray("protocols")
          .forEach(
              e ->
                  out.put(
                      e.getAsJsonObject().get("url").getAsString(),
                      e.getAsJsonObject().get("protocol").getAsString()));
      return out;
    }

    /**
     * The page's WebSockets as the DevTools protocol saw them: URL and handshake status (101 for an
     * HTTP/1.1 upgrade, 200 for an RFC 8441 stream), e.g. {@code "wss://localhost:1/capture 101"}.
     */
    List<String> webSockets() {
      List<String> out = new ArrayList<>();
      json.getAsJsonArray("webSockets")
          .forEach(
              e -> {
                JsonObject ws = e.getAsJsonObject();
                JsonElement status = ws.get("status");
                out.add(
                    ws.get("url").getAsString()
                        + " "
                        + (status == null || status.isJsonNull() ? "-" : status.getAsString()));
              });
      return out;
    }

    /**
     * The URLs of the WebSockets the browser opened as an extended CONNECT with {@code :protocol
     * websocket} on an HTTP/2 connection (RFC 8441), from the browser's own net log.
     */
    List<String> http2WebSockets() {
      return strings("http2WebSockets");
    }

    private String string(String name) {
      JsonElement e = json.get(name);
      return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    private List<String> strings(String name) {
      List<String> out = new ArrayList<>();
      json.getAsJsonArray(name).forEach(e -> out.add(e.getAsString()));
      return out;
    }
  }

  private static void certutil(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(CERTUTIL.toString());
    command.addAll(args);
    CommandRunner.Result r = CommandRunner.run(CERTUTIL_BOUND, command);
    if (r.exitCode() != 0) {
      throw new AssertionError("certutil failed: " + command + "\n" + r);
    }
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    for (String entry : (path == null ? "/usr/bin" : path).split(File.pathSeparator)) {
      Path candidate = Path.of(entry.isEmpty() ? "." : entry, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static Path resource(String name) {
    URL url = Chromium.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException("test resource " + name + " is missing");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
