package dev.wharf.cli.nginx;

import java.nio.file.Path;

/**
 * An nginx config that cannot be read: a syntax error or an include that cannot be resolved. The
 * message is what the user sees, {@code file:line: reason}.
 */
public final class NginxSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;

  public NginxSyntaxException(Path file, int line, String reason) {
    super(file + ":" + line + ": " + reason, null, false, false);
  }
}
