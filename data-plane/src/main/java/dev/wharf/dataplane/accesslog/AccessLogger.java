package dev.wharf.dataplane.accesslog;

import dev.wharf.dataplane.http.TemplateRenderer;
import java.util.List;

/**
 * One listener's access log: renders a finished request's line and queues it. Called on event
 * loops; never blocks (a line that does not fit the writer's queue is dropped and counted).
 */
public final class AccessLogger {
  private final AccessLogFormat format;
  private final AccessLogWriter writer;

  AccessLogger(AccessLogFormat format, AccessLogWriter writer) {
    this.format = format;
    this.writer = writer;
  }

  /** Logs one request whose variables all have their final values. */
  public void log(TemplateRenderer.VariableSource vars) {
    writer.write(format.render(vars));
  }

  /**
   * The variables a line renders: all a request must keep of itself for its line (see {@link
   * dev.wharf.dataplane.http.RequestRecord#keepOnlyLogged}).
   */
  public List<String> variables() {
    return format.variables();
  }

  AccessLogWriter writer() {
    return writer;
  }
}
