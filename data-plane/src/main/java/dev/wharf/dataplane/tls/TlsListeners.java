package dev.wharf.dataplane.tls;

import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.ListenerTls;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TLS terminators of a node's listeners, by listener name. An apply goes in two steps, like the
 * listening sockets: {@link #prepare} reads every file and builds every context (blocking: the
 * node's config thread, never an event loop) and can refuse the config; {@link #commit} swaps what
 * new handshakes get, after the snapshot swap, and touches no open connection.
 *
 * <p>Threading: prepare, commit and rebuild are called under the node's lock; {@link #get} from any
 * thread.
 */
public final class TlsListeners {
  private final ServerTlsFactory factory;
  private final TlsMeters meters;
  private volatile Map<String, TlsTerminator> terminators = Map.of();
  private final Map<String, ListenerTls> configs = new HashMap<>();

  public TlsListeners(TlsEngine engine, MeterRegistry registry) {
    this.factory = new ServerTlsFactory(engine);
    this.meters = new TlsMeters(registry);
  }

  /** A config's TLS setups, built and not yet in use. */
  public record Prepared(Map<String, Built> setups) {}

  record Built(ListenerTls config, ServerTls tls, TicketKeys tickets) {}

  /**
   * Builds the TLS setup of every listener of {@code listeners} that has {@code tls}.
   *
   * @param now the node's ticker, for ticket key rotation
   * @throws TlsSetupException the field (from {@code listeners[i].tls}) and the reason
   */
  public Prepared prepare(List<Listener> listeners, long now) throws TlsSetupException {
    Map<String, Built> setups = new HashMap<>();
    for (int i = 0; i < listeners.size(); i++) {
      Listener l = listeners.get(i);
      if (!l.hasTls()) {
        continue;
      }
      try {
        setups.put(l.getName(), build(l.getTls(), now));
      } catch (TlsSetupException e) {
        throw new TlsSetupException("listeners[" + i + "].tls." + e.field(), e.getMessage());
      }
    }
    return new Prepared(setups);
  }

  private Built build(ListenerTls config, long now) throws TlsSetupException {
    return new Built(config, factory.build(config), TicketKeys.of(config.getSessions(), now));
  }

  /** New handshakes use {@code prepared}; listeners without TLS in it lose their terminator. */
  public synchronized void commit(Prepared prepared) {
    Map<String, TlsTerminator> next = new HashMap<>();
    prepared
        .setups()
        .forEach(
            (name, built) -> {
              TlsTerminator t = terminators.get(name);
              if (t == null) {
                t = new TlsTerminator(name, built.tls(), built.tickets(), meters);
              } else {
                ListenerTls before = configs.get(name);
                boolean sameSessions =
                    before != null && before.getSessions().equals(built.config().getSessions());
                // Unchanged session settings keep their ticket keys: tickets issued still resume.
                t.swap(built.tls(), sameSessions ? t.currentTickets() : built.tickets());
              }
              next.put(name, t);
            });
    configs.clear();
    prepared.setups().forEach((name, built) -> configs.put(name, built.config()));
    terminators = Map.copyOf(next);
  }

  /**
   * Rebuilds the setup of {@code listener} from its files as they are now (a certificate was
   * renewed) and swaps it in for new handshakes; on failure the old one keeps serving.
   *
   * @return false when the listener has no TLS
   * @throws TlsSetupException the field (below the listener's {@code tls}) and the reason
   */
  public synchronized boolean rebuild(String listener) throws TlsSetupException {
    TlsTerminator t = terminators.get(listener);
    ListenerTls config = configs.get(listener);
    if (t == null || config == null) {
      return false;
    }
    ServerTls fresh = factory.build(config);
    t.swap(fresh, t.currentTickets());
    return true;
  }

  /** Rotates node-made ticket keys that are due; the node calls this from a timer. */
  public void rotateTicketKeys(long now) {
    terminators.values().forEach(t -> t.rotateTicketKeysIfDue(now));
  }

  /** The terminator of {@code listener}, or null when it serves plain HTTP. */
  public TlsTerminator get(String listener) {
    return terminators.get(listener);
  }
}
