package dev.wharf.dataplane.discovery;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Opens the channel to one control-plane replica. The client opens one per stream and shuts it down
 * when the stream ends. Tests pass in-process channels.
 */
@FunctionalInterface
public interface ChannelFactory {
  /** How often an open stream is pinged, so a control plane that vanished is noticed. */
  long KEEP_ALIVE_SECONDS = 30;

  /** Snapshots carry whole configs; gRPC's default 4 MiB is too small for large fleets. */
  int MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;

  /** A channel to {@code target} ({@code host:port}). */
  ManagedChannel open(String target);

  /** Plaintext over gRPC's shaded Netty transport. */
  static ChannelFactory plaintext() {
    return target -> netty(target).usePlaintext().build();
  }

  /**
   * TLS over gRPC's shaded Netty transport, trusting the certificates in {@code caFile} (PEM). The
   * file is read now, so a missing or broken one fails at startup, not at every reconnect.
   */
  static ChannelFactory tls(Path caFile) throws IOException {
    if (!Files.isReadable(caFile)) {
      throw new IOException("cannot read CA file " + caFile);
    }
    SslContext ssl;
    try {
      ssl = GrpcSslContexts.forClient().trustManager(caFile.toFile()).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("CA file " + caFile + ": " + e.getMessage(), e);
    }
    return target -> netty(target).sslContext(ssl).build();
  }

  private static NettyChannelBuilder netty(String target) {
    return NettyChannelBuilder.forTarget(target)
        .keepAliveTime(KEEP_ALIVE_SECONDS, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS)
        .maxInboundMessageSize(MAX_SNAPSHOT_BYTES)
        .userAgent("wharf-data-plane");
  }
}
