package dev.wharf.cli.exit;

/**
 * wharfctl's exit codes, the same for every command (docs/wharfctl.md, "Exit codes"). Plain {@code
 * int}s, not an enum, because picocli's {@code @Command(exitCodeOnInvalidInput = ...)} takes a
 * constant.
 */
public final class ExitCode {
  /** Done; for {@code diff}, whether or not there are changes. */
  public static final int OK = 0;

  /**
   * Invalid input: a document that does not validate, a change the control plane refused as
   * invalid, no such object, an object that already exists, a misused command or flag (picocli's
   * usage errors are 1, not its default 2, so that 2 means only a conflict); also an unexpected
   * error.
   */
  public static final int INVALID_INPUT = 1;

  /** Conflict: the config changed since it was read; nothing was written. */
  public static final int CONFLICT = 2;

  /**
   * The Admin API could not be used: no server reachable, none answered within {@code --timeout},
   * the credentials were refused, or it is not an Admin API.
   */
  public static final int UNREACHABLE = 3;

  /** Rollout: a node refused the version, or {@code rollout --wait} timed out. */
  public static final int ROLLOUT_FAILED = 4;

  /**
   * A control plane answered, but its config store (etcd) could not be reached: nothing was read or
   * changed there. Other replicas share the store, so they were not tried.
   */
  public static final int STORE_UNAVAILABLE = 5;

  private ExitCode() {}
}
