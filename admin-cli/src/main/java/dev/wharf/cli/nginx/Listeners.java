package dev.wharf.cli.nginx;

import dev.wharf.config.Addresses;
import dev.wharf.proto.config.v1.Listener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The listeners of the imported config: one per address and port the {@code listen} directives
 * name, shared by the servers on it, named {@code http} (port 80) or {@code http-PORT}. {@code
 * listen 80} and {@code listen [::]:80} are one listener: Java binds {@code ::} to IPv4 and IPv6
 * together, so {@code 0.0.0.0:80} and {@code [::]:80} could not both be bound. It listens on {@code
 * 0.0.0.0} when some server listens on IPv4, which is reported on the IPv6 {@code listen}.
 */
final class Listeners {
  private final Ledger ledger;
  private final ListenerSettings settings;
  private final Map<String, Socket> sockets = new LinkedHashMap<>();
  private final Names names = new Names();

  /** One listener being built. */
  private static final class Socket {
    final String name;
    final String address;
    final int port;
    final Listener.Builder listener = Listener.newBuilder();
    final Origin origin;
    boolean ipv4;
    final List<Directive> ipv6Listens = new ArrayList<>();

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
  List<String> forServer(Directive server, Scope scope) {
    Map<String, Socket> out = new LinkedHashMap<>();
    List<Directive> listens = scope.own("listen");
    if (listens.isEmpty()) {
      ledger.check(
          server,
          "no listen: nginx listens on *:80 (8000 when not run as root); "
              + "this server is served on port 80");
      Socket s = socket("*", 80, null, server.origin());
      out.put(s.name, s);
    }
    for (Directive listen : listens) {
      Either<ListenAddress> parsed = ListenAddress.parse(listen);
      if (!parsed.ok()) {
        ledger.notTranslated(listen, parsed.problem());
        continue;
      }
      ListenAddress a = parsed.value();
      Socket s = socket(a.host(), a.port(), a.ipv6Wildcard() ? listen : null, listen.origin());
      out.put(s.name, s);
      if (a.notes().isEmpty()) {
        ledger.translated(listen);
      } else {
        ledger.check(listen, String.join("; ", a.notes()));
      }
    }
    out.values().forEach(s -> settings.apply(s.name, s.listener, server, scope));
    return List.copyOf(out.keySet());
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
      out.add(s.listener.clone().setName(s.name).setAddress(address).setPort(s.port).build());
    }
    return out;
  }

  /** The socket for {@code host:port} ({@code *}: any address), made on first use. */
  private Socket socket(String host, int port, Directive ipv6Listen, Origin origin) {
    String key = host + " " + port;
    Socket s = sockets.get(key);
    if (s == null) {
      String name =
          host.equals("*")
              ? (port == 80 ? "http" : "http-" + port)
              : "http-" + (port == 80 ? "" : port + "-") + host.replace(':', '_');
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

  /**
   * A {@code listen} directive's address ({@code *} for any) and port, and what of it is not
   * carried over.
   */
  record ListenAddress(String host, int port, boolean ipv6Wildcard, List<String> notes) {
    static Either<ListenAddress> parse(Directive listen) {
      String spec = listen.arg(0);
      List<String> notes = new ArrayList<>();
      List<String> ignored = new ArrayList<>();
      for (String param :
          listen.args().subList(Math.min(1, listen.args().size()), listen.args().size())) {
        switch (param.replaceAll("=.*", "")) {
          case "default_server", "default" -> {}
          case "ssl" -> {
            return Either.problem(
                "Wharf listeners do not terminate TLS; put a TLS "
                    + "terminator in front of Wharf");
          }
          case "proxy_protocol" -> {
            return Either.problem("Wharf does not read the PROXY protocol header");
          }
          case "http2", "spdy", "quic", "http3" ->
              notes.add("Wharf speaks HTTP/1.1 to " + "clients, without " + param);
          default -> ignored.add(param);
        }
      }
      if (!ignored.isEmpty()) {
        notes.add("the socket options " + String.join(" ", ignored) + " are not carried over");
      }
      if (spec.startsWith("unix:")) {
        return Either.problem("Wharf listens on TCP, not on Unix sockets");
      }
      String host = "*";
      String port = "80";
      boolean ipv6 = false;
      if (spec.matches("\\d+")) {
        port = spec;
      } else if (spec.startsWith("[")) {
        int close = spec.indexOf(']');
        host = close < 0 ? spec : spec.substring(1, close);
        port = close >= 0 && spec.startsWith("]:", close) ? spec.substring(close + 2) : "80";
        ipv6 = true;
      } else if (spec.contains(":")) {
        host = spec.substring(0, spec.lastIndexOf(':'));
        port = spec.substring(spec.lastIndexOf(':') + 1);
      } else {
        host = spec;
      }
      boolean ipv6Wildcard = ipv6 && host.equals("::");
      if (ipv6Wildcard || host.equals("0.0.0.0")) {
        host = "*";
      } else if (host.equals("localhost")) {
        host = "127.0.0.1";
        notes.add("localhost listens on 127.0.0.1 only");
      } else if (!host.equals("*") && !Addresses.isIpLiteral(host)) {
        return Either.problem("Wharf listens on IP addresses, not host names ('" + host + "')");
      }
      String bound = host;
      return Values.number(port, 1, 65535)
          .map(p -> Either.of(new ListenAddress(bound, p, ipv6Wildcard, notes)))
          .orElse(Either.problem("'" + port + "' is not a port"));
    }
  }
}
