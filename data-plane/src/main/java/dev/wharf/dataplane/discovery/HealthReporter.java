package dev.wharf.dataplane.discovery;

import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.proto.discovery.v1.HealthReport;
import dev.wharf.proto.discovery.v1.NodeMessage;
import java.util.List;

/**
 * Tells the control plane how the node sees its checked endpoints: on each new stream once
 * (when there is anything to say), then whenever the view changed since the last report on that
 * stream. Config thread only.
 */
final class HealthReporter {
  private final ConfigSink sink;
  private DiscoveryStream reportedOn;
  private List<EndpointHealthState> reported = List.of();

  HealthReporter(ConfigSink sink) {
    this.sink = sink;
  }

  void report(DiscoveryStream stream) {
    List<EndpointHealthState> now = sink.endpointHealth();
    boolean changed = stream == reportedOn ? !now.equals(reported) : !now.isEmpty();
    reportedOn = stream;
    reported = now;
    if (changed) {
      stream.send(NodeMessage.newBuilder()
          .setHealth(HealthReport.newBuilder().addAllEndpoints(now)).build());
    }
  }
}
