package dev.wharf.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The one rule for a test whose external tool (etcd, nginx, systemd-analyze...) is missing: with
 * {@code CI=true} (any case, or {@code 1}: see {@link Ci}) it is a failure, because CI installs
 * every tool and a missing one is a broken CI machine, never a green skip; elsewhere the test is
 * aborted (reported as skipped).
 */
public final class MissingTool {
  private MissingTool() {}

  /** Fails or aborts the calling test as {@code CI} says; never returns normally. */
  public static <T> T missing(String message) {
    return missing(message, System.getenv("CI"));
  }

  /** Same, with the value of {@code CI} passed in (for tests of this rule). */
  public static <T> T missing(String message, String ciVariable) {
    if (Ci.active(ciVariable)) {
      throw new IllegalStateException(message + "; CI=true, so this is a failure, not a skip");
    }
    return Assumptions.abort(message + "; skipped outside CI");
  }

  /**
   * The executable {@code tool} found on the {@code PATH}; when there is none, fails or aborts the
   * calling test as {@link #missing(String)} does.
   */
  public static Path require(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Path.of(dir, tool);
      }
    }
    return missing(tool + " is not on the PATH");
  }
}
