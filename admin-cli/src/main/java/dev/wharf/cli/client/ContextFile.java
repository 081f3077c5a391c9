package dev.wharf.cli.client;

import dev.wharf.cli.exit.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * {@code ~/.config/wharf/wharfctl.yaml}: named sets of connection settings, as kubectl's contexts.
 *
 * <pre>{@code
 * current-context: prod
 * contexts:
 *   - name: prod
 *     servers: [cp-1.example.com:9700, cp-2.example.com:9700]
 *     token-file: ~/.config/wharf/prod.token
 *     tls-ca: /etc/wharf/ca.pem
 * }</pre>
 *
 * Relative paths are relative to the file's directory; {@code ~/} is the home directory. Unknown
 * keys are errors, so a misspelt {@code token-file} is not silently ignored.
 */
record ContextFile(Path path, Optional<String> currentContext, List<Context> contexts) {
  static final String DEFAULT_PATH = ".config/wharf/wharfctl.yaml";
  private static final Set<String> TOP_KEYS = Set.of("current-context", "contexts");
  private static final Set<String> CONTEXT_KEYS = Set.of("name", "servers", "token-file", "tls-ca");

  ContextFile {
    contexts = List.copyOf(contexts);
  }

  /** One context: where the Admin API is and how to authenticate to it. */
  record Context(
      String name, List<String> servers, Optional<Path> tokenFile, Optional<Path> tlsCa) {
    Context {
      servers = List.copyOf(servers);
    }
  }

  /** The file's path: {@code WHARFCTL_CONFIG}, else {@code ~/.config/wharf/wharfctl.yaml}. */
  static Path locate(Environment env) {
    return env.variable("WHARFCTL_CONFIG").map(Path::of).orElse(env.home().resolve(DEFAULT_PATH));
  }

  /** Reads the file; empty when it does not exist. A file that cannot be used is a Failure. */
  static Optional<ContextFile> read(Path path, Path home) {
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw Failure.invalidInput("cannot read " + path + ": " + e.getMessage());
    }
    Object root;
    try {
      root =
          new Load(LoadSettings.builder().setLabel(path.toString()).build()).loadFromString(text);
    } catch (YamlEngineException e) {
      throw Failure.invalidInput(path + ": not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      return Optional.of(new ContextFile(path, Optional.empty(), List.of()));
    }
    Map<?, ?> top = map(path, root, "(document)");
    checkKeys(path, top, TOP_KEYS, "(document)");
    Optional<String> current = Optional.ofNullable(top.get("current-context")).map(String::valueOf);
    List<Context> contexts = new ArrayList<>();
    Object list = top.get("contexts");
    if (list != null) {
      if (!(list instanceof List<?> items)) {
        throw Failure.invalidInput(path + ": contexts: expected a list");
      }
      Path dir = path.toAbsolutePath().getParent();
      for (int i = 0; i < items.size(); i++) {
        contexts.add(context(path, dir, home, items.get(i), "contexts[" + i + "]"));
      }
    }
    return Optional.of(new ContextFile(path, current, contexts));
  }

  /**
   * The context named {@code name}, else the current one; empty when neither is set. A name that is
   * not in the file is a Failure.
   */
  Optional<Context> select(Optional<String> name) {
    Optional<String> wanted = name.or(this::currentContext);
    if (wanted.isEmpty()) {
      return Optional.empty();
    }
    for (Context c : contexts) {
      if (c.name().equals(wanted.get())) {
        return Optional.of(c);
      }
    }
    List<String> known = contexts.stream().map(Context::name).toList();
    throw Failure.invalidInput(
        "no context named '"
            + wanted.get()
            + "' in "
            + path
            + " (known: "
            + (known.isEmpty() ? "none" : String.join(", ", known))
            + ")");
  }

  private static Context context(Path file, Path dir, Path home, Object item, String where) {
    Map<?, ?> m = map(file, item, where);
    checkKeys(file, m, CONTEXT_KEYS, where);
    Object name = m.get("name");
    if (name == null || String.valueOf(name).isBlank()) {
      throw Failure.invalidInput(file + ": " + where + ".name: required");
    }
    List<String> servers = new ArrayList<>();
    Object s = m.get("servers");
    if (s instanceof List<?> list) {
      list.forEach(x -> servers.add(String.valueOf(x)));
    } else if (s != null) {
      servers.addAll(ConnectionOptions.splitServers(String.valueOf(s)));
    }
    return new Context(
        String.valueOf(name),
        servers,
        path(dir, home, m.get("token-file")),
        path(dir, home, m.get("tls-ca")));
  }

  private static Optional<Path> path(Path dir, Path home, Object value) {
    if (value == null || String.valueOf(value).isBlank()) {
      return Optional.empty();
    }
    String text = String.valueOf(value);
    if (text.equals("~") || text.startsWith("~/")) {
      return Optional.of(home.resolve(text.substring(Math.min(2, text.length()))));
    }
    return Optional.of(dir.resolve(text));
  }

  private static Map<?, ?> map(Path file, Object value, String where) {
    if (value instanceof Map<?, ?> m) {
      return m;
    }
    throw Failure.invalidInput(file + ": " + where + ": expected a mapping");
  }

  private static void checkKeys(Path file, Map<?, ?> m, Set<String> known, String where) {
    for (Object key : m.keySet()) {
      if (!known.contains(String.valueOf(key))) {
        throw Failure.invalidInput(
            file
                + ": "
                + where
                + ": unknown key '"
                + key
                + "' (known: "
                + String.join(", ", known.stream().sorted().toList())
                + ")");
      }
    }
  }
}
