package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.Listener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether each imported listener speaks HTTP/2, decided as nginx decides it per address: a {@code
 * listen ... http2} of any server on the address turns it on for the whole address, and so does
 * {@code http2 on} (nginx 1.25.1+) in force in a server on it. nginx's default is off and Wharf's
 * is on for TLS listeners, so a TLS listener without either gets {@code http2: {enabled: false}}; a
 * plain one with either gets {@code cleartext: true} (h2c with prior knowledge, as nginx speaks it
 * on a plain {@code listen ... http2}).
 *
 * <p>nginx reads {@code http2 on|off} per server (by the TLS server name; on a plain address, that
 * of the default server), Wharf per listener: where the servers on a listener disagree, the
 * directives that the listener does not follow are reported to check.
 */
final class Http2Listeners {
  private final Ledger ledger;
  private final Map<String, Address> addresses = new HashMap<>();

  /** What the servers on one listener say about HTTP/2. */
  private static final class Address {
    boolean byListen;
    final Set<Directive> directives = Collections.newSetFromMap(new IdentityHashMap<>());
    final List<Boolean> servers = new ArrayList<>();
    Directive firstOn;
  }

  Http2Listeners(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Records a {@code listen ... http2} (or {@code spdy}) of {@code listener}'s address. */
  void listen(String listener) {
    address(listener).byListen = true;
  }

  /** Records the {@code http2} directive in force in {@code server}, a server on the listener. */
  void server(String listener, Directive server, Scope scope) {
    Address a = address(listener);
    Optional<Directive> d = scope.nearest("http2");
    Optional<Boolean> on = d.flatMap(x -> Values.flag(x.arg(0)));
    if (d.isPresent() && on.isEmpty()) {
      ledger.notTranslated(d.get(), "'" + d.get().arg(0) + "' is not on or off");
    }
    d.filter(x -> on.isPresent()).ifPresent(a.directives::add);
    a.servers.add(on.orElse(false));
    if (on.orElse(false) && a.firstOn == null) {
      a.firstOn = server;
    }
  }

  /** Sets {@code listener.http2.enabled} or {@code cleartext} as nginx behaved on its address. */
  void apply(String name, boolean tls, Listener.Builder listener) {
    Address a = address(name);
    boolean byListen = a.byListen;
    boolean on = byListen || a.firstOn != null;
    boolean agreed = byListen || !a.servers.contains(false);
    for (Directive d : a.directives) {
      boolean says = Values.flag(d.arg(0)).orElse(false);
      if (agreed || !on) {
        ledger.translated(d);
      } else if (says) {
        ledger.check(
            d,
            "nginx speaks HTTP/2 only with the servers that have http2 on (picked by the TLS "
                + "server name; on a plain address, the default server); Wharf's listener '"
                + name
                + "' speaks it with every server on it");
      } else {
        ledger.check(
            d,
            "listener '"
                + name
                + "' speaks HTTP/2 with every server on it, as the server at "
                + a.firstOn.origin()
                + " has http2 on; nginx did not with this server");
      }
    }
    if (tls && !on) {
      listener.getHttp2Builder().setEnabled(false);
    } else if (!tls && on) {
      listener.getHttp2Builder().setCleartext(true);
    }
  }

  private Address address(String listener) {
    return addresses.computeIfAbsent(listener, n -> new Address());
  }
}
