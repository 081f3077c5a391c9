package dev.wharf.cli.nginx;

import java.util.Objects;

/** What became of one directive, and why when that is not plain. */
public record Verdict(Kind kind, String reason) {
  /**
   * From the least to the most a user must know about. A directive that matters in several places
   * (an {@code http}-level setting) keeps the most telling verdict it was given.
   */
  public enum Kind {
    /** Wharf needs nothing for it: process tuning, or something Wharf does by itself. */
    NOT_NEEDED,
    /** The output does what it asks. */
    TRANSLATED,
    /** Translated, with a difference worth checking by hand. */
    CHECK,
    /** Nothing in the output does what it asks. */
    NOT_TRANSLATED
  }

  public Verdict {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(reason, "reason");
  }

  static Verdict translated() {
    return new Verdict(Kind.TRANSLATED, "");
  }

  static Verdict check(String reason) {
    return new Verdict(Kind.CHECK, reason);
  }

  static Verdict notNeeded(String reason) {
    return new Verdict(Kind.NOT_NEEDED, reason);
  }

  static Verdict notTranslated(String reason) {
    return new Verdict(Kind.NOT_TRANSLATED, reason);
  }
}
