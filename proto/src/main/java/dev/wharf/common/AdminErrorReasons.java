package dev.wharf.common;

/**
 * The {@code google.rpc.ErrorInfo} reasons and metadata keys of Admin API errors that a client acts
 * on, in one place for the replica that sends them and wharfctl that reads them (admin.proto,
 * "Errors").
 */
public final class AdminErrorReasons {
  /** The ErrorInfo domain of every Wharf reason. */
  public static final String DOMAIN = "wharf.dev";

  /**
   * UNAVAILABLE because the replica answered but its config store did not (etcd unreachable, a
   * store call past its deadline): the replica is up, the store is not.
   */
  public static final String STORE_UNAVAILABLE = "STORE_UNAVAILABLE";

  /** STORE_UNAVAILABLE metadata: the store's kind, {@code etcd} or {@code file}. */
  public static final String STORE_KIND = "store";

  /**
   * STORE_UNAVAILABLE metadata: {@code true} when every replica uses this same store (etcd), so
   * asking another replica cannot help; {@code false} when another replica may do better.
   */
  public static final String SHARED_STORE = "shared_store";

  private AdminErrorReasons() {}
}
