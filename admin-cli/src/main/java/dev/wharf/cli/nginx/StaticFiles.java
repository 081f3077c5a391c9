package dev.wharf.cli.nginx;

import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.StaticAction;
import java.util.List;
import java.util.Optional;

/**
 * A location that serves files ({@code root} or {@code alias}, {@code index}, {@code try_files},
 * {@code default_type}, {@code types}, {@code gzip_static}) as a static action. nginx's {@code
 * default_type} is {@code text/plain} when none is set, so that is written out; a {@code types}
 * block adds to Wharf's built-in table of MIME types, which is the table of nginx's standard {@code
 * mime.types}.
 */
final class StaticFiles {
  private static final String CONTENT_TYPE = "[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+";

  private StaticFiles() {}

  /**
   * The static action of a location ({@code match} null: of a server without locations); or why
   * there is none.
   */
  static Either<StaticAction> action(Scope scope, LocationMatch match, Ledger ledger) {
    StaticAction.Builder s = StaticAction.newBuilder();
    Optional<Directive> alias = match == null ? Optional.empty() : scope.ownFirst("alias");
    Optional<Directive> root = scope.nearest("root");
    Optional<Directive> tryFiles = scope.ownFirst("try_files");
    if (alias.isPresent()) {
      if (match.isRegex()) {
        return Either.problem(
            "alias in a regex location: Wharf replaces a prefix by the alias "
                + "directory, so it needs an exact or prefix match (use root)");
      }
      if (alias.get().arg(0).contains("$")) {
        return Either.problem("an alias with variables");
      }
    } else if (root.isEmpty()) {
      return Either.problem(
          "no root: nginx would serve files from 'html' below its prefix; " + "set root");
    } else if (root.get().arg(0).contains("$")) {
      return Either.problem("a root with variables");
    }
    if (tryFiles.isPresent()) {
      Optional<String> problem = tryFilesProblem(tryFiles.get());
      if (problem.isPresent()) {
        return Either.problem(problem.get());
      }
      s.addAllTryFiles(tryFiles.get().args());
      ledger.translated(tryFiles.get());
    }
    if (alias.isPresent()) {
      s.setAlias(alias.get().arg(0));
      ledger.translated(alias.get());
    } else {
      s.setRoot(root.get().arg(0));
      ledger.translated(root.get());
    }
    for (Directive index : scope.nearestAll("index")) {
      if (index.args().stream()
          .allMatch(f -> !f.isEmpty() && !f.contains("/") && !f.contains("$"))) {
        s.addAllIndex(index.args());
        ledger.translated(index);
      } else {
        ledger.notTranslated(
            index, "Wharf's index entries are file names, without '/' or " + "variables");
      }
    }
    defaultType(scope, s, ledger);
    mimeTypes(scope, s, ledger);
    scope
        .nearest("gzip_static")
        .ifPresent(
            d -> {
              switch (d.arg(0)) {
                case "on" -> {
                  s.setPrecompressed(true);
                  ledger.translated(d);
                }
                case "off" -> ledger.translated(d);
                default ->
                    ledger.notTranslated(
                        d, "Wharf serves file.gz only to clients that accept " + "gzip");
              }
            });
    return Either.of(s.build());
  }

  private static Optional<String> tryFilesProblem(Directive d) {
    List<String> entries = d.args();
    if (entries.size() < 2) {
      return Optional.of("try_files needs at least two entries");
    }
    String last = entries.get(entries.size() - 1);
    if (last.startsWith("@")) {
      return Optional.of(
          "try_files falls back to the named location " + last + ", which Wharf does not have");
    }
    for (String entry : entries) {
      if (!(entry == last && entry.matches("=\\d{3}"))) {
        Optional<String> problem = Templates.problem(entry, Phase.REQUEST, -1);
        if (problem.isPresent()) {
          return Optional.of("try_files " + problem.get());
        }
      }
    }
    return Optional.empty();
  }

  private static void defaultType(Scope scope, StaticAction.Builder s, Ledger ledger) {
    Optional<Directive> type = scope.nearest("default_type");
    if (type.isEmpty()) {
      s.setDefaultType("text/plain"); // nginx's default; Wharf's is application/octet-stream
    } else if (type.get().arg(0).matches(CONTENT_TYPE)) {
      s.setDefaultType(type.get().arg(0));
      ledger.translated(type.get());
    } else {
      ledger.notTranslated(type.get(), "'" + type.get().arg(0) + "' is not a content type");
    }
  }

  /** The {@code types} blocks of the nearest level that has them or the standard table. */
  private static void mimeTypes(Scope scope, StaticAction.Builder s, Ledger ledger) {
    List<Directive> level =
        scope.nearestWhere(
            d ->
                d.name().equals("types")
                    || (d.name().equals("include") && Includes.isMimeTypes(d.arg(0))));
    boolean standard = level.stream().anyMatch(d -> d.name().equals("include"));
    for (Directive types : level) {
      if (!types.name().equals("types")) {
        continue;
      }
      if (types.children().isEmpty()) {
        ledger.notTranslated(
            types,
            "an empty types block makes nginx send every file as "
                + "default_type; Wharf's built-in table cannot be emptied");
        continue;
      }
      if (standard) {
        ledger.translated(types);
      } else {
        ledger.check(
            types, "nginx knows only these types here; Wharf adds them to its " + "built-in table");
      }
      for (Directive entry : types.children()) {
        if (entry.name().matches(CONTENT_TYPE)
            && !entry.args().isEmpty()
            && entry.args().stream().allMatch(e -> e.matches("[A-Za-z0-9_+-]+"))) {
          entry.args().forEach(extension -> s.putMimeTypes(extension, entry.name()));
          ledger.translated(entry);
        } else {
          ledger.notTranslated(entry, "not a content type and extensions");
        }
      }
    }
  }
}
