package dev.wharf.dataplane.access;

import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;

/**
 * The meters of each htpasswd file a config names, read from its {@link UserFile} when scraped:
 * {@code wharf_htpasswd_stale{file}} is 1 while the file as it is now was refused and the last good
 * users stay in use (0 once a read is good again), and {@code
 * wharf_htpasswd_reloads_total{file,result}} counts reads by result ({@code success}, {@code
 * refused}). Registered when a config is applied, at its current values, so an alert sees a file
 * that was broken from the start; series are never removed, as the node's other series.
 */
public final class UserFileMeters {
  private UserFileMeters() {}

  /** Called by the node for each config it applies, off the event loops. */
  public static void register(MeterRegistry registry, Config config) {
    for (Route route : config.getRoutesList()) {
      if (route.hasBasicAuth() && route.getBasicAuth().getEnabled()) {
        UserFile file = UserFile.of(Path.of(route.getBasicAuth().getUserFile()));
        String name = file.path().toString();
        Gauge.builder("wharf.htpasswd.stale", file, f -> f.stale() ? 1 : 0)
            .description("1 while an htpasswd file is refused and its last good users stay in use")
            .tag("file", name)
            .strongReference(true)
            .register(registry);
        FunctionCounter.builder("wharf.htpasswd.reloads", file, UserFile::goodReads)
            .description("Reads of an htpasswd file that changed, by result")
            .tags("file", name, "result", "success")
            .register(registry);
        FunctionCounter.builder("wharf.htpasswd.reloads", file, UserFile::failedReads)
            .description("Reads of an htpasswd file that changed, by result")
            .tags("file", name, "result", "refused")
            .register(registry);
      }
    }
  }
}
