package dev.wharf.dataplane.proxy;

import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.upstream.UpstreamConnector;

/**
 * What a proxied request needs beyond the node's services: the connector that owns the
 * per-loop connection pools, and the drainer its WebSocket, if it becomes one, registers with.
 * One per node, shared by every listener.
 */
public record ProxyServices(NodeServices node, UpstreamConnector connector,
    ConnectionDrainer drainer) {}
