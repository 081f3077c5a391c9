package dev.wharf.common;

/**
 * SIGHUP as nginx users know it: "read the config file again". Left to the JVM, SIGHUP would stop
 * the process, the opposite of what someone sending {@code kill -HUP} expects.
 */
public final class HangupSignal {
  private HangupSignal() {}

  /**
   * Runs {@code reload} on every SIGHUP, on the JVM's signal thread (keep it short or hand it off).
   * Returns false where SIGHUP cannot be handled (no SIGHUP on the platform, or ignored since the
   * process started, as under {@code nohup}): a {@code kill -HUP} then reloads nothing, and the
   * caller should say so and how to reload instead. See {@link Signals#handle}.
   */
  public static boolean onHangup(Runnable reload) {
    return Signals.handle("HUP", reload);
  }
}
