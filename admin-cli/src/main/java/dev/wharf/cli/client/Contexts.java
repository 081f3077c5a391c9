package dev.wharf.cli.client;

import dev.wharf.cli.client.ContextFile.Context;
import dev.wharf.cli.exit.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The contexts file as {@code wharfctl config} shows and edits it. The file names a token file per
 * context, never a token, and nothing here reads a token file: what is shown cannot leak a secret.
 */
public final class Contexts {
  private static final Pattern CURRENT_LINE =
      Pattern.compile("^current-context[ \\t]*:.*$", Pattern.MULTILINE);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]*");

  /** One context as the file says, paths resolved; {@code current} when it is current-context. */
  public record Entry(
      String name,
      List<String> servers,
      Optional<Path> tokenFile,
      Optional<Path> tlsCa,
      boolean current) {
    public Entry {
      servers = List.copyOf(servers);
    }
  }

  /** The file: where it is, whether it exists, its current-context and its contexts. */
  public record View(Path path, boolean exists, Optional<String> current, List<Entry> contexts) {
    public View {
      contexts = List.copyOf(contexts);
    }
  }

  private Contexts() {}

  /** Reads the file ({@code WHARFCTL_CONFIG} or the default path); a bad file is a Failure. */
  public static View read(Environment env) {
    Path path = ContextFile.locate(env);
    Optional<ContextFile> file = ContextFile.read(path, env.home());
    if (file.isEmpty()) {
      return new View(path, false, Optional.empty(), List.of());
    }
    Optional<String> current = file.get().currentContext();
    List<Entry> entries =
        file.get().contexts().stream()
            .map(c -> entry(c, current.filter(c.name()::equals).isPresent()))
            .toList();
    return new View(path, true, current, entries);
  }

  /**
   * Makes {@code name} the file's current-context, changing that one line (or adding it first) so
   * the rest of the file, comments included, stays as written. The file is replaced atomically.
   */
  public static Path use(Environment env, String name) {
    Path path = ContextFile.locate(env);
    ContextFile file =
        ContextFile.read(path, env.home())
            .orElseThrow(
                () ->
                    Failure.invalidInput(
                        "there is no contexts file ("
                            + path
                            + "): no context named '"
                            + name
                            + "'"));
    file.select(Optional.of(name)); // a name that is not there is a Failure naming the known ones
    String text = readText(path);
    String line = "current-context: " + (PLAIN.matcher(name).matches() ? name : quoted(name));
    Matcher m = CURRENT_LINE.matcher(text);
    String edited =
        m.find()
            ? text.substring(0, m.start()) + line + text.substring(m.end())
            : line + "\n" + text;
    write(path, edited);
    Optional<String> now = ContextFile.read(path, env.home()).flatMap(ContextFile::currentContext);
    if (!now.equals(Optional.of(name))) {
      write(path, text);
      throw Failure.invalidInput(
          "cannot set current-context in "
              + path
              + " (it is not written as a top-level 'current-context:' line); "
              + "left unchanged");
    }
    return path;
  }

  private static Entry entry(Context c, boolean current) {
    return new Entry(c.name(), c.servers(), c.tokenFile(), c.tlsCa(), current);
  }

  /** A YAML double-quoted scalar (JSON's escaping is valid YAML). */
  private static String quoted(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < ' ') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private static String readText(Path path) {
    try {
      return Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw Failure.invalidInput("cannot read " + path + ": " + e.getMessage());
    }
  }

  /** Replaces the file (the target of a link to it) with {@code text}, keeping its permissions. */
  private static void write(Path link, String text) {
    try {
      Path path = link.toRealPath();
      Path temp = path.resolveSibling(path.getFileName() + ".tmp");
      Files.writeString(temp, text, StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(path));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the new file has the default permissions
      }
      Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw Failure.invalidInput("cannot write " + link + ": " + e.getMessage());
    }
  }
}
