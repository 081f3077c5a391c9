package dev.wharf.testkit;

import java.util.Locale;

/**
 * The one answer to "are these tests running under CI?": the environment variable {@code CI} is
 * {@code true} in any case ({@code TRUE}, {@code True}) or {@code 1}, as CI services set it. Under
 * CI a missing tool is a failure, never a skip ({@link MissingTool}).
 */
public final class Ci {
  private Ci() {}

  /** Whether this JVM's environment says CI. */
  public static boolean active() {
    return active(System.getenv("CI"));
  }

  /** Whether {@code ciVariable}, a value of {@code CI} (null: unset), says CI. */
  public static boolean active(String ciVariable) {
    if (ciVariable == null) {
      return false;
    }
    String v = ciVariable.strip().toLowerCase(Locale.ROOT);
    return v.equals("true") || v.equals("1");
  }
}
