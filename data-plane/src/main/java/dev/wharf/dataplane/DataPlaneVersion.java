package dev.wharf.dataplane;

import dev.wharf.common.BuildInfo;
import dev.wharf.dataplane.node.Transport;
import io.netty.channel.epoll.Epoll;
import picocli.CommandLine;

/**
 * What {@code wharf-data-plane --version} prints. Also tells which Netty transport the node would
 * use, so a broken native jar shows up before the node serves traffic on the slower fallback.
 */
final class DataPlaneVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    Transport best = Transport.best();
    String transport =
        best != Transport.NIO
            ? best.label() + " (native)"
            : Epoll.isAvailable()
                ? "nio"
                : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
    return new String[] {
      "wharf-data-plane " + BuildInfo.version(DataPlaneMain.class),
      BuildInfo.runtime(),
      "Netty transport: " + transport
    };
  }
}
