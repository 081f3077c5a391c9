package dev.wharf.cli.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.ErrorInfo;
import dev.wharf.cli.exit.ExitCode;
import dev.wharf.cli.exit.Failure;
import dev.wharf.common.AdminErrorReasons;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;

/**
 * A replica that answered, but whose config store did not (admin.proto, STORE_UNAVAILABLE): the
 * fault is the store's, not the replica's, and with a shared store (etcd) no other replica can do
 * better, so the command stops there with its own exit code.
 *
 * @param shared every replica uses this store: the next server is not worth trying
 */
record StoreOutage(Failure failure, boolean shared) {
  /** The outage {@code e} reports, if it is one. */
  static Optional<StoreOutage> of(String server, StatusRuntimeException e) {
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return Optional.empty();
    }
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      return Optional.empty();
    }
    for (Any any : status.getDetailsList()) {
      if (!any.is(ErrorInfo.class)) {
        continue;
      }
      ErrorInfo info;
      try {
        info = any.unpack(ErrorInfo.class);
      } catch (InvalidProtocolBufferException unreadable) {
        continue;
      }
      if (!info.getReason().equals(AdminErrorReasons.STORE_UNAVAILABLE)) {
        continue;
      }
      String kind = info.getMetadataOrDefault(AdminErrorReasons.STORE_KIND, "etcd");
      boolean shared =
          !"false".equals(info.getMetadataOrDefault(AdminErrorReasons.SHARED_STORE, "true"));
      String said = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
      String prefix = "the config store: ";
      if (said.startsWith(prefix)) {
        said = said.substring(prefix.length());
      }
      return Optional.of(
          new StoreOutage(
              Failure.of(
                  ExitCode.STORE_UNAVAILABLE,
                  "the control plane at "
                      + server
                      + " answered, but its config store ("
                      + kind
                      + ") is unreachable: "
                      + said.strip()
                      + (shared
                          ? "; every replica shares it, so check etcd (nothing was changed)"
                          : "; nothing was changed")),
              shared));
    }
    return Optional.empty();
  }
}
