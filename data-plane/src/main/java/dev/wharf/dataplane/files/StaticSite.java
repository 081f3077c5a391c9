package dev.wharf.dataplane.files;

import dev.wharf.config.PathMatches;
import dev.wharf.config.Template;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.StaticAction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code static} route as the node serves it, compiled once per snapshot off the event loops.
 * Nothing here touches the disk: a root that does not exist yet is a 404 per request, not a refused
 * config, as in nginx.
 *
 * @param base the {@code root} (the file is base + {@code $uri}) or the {@code alias} (the matched
 *     location prefix is replaced by it); absolute, relative paths being taken from the node's
 *     working directory
 * @param aliasPrefix the location prefix an alias replaces; null for a root
 * @param index file names tried, in order, for a request that names a directory
 * @param tryFiles nginx try_files entries; empty when the route has none
 * @param mimeTypes content types by extension
 * @param precompressed serve {@code FILE.gz} to clients that accept gzip (nginx gzip_static)
 * @param denySymlinksOutsideRoot refuse files whose real path leaves {@code base}
 */
public record StaticSite(
    Path base,
    String aliasPrefix,
    List<String> index,
    List<TryFile> tryFiles,
    MimeTypes mimeTypes,
    boolean precompressed,
    boolean denySymlinksOutsideRoot) {
  static final List<String> DEFAULT_INDEX = List.of("index.html");

  /**
   * One try_files entry: a template to render, or (last only) a status to answer with.
   *
   * @param directory the entry as written ends with '/': it must name a directory, as nginx decides
   *     from the configured text rather than from the rendered value
   * @param status the {@code =NNN} of a last entry, else 0
   */
  public record TryFile(Template template, boolean directory, int status) {}

  public StaticSite {
    index = List.copyOf(index);
    tryFiles = List.copyOf(tryFiles);
  }

  /** Compiles the {@code static} action of a validated route. */
  public static StaticSite compile(Route route) {
    StaticAction s = route.getStatic();
    boolean alias = !s.getAlias().isEmpty();
    Path base = Path.of(alias ? s.getAlias() : s.getRoot()).toAbsolutePath().normalize();
    List<TryFile> tryFiles = new ArrayList<>();
    for (String entry : s.getTryFilesList()) {
      if (entry.startsWith("=")) {
        tryFiles.add(new TryFile(null, false, Integer.parseInt(entry.substring(1))));
      } else {
        tryFiles.add(new TryFile(Template.parse(entry), entry.endsWith("/"), 0));
      }
    }
    return new StaticSite(
        base,
        alias ? prefixOf(route.getMatch().getPath()) : null,
        s.getIndexCount() == 0 ? DEFAULT_INDEX : s.getIndexList(),
        tryFiles,
        MimeTypes.compile(s.getMimeTypesMap(), s.getDefaultType()),
        s.getPrecompressed(),
        s.getDenySymlinksOutsideRoot());
  }

  /** The part of {@code $uri} an alias replaces: the exact path or the prefix matched. */
  private static String prefixOf(PathMatch match) {
    if (!PathMatches.isSet(match) || PathMatches.isRegex(match)) {
      throw new IllegalArgumentException(
          "alias needs an exact or prefix match; validate the config first");
    }
    return PathMatches.value(match);
  }
}
