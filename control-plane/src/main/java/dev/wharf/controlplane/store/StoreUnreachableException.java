package dev.wharf.controlplane.store;

/**
 * The shared store (etcd) did not answer: a call failed to reach it or ran past its deadline. Every
 * replica uses the same etcd, so the Admin API says so rather than let a client try the next
 * replica (admin.proto, STORE_UNAVAILABLE).
 */
public final class StoreUnreachableException extends StoreException {
  public StoreUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
