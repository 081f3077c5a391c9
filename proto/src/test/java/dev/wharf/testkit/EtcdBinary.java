package dev.wharf.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Finds the {@code etcd} executable on {@code PATH}.
 *
 * <p>Contract when it is missing: with the environment variable {@code CI=true} the lookup
 * <em>fails</em> (an {@link IllegalStateException}), so a CI machine without etcd can never report
 * green by skipping; anywhere else the calling test is <em>aborted</em> (JUnit reports it as
 * skipped, with the message saying how to install etcd).
 */
final class EtcdBinary {

  static final String INSTALL_HINT =
      "Install etcd 3.4: apt-get update && apt-get install -y etcd-server (binary /usr/bin/etcd).";

  private EtcdBinary() {}

  /** The etcd executable from the process's {@code PATH}; see the class comment when absent. */
  static Path locate() {
    return locate(System.getenv("PATH"), System.getenv("CI"));
  }

  /** Same as {@link #locate()}, with the two environment variables passed in (for tests). */
  static Path locate(String pathVariable, String ciVariable) {
    if (pathVariable != null) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        Path candidate = executableIn(dir);
        if (candidate != null) {
          return candidate;
        }
      }
    }
    String message = "etcd binary not found on PATH (" + pathVariable + "). " + INSTALL_HINT;
    return MissingTool.missing(message, ciVariable);
  }

  private static Path executableIn(String dir) {
    if (dir.isEmpty()) {
      return null;
    }
    try {
      Path candidate = Path.of(dir, "etcd");
      return Files.isRegularFile(candidate) && Files.isExecutable(candidate) ? candidate : null;
    } catch (InvalidPathException e) {
      return null;
    }
  }
}
