package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Listeners.Served;
import dev.wharf.config.Addresses;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.ProxyProtocol;
import dev.wharf.proto.config.v1.RealIp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a listener takes the client's address from: nginx's realip module ({@code
 * set_real_ip_from}, {@code real_ip_header}, {@code real_ip_recursive}) and {@code listen ...
 * proxy_protocol}. nginx sets these per server or location, Wharf per listener: they come from the
 * first server on it.
 *
 * <p>nginx reads a PROXY header from any peer and believes it only for {@code set_real_ip_from}
 * peers; Wharf accepts the header only from trusted peers, so without {@code set_real_ip_from}
 * there is nothing to trust and the PROXY protocol is reported, not guessed.
 */
final class ClientAddresses {
  private static final List<String> NAMES =
      List.of("set_real_ip_from", "real_ip_header", "real_ip_recursive");

  private final Ledger ledger;

  ClientAddresses(Ledger ledger) {
    this.ledger = ledger;
  }

  void apply(String listenerName, Listener.Builder l, List<Served> servers, boolean proxyProtocol) {
    Scope scope = servers.get(0).scope();
    List<String> sources = sources(scope.nearestAll("set_real_ip_from"));
    Optional<Directive> header = scope.nearest("real_ip_header");
    Optional<Directive> recursive = scope.nearest("real_ip_recursive");
    // nginx's default real_ip_header is X-Real-IP, Wharf's X-Forwarded-For: always written out.
    String name = header.map(d -> d.arg(0)).orElse("X-Real-IP");
    boolean fromProxyProtocol = name.toLowerCase(Locale.ROOT).equals("proxy_protocol");
    if (proxyProtocol) {
      proxyProtocol(l, servers, sources, fromProxyProtocol);
      header.filter(d -> fromProxyProtocol && !sources.isEmpty()).ifPresent(ledger::translated);
    } else if (fromProxyProtocol) {
      header.ifPresent(
          d ->
              ledger.notTranslated(
                  d, "no listen ... proxy_protocol on listener '" + listenerName + "'"));
    }
    if (sources.isEmpty()) {
      header
          .filter(d -> !fromProxyProtocol)
          .ifPresent(d -> ledger.notNeeded(d, "without set_real_ip_from nginx changes no address"));
      recursive.ifPresent(d -> ledger.notNeeded(d, "without set_real_ip_from it does nothing"));
    } else if (!fromProxyProtocol) {
      RealIp.Builder realIp = RealIp.newBuilder().addAllTrustedSources(sources).setHeader(name);
      recursive.flatMap(d -> Values.flag(d.arg(0))).ifPresent(realIp::setRecursive);
      l.setRealIp(realIp);
      header.ifPresent(ledger::translated);
      recursive.ifPresent(
          d ->
              Values.flag(d.arg(0))
                  .ifPresentOrElse(
                      on -> ledger.translated(d),
                      () -> ledger.notTranslated(d, "'" + d.arg(0) + "' is not on or off")));
    } else {
      recursive.ifPresent(d -> ledger.notNeeded(d, "the address comes from the PROXY header"));
    }
    for (Served later : servers.subList(1, servers.size())) {
      for (String n : NAMES) {
        SettingsOfFirstServer.compare(
            ledger, listenerName, n, scope.nearestAll(n), later, servers.get(0));
      }
    }
  }

  private void proxyProtocol(
      Listener.Builder l, List<Served> servers, List<String> sources, boolean asRemoteAddr) {
    List<Directive> listens =
        servers.stream()
            .map(Served::listen)
            .filter(d -> d != null && d.args().contains("proxy_protocol"))
            .toList();
    if (sources.isEmpty()) {
      listens.forEach(
          d ->
              ledger.notTranslated(
                  d,
                  "proxy_protocol: Wharf accepts PROXY headers only from trusted peers, and no "
                      + "set_real_ip_from names them, so the listener is made without "
                      + "proxy_protocol (a connection that starts with a PROXY header is refused): "
                      + "add proxy_protocol.trusted_sources by hand"));
      return;
    }
    l.setProxyProtocol(
        ProxyProtocol.newBuilder().addAllTrustedSources(sources).setUseAsRemoteAddr(asRemoteAddr));
    listens.forEach(
        d ->
            ledger.check(
                d,
                "proxy_protocol: nginx read a PROXY header from any peer; Wharf only from the "
                    + "set_real_ip_from peers ("
                    + String.join(" ", sources)
                    + ") and closes other connections"));
  }

  /** The addresses and CIDRs of {@code set_real_ip_from}; host names and unix: are reported. */
  private List<String> sources(List<Directive> from) {
    List<String> out = new ArrayList<>();
    for (Directive d : from) {
      String a = d.arg(0);
      String ip = a.contains("/") ? a.substring(0, a.indexOf('/')) : a;
      String bits = a.contains("/") ? a.substring(a.indexOf('/') + 1) : "0";
      if (a.equals("unix:")) {
        ledger.notNeeded(d, "Wharf listens on TCP only");
      } else if (!Addresses.isIpLiteral(ip)
          || Values.number(bits, 0, ip.contains(":") ? 128 : 32).isEmpty()) {
        ledger.notTranslated(d, "Wharf trusts addresses and CIDRs, not host names ('" + a + "')");
      } else {
        out.add(a);
        ledger.translated(d);
      }
    }
    return out;
  }
}
