package dev.wharf.systemtest.deploy;

import dev.wharf.testkit.CommandRunner;
import dev.wharf.testkit.JarProcess;
import dev.wharf.testkit.MissingTool;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What the deploy tests share: the repository's files, YAML as the tools that read it see it, the
 * flags the real jars accept, and the external tools they run (missing: a failure under {@code
 * CI=true}, a skip with the reason otherwise).
 */
final class Deploy {
  /** The repository root, seen from the system-tests module (a test's working directory). */
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  static final Path DEPLOY = REPO.resolve("deploy");
  static final Path CONTROL_PLANE_JAR = JarProcess.CONTROL_PLANE_JAR;
  static final Path DATA_PLANE_JAR = JarProcess.DATA_PLANE_JAR;
  static final Path STANDALONE_JAR = JarProcess.STANDALONE_JAR;
  static final Path ADMIN_CLI_JAR = Path.of("..", "admin-cli", "target", "wharf-admin-cli.jar");

  private static final Pattern HELP_OPTION =
      Pattern.compile("(?m)^\\s+(?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)");
  private static final Map<String, String> HELP = new ConcurrentHashMap<>();

  private Deploy() {}

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every document of a YAML file, with merge keys ({@code <<: *anchor}) resolved as Docker Compose
   * resolves them (YAML 1.2 parsers leave them as plain keys).
   */
  static List<Object> yamlDocuments(Path file) {
    Load load = new Load(LoadSettings.builder().setLabel(file.toString()).build());
    List<Object> documents = new ArrayList<>();
    for (Object document : load.loadAllFromString(read(file))) {
      if (document != null) {
        documents.add(resolveMerges(document));
      }
    }
    return documents;
  }

  /** The only document of a YAML file. */
  static Map<String, Object> yaml(Path file) {
    List<Object> documents = yamlDocuments(file);
    if (documents.size() != 1) {
      throw new AssertionError(file + " holds " + documents.size() + " documents, expected 1");
    }
    return map(documents.get(0), file.toString());
  }

  static Map<String, Object> yamlText(String text, String label) {
    Load load = new Load(LoadSettings.builder().setLabel(label).build());
    return map(resolveMerges(load.loadFromString(text)), label);
  }

  private static Object resolveMerges(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      Object merged = m.get("<<");
      if (merged != null) {
        List<?> sources = merged instanceof List<?> l ? l : List.of(merged);
        for (Object source : sources) {
          map(resolveMerges(source), "<<").forEach(out::putIfAbsent);
        }
      }
      Map<String, Object> explicit = new LinkedHashMap<>();
      m.forEach(
          (k, v) -> {
            if (!"<<".equals(k)) {
              explicit.put(String.valueOf(k), resolveMerges(v));
            }
          });
      out.putAll(explicit);
      return out;
    }
    if (node instanceof List<?> l) {
      return l.stream().map(Deploy::resolveMerges).toList();
    }
    return node;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value, String what) {
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError(what + ": expected a mapping, found " + value);
    }
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value, String what) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?>)) {
      throw new AssertionError(what + ": expected a list, found " + value);
    }
    return (List<Object>) value;
  }

  /** {@code a.b.c} in nested maps, or null where a step is missing. */
  static Object at(Object root, String path) {
    Object node = root;
    for (String step : path.split("\\.")) {
      if (!(node instanceof Map<?, ?> m)) {
        return null;
      }
      node = m.get(step);
    }
    return node;
  }

  static String string(Object root, String path) {
    Object value = at(root, path);
    return value == null ? null : String.valueOf(value);
  }

  /** {@code java -jar JAR [SUBCOMMAND] --help}, run once per JVM. */
  static String help(Path jar, String... subcommand) {
    String key = jar + " " + String.join(" ", subcommand);
    return HELP.computeIfAbsent(
        key,
        k -> {
          List<String> args = new ArrayList<>(List.of(subcommand));
          args.add("--help");
          CommandRunner.Result r =
              CommandRunner.runJar(Duration.ofSeconds(60), jar, args.toArray(String[]::new));
          if (r.exitCode() != 0) {
            throw new AssertionError(key + " --help failed: " + r);
          }
          return r.stdout();
        });
  }

  /** The long options a jar's {@code --help} lists. */
  static Set<String> flags(Path jar, String... subcommand) {
    Set<String> flags = new LinkedHashSet<>();
    Matcher m = HELP_OPTION.matcher(help(jar, subcommand));
    while (m.find()) {
      flags.add(m.group(1));
    }
    return flags;
  }

  /**
   * Command-line words as option name to values, for both {@code --name=value} and {@code --name
   * value}; a word that is not an option and does not follow one (a subcommand, a positional
   * argument) is kept under the empty name.
   */
  static Map<String, List<String>> options(List<String> words) {
    Map<String, List<String>> options = new LinkedHashMap<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.startsWith("--")) {
        int eq = word.indexOf('=');
        if (eq > 0) {
          options
              .computeIfAbsent(word.substring(0, eq), k -> new ArrayList<>())
              .add(word.substring(eq + 1));
        } else if (i + 1 < words.size() && !words.get(i + 1).startsWith("--")) {
          options.computeIfAbsent(word, k -> new ArrayList<>()).add(words.get(++i));
        } else {
          options.computeIfAbsent(word, k -> new ArrayList<>()).add("");
        }
      } else {
        options.computeIfAbsent("", k -> new ArrayList<>()).add(word);
      }
    }
    return options;
  }

  /** The single value of {@code option}, or null when it is absent. */
  static String option(Map<String, List<String>> options, String option) {
    List<String> values = options.get(option);
    if (values == null) {
      return null;
    }
    if (values.size() != 1) {
      throw new AssertionError(option + " given " + values.size() + " times: " + values);
    }
    return values.get(0);
  }

  /** The port of {@code HOST:PORT}. */
  static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** The default {@code HOST:PORT} a jar's help states for {@code option}. */
  static String defaultAddress(Path jar, String option, String... subcommand) {
    Matcher m =
        Pattern.compile(
                Pattern.quote(option) + "=HOST:PORT\\s+[^(]*\\(default:\\s*" + "([0-9.]+:[0-9]+)")
            .matcher(help(jar, subcommand));
    if (!m.find()) {
      throw new AssertionError(option + " states no default address in the help of " + jar);
    }
    return m.group(1);
  }

  /**
   * Seconds in a Go/systemd-style duration: {@code 30s}, {@code 1m}, {@code 1min 30s}, {@code 45}.
   */
  static long seconds(String duration) {
    Matcher m = Pattern.compile("(\\d+)\\s*(ms|min|m|s|h)?").matcher(duration.strip());
    long total = 0;
    int end = 0;
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      total +=
          switch (unit) {
            case "ms" -> n / 1000;
            case "m", "min" -> n * 60;
            case "h" -> n * 3600;
            default -> n;
          };
      end = m.end();
    }
    if (end == 0 || !duration.strip().substring(end).isBlank()) {
      throw new AssertionError("not a duration: '" + duration + "'");
    }
    return total;
  }

  /**
   * An external tool on {@code PATH}. Missing: fails under {@code CI=true} (CI installs it, so a
   * missing one is a broken CI machine, never a green skip); aborts the test otherwise.
   */
  static Path tool(String name, String install) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    String message = name + " not found on PATH (" + install + ")";
    return MissingTool.missing(message);
  }
}
