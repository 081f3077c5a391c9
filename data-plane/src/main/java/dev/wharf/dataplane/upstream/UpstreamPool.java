package dev.wharf.dataplane.upstream;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Idle keep-alive connections of one event loop, by endpoint address. Only that loop touches it, so
 * there is no lock; connections never move between loops, so a client and its upstream connection
 * always share a thread.
 *
 * <p>The most recently used connection is reused first: it is the least likely to have been closed
 * by the endpoint's own idle timeout.
 */
final class UpstreamPool {
  private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();

  /**
   * An open idle connection to {@code endpoint}, or null. One made with other TLS settings (or
   * without TLS, before the upstream turned to {@code https}) is closed instead of reused.
   */
  UpstreamConnection poll(UpstreamEndpoint endpoint) {
    ArrayDeque<UpstreamConnection> q = idle.get(endpoint.address());
    while (q != null && !q.isEmpty()) {
      UpstreamConnection c = q.pollLast();
      c.unpooled();
      if (c.endpoint().tls() != endpoint.tls()) {
        c.channel().close();
      } else if (c.channel().isActive()) {
        return c;
      }
    }
    return null;
  }

  /**
   * Keeps {@code c} for reuse, or closes it when the endpoint's share of the pool is full or the
   * connection served its last request.
   */
  void offer(UpstreamConnection c, CompiledUpstream.PoolSettings settings) {
    int maxRequests = settings.maxRequestsPerConnection();
    ArrayDeque<UpstreamConnection> q =
        idle.computeIfAbsent(c.endpoint().address(), a -> new ArrayDeque<>());
    if (!c.channel().isActive()
        || q.size() >= settings.maxIdlePerEndpoint()
        || (maxRequests > 0 && c.requests() >= maxRequests)) {
      c.channel().close();
      return;
    }
    q.addLast(c);
    c.pooledIn(this, settings.idleTimeout().toNanos());
  }

  /** Closes the idle connections to every endpoint not in {@code addresses}. */
  void retain(Set<String> addresses) {
    for (var it = idle.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (!addresses.contains(entry.getKey())) {
        it.remove();
        for (UpstreamConnection c : entry.getValue()) {
          c.unpooled();
          c.channel().close();
        }
      }
    }
  }

  /** Forgets {@code c}; true when it was idle here. */
  boolean remove(UpstreamConnection c) {
    ArrayDeque<UpstreamConnection> q = idle.get(c.endpoint().address());
    boolean removed = q != null && q.remove(c);
    if (removed) {
      c.unpooled();
    }
    return removed;
  }
}
