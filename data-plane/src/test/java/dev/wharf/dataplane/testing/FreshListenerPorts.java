package dev.wharf.dataplane.testing;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.discovery.ConfigSink;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import dev.wharf.testkit.FreePorts;
import java.util.List;

/**
 * A {@link ConfigSink} for tests that feed a node through discovery or a snapshot file: one
 * listener is bound on a fresh loopback port chosen here, whatever port the config names, as {@code
 * ListenerPorts} does for several nodes on one host. The config validator refuses port 0, so a test
 * cannot let the kernel pick; a port written into a pushed config could be taken by another process
 * before the node binds it. Here the port is chosen at the first config that has the listener,
 * through {@link FreePorts#retryWhenTaken(FreePorts.StartFrom)} (a port taken in between is
 * replaced by another), and kept for every later version, so the node keeps the bound listener.
 * Tests read it from the node ({@code address(listener)}), never from the config.
 *
 * <p>Threading: {@link #apply} is synchronized; discovery calls it from one thread anyway.
 */
public final class FreshListenerPorts implements ConfigSink {
  private final ConfigSink sink;
  private final String listener;
  private int port; // 0 until a config with the listener was applied

  private FreshListenerPorts(ConfigSink sink, String listener) {
    this.sink = sink;
    this.listener = listener;
  }

  /** {@code sink}, with listener {@code listener} bound on a port chosen as described above. */
  public static ConfigSink of(ConfigSink sink, String listener) {
    return new FreshListenerPorts(sink, listener);
  }

  @Override
  public synchronized void apply(Config config, long version)
      throws ConfigException, ListenerBindException {
    int index = indexOf(config);
    if (index < 0) {
      sink.apply(config, version);
    } else if (port != 0) {
      sink.apply(withPort(config, index, port), version);
    } else {
      try {
        port =
            FreePorts.retryWhenTaken(
                ports -> {
                  int p = ports.next();
                  sink.apply(withPort(config, index, p), version);
                  return p;
                });
      } catch (ConfigException | ListenerBindException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private int indexOf(Config config) {
    for (int i = 0; i < config.getListenersCount(); i++) {
      if (config.getListeners(i).getName().equals(listener)) {
        return i;
      }
    }
    return -1;
  }

  private static Config withPort(Config config, int index, int port) {
    Config.Builder b = config.toBuilder();
    b.setListeners(index, b.getListeners(index).toBuilder().setPort(port));
    return b.build();
  }

  @Override
  public long version() {
    return sink.version();
  }

  @Override
  public List<EndpointHealthState> endpointHealth() {
    return sink.endpointHealth();
  }

  @Override
  public DrainProgress drainProgress() {
    return sink.drainProgress();
  }
}
