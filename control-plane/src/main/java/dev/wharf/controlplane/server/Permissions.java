package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.Role;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import io.grpc.MethodDescriptor;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which roles may call which method: nodes and admins the discovery stream, viewers and admins the
 * Admin API's reads, admins everything else (Admin writes, and any method added later until it is
 * listed here).
 */
final class Permissions {
  private static final Set<Role> ADMIN_ONLY = EnumSet.of(Role.ADMIN);
  private static final Map<String, Set<Role>> ALLOWED =
      Stream.of(
              Stream.of(DiscoveryGrpc.getStreamMethod())
                  .map(m -> Map.entry(m.getFullMethodName(), EnumSet.of(Role.NODE, Role.ADMIN))),
              Stream.of(
                      AdminGrpc.getGetConfigMethod(),
                      AdminGrpc.getGetObjectMethod(),
                      AdminGrpc.getListObjectsMethod(),
                      AdminGrpc.getListHistoryMethod(),
                      AdminGrpc.getListNodesMethod(),
                      AdminGrpc.getGetRolloutMethod(),
                      AdminGrpc.getGetEndpointHealthMethod(),
                      AdminGrpc.getWatchMethod(),
                      AdminGrpc.getGetServerInfoMethod())
                  .map(MethodDescriptor::getFullMethodName)
                  .map(m -> Map.entry(m, EnumSet.of(Role.VIEWER, Role.ADMIN))),
              // Server reflection describes the services to whoever may read the Admin API.
              Stream.of(ServerReflectionGrpc.getServerReflectionInfoMethod().getFullMethodName())
                  .map(m -> Map.entry(m, EnumSet.of(Role.VIEWER, Role.ADMIN))))
          .flatMap(s -> s)
          .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> (Set<Role>) e.getValue()));

  private Permissions() {}

  static Set<Role> allowed(String fullMethodName) {
    return ALLOWED.getOrDefault(fullMethodName, ADMIN_ONLY);
  }

  /** {@code the admin role}, {@code the node or admin role}. */
  static String describe(Set<Role> roles) {
    return "the "
        + roles.stream().map(Role::spelling).collect(Collectors.joining(" or "))
        + " role";
  }
}
