package dev.wharf.dataplane.admin;

/**
 * What the admin server reports about its node. Called on the admin event loop, once per request,
 * so implementations must be cheap and thread-safe (read volatile or atomic state).
 */
public interface AdminState {
  /** True when the node should receive traffic. */
  boolean ready();

  /** The config the node serves, or null when no config has been applied yet. */
  AppliedConfig current();
}
