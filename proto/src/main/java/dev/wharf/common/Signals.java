package dev.wharf.common;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/** The POSIX signals Wharf's processes answer (SIGHUP, SIGUSR1), installed one way. */
public final class Signals {
  private Signals() {}

  /**
   * Runs {@code action} on every signal {@code name} ({@code "HUP"}, {@code "USR1"}), on the JVM's
   * signal thread (keep it short or hand it off).
   *
   * <p>Returns false when nothing was installed: the platform has no such signal, the JVM keeps it
   * for itself, or the process was started with it ignored. The last one is silent in the JVM:
   * under {@code nohup}, SIGHUP is ignored, and {@code Signal.handle} then leaves it ignored and
   * answers with {@link SignalHandler#SIG_IGN} instead of refusing; this method reports it.
   */
  public static boolean handle(String name, Runnable action) {
    try {
      SignalHandler before = Signal.handle(new Signal(name), signal -> action.run());
      return before != SignalHandler.SIG_IGN;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      return false;
    }
  }
}
