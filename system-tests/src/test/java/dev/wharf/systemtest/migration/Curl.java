package dev.wharf.systemtest.migration;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.MissingTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The real {@code curl}, as a user runs it against an HTTPS site: every call bounded, the response
 * head and body kept apart (the body as bytes, as it arrived).
 */
final class Curl {
  static final Path CURL = Path.of("/usr/bin/curl");
  private static final Duration BOUND = Duration.ofSeconds(60);

  private final Path dir;
  private int calls;

  /** What one call saw; {@code exitCode} is curl's (0, or e.g. 60 for an untrusted certificate). */
  record Response(int exitCode, int status, Map<String, String> headers, byte[] body, String err) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a header, by its name in any case; null when absent. */
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** A curl that keeps its response files in {@code dir}. */
  Curl(Path dir) {
    if (!Files.isExecutable(CURL)) {
      MissingTool.missing(CURL + " is not installed (apt-get install curl)");
    }
    this.dir = dir;
  }

  /** {@code curl -sS ARGS... URL}: {@code args} as a user would type them. */
  synchronized Response run(String url, String... args) {
    try {
      Files.createDirectories(dir);
      int n = ++calls;
      Path head = dir.resolve("head-" + n);
      Path body = dir.resolve("body-" + n);
      List<String> command =
          new ArrayList<>(
              List.of(
                  CURL.toString(),
                  "-sS",
                  "--max-time",
                  "30",
                  "-D",
                  head.toString(),
                  "-o",
                  body.toString(),
                  "-w",
                  "%{http_code}"));
      command.addAll(List.of(args));
      command.add(url);
      CommandRunner.Result r = CommandRunner.run(BOUND, command);
      int status = r.stdout().isBlank() ? 0 : Integer.parseInt(r.stdout().trim());
      return new Response(
          r.exitCode(),
          status,
          headers(head),
          Files.exists(body) ? Files.readAllBytes(body) : new byte[0],
          r.stderr());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The header lines of the last response head curl wrote, first value of each name. */
  private static Map<String, String> headers(Path head) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    if (!Files.exists(head)) {
      return headers;
    }
    for (String line : Files.readAllLines(head, StandardCharsets.ISO_8859_1)) {
      if (line.startsWith("HTTP/")) {
        headers.clear(); // a later head (after 100 Continue) replaces an earlier one
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return headers;
  }
}
