package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.upstream.UpstreamConnections;

/**
 * What a proxied request needs beyond the node's services: where it gets its upstream connection
 * (the node's {@code UpstreamConnector}, which owns the per-loop pools), and the drainer its
 * WebSocket, if it becomes one, registers with. One per node, shared by every listener.
 */
public record ProxyServices(
    NodeServices node, UpstreamConnections connections, ConnectionDrainer drainer) {}
