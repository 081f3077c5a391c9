package dev.wharf.dataplane.drain;

import java.util.Locale;

/** Why the node closed a connection that its client and backend were still using. */
public enum DrainReason {
  /** The connection's endpoint is no longer in its upstream. */
  ENDPOINT_REMOVED,
  /** Active health checks found the connection's endpoint unhealthy (and others healthy). */
  ENDPOINT_UNHEALTHY,
  /** The connection's route is no longer in the config. */
  ROUTE_REMOVED,
  /** The connection's route now sends its traffic to another upstream, or is no proxy. */
  ROUTE_CHANGED,
  /** The whole node is draining (SIGTERM or {@code wharfctl drain}). */
  NODE_DRAIN;

  /** The value of the {@code reason} tag of the drain metrics. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
