package dev.wharf.dataplane.discovery;

import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.server.DataPlaneNode;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.dataplane.server.NodeSnapshot;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.discovery.v1.DrainProgress;
import dev.wharf.proto.discovery.v1.EndpointHealthState;
import java.util.List;

/**
 * Where snapshots go: a node that applies a config all or nothing and says which version it runs.
 * {@link DiscoveryClient} calls it from its config thread only.
 */
public interface ConfigSink {
  /**
   * Applies {@code config} as {@code version}; may block (binding listeners). When it throws,
   * nothing changed and the previous config still serves.
   */
  void apply(Config config, long version) throws ConfigException, ListenerBindException;

  /** The version that serves now, 0 before the first apply. */
  long version();

  /** How the node sees its checked endpoints now (see {@link DataPlaneNode#endpointHealth}). */
  default List<EndpointHealthState> endpointHealth() {
    return List.of();
  }

  /**
   * How the node's drain goes, or null while it does not drain. While it drains, it applies no new
   * config: snapshots are left unanswered.
   */
  default DrainProgress drainProgress() {
    return null;
  }

  /** A real node. */
  static ConfigSink of(DataPlaneNode node) {
    return new ConfigSink() {
      @Override
      public void apply(Config config, long version) throws ConfigException, ListenerBindException {
        node.apply(config, version);
      }

      @Override
      public long version() {
        NodeSnapshot s = node.snapshot();
        return s == null ? 0 : s.version();
      }

      @Override
      public List<EndpointHealthState> endpointHealth() {
        return node.endpointHealth();
      }

      @Override
      public DrainProgress drainProgress() {
        return node.drainProgress().report();
      }
    };
  }
}
