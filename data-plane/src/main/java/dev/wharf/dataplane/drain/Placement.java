package dev.wharf.dataplane.drain;

/**
 * Where a long-lived connection was placed when it opened: what a config change or a health verdict
 * is compared with to decide whether the connection must move.
 *
 * @param route the route it matched
 * @param upstream the upstream the route sent it to
 * @param endpoint the endpoint's address as written in the config
 * @param settings the drain policy in force when it opened; used when its route is removed
 */
public record Placement(String route, String upstream, String endpoint, DrainSettings settings) {}
