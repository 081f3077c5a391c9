package dev.wharf.cli.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Message;
import dev.wharf.cli.nginx.Verdict.Kind;
import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigValidator;
import dev.wharf.config.Template;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.PathRewrite;
import dev.wharf.proto.config.v1.Route;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Imports nginx configs written by a test into its directory, and reads the result as a user would:
 * the YAML of an object, and the report lines with paths relative to the directory.
 */
final class Imports {
  private final Path dir;

  Imports(Path dir) {
    this.dir = dir;
  }

  /** Writes {@code text} as {@code nginx.conf} and imports it; the result must validate. */
  NginxImport.Result of(String text) {
    NginxImport.Result r = unvalidated(text);
    assertEquals(List.of(), ConfigValidator.validate(r.config()), "the import does not validate");
    return r;
  }

  NginxImport.Result unvalidated(String text) {
    try {
      return NginxImport.read(write("nginx.conf", text), Optional.empty());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NginxSyntaxException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  Path write(String name, String text) {
    try {
      Path file = dir.resolve(name);
      Files.createDirectories(file.getParent());
      return Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The report lines of {@code kind}, files relative to the test's directory. */
  List<String> lines(NginxImport.Result r, Kind kind) {
    return new ImportReport(r.findings())
        .lines(kind).stream().map(l -> l.replace(dir + "/", "")).toList();
  }

  static String yaml(Message m) {
    return ConfigDocuments.toYaml(m);
  }

  static Route route(Config c, String name) {
    return c.getRoutesList().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route " + name + " in\n" + yaml(c)));
  }

  /**
   * The path a proxy route sends upstream for {@code path}, by nginx's and Wharf's rewrite rule:
   * when the regex is found in the path, the whole path becomes the replacement.
   */
  static String upstreamPath(Route route, String path) {
    if (!route.getProxy().hasRewrite()) {
      return path;
    }
    PathRewrite rewrite = route.getProxy().getRewrite();
    Matcher m = Pattern.compile(rewrite.getRegex()).matcher(path);
    if (!m.find()) {
      return path;
    }
    StringBuilder out = new StringBuilder();
    for (Template.Part part : Template.parse(rewrite.getReplacement()).parts()) {
      if (part instanceof Template.Literal l) {
        out.append(l.text());
      } else if (part instanceof Template.Group g) {
        out.append(m.group(g.number()));
      } else {
        throw new AssertionError("a variable in " + rewrite.getReplacement());
      }
    }
    return out.toString();
  }
}
