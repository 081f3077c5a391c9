package dev.wharf.cli;

import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.ServerFacts;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.controlplane.store.ConfigStore;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.discovery.v1.NodeStatus;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The control plane's real Admin service ({@link AdminService}) on its embedded store ({@link
 * FileConfigStore}, in a temp directory), for wharfctl's tests to run commands against what a
 * replica really does.
 *
 * <p>Served in-process by {@link Cli#serveReal}: each call is made as {@link Caller#IN_PROCESS}, as
 * the replica's authentication makes every in-process call. Or, where a test is about credentials,
 * as a whole replica ({@link ControlPlaneServer}, with its real authentication and token file) on a
 * loopback port, by {@link Cli#serveReplica}.
 *
 * <p>The fleet is the store's own node-status store, which replicas fill from their discovery
 * streams; tests put the {@link NodeStatus} records a replica would have written ({@link #node}).
 * The store's clock starts at {@link #FIRST_COMMIT} and moves a minute on at each commit, so the
 * history's times are known.
 */
public final class RealAdmin implements AutoCloseable {
  /** When the store's first commit is made. */
  public static final Instant FIRST_COMMIT = Instant.parse("2025-03-01T09:30:00Z");

  /** When every replica says it started (GetServerInfo). */
  public static final Instant STARTED = Instant.parse("2025-03-01T09:00:00Z");

  private final FileConfigStore store;
  private final String replicaId;
  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> drainRequests = new CopyOnWriteArrayList<>();
  private final ConfigStore.Subscription drains;
  private ControlPlaneServer replica;

  private RealAdmin(FileConfigStore store, String replicaId) {
    this.store = store;
    this.replicaId = replicaId;
    this.drains = store.nodes().watchDrains(drainRequests::add);
  }

  /** An empty config at the store's first version, kept in {@code dataDir}. */
  public static RealAdmin open(Path dataDir, String replicaId) {
    try {
      return new RealAdmin(FileConfigStore.open(dataDir, new MinuteClock()), replicaId);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
  }

  /** Commits {@code config} as someone else would (not counted as a call); the new version. */
  public long commit(Config config) {
    try {
      return store.commit(store.read().version(), config, "someone-else", "test commit");
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
  }

  /** Commits {@code count} distinct versions (a listener's port moving), then {@code config}. */
  public long commitAfter(int count, Config config) {
    for (int i = 0; i < count; i++) {
      commit(
          config.toBuilder()
              .setListeners(0, config.getListeners(0).toBuilder().setPort(20000 + i))
              .build());
    }
    return commit(config);
  }

  /** Records a node's status as the replica it is connected to would. */
  public RealAdmin node(NodeStatus status) {
    try {
      store.nodes().put(status);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
    return this;
  }

  /** A node gone from the fleet (its stream ended), as its replica records it. */
  public RealAdmin nodeGone(String nodeId) {
    try {
      store.nodes().remove(nodeId);
    } catch (StoreException e) {
      throw new AssertionError(e);
    }
    return this;
  }

  /** The nodes asked to drain, in the order the store delivered the requests to its watchers. */
  public List<String> drainRequests() {
    return List.copyOf(drainRequests);
  }

  public Config config() {
    return store.read().config();
  }

  /** The route named {@code name} in the current config. */
  public Route route(String name) {
    return config().getRoutesList().stream()
        .filter(r -> r.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no route " + name + " in " + config()));
  }

  public long version() {
    return store.read().version();
  }

  public List<HistoryRecord> history() {
    return store.history(20);
  }

  /** Admin API calls served in-process so far. */
  public int calls() {
    return calls.get();
  }

  ServerServiceDefinition definition() {
    return ServerInterceptors.intercept(
        new AdminService(store, new ServerFacts(replicaId, store.kind(), STARTED)),
        new InProcessCaller());
  }

  /**
   * Serves this store as a whole replica on a loopback port, with {@code tokenLines} as its token
   * file (none: loopback callers only, as a replica without credentials serves them).
   */
  InetSocketAddress listen(List<String> tokenLines) {
    try {
      replica =
          ControlPlaneServer.builder()
              .store(store)
              .replicaId(replicaId)
              .registry(new SimpleMeterRegistry())
              .clock(Clock.fixed(STARTED, ZoneOffset.UTC))
              .tokens(tokenLines.isEmpty() ? null : AccessTokens.parse(tokenLines, "tokens"))
              .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .shutdownGrace(Duration.ofSeconds(5))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return replica.address();
  }

  @Override
  public void close() {
    drains.close();
    if (replica != null) {
      replica.close(); // closes the store too
    } else {
      store.close();
    }
  }

  /** Counts the call and makes it as the replica's authentication makes an in-process one. */
  private final class InProcessCaller implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      calls.incrementAndGet();
      return Contexts.interceptCall(
          Caller.IN_PROCESS.attachTo(Context.current()), call, headers, next);
    }
  }

  /** {@link #FIRST_COMMIT}, then a minute later at each reading (the store reads it per commit). */
  private static final class MinuteClock extends Clock {
    private Instant next = FIRST_COMMIT;

    @Override
    public synchronized Instant instant() {
      Instant now = next;
      next = next.plusSeconds(60);
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
