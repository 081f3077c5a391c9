package dev.wharf.dataplane.tls;

import dev.wharf.common.FileFingerprint;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each TLS listener's certificates current: when a certificate or key file changes (an edit,
 * a rename over it, a Kubernetes Secret's {@code ..data} symlink swap), the new pair is loaded and
 * checked ({@link CertificateMaterial#load(java.nio.file.Path, java.nio.file.Path, Clock)}) and, if
 * good, handed to the listener's TLS setup; if bad, it is refused with a log line naming the file
 * and the reason, {@code wharf_tls_certificate_reloads_total{result="refused"}} counts it, and the
 * old certificate keeps serving.
 *
 * <p>The contract with the TLS setup:
 *
 * <ul>
 *   <li>{@link #register} loads every certificate of a listener now and returns the materials in
 *       config order; an {@link InvalidCertificateException} there means the node cannot apply the
 *       config (NACK with the exception's message). It replaces an earlier registration of the same
 *       listener name.
 *   <li>After a validated change, {@code onSwap} receives the listener's complete list, in config
 *       order, with the changed entries replaced. Its job is to build the new context and swap it
 *       for new handshakes; connections already open keep theirs. It runs on the thread that calls
 *       {@link #poll()} (never an event loop), one call at a time. If it throws, the change counts
 *       as refused and the previous materials stay current.
 *   <li>{@link #unregister} when a config without the listener (or without TLS on it) is applied.
 * </ul>
 *
 * <p>Threading: every method is {@code synchronized}; {@link #poll()} reads files and must run off
 * the event loops, from {@link #schedule} or a test calling it directly.
 */
public final class CertificateReloader {
  private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

  /** How often {@link #schedule} looks at the files; a Secret update takes about a minute. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

  private record Key(String listener, int index) {}

  /** One listener's state: its sources, what each serves now, its meters. */
  private static final class Listener {
    final List<CertificateSource> sources;
    final List<CertificateMaterial> current;
    final Consumer<List<CertificateMaterial>> onSwap;
    final CertificateMeters meters;
    final List<Gauge> gauges = new ArrayList<>();

    Listener(
        List<CertificateSource> sources,
        List<CertificateMaterial> current,
        Consumer<List<CertificateMaterial>> onSwap,
        CertificateMeters meters) {
      this.sources = sources;
      this.current = new ArrayList<>(current);
      this.onSwap = onSwap;
      this.meters = meters;
    }

    synchronized CertificateMaterial served(int index) {
      return current.get(index);
    }
  }

  private final MeterRegistry registry;
  private final Clock clock;
  private final FileWatcher<Key> watcher = new FileWatcher<>();
  private final Map<String, Listener> listeners = new LinkedHashMap<>();

  public CertificateReloader(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * Loads {@code listener}'s certificates and watches their files. Blocks: never on an event loop.
   * Warnings (a certificate ending within 14 days) are logged here.
   *
   * @return the materials, in the order of {@code sources}
   * @throws InvalidCertificateException for the first certificate that cannot serve; nothing is
   *     registered then (and an earlier registration of the listener stays)
   */
  public synchronized List<CertificateMaterial> register(
      String listener, List<CertificateSource> sources, Consumer<List<CertificateMaterial>> onSwap)
      throws InvalidCertificateException {
    List<List<FileFingerprint>> before = new ArrayList<>();
    List<CertificateMaterial> materials = new ArrayList<>();
    for (CertificateSource source : sources) {
      before.add(FileWatcher.fingerprints(source.files()));
      materials.add(source.load(clock));
    }
    unregister(listener);
    Listener state =
        new Listener(
            List.copyOf(sources), materials, onSwap, new CertificateMeters(registry, listener));
    Set<String> names = new HashSet<>();
    for (int i = 0; i < sources.size(); i++) {
      CertificateSource source = sources.get(i);
      materials.get(i).warnings().forEach(w -> log.warn("listener {}: {}", listener, w));
      // RSA and ECDSA certificates for one name side by side: the second is told by its file
      String name = names.add(source.name()) ? source.name() : source.certificateFile().toString();
      names.add(name);
      int index = i;
      state.gauges.add(state.meters.expiry(name, () -> state.served(index), clock));
      watcher.watch(new Key(listener, i), source.files(), before.get(i));
    }
    listeners.put(listener, state);
    return List.copyOf(materials);
  }

  /** Stops watching {@code listener}'s files and removes its expiry series. */
  public synchronized void unregister(String listener) {
    Listener state = listeners.remove(listener);
    if (state == null) {
      return;
    }
    for (int i = 0; i < state.sources.size(); i++) {
      watcher.forget(new Key(listener, i));
    }
    state.gauges.forEach(state.meters::remove);
  }

  /**
   * Looks at every watched file once and reloads the certificates whose files changed. Blocks:
   * never on an event loop.
   *
   * @return how many listeners got new materials
   */
  public synchronized int poll() {
    Map<String, List<Integer>> changed = new LinkedHashMap<>();
    for (Key key : watcher.poll()) {
      changed.computeIfAbsent(key.listener(), l -> new ArrayList<>()).add(key.index());
    }
    int swapped = 0;
    for (Map.Entry<String, List<Integer>> entry : changed.entrySet()) {
      if (reload(entry.getKey(), listeners.get(entry.getKey()), entry.getValue())) {
        swapped++;
      }
    }
    return swapped;
  }

  private boolean reload(String listener, Listener state, List<Integer> indexes) {
    List<CertificateMaterial> next;
    synchronized (state) {
      next = new ArrayList<>(state.current);
    }
    List<Integer> loaded = new ArrayList<>();
    for (int index : indexes) {
      CertificateSource source = state.sources.get(index);
      try {
        next.set(index, source.load(clock));
        loaded.add(index);
      } catch (InvalidCertificateException e) {
        refuse(listener, state, source, e.getMessage());
      }
    }
    if (loaded.isEmpty()) {
      return false;
    }
    try {
      state.onSwap.accept(List.copyOf(next));
    } catch (RuntimeException e) {
      refuse(listener, state, state.sources.get(loaded.get(0)), "the TLS setup refused it: " + e);
      return false;
    }
    synchronized (state) {
      state.current.clear();
      state.current.addAll(next);
    }
    state.meters.reloaded();
    for (int index : loaded) {
      CertificateMaterial material = next.get(index);
      log.info(
          "listener {}: certificate {} reloaded from {}, valid until {}",
          listener,
          state.sources.get(index).name(),
          state.sources.get(index).certificateFile(),
          material.notAfter());
      material.warnings().forEach(w -> log.warn("listener {}: {}", listener, w));
    }
    return true;
  }

  private static void refuse(
      String listener, Listener state, CertificateSource source, String reason) {
    state.meters.refused();
    log.warn(
        "listener {}: new certificate {} refused, the previous one keeps serving: {}",
        listener,
        source.name(),
        reason);
  }

  /** Polls every {@code interval} on {@code executor} (a scheduler thread, not an event loop). */
  public ScheduledFuture<?> schedule(ScheduledExecutorService executor, Duration interval) {
    long millis = interval.toMillis();
    return executor.scheduleWithFixedDelay(
        () -> {
          try {
            poll();
          } catch (RuntimeException e) {
            log.error("certificate reload check failed; retrying in {}", interval, e);
          }
        },
        millis,
        millis,
        TimeUnit.MILLISECONDS);
  }
}
