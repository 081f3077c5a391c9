package dev.wharf.dataplane.discovery;

import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.NodeMessage;

/**
 * Tells the control plane how the node's drain goes: once when it starts (on the stream open then,
 * and again on a stream opened later), then whenever the numbers changed since the last report on
 * that stream. Called on the health timer's beat, so at most once per interval. Config thread only.
 */
final class DrainReporter {
  private final ConfigSink sink;
  private DiscoveryStream reportedOn;
  private DrainProgress reported;

  DrainReporter(ConfigSink sink) {
    this.sink = sink;
  }

  void report(DiscoveryStream stream) {
    DrainProgress now = sink.drainProgress();
    if (now == null || (stream == reportedOn && now.equals(reported))) {
      return;
    }
    reportedOn = stream;
    reported = now;
    stream.send(NodeMessage.newBuilder().setDrainProgress(now).build());
  }
}
