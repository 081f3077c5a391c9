package dev.wharf.dataplane.proxy;

/**
 * Where a {@link ProxyExchange} is. Its legal moves, and what makes them:
 *
 * <pre>
 * CONNECTING        -> AWAITING_RESPONSE  connected; the request head is sent
 *                   -> DONE               no endpoint left (502/503/504), 408, client gone
 * AWAITING_RESPONSE -> RESPONDING         a final response head, relayed to the client
 *                   -> UPGRADING          a 101 to a WebSocket handshake
 *                   -> CONNECTING         the attempt failed and the request may be retried
 *                   -> DONE               an error answered (502/504/413/408), client gone
 * UPGRADING         -> DONE               relay installed, or the endpoint failed (502)
 * RESPONDING        -> DONE               the last content, or the client connection closed
 * </pre>
 *
 * A failed connect that is retried stays in CONNECTING. The exchange holds an upstream connection
 * exactly in the phases where {@link #attached()} is true.
 */
enum ProxyPhase {
  /** Waiting for a connection to an endpoint, first or next; nothing of the request left. */
  CONNECTING,
  /**
   * The request head went to the endpoint, the body may still be on its way, and no final response
   * came back (interim {@code 1xx} answers are dropped). The only phase a request that failed may
   * be retried from.
   */
  AWAITING_RESPONSE,
  /** The endpoint answered {@code 101} to a WebSocket handshake; its head is being read. */
  UPGRADING,
  /** The response head went to the client; the body follows it. */
  RESPONDING,
  /** Answered, failed, left by the client, or handed over to a WebSocket relay. */
  DONE;

  /** Whether an exchange in this phase may move to {@code next}. */
  boolean canMoveTo(ProxyPhase next) {
    return switch (this) {
      case CONNECTING -> next == AWAITING_RESPONSE || next == DONE;
      case AWAITING_RESPONSE ->
          next == CONNECTING || next == UPGRADING || next == RESPONDING || next == DONE;
      case UPGRADING, RESPONDING -> next == DONE;
      case DONE -> false;
    };
  }

  /** Whether the exchange holds an upstream connection in this phase. */
  boolean attached() {
    return this == AWAITING_RESPONSE || this == UPGRADING || this == RESPONDING;
  }
}
