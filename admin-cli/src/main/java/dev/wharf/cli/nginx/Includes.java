package dev.wharf.cli.nginx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Finds the files an {@code include} names. A relative name is resolved against the directory of
 * the file that includes it; when nothing is there, against the directory of the main config, which
 * is where nginx looks (its conf directory), so a site file in {@code sites-enabled/} that includes
 * {@code snippets/x.conf} works as in nginx. An absolute name is read below {@code root} when one
 * is given, as if {@code root} were {@code /}: a copy of a server's {@code /etc/nginx} can be
 * imported from anywhere. A name with {@code *}, {@code ?} or {@code [} is a glob: every matching
 * file in name order, none being fine, as in nginx; names starting with a dot are matched only by a
 * pattern starting with one.
 *
 * <p>{@code mime.types} is never read: it is nginx's standard table, which Wharf has built in.
 */
final class Includes {
  private final Optional<Path> root;
  private final Path mainDirectory;

  /** For the includes of the config whose main file is {@code mainFile}. */
  Includes(Optional<Path> root, Path mainFile) {
    this.root = root;
    this.mainDirectory = directoryOf(mainFile);
  }

  /** True for {@code include mime.types} (any directory): the standard MIME table. */
  static boolean isMimeTypes(String pattern) {
    return pattern.equals("mime.types") || pattern.endsWith("/mime.types");
  }

  /** The files {@code pattern} names, for the {@code include} at {@code at}. */
  List<Path> resolve(String pattern, Origin at) throws NginxSyntaxException {
    Path named;
    try {
      named = Path.of(pattern);
    } catch (InvalidPathException e) {
      throw new NginxSyntaxException(
          at.file(),
          at.line(),
          "include '" + pattern + "': not a file name (" + e.getReason() + ")");
    }
    List<Path> candidates = new ArrayList<>();
    if (named.isAbsolute()) {
      candidates.add(
          root.map(r -> r.resolve(named.getRoot().relativize(named).toString()).normalize())
              .orElse(named));
    } else {
      candidates.add(directoryOf(at.file()).resolve(named));
      Path fromMain = mainDirectory.resolve(named);
      if (!fromMain.equals(candidates.get(0))) {
        candidates.add(fromMain);
      }
    }
    for (Path candidate : candidates) {
      List<Path> found;
      try {
        found = find(pattern, candidate, at);
      } catch (PatternSyntaxException e) {
        // Found by NginxImportFuzzTest: an unclosed '[' in a glob escaped as an unexpected error.
        throw new NginxSyntaxException(
            at.file(),
            at.line(),
            "include '" + pattern + "': not a valid file pattern (" + e.getDescription() + ")");
      }
      if (!found.isEmpty()) {
        return found;
      }
    }
    if (isGlob(pattern)) {
      return List.of();
    }
    List<String> looked = candidates.stream().map(Path::toString).toList();
    throw new NginxSyntaxException(
        at.file(),
        at.line(),
        "include '"
            + pattern
            + "': no such file"
            + (looked.equals(List.of(pattern))
                ? ""
                : " (looked for " + String.join(" and ", looked) + ")"));
  }

  private static List<Path> find(String pattern, Path path, Origin at) throws NginxSyntaxException {
    if (!isGlob(pattern)) {
      return Files.isRegularFile(path) ? List.of(path) : List.of();
    }
    try {
      return glob(path);
    } catch (UncheckedIOException e) {
      throw new NginxSyntaxException(
          at.file(), at.line(), "include '" + pattern + "': " + e.getCause().getMessage());
    }
  }

  private static Path directoryOf(Path file) {
    Path dir = file.getParent();
    return dir == null ? Path.of("") : dir;
  }

  private static boolean isGlob(String pattern) {
    return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
  }

  /** Matches segment by segment below the deepest directory that has no glob in its name. */
  private static List<Path> glob(Path pattern) {
    List<String> segments = new ArrayList<>();
    pattern.forEach(p -> segments.add(p.toString()));
    int first = 0;
    while (first < segments.size() && !isGlob(segments.get(first))) {
      first++;
    }
    Path base = pattern.getRoot() == null ? Path.of("") : pattern.getRoot();
    for (int i = 0; i < first; i++) {
      base = base.resolve(segments.get(i));
    }
    List<String> rest = segments.subList(first, segments.size());
    if (!Files.isDirectory(base.toString().isEmpty() ? Path.of(".") : base)) {
      return List.of();
    }
    FileSystem fs = pattern.getFileSystem();
    PathMatcher matcher = fs.getPathMatcher("glob:" + javaGlob(String.join("/", rest)));
    Path start = base.toString().isEmpty() ? Path.of(".") : base;
    try (Stream<Path> walk = Files.walk(start, rest.size())) {
      Path from = start;
      Path prefix = base;
      return walk.filter(Files::isRegularFile)
          .filter(p -> from.relativize(p).getNameCount() == rest.size())
          .filter(p -> matcher.matches(from.relativize(p)))
          .filter(p -> dotsAllowed(from.relativize(p), rest))
          .map(p -> prefix.resolve(from.relativize(p)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** glob(3) skips hidden names unless the pattern's segment starts with a dot. */
  private static boolean dotsAllowed(Path relative, List<String> patternSegments) {
    for (int i = 0; i < relative.getNameCount(); i++) {
      if (relative.getName(i).toString().startsWith(".")
          && !patternSegments.get(i).startsWith(".")) {
        return false;
      }
    }
    return true;
  }

  /** POSIX glob to Java's: braces and backslashes are plain characters in the former. */
  private static String javaGlob(String posix) {
    return posix.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}");
  }
}
