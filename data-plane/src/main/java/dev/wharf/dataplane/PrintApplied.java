package dev.wharf.dataplane;

import dev.wharf.dataplane.discovery.DiscoveryEvents;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.launch.Startup;
import java.io.PrintWriter;
import java.util.stream.Collectors;

/**
 * Prints each applied version with where its listeners are bound. A node fed by the control plane
 * learns its listeners only with a snapshot, so this line replaces the {@code listening:} lines a
 * file-fed node prints at start; scripts and operators read the bound ports from it.
 *
 * <p>Threading: called on the discovery client's config thread.
 */
final class PrintApplied implements DiscoveryEvents {
  private final PrintWriter out;
  private final DataPlaneNode node;

  PrintApplied(PrintWriter out, DataPlaneNode node) {
    this.out = out;
    this.node = node;
  }

  @Override
  public void applied(long version, String source) {
    String listeners =
        node.current().config().getListenersList().stream()
            .map(l -> l.getName() + " on " + Startup.hostPort(node.address(l.getName())))
            .collect(Collectors.joining(", "));
    out.println(
        "applied version "
            + version
            + " from "
            + source
            + ": "
            + (listeners.isEmpty() ? "no listeners" : listeners));
    out.flush();
  }
}
