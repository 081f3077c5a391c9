package dev.wharf.dataplane.discovery;

import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.NodeMessage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Tells the control plane how the node sees its checked endpoints: on each new stream once (when
 * there is anything to say), then whenever the view changed since the last report on that stream.
 * Its timer also drives the {@link DrainReporter}. Config thread only.
 */
final class HealthReporter {
  private final ConfigSink sink;
  private final DrainReporter drain;
  private DiscoveryStream reportedOn;
  private List<EndpointHealthState> reported = List.of();

  HealthReporter(ConfigSink sink) {
    this.sink = sink;
    this.drain = new DrainReporter(sink);
  }

  /**
   * Reports every {@code interval} on the stream {@code current} gives (none when it gives null);
   * the timer only hands the work to {@code configThread}, where reports are made.
   */
  ScheduledFuture<?> scheduleEvery(
      Duration interval,
      ScheduledExecutorService timers,
      Executor configThread,
      Supplier<DiscoveryStream> current) {
    return timers.scheduleWithFixedDelay(
        () -> {
          try {
            configThread.execute(
                () -> {
                  DiscoveryStream stream = current.get();
                  if (stream != null) {
                    report(stream);
                    drain.report(stream);
                  }
                });
          } catch (RejectedExecutionException e) {
            // closing
          }
        },
        interval.toMillis(),
        interval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  void report(DiscoveryStream stream) {
    List<EndpointHealthState> now = sink.endpointHealth();
    boolean changed = stream == reportedOn ? !now.equals(reported) : !now.isEmpty();
    reportedOn = stream;
    reported = now;
    if (changed) {
      stream.send(
          NodeMessage.newBuilder()
              .setHealth(HealthReport.newBuilder().addAllEndpoints(now))
              .build());
    }
  }
}
