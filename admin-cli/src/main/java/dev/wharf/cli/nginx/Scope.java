package dev.wharf.cli.nginx;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The directives in force at one level of the config ({@code http}, a {@code server}, a {@code
 * location}) and the levels around it, read with nginx's inheritance rules: a setting comes from
 * the nearest level that has it; a list setting such as {@code proxy_set_header} or {@code
 * add_header} comes whole from the nearest level that has any, so one {@code proxy_set_header} in a
 * location drops every inherited one.
 */
final class Scope {
  private final Scope outer;
  private final List<Directive> own;

  private Scope(Scope outer, List<Directive> own) {
    this.outer = outer;
    this.own = own;
  }

  static Scope of(List<Directive> directives) {
    return new Scope(null, directives);
  }

  Scope inner(List<Directive> directives) {
    return new Scope(this, directives);
  }

  /** This level's directives only. */
  List<Directive> own() {
    return own;
  }

  List<Directive> own(String name) {
    return own.stream().filter(d -> d.name().equals(name)).toList();
  }

  Optional<Directive> ownFirst(String name) {
    return own.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** The first {@code name} of the nearest level that has one. */
  Optional<Directive> nearest(String name) {
    for (Scope s = this; s != null; s = s.outer) {
      Optional<Directive> here = s.ownFirst(name);
      if (here.isPresent()) {
        return here;
      }
    }
    return Optional.empty();
  }

  /** Every {@code name} of the nearest level that has any, in order; empty when none does. */
  List<Directive> nearestAll(String name) {
    for (Scope s = this; s != null; s = s.outer) {
      List<Directive> here = s.own(name);
      if (!here.isEmpty()) {
        return here;
      }
    }
    return List.of();
  }

  /**
   * Like {@link #nearestAll} for a family of directives inherited together, such as {@code allow}
   * and {@code deny}.
   */
  List<Directive> nearestWhere(Predicate<Directive> which) {
    for (Scope s = this; s != null; s = s.outer) {
      List<Directive> here = s.own.stream().filter(which).toList();
      if (!here.isEmpty()) {
        return here;
      }
    }
    return List.of();
  }

  /**
   * Whether {@code text} is in an argument of a directive in force here: this level's, with the
   * blocks inside it (its locations), and the plain directives of the levels around it ({@code
   * log_format}, {@code limit_req_zone}), not the other blocks there (other servers).
   */
  boolean mentions(String text) {
    if (own.stream().anyMatch(d -> mentions(d, text))) {
      return true;
    }
    for (Scope s = outer; s != null; s = s.outer) {
      if (s.own.stream().anyMatch(d -> !d.isBlock() && mentions(d, text))) {
        return true;
      }
    }
    return false;
  }

  private static boolean mentions(Directive d, String text) {
    return d.args().stream().anyMatch(a -> a.contains(text))
        || d.children().stream().anyMatch(c -> mentions(c, text));
  }
}
