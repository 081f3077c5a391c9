package dev.wharf.dataplane.files;

import dev.wharf.dataplane.http.TemplateRenderer;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;

/**
 * Finds the file a request names, by nginx's rules: {@code root} or {@code alias}, then {@code
 * try_files}, then {@code index} for a directory. Each step stats the disk once; the calls block,
 * so {@link #resolve} runs on the node's file threads, never on an event loop (try_files entries
 * are rendered on the event loop first, by {@link #render}).
 *
 * <p>The path is built segment by segment below the route's base: a {@code .} or {@code ..}
 * segment, a backslash or a NUL never reach the file system (the request's {@code $uri} cannot hold
 * them after normalisation, but try_files entries render other variables too). With {@code
 * deny_symlinks_outside_root}, a file whose real path leaves the base is refused, 403 when asked
 * for directly, skipped by try_files.
 */
final class FileResolver {
  /** Where a lookup ended. */
  sealed interface Lookup permits Found, Redirect, Refused {}

  /** A regular file to serve. */
  record Found(Path file, BasicFileAttributes attributes) implements Lookup {}

  /** A directory named without its trailing slash: nginx answers 301 to {@code path}. */
  record Redirect(String path) implements Lookup {}

  /** Nothing to serve: 404, 403 (a directory without index, a forbidden file) or =NNN. */
  record Refused(int status) implements Lookup {}

  static final Refused NOT_FOUND = new Refused(404);
  static final Refused FORBIDDEN = new Refused(403);

  private final StaticSite site;

  FileResolver(StaticSite site) {
    this.site = site;
  }

  /**
   * The site's try_files entries rendered for one request, as paths (null for a last {@code =NNN});
   * {@code variables} and {@code groups} are the request's. Does not touch the disk.
   */
  static List<String> render(
      StaticSite site, TemplateRenderer.VariableSource variables, MatchResult groups) {
    List<String> rendered = new ArrayList<>(site.tryFiles().size());
    for (StaticSite.TryFile entry : site.tryFiles()) {
      rendered.add(
          entry.status() > 0
              ? null
              : pathOf(TemplateRenderer.render(entry.template(), variables, groups)));
    }
    return rendered;
  }

  /**
   * The file for {@code uri} ({@code $uri}, already normalised), given the try_files entries {@link
   * #render} made for the same request. Blocks on the file system.
   */
  Lookup resolve(String uri, List<String> tryFiles) {
    List<StaticSite.TryFile> entries = site.tryFiles();
    if (entries.isEmpty()) {
      return serve(uri);
    }
    for (int i = 0; i < entries.size() - 1; i++) {
      String candidate = tryFiles.get(i);
      Lookup found = entries.get(i).directory() ? tryDirectory(candidate) : tryFile(candidate);
      if (found != null) {
        return found;
      }
    }
    StaticSite.TryFile last = entries.get(entries.size() - 1);
    if (last.status() > 0) {
      return new Refused(last.status());
    }
    // nginx redirects internally and matches locations again; Wharf stays in this route.
    return serve(tryFiles.get(entries.size() - 1));
  }

  /** Serves {@code uri} as nginx's static module does when no try_files entry is involved. */
  private Lookup serve(String uri) {
    Path path = map(uri);
    if (path == null) {
      return NOT_FOUND;
    }
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (AccessDeniedException e) {
      return FORBIDDEN;
    } catch (IOException e) {
      return NOT_FOUND;
    }
    if (attributes.isDirectory()) {
      return uri.endsWith("/") ? index(path) : new Redirect(uri + "/");
    }
    if (uri.endsWith("/") || !attributes.isRegularFile()) {
      return NOT_FOUND; // a file asked for as a directory, or a device, a socket, a pipe
    }
    return found(path, attributes);
  }

  /** A try_files entry without a trailing slash: a regular file, or null to try the next. */
  private Lookup tryFile(String candidate) {
    Path path = map(candidate);
    BasicFileAttributes attributes = path == null ? null : attributesOrNull(path);
    if (attributes == null || !attributes.isRegularFile()) {
      return null;
    }
    Lookup found = found(path, attributes);
    return found == FORBIDDEN ? null : found;
  }

  /**
   * A try_files entry with a trailing slash: a directory, or null to try the next. As in nginx, the
   * entry's own slash only says "a directory"; the request goes on as the name without it. So
   * {@code $uri/} for {@code /docs} is a 301 to {@code /docs/} (the same as asking for the
   * directory without try_files), and for {@code /docs/} the directory's index.
   */
  private Lookup tryDirectory(String candidate) {
    Path path = map(candidate);
    BasicFileAttributes attributes = path == null ? null : attributesOrNull(path);
    if (attributes == null || !attributes.isDirectory()) {
      return null;
    }
    String named =
        candidate.endsWith("/") ? candidate.substring(0, candidate.length() - 1) : candidate;
    return named.endsWith("/") ? index(path) : new Redirect(named + "/");
  }

  /** The first index file of {@code directory}; 403 when there is none (no autoindex). */
  private Lookup index(Path directory) {
    for (String name : site.index()) {
      Path file = directory.resolve(name);
      BasicFileAttributes attributes = attributesOrNull(file);
      if (attributes != null && attributes.isRegularFile()) {
        return found(file, attributes);
      }
    }
    return FORBIDDEN;
  }

  private Lookup found(Path file, BasicFileAttributes attributes) {
    if (site.denySymlinksOutsideRoot() && !insideBase(file)) {
      return FORBIDDEN;
    }
    return new Found(file, attributes);
  }

  /** Whether the file's real path (every link followed) is below the base's real path. */
  boolean insideBase(Path file) {
    try {
      return file.toRealPath().startsWith(site.base().toRealPath());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The path of {@code uri} below the base: {@code root} + uri, or for an alias the uri with the
   * location prefix cut off (a try_files entry outside the prefix is taken as it is, below the
   * alias). Null when a segment could climb or is not a file name.
   */
  Path map(String uri) {
    String relative = uri;
    if (site.aliasPrefix() != null && uri.startsWith(site.aliasPrefix())) {
      relative = uri.substring(site.aliasPrefix().length());
    }
    Path path = site.base();
    for (String segment : relative.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      if (segment.equals(".")
          || segment.equals("..")
          || segment.indexOf('\\') >= 0
          || segment.indexOf('\0') >= 0) {
        return null;
      }
      try {
        path = path.resolve(segment);
      } catch (InvalidPathException e) {
        return null;
      }
    }
    return path.startsWith(site.base()) ? path : null; // the checks above already ensure it
  }

  static BasicFileAttributes attributesOrNull(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      return null;
    }
  }

  /** A rendered entry as a path: its query part dropped (files have none), rooted at '/'. */
  private static String pathOf(String rendered) {
    int question = rendered.indexOf('?');
    String path = question < 0 ? rendered : rendered.substring(0, question);
    return path.startsWith("/") ? path : "/" + path;
  }
}
