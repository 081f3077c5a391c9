package dev.wharf.dataplane.accesslog;

import java.io.IOException;

/** The access log file of a listener could not be opened; names the listener it belongs to. */
public final class AccessLogOpenException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String listener;

  AccessLogOpenException(String listener, IOException cause) {
    super("listener " + listener + ": " + cause.getMessage(), cause);
    this.listener = listener;
  }

  public String listener() {
    return listener;
  }
}
