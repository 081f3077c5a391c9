package dev.wharf.cli;

import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.ServerFacts;
import dev.wharf.controlplane.store.FileConfigStore;
import dev.wharf.controlplane.store.HistoryRecord;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.proto.config.v1.Config;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The control plane's real Admin service ({@link AdminService}) on its embedded store ({@link
 * FileConfigStore}, in a temp directory), for wharfctl's tests to run commands against what a
 * replica really does. Served in-process by {@link Cli#serve(String, RealAdmin)}; each call is made
 * as {@link Caller#IN_PROCESS}, as the replica's authentication makes every in-process call (token
 * and certificate checks are tested against the replica itself, in the control plane).
 */
public final class RealAdmin implements AutoCloseable {
  private final FileConfigStore store;
  private final AtomicInteger calls = new AtomicInteger();

  private RealAdmin(FileConfigStore store) {
    this.store = store;
  }

  /** An empty config at the store's first version, kept in {@code dataDir}. */
  public static RealAdmin open(Path dataDir) {
    try {
      return new RealAdmin(FileConfigStore.open(dataDir, Clock.systemUTC()));
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

  public Config config() {
    return store.read().config();
  }

  public long version() {
    return store.read().version();
  }

  public List<HistoryRecord> history() {
    return store.history(20);
  }

  /** Admin API calls served so far. */
  public int calls() {
    return calls.get();
  }

  ServerServiceDefinition definition() {
    return ServerInterceptors.intercept(
        new AdminService(store, new ServerFacts("in-process", store.kind(), Instant.EPOCH)),
        new InProcessCaller());
  }

  @Override
  public void close() {
    store.close();
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
}
