package dev.wharf.config;

import dev.wharf.proto.config.v1.Config;

/** One line that says what a config holds, for logs and CLI output. */
public final class ConfigSummary {
  private ConfigSummary() {}

  /** {@code 1 listener, 2 upstreams (3 endpoints), 4 routes}. */
  public static String of(Config c) {
    int endpoints = c.getUpstreamsList().stream().mapToInt(u -> u.getEndpointsCount()).sum();
    return count(c.getListenersCount(), "listener")
        + ", "
        + count(c.getUpstreamsCount(), "upstream")
        + " ("
        + count(endpoints, "endpoint")
        + "), "
        + count(c.getRoutesCount(), "route");
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
