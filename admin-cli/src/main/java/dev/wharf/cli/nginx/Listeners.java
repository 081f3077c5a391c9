package dev.wharf.cli.nginx;

import dev.wharf.proto.config.v1.HttpsRedirect;
import dev.wharf.proto.config.v1.Listener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The listeners of the imported config: one per address and port the {@code listen} directives
 * name, shared by the servers on it, named {@code http} (port 80) or {@code http-PORT}. {@code
 * listen 80} and {@code listen [::]:80} are one listener: Java binds {@code ::} to IPv4 and IPv6
 * together, so {@code 0.0.0.0:80} and {@code [::]:80} could not both be bound. It listens on {@code
 * 0.0.0.0} when some server listens on IPv4, which is reported on the IPv6 {@code listen}.
 *
 * <p>As in nginx, {@code ssl}, {@code http2} and {@code proxy_protocol} on any {@code listen} of an
 * address apply to the address: its listener then terminates TLS with the certificates of every
 * server on it ({@link TlsListeners}), speaks HTTP/2 ({@link Http2Listeners}) or reads the PROXY
 * protocol ({@link ClientAddresses}). A plain listener whose every server only redirects to HTTPS
 * becomes an {@code https_redirect} listener.
 */
final class Listeners {
  private final Ledger ledger;
  private final ListenerSettings settings;
  private final TlsListeners tls;
  private final ClientAddresses clientAddresses;
  private final Http2Listeners http2;
  private final Map<String, Socket> sockets = new LinkedHashMap<>();
  private final Names names = new Names();
  private final Map<Directive, Redirect> redirects = new IdentityHashMap<>();
  private final Set<String> redirecting = new HashSet<>();

  /** A server on a listener: its scope, its host names and the listen that put it there. */
  record Served(Directive server, Scope scope, List<String> hosts, Directive listen) {}

  /** A server that only redirects to HTTPS, and the {@code return} that does it. */
  record Redirect(HttpsRedirect redirect, Directive ret) {}

  /** One listener being built. */
  private static final class Socket {
    final String name;
    final String address;
    final int port;
    final Listener.Builder listener = Listener.newBuilder();
    final Origin origin;
    boolean ipv4;
    boolean ssl;
    boolean proxyProtocol;
    final List<Directive> ipv6Listens = new ArrayList<>();
    final List<Served> servers = new ArrayList<>();

    Socket(String name, String address, int port, Origin origin) {
      this.name = name;
      this.address = address;
      this.port = port;
      this.origin = origin;
    }
  }

  Listeners(Ledger ledger, AccessLogs logs) {
    this.ledger = ledger;
    this.settings = new ListenerSettings(ledger, logs);
    this.tls = new TlsListeners(ledger);
    this.clientAddresses = new ClientAddresses(ledger);
    this.http2 = new Http2Listeners(ledger);
  }

  /** True when a {@code listen} of {@code server} makes it the default server of its port. */
  static boolean isDefault(Directive server) {
    return server.children().stream()
        .anyMatch(
            d ->
                d.name().equals("listen")
                    && (d.args().contains("default_server") || d.args().contains("default")));
  }

  /**
   * The names of the listeners {@code server} is served on, with their settings taken from it when
   * it is the first server on them; empty when none of its {@code listen}s can be.
   */
  List<String> forServer(Directive server, Scope scope, List<String> hosts) {
    Map<String, Socket> out = new LinkedHashMap<>();
    Map<String, Directive> listenOf = new LinkedHashMap<>();
    List<Directive> listens = scope.own("listen");
    if (listens.isEmpty()) {
      ledger.check(
          server,
          "no listen: nginx listens on *:80 (8000 when not run as root); "
              + "this server is served on port 80");
      Socket s = socket("*", 80, null, server.origin(), false);
      out.put(s.name, s);
    }
    for (Directive listen : listens) {
      Either<ListenAddress> parsed = ListenAddress.parse(listen);
      if (!parsed.ok()) {
        ledger.notTranslated(listen, parsed.problem());
        continue;
      }
      ListenAddress a = parsed.value();
      Socket s =
          socket(a.host(), a.port(), a.ipv6Wildcard() ? listen : null, listen.origin(), a.ssl());
      s.ssl |= a.ssl();
      s.proxyProtocol |= a.proxyProtocol();
      out.put(s.name, s);
      listenOf.putIfAbsent(s.name, listen);
      String notes = String.join("; ", a.notes());
      if (a.http2()) {
        http2.listen(s.name);
      }
      if (notes.isEmpty()) {
        ledger.translated(listen);
      } else {
        ledger.check(listen, notes);
      }
    }
    for (Socket s : out.values()) {
      settings.apply(s.name, s.listener, server, scope);
      http2.server(s.name, server, scope);
      s.servers.add(new Served(server, scope, hosts, listenOf.get(s.name)));
    }
    return List.copyOf(out.keySet());
  }

  /** Records that {@code server} does nothing but redirect to HTTPS, as {@code redirect} says. */
  void redirectsToHttps(Directive server, HttpsRedirect redirect, Directive ret) {
    redirects.put(server, new Redirect(redirect, ret));
  }

  /** The listeners that redirect every request to HTTPS; valid after {@link #build}. */
  Set<String> redirecting() {
    return Set.copyOf(redirecting);
  }

  /** Where each listener came from, in order, for messages about {@code listeners[i]}. */
  List<Origin> origins() {
    return sockets.values().stream().map(s -> s.origin).toList();
  }

  List<Listener> build() {
    List<Listener> out = new ArrayList<>();
    for (Socket s : sockets.values()) {
      String address = s.address;
      if (address.equals("*")) {
        address = s.ipv4 ? "" : "::";
        if (s.ipv4) {
          for (Directive v6 : s.ipv6Listens) {
            ledger.check(
                v6,
                "served by listener '"
                    + s.name
                    + "' on 0.0.0.0:"
                    + s.port
                    + ", IPv4 only: Java binds :: to IPv4 and IPv6 together, so both cannot be "
                    + "listeners; set its address to :: to serve IPv6 as well");
          }
        }
      }
      Listener.Builder l = s.listener.clone().setName(s.name).setAddress(address).setPort(s.port);
      if (s.ssl) {
        l.setTls(tls.build(s.name, s.servers));
      }
      clientAddresses.apply(s.name, l, s.servers, s.proxyProtocol);
      httpsRedirect(s).ifPresent(l::setHttpsRedirect);
      http2.apply(s.name, s.ssl, l);
      out.add(l.build());
    }
    return out;
  }

  /**
   * The redirect of a plain listener whose servers all redirect to HTTPS alike; a listener with any
   * server that does more keeps their routes.
   */
  private Optional<HttpsRedirect> httpsRedirect(Socket s) {
    List<Redirect> all = s.servers.stream().map(v -> redirects.get(v.server())).toList();
    if (s.ssl
        || all.contains(null)
        || all.stream().map(Redirect::redirect).distinct().count() != 1) {
      return Optional.empty();
    }
    redirecting.add(s.name);
    return Optional.of(all.get(0).redirect());
  }

  /** The socket for {@code host:port} ({@code *}: any address), made on first use. */
  private Socket socket(String host, int port, Directive ipv6Listen, Origin origin, boolean ssl) {
    String key = host + " " + port;
    Socket s = sockets.get(key);
    if (s == null) {
      String scheme = ssl ? "https" : "http";
      int usual = ssl ? 443 : 80;
      String name =
          host.equals("*")
              ? (port == usual ? scheme : scheme + "-" + port)
              : scheme + "-" + (port == usual ? "" : port + "-") + host.replace(':', '_');
      s = new Socket(names.unique(name), host, port, origin);
      sockets.put(key, s);
    }
    if (ipv6Listen != null) {
      s.ipv6Listens.add(ipv6Listen);
    } else if (host.equals("*")) {
      s.ipv4 = true;
    }
    return s;
  }
}
