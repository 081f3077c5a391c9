package dev.wharf.controlplane.admin;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import dev.wharf.common.AdminErrorReasons;
import dev.wharf.config.ConfigError;
import dev.wharf.controlplane.store.StaleVersionException;
import dev.wharf.controlplane.store.StoreException;
import dev.wharf.controlplane.store.StoreUnreachableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;

/**
 * The Admin API's errors as admin.proto describes them: what a client sees, with the structured
 * details a program can act on. Messages say what is wrong in words; no stack trace ever leaves the
 * replica.
 */
final class AdminErrors {
  /** {@code google.rpc.ErrorInfo} domain and reason of a stale write. */
  static final String DOMAIN = "wharf.dev";

  static final String STALE_VERSION = "STALE_VERSION";

  private AdminErrors() {}

  /**
   * INVALID_ARGUMENT for a config the validator refuses: one field violation per error (field: the
   * validator's path, description: its message), and the errors listed in the message.
   */
  static StatusRuntimeException invalid(List<ConfigError> errors) {
    StringBuilder message =
        new StringBuilder("the config is invalid (")
            .append(ConfigError.count(errors.size()))
            .append("):");
    for (ConfigError e : errors) {
      message.append("\n  ").append(e);
    }
    return badRequest(message.toString(), errors);
  }

  /** INVALID_ARGUMENT about one field of the request, e.g. {@code kind: required}. */
  static StatusRuntimeException invalidField(String field, String why) {
    return badRequest(field + ": " + why, List.of(new ConfigError(field, why)));
  }

  private static StatusRuntimeException badRequest(String message, List<ConfigError> errors) {
    BadRequest.Builder details = BadRequest.newBuilder();
    for (ConfigError e : errors) {
      details.addFieldViolations(
          BadRequest.FieldViolation.newBuilder().setField(e.path()).setDescription(e.message()));
    }
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT_VALUE)
            .setMessage(message)
            .addDetails(Any.pack(details.build()))
            .build());
  }

  /**
   * FAILED_PRECONDITION for a write that named a version the config moved on from, carrying
   * ErrorInfo {reason STALE_VERSION, metadata current_version and expected_version}.
   */
  static StatusRuntimeException stale(StaleVersionException e) {
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason(STALE_VERSION)
            .setDomain(DOMAIN)
            .putMetadata("current_version", Long.toString(e.currentVersion()))
            .putMetadata("expected_version", Long.toString(e.expectedVersion()))
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.FAILED_PRECONDITION_VALUE)
            .setMessage(e.getMessage() + "; nothing was written: read again and retry")
            .addDetails(Any.pack(info))
            .build());
  }

  static StatusRuntimeException notFound(String message) {
    return Status.NOT_FOUND.withDescription(message).asRuntimeException();
  }

  static StatusRuntimeException alreadyExists(String message) {
    return Status.ALREADY_EXISTS.withDescription(message).asRuntimeException();
  }

  /**
   * UNAVAILABLE with the store's own words (etcd unreachable, a deadline), and ErrorInfo
   * STORE_UNAVAILABLE so that a client tells a replica that answered from one it could not reach:
   * metadata {@code store} (etcd or file) and {@code shared_store} (true for etcd, which every
   * replica shares, so no other replica can do better).
   */
  static StatusRuntimeException unavailable(StoreException e) {
    boolean shared = e instanceof StoreUnreachableException;
    ErrorInfo info =
        ErrorInfo.newBuilder()
            .setReason(AdminErrorReasons.STORE_UNAVAILABLE)
            .setDomain(AdminErrorReasons.DOMAIN)
            .putMetadata(AdminErrorReasons.STORE_KIND, shared ? "etcd" : "file")
            .putMetadata(AdminErrorReasons.SHARED_STORE, Boolean.toString(shared))
            .build();
    return StatusProto.toStatusRuntimeException(
        com.google.rpc.Status.newBuilder()
            .setCode(Code.UNAVAILABLE_VALUE)
            .setMessage("the config store: " + e.getMessage())
            .addDetails(Any.pack(info))
            .build());
  }
}
