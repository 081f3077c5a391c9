package dev.wharf.cli.nginx;

/** A translated value, or the reason there is none (for the report). */
record Either<T>(T value, String problem) {
  static <T> Either<T> of(T value) {
    return new Either<>(value, null);
  }

  static <T> Either<T> problem(String why) {
    return new Either<>(null, why);
  }

  boolean ok() {
    return problem == null;
  }
}
