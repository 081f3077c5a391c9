package dev.wharf.cli.client;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Opens a channel to one Admin server ({@code host:port}). Tests open in-process channels. */
@FunctionalInterface
public interface Transport {
  /** A whole config (GetConfig) of a large fleet is more than gRPC's default 4 MiB. */
  int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  /**
   * A connect attempt gives up after this long, so a server whose machine is gone (no RST, the SYN
   * unanswered) fails as "unreachable" and the next server is tried, instead of the call's deadline
   * expiring on it.
   */
  int CONNECT_TIMEOUT_MILLIS = 3_000;

  /**
   * A channel to {@code server}: TLS trusting the PEM certificates in {@code tlsCa}, or plaintext
   * without it. Throws when the CA file cannot be used.
   */
  ManagedChannel open(String server, Optional<Path> tlsCa) throws IOException;

  /** gRPC's shaded Netty transport (the unshaded one is not on wharfctl's classpath). */
  static Transport netty() {
    return (server, tlsCa) -> {
      NettyChannelBuilder builder =
          NettyChannelBuilder.forTarget(server)
              .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
              .maxInboundMessageSize(MAX_MESSAGE_BYTES)
              .userAgent("wharfctl");
      if (tlsCa.isPresent()) {
        builder.sslContext(sslContext(tlsCa.get()));
      } else {
        builder.usePlaintext();
      }
      return builder.build();
    };
  }

  private static SslContext sslContext(Path caFile) throws IOException {
    if (!Files.isReadable(caFile)) {
      throw new IOException("--tls-ca " + caFile + ": cannot read the file");
    }
    try {
      return GrpcSslContexts.forClient().trustManager(caFile.toFile()).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException("--tls-ca " + caFile + ": " + e.getMessage(), e);
    }
  }
}
