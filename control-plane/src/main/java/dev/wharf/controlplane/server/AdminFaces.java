package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.AdminService;
import dev.wharf.controlplane.admin.Watches;
import dev.wharf.proto.admin.v1.AdminGrpc;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * What the Admin API's faces share: one {@link AdminService} (every unary rule), its {@link
 * Watches} (the {@code Watch} streams) and the replica's {@link Authenticator}.
 */
record AdminFaces(AdminService admin, Authenticator authenticator, Watches watches) {

  /**
   * The Admin gRPC service: {@link AdminService}'s methods, with {@code Watch} from {@link
   * Watches}.
   */
  ServerServiceDefinition bindAdmin() {
    ServerServiceDefinition unary = admin.bindService();
    ServerServiceDefinition.Builder out =
        ServerServiceDefinition.builder(unary.getServiceDescriptor());
    String watch = AdminGrpc.getWatchMethod().getFullMethodName();
    for (ServerMethodDefinition<?, ?> m : unary.getMethods()) {
      if (!m.getMethodDescriptor().getFullMethodName().equals(watch)) {
        out.addMethod(m);
      }
    }
    out.addMethod(AdminGrpc.getWatchMethod(), ServerCalls.asyncServerStreamingCall(watches::open));
    return out.build();
  }

  /** Starts the HTTP/JSON face; HTTPS when {@code cert} is not null. */
  AdminHttpEndpoint startHttp(
      InetSocketAddress address, Path cert, Path key, ClientCertificates clientCertificates)
      throws IOException {
    return AdminHttpEndpoint.start(
        address,
        admin,
        authenticator,
        cert == null
            ? null
            : AdminHttpEndpoint.tls(
                cert, key, clientCertificates == null ? null : clientCertificates.ca()),
        clientCertificates != null);
  }
}
