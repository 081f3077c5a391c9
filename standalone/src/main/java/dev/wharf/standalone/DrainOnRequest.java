package dev.wharf.standalone;

import dev.wharf.common.ShutdownSignal;
import dev.wharf.dataplane.discovery.DiscoveryEvents;
import java.io.PrintWriter;

/**
 * {@code wharfctl drain} against standalone: the request reaches the node over the in-process
 * discovery stream, as it reaches a cluster node over the network, and the process then drains and
 * exits as on SIGTERM (with exit code 0: it was asked to stop, it did not fail).
 */
final class DrainOnRequest implements DiscoveryEvents {
  private final PrintWriter out;
  private final ShutdownSignal signal;

  DrainOnRequest(PrintWriter out, ShutdownSignal signal) {
    this.out = out;
    this.signal = signal;
  }

  @Override
  public void drainRequested(String requestedBy) {
    out.println("drain requested by " + requestedBy + ": stopping");
    out.flush();
    signal.trigger();
  }
}
