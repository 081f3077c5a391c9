package dev.wharf.controlplane.server;

import dev.wharf.config.DocumentLimits;
import io.grpc.ServerBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC transports a replica serves discovery and the Admin API on: TCP (with TLS, and client
 * certificates asked for when a CA is given) and in-process, each refusing messages larger than a
 * config document may be.
 */
final class GrpcPorts {
  private GrpcPorts() {}

  /** One builder per transport asked for: TCP ({@code listen}) and in-process ({@code name}). */
  static List<ServerBuilder<?>> builders(
      InetSocketAddress listen,
      String inProcessName,
      Path tlsCert,
      Path tlsKey,
      ClientCertificates clientCertificates)
      throws IOException {
    List<ServerBuilder<?>> builders = new ArrayList<>();
    if (listen != null) {
      builders.add(netty(listen, tlsCert, tlsKey, clientCertificates));
    }
    if (inProcessName != null) {
      builders.add(InProcessServerBuilder.forName(inProcessName));
    }
    for (ServerBuilder<?> b : builders) {
      // The largest request is a whole config (Apply), and a config encodes smaller than the
      // document it was read from: what a document within the limit says always fits, and a
      // larger message is refused (RESOURCE_EXHAUSTED) before it is decoded. The in-process
      // transport passes messages without encoding them and ignores this.
      b.maxInboundMessageSize(DocumentLimits.MAX_BYTES);
    }
    return builders;
  }

  private static ServerBuilder<?> netty(
      InetSocketAddress listen, Path tlsCert, Path tlsKey, ClientCertificates clientCertificates)
      throws IOException {
    NettyServerBuilder nb =
        NettyServerBuilder.forAddress(listen)
            // Nodes ping every 30 s to notice a dead replica; let them.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true);
    if (tlsCert != null) {
      SslContextBuilder ssl;
      try {
        ssl = GrpcSslContexts.forServer(tlsCert.toFile(), tlsKey.toFile());
      } catch (IllegalArgumentException e) {
        throw new IOException(
            "TLS certificate " + tlsCert + " or key " + tlsKey + ": " + e.getMessage(), e);
      }
      if (clientCertificates != null) {
        // OPTIONAL, not REQUIRE: nodes have no client certificate yet and use tokens. A
        // certificate that is sent must chain to the CA; a call without one needs a token.
        Path ca = clientCertificates.ca();
        try {
          ssl.trustManager(ca.toFile()).clientAuth(ClientAuth.OPTIONAL);
        } catch (IllegalArgumentException e) {
          throw new IOException("client CA " + ca + ": " + e.getMessage(), e);
        }
      }
      nb.sslContext(ssl.build());
    }
    return nb;
  }
}
