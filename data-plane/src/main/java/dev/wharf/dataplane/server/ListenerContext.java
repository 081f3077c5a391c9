package dev.wharf.dataplane.server;

import dev.wharf.dataplane.routing.RoutingTable;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every connection of one listener shares: the listener's name, where to read the current
 * routing table from (each request reads it once), and the injected clock and id source.
 *
 * @param hostname this machine's name for {@code $hostname}, resolved once at startup
 */
public record ListenerContext(String name, Supplier<RoutingTable> routes, Clock clock,
    String hostname, Supplier<String> requestIds) {}
