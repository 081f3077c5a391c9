package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Listeners.Served;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Settings nginx keeps per server and Wharf per listener are taken from the first server on the
 * listener; this reports a later server whose settings differ.
 */
final class SettingsOfFirstServer {
  private SettingsOfFirstServer() {}

  /**
   * Reports {@code later}'s {@code name} directives when they differ from {@code taken}, the first
   * server's.
   */
  static void compare(
      Ledger ledger,
      String listenerName,
      String name,
      List<Directive> taken,
      Served later,
      Served first) {
    List<Directive> now = later.scope().nearestAll(name);
    if (now.equals(taken) || now.isEmpty() && taken.isEmpty()) {
      return;
    }
    boolean same =
        now.size() == taken.size()
            && IntStream.range(0, now.size())
                .allMatch(i -> now.get(i).args().equals(taken.get(i).args()));
    if (same) {
      now.forEach(ledger::translated);
    } else if (!now.isEmpty()) {
      now.forEach(
          d ->
              ledger.notTranslated(
                  d,
                  "listener '"
                      + listenerName
                      + "' takes "
                      + name
                      + " from the first server on it ("
                      + first.server().origin()
                      + ")"));
    } else {
      taken.forEach(
          d ->
              ledger.check(
                  d,
                  "also applies to the server at "
                      + later.server().origin()
                      + " on listener '"
                      + listenerName
                      + "', where nginx used its default"));
    }
  }
}
