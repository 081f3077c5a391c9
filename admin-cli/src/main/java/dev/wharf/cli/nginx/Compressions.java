package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.Compression;
import java.util.List;
import java.util.Optional;

/**
 * The {@code gzip} settings in force at a route, as its compression. nginx compresses no proxied
 * response unless {@code gzip_proxied} says so, where Wharf's default is to compress them; so
 * {@code proxied} is always written out.
 */
final class Compressions {
  private static final String TYPE = "[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+";

  private Compressions() {}

  static Optional<Compression> effective(Scope scope, Ledger ledger) {
    Optional<Directive> gzip = scope.nearest("gzip");
    if (gzip.isEmpty()) {
      return Optional.empty();
    }
    Optional<Boolean> on = Values.flag(gzip.get().arg(0));
    if (on.isEmpty()) {
      ledger.notTranslated(gzip.get(), "'" + gzip.get().arg(0) + "' is not on or off");
      return Optional.empty();
    }
    ledger.translated(gzip.get());
    if (!on.get()) {
      return Optional.empty();
    }
    Compression.Builder c = Compression.newBuilder().setEnabled(true).setProxied(false);
    scope.nearest("gzip_types").ifPresent(d -> types(d, c, ledger));
    scope
        .nearest("gzip_min_length")
        .ifPresent(
            d ->
                Values.size(d.arg(0))
                    .ifPresentOrElse(
                        size -> {
                          c.setMinLength(size);
                          ledger.translated(d);
                        },
                        () -> ledger.notTranslated(d, "'" + d.arg(0) + "' is not a size")));
    scope
        .nearest("gzip_comp_level")
        .ifPresent(
            d ->
                Values.number(d.arg(0), 1, 9)
                    .ifPresentOrElse(
                        level -> {
                          c.setLevel(level);
                          ledger.translated(d);
                        },
                        () -> ledger.notTranslated(d, "'" + d.arg(0) + "' is not a level 1-9")));
    scope.nearest("gzip_proxied").ifPresent(d -> proxied(d, c, ledger));
    return Optional.of(c.build());
  }

  private static void types(Directive d, Compression.Builder c, Ledger ledger) {
    List<String> types = d.args();
    if (types.contains("*")) {
      ledger.notTranslated(
          d, "Wharf compresses the content types listed; list them instead " + "of '*'");
    } else if (!types.stream().allMatch(t -> t.matches(TYPE))) {
      ledger.notTranslated(d, "not all of these are content types");
    } else {
      c.addAllTypes(types);
      ledger.translated(d);
    }
  }

  private static void proxied(Directive d, Compression.Builder c, Ledger ledger) {
    if (d.args().equals(List.of("any"))) {
      c.setProxied(true);
      ledger.translated(d);
    } else if (d.args().equals(List.of("off"))) {
      ledger.translated(d);
    } else {
      ledger.notTranslated(
          d,
          "nginx compresses proxied responses only under these "
              + "conditions; Wharf compresses all proxied responses or none, and this compresses "
              + "none");
    }
  }
}
