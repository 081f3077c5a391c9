package dev.wharf.common;

import sun.misc.Signal;

/**
 * SIGHUP as nginx users know it: "read the config file again". Left to the JVM, SIGHUP would stop
 * the process, the opposite of what someone sending {@code kill -HUP} expects.
 */
public final class HangupSignal {
  private HangupSignal() {}

  /**
   * Runs {@code reload} on every SIGHUP, on the JVM's signal thread (keep it short or hand it off).
   * Returns false where the platform has no SIGHUP; the process then runs without it.
   */
  public static boolean onHangup(Runnable reload) {
    try {
      Signal.handle(new Signal("HUP"), signal -> reload.run());
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      return false;
    }
  }
}
