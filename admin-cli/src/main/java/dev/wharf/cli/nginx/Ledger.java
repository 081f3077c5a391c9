package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Verdict.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The verdict on every directive of a config, so that none is dropped silently. The translator
 * records what it translates or decides against as it goes; {@link #sweep} then gives every
 * directive left a verdict from the {@link Catalog}. A block given a verdict as a whole ({@link
 * #notTranslatedBlock}) gives it to every directive inside too; those are reported through the
 * block, not one by one.
 *
 * <p>Not thread-safe: one translation owns it.
 */
final class Ledger {
  private final Map<Directive, Finding> entries = new HashMap<>();

  void translated(Directive d) {
    record(d, Verdict.translated(), null);
  }

  void check(Directive d, String reason) {
    record(d, Verdict.check(reason), null);
  }

  void notNeeded(Directive d, String reason) {
    record(d, Verdict.notNeeded(reason), null);
  }

  void notTranslated(Directive d, String reason) {
    record(d, Verdict.notTranslated(reason), null);
  }

  /** {@code d} and every directive inside it. */
  void translatedBlock(Directive d) {
    translated(d);
    forEachInside(d, inner -> record(inner, Verdict.translated(), null));
  }

  /** {@code block}'s verdict, also given to everything inside it, reported with it. */
  void notNeededBlock(Directive block, String reason) {
    recordBlock(block, Verdict.notNeeded(reason));
  }

  void notTranslatedBlock(Directive block, String reason) {
    recordBlock(block, Verdict.notTranslated(reason));
  }

  /** True when {@code d} was translated (with or without a difference to check). */
  boolean isTranslated(Directive d) {
    Finding f = entries.get(d);
    return f != null && (f.verdict().kind() == Kind.TRANSLATED || f.verdict().kind() == Kind.CHECK);
  }

  /** Gives every directive under {@code main} that has no verdict yet the one {@code rule} says. */
  void sweep(List<Directive> main, Function<Directive, Verdict> rule) {
    walk(
        main,
        d -> {
          if (!entries.containsKey(d)) {
            Verdict v = rule.apply(d);
            if (d.isBlock() && v.kind() != Kind.TRANSLATED) {
              recordBlock(d, v);
            } else {
              record(d, v, null);
            }
          }
        });
  }

  /** Every directive under {@code main} that has a verdict, in the order they were written. */
  List<Finding> findings(List<Directive> main) {
    List<Finding> out = new ArrayList<>();
    walk(
        main,
        d -> {
          Finding e = entries.get(d);
          if (e != null) {
            out.add(e);
          }
        });
    return out;
  }

  private void recordBlock(Directive block, Verdict verdict) {
    record(block, verdict, null);
    forEachInside(block, inner -> record(inner, verdict, block));
  }

  private void record(Directive d, Verdict verdict, Directive block) {
    Finding old = entries.get(d);
    if (old == null || verdict.kind().compareTo(old.verdict().kind()) > 0) {
      entries.put(d, new Finding(d, verdict, block));
    }
  }

  private static void forEachInside(Directive block, java.util.function.Consumer<Directive> f) {
    walk(block.children(), f);
  }

  private static void walk(List<Directive> directives, java.util.function.Consumer<Directive> f) {
    for (Directive d : directives) {
      f.accept(d);
      walk(d.children(), f);
    }
  }
}
