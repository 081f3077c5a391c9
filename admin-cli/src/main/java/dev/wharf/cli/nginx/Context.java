package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.RateLimitZone;
import dev.wharf.proto.config.v1.VariableMap;
import java.util.ArrayList;
import java.util.List;

/** What the parts of one translation share: the verdicts and the objects made so far. */
record Context(
    Ledger ledger,
    Upstreams upstreams,
    Listeners listeners,
    Routes routes,
    AccessLogs accessLogs,
    List<VariableMap> maps,
    List<RateLimitZone> rateLimitZones) {
  static Context create() {
    Ledger ledger = new Ledger();
    AccessLogs logs = new AccessLogs(ledger);
    return new Context(
        ledger,
        new Upstreams(ledger),
        new Listeners(ledger, logs),
        new Routes(),
        logs,
        new ArrayList<>(),
        new ArrayList<>());
  }
}
