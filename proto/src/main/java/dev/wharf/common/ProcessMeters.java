package dev.wharf.common;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What every Wharf process exports about itself, node and control plane alike: {@code
 * wharf_build_info{version,commit,java} 1}, Micrometer's JVM meters (memory, GC, threads, classes)
 * and process meters (CPU, open and maximum file descriptors, uptime), and the resident set size
 * ({@code process_resident_memory_bytes}, from {@code /proc/self/status}; absent where there is no
 * {@code /proc}).
 *
 * <p>Gauges are read at scrape time: the {@code /proc} read happens on the scraping thread (the
 * admin loop or the metrics server's thread), never on a proxy event loop. Binding the same meters
 * twice into one registry (standalone runs node and control plane in one process) registers them
 * once.
 */
public final class ProcessMeters implements MeterBinder, AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");

  private final Class<?> mainClass;
  private JvmGcMetrics gc;

  /**
   * @param mainClass the program's main class, whose jar manifest gives the version and commit
   */
  public ProcessMeters(Class<?> mainClass) {
    this.mainClass = mainClass;
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    Gauge.builder("wharf.build.info", () -> 1)
        .description("1, tagged with the version and commit this process was built from")
        .tag("version", BuildInfo.version(mainClass))
        .tag("commit", BuildInfo.commit(mainClass))
        .tag("java", Runtime.version().toString())
        .register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    if (gc == null) {
      gc = new JvmGcMetrics();
    }
    gc.bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    if (residentBytes() >= 0) {
      Gauge.builder("process.resident.memory", ProcessMeters::residentBytes)
          .description("Resident set size of the process (VmRSS)")
          .baseUnit(BaseUnits.BYTES)
          .register(registry);
    }
  }

  /** VmRSS of this process in bytes, or -1 when {@code /proc/self/status} cannot say. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+", -1);
          return Long.parseLong(parts[0]) * 1024.0; // the kernel says kB, meaning KiB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Stops listening for GC notifications. */
  @Override
  public synchronized void close() {
    if (gc != null) {
      gc.close();
    }
  }
}
