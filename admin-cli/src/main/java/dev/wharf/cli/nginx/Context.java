package dev.wharf.cli.nginx;

/** What the parts of one translation share: the verdicts and the objects made so far. */
record Context(
    Ledger ledger, Upstreams upstreams, Listeners listeners, Routes routes, AccessLogs accessLogs) {
  static Context create() {
    Ledger ledger = new Ledger();
    AccessLogs logs = new AccessLogs(ledger);
    return new Context(
        ledger, new Upstreams(ledger), new Listeners(ledger, logs), new Routes(), logs);
  }
}
