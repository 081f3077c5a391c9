package dev.wharf.dataplane.http;

/**
 * A user event fired into a client connection's pipeline when the node wants that connection
 * to end gracefully. Each handler decides how: an idle HTTP connection closes at once, one with
 * a request in flight sends {@code Connection: close} with its response, a WebSocket gets a
 * {@code 1001} close frame at a frame boundary in each direction.
 */
public enum GoAway {
  INSTANCE
}
