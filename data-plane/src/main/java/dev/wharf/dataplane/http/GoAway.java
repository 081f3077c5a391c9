package dev.wharf.dataplane.http;

/**
 * A user event fired into a client connection's pipeline when the node drains and wants that
 * connection to end gracefully: an idle HTTP connection closes at once, one with a request in
 * flight sends {@code Connection: close} with its response. A WebSocket ignores it: the node's
 * {@code ConnectionDrainer} gives each its {@code 1001} in turn, spread out.
 */
public enum GoAway {
  INSTANCE
}
