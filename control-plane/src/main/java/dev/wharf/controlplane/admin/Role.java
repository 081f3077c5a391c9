package dev.wharf.controlplane.admin;

import java.util.Locale;

/**
 * What a caller may do. Roles are not ranked: a node token opens the discovery stream and nothing
 * else, a viewer reads the Admin API, an admin may do everything.
 */
public enum Role {
  /** A data-plane node: the discovery stream only. */
  NODE,
  /** The Admin API's read RPCs. */
  VIEWER,
  /** Every RPC: Admin reads and writes, and the discovery stream. */
  ADMIN;

  /** The spelling in token files and certificates: {@code node}, {@code viewer}, {@code admin}. */
  public String spelling() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role spelled {@code text} (case-insensitive), or null. */
  public static Role parse(String text) {
    for (Role r : values()) {
      if (r.spelling().equalsIgnoreCase(text)) {
        return r;
      }
    }
    return null;
  }
}
