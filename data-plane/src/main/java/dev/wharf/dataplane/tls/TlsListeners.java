package dev.wharf.dataplane.tls;

import dev.wharf.config.Http2Options;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.ListenerTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS terminators of a node's listeners, by listener name. An apply goes in two steps, like the
 * listening sockets: {@link #prepare} reads every file and builds every context (blocking: the
 * node's config thread, never an event loop) and can refuse the config; {@link #commit} swaps what
 * new handshakes get, after the snapshot swap, and touches no open connection.
 *
 * <p>Between applies, the {@link CertificateReloader} watches every TLS listener's certificate
 * files; a renewed pair that passes its checks is swapped in for new handshakes the same way, a bad
 * one is refused and the old one keeps serving. Open connections, WebSockets included, never see
 * either.
 *
 * <p>Threading: prepare, commit and rebuild are called under the node's lock; {@link #get} from any
 * thread; the file checks run on one daemon thread of their own, never an event loop.
 */
public final class TlsListeners implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TlsListeners.class);

  private final ServerTlsFactory factory;
  private final TlsMeters meters;
  private final CertificateReloader reloader;
  private volatile Map<String, TlsTerminator> terminators = Map.of();
  private volatile Map<String, ListenerTls> configs = Map.of();

  /** The listeners that offer {@code h2} through ALPN. */
  private volatile Set<String> http2 = Set.of();

  private ScheduledExecutorService watcher;

  /**
   * @param clock judges whether a certificate is valid now, and feeds the expiry metric
   */
  public TlsListeners(TlsEngine engine, MeterRegistry registry, Clock clock) {
    this(() -> engine, registry, clock);
  }

  /**
   * @param engine asked when the first listener with TLS is built, so that a node without TLS never
   *     loads the OpenSSL library (see {@link TlsEngine#onFirstUse})
   * @param clock judges whether a certificate is valid now, and feeds the expiry metric
   */
  public TlsListeners(Supplier<TlsEngine> engine, MeterRegistry registry, Clock clock) {
    this.factory = new ServerTlsFactory(engine, clock);
    this.meters = new TlsMeters(registry);
    this.reloader = new CertificateReloader(registry, clock);
  }

  /** A config's TLS setups, built and not yet in use. */
  public record Prepared(Map<String, Built> setups) {}

  record Built(ListenerTls config, boolean http2, ServerTls tls, TicketKeys tickets) {}

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
        setups.put(l.getName(), build(l.getTls(), Http2Options.of(l).offered(), now));
      } catch (TlsSetupException e) {
        throw new TlsSetupException("listeners[" + i + "].tls." + e.field(), e.getMessage());
      }
    }
    return new Prepared(setups);
  }

  private Built build(ListenerTls config, boolean http2, long now) throws TlsSetupException {
    return new Built(
        config, http2, factory.build(config, http2), TicketKeys.of(config.getSessions(), now));
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
                meters.listener(name);
              } else {
                ListenerTls before = configs.get(name);
                boolean sameSessions =
                    before != null && before.getSessions().equals(built.config().getSessions());
                // Unchanged session settings keep their ticket keys: tickets issued still resume.
                t.swap(built.tls(), sameSessions ? t.currentTickets() : built.tickets());
              }
              next.put(name, t);
            });
    configs.keySet().stream()
        .filter(name -> !prepared.setups().containsKey(name))
        .forEach(reloader::unregister);
    Map<String, ListenerTls> nextConfigs = new HashMap<>();
    prepared.setups().forEach((name, built) -> nextConfigs.put(name, built.config()));
    configs = Map.copyOf(nextConfigs);
    http2 =
        prepared.setups().entrySet().stream()
            .filter(e -> e.getValue().http2())
            .map(Map.Entry::getKey)
            .collect(Collectors.toUnmodifiableSet());
    terminators = Map.copyOf(next);
    prepared.setups().keySet().forEach(this::watch);
  }

  /**
   * Watches {@code listener}'s certificate files from now on. Reading them again here cannot fail
   * unless they changed since {@link #prepare}: then the node serves what it prepared and the next
   * change of the files is checked as a reload.
   */
  private void watch(String listener) {
    ListenerTls config = configs.get(listener);
    List<CertificateSource> sources =
        config.getCertificatesList().stream().map(CertificateSource::of).toList();
    try {
      reloader.register(listener, sources, materials -> swapMaterials(listener, materials));
    } catch (InvalidCertificateException e) {
      log.warn(
          "listener {}: certificate files changed during the apply: {}", listener, e.getMessage());
    }
    if (watcher == null) {
      watcher =
          Executors.newSingleThreadScheduledExecutor(
              new DefaultThreadFactory("wharf-certificates", true));
      reloader.schedule(watcher, CertificateReloader.DEFAULT_INTERVAL);
    }
  }

  /**
   * The reloader's hand-over: renewed, checked materials, in config order. Not synchronized: the
   * reloader holds its own lock here, and an apply holds this one while it registers.
   */
  private void swapMaterials(String listener, List<CertificateMaterial> materials) {
    TlsTerminator t = terminators.get(listener);
    ListenerTls config = configs.get(listener);
    if (t == null || config == null) {
      return;
    }
    try {
      ServerTls renewed = factory.build(config, http2.contains(listener), materials);
      if (configs.get(listener) == config) { // an apply in between brought its own files
        t.swap(renewed, t.currentTickets());
      }
    } catch (TlsSetupException e) {
      throw new IllegalStateException(e.field() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks every watched certificate file now, as the watcher thread does every {@link
   * CertificateReloader#DEFAULT_INTERVAL}, and swaps renewed pairs in (tests call this rather than
   * wait). Blocks: never on an event loop.
   *
   * @return how many listeners got renewed certificates
   */
  public int checkCertificates() {
    return reloader.poll();
  }

  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.shutdownNow();
    }
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
    ServerTls fresh = factory.build(config, http2.contains(listener));
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
