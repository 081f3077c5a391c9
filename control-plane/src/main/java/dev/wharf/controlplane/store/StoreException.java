package dev.wharf.controlplane.store;

/** The store could not be read or written (etcd unreachable, a disk error). Nothing was changed. */
public class StoreException extends Exception {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
