package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.ProxyAction.NextUpstream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code proxy_next_upstream}, {@code proxy_next_upstream_tries} and {@code
 * proxy_next_upstream_timeout} of a location as the proxy action's {@code next_upstream}, {@code
 * connect_retries} and {@code next_upstream_timeout}.
 */
final class NextUpstreams {
  private static final Map<String, NextUpstream> CONDITIONS =
      Map.of(
          "error", NextUpstream.ERROR,
          "timeout", NextUpstream.TIMEOUT,
          "http_500", NextUpstream.HTTP_500,
          "http_502", NextUpstream.HTTP_502,
          "http_503", NextUpstream.HTTP_503,
          "http_504", NextUpstream.HTTP_504,
          "http_429", NextUpstream.HTTP_429,
          "http_403", NextUpstream.HTTP_403,
          "http_404", NextUpstream.HTTP_404,
          "non_idempotent", NextUpstream.NON_IDEMPOTENT);

  private final Ledger ledger;

  NextUpstreams(Ledger ledger) {
    this.ledger = ledger;
  }

  void translate(Scope scope, ProxyAction.Builder p) {
    scope.nearest("proxy_next_upstream").ifPresent(d -> conditions(d, p));
    scope.nearest("proxy_next_upstream_tries").ifPresent(d -> tries(d, p));
    scope
        .nearest("proxy_next_upstream_timeout")
        .ifPresent(
            d ->
                Values.time(d.arg(0))
                    .ifPresentOrElse(
                        t -> {
                          if (t.getSeconds() > 0 || t.getNanos() > 0) {
                            p.setNextUpstreamTimeout(t); // 0 is nginx's "no limit", Wharf's unset
                          }
                          ledger.translated(d);
                        },
                        () -> ledger.notTranslated(d, "'" + d.arg(0) + "' is not a time")));
  }

  private void conditions(Directive d, ProxyAction.Builder p) {
    if (d.args().equals(List.of("off"))) {
      p.addNextUpstream(NextUpstream.OFF);
      ledger.translated(d);
      return;
    }
    List<String> notes = new ArrayList<>();
    for (String arg : d.args()) {
      NextUpstream n = CONDITIONS.get(arg);
      if (arg.equals("invalid_header")) {
        n = NextUpstream.ERROR;
        notes.add("invalid_header is part of Wharf's error");
      } else if (arg.equals("updating")) {
        notes.add("updating is about nginx's cache, which Wharf has not");
        continue;
      } else if (n == null) {
        ledger.notTranslated(d, "'" + arg + "' is not a proxy_next_upstream condition");
        return;
      }
      if (!p.getNextUpstreamList().contains(n)) {
        p.addNextUpstream(n);
      }
    }
    notes.add(
        "a request part of whose body already went to the endpoint is never retried: "
            + "Wharf streams request bodies, nginx buffers them");
    ledger.check(d, String.join("; ", notes));
  }

  /** nginx counts the first try; 0 means as many as there are endpoints (Wharf allows 11). */
  private void tries(Directive d, ProxyAction.Builder p) {
    int tries = Values.number(d.arg(0), 0, Integer.MAX_VALUE).orElse(-1);
    if (tries < 0) {
      ledger.notTranslated(d, "'" + d.arg(0) + "' is not a number");
    } else if (tries == 0 || tries > 11) {
      p.setConnectRetries(10);
      ledger.check(d, "Wharf tries at most 11 endpoints per request");
    } else {
      p.setConnectRetries(tries - 1);
      ledger.translated(d);
    }
  }
}
