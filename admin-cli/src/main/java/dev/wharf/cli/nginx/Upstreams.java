package dev.wharf.cli.nginx;

import dev.wharf.config.Addresses;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.config.v1.UpstreamTls;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The upstreams of the imported config: one per {@code upstream} block, and one for each address a
 * {@code proxy_pass} names directly ({@code proxy_pass http://10.0.0.5:8080;}), as Wharf routes
 * only refer to upstreams by name. A name that is not an upstream block is a host name, as in nginx
 * ({@code proxy_pass http://backend;} is {@code backend:80}).
 *
 * <p>An upstream used with {@code https://} gets the {@code tls} of the location's {@code
 * proxy_ssl_*} settings; one used both with and without TLS, or with different TLS settings, is one
 * Wharf upstream per use ({@code backend}, {@code backend-2}), as TLS is a property of a Wharf
 * upstream and of an nginx {@code proxy_pass}.
 */
final class Upstreams {
  private final Ledger ledger;
  private final Map<String, Upstream> blocks = new LinkedHashMap<>();
  private final Map<String, String> unusable = new LinkedHashMap<>();
  private final Map<String, Upstream> byAddress = new LinkedHashMap<>();
  private final Map<String, Origin> origins = new LinkedHashMap<>();

  /** Per upstream made above (by name), the name of each TLS setting it is used with. */
  private final Map<String, Map<Optional<UpstreamTls>, String>> variants = new LinkedHashMap<>();

  private final Names names = new Names();

  Upstreams(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Translates an {@code upstream} block; a block without usable endpoints is reported. */
  void define(Directive block) {
    String nginxName = block.arg(0);
    String name = names.unique(Names.sanitize(nginxName));
    Optional<Upstream> upstream = new UpstreamBlock(block, name, ledger).translate();
    if (upstream.isEmpty()) {
      unusable.put(
          nginxName, "upstream '" + nginxName + "' (" + block.origin() + ") is not translated");
      return;
    }
    if (!name.equals(nginxName)) {
      ledger.check(
          block,
          "named '"
              + name
              + "' in Wharf, as upstream names are letters, "
              + "digits, '.', '_' and '-'");
    } else {
      ledger.translated(block);
    }
    blocks.put(nginxName, upstream.get());
    origins.put(name, block.origin());
  }

  /**
   * The upstream {@code url} sends requests to, created for an address on first use; or the reason
   * there is none.
   */
  Either<String> resolve(ProxyPassUrl url, Optional<UpstreamTls> tls, Origin usedAt) {
    Either<String> base = base(url, usedAt);
    if (!base.ok()) {
      return base;
    }
    Map<Optional<UpstreamTls>, String> uses =
        variants.computeIfAbsent(base.value(), b -> new LinkedHashMap<>());
    String name = uses.get(tls);
    if (name == null) {
      name = uses.isEmpty() ? base.value() : names.unique(base.value());
      uses.put(tls, name);
      origins.putIfAbsent(name, usedAt);
    }
    return Either.of(name);
  }

  /** The name of the upstream {@code url} names, made for an address on first use. */
  private Either<String> base(ProxyPassUrl url, Origin usedAt) {
    if (url.port() == 0 && blocks.containsKey(url.host())) {
      return Either.of(blocks.get(url.host()).getName());
    }
    if (unusable.containsKey(url.host())) {
      return Either.problem(unusable.get(url.host()));
    }
    if (blocks.containsKey(url.host())) {
      return Either.problem(
          "'" + url.host() + "' is an upstream block, which nginx does not " + "allow with a port");
    }
    String address = url.host() + ":" + (url.port() != 0 ? url.port() : url.tls() ? 443 : 80);
    try {
      Addresses.parseHostPort(address);
    } catch (IllegalArgumentException e) {
      return Either.problem(e.getMessage());
    }
    Upstream known = byAddress.get(address);
    if (known == null) {
      String name =
          names.unique(
              Names.sanitize(url.port() == 0 ? url.host() : url.host() + "-" + url.port()));
      known =
          Upstream.newBuilder()
              .setName(name)
              .addEndpoints(Endpoint.newBuilder().setAddress(address))
              .build();
      byAddress.put(address, known);
      origins.put(name, usedAt);
    }
    return Either.of(known.getName());
  }

  /**
   * Upstream blocks in the order written, then the ones made for addresses; each as many times as
   * it is used with different TLS settings.
   */
  List<Upstream> all() {
    List<Upstream> bases = new ArrayList<>(blocks.values());
    bases.addAll(byAddress.values());
    List<Upstream> out = new ArrayList<>();
    for (Upstream base : bases) {
      Map<Optional<UpstreamTls>, String> uses = variants.getOrDefault(base.getName(), Map.of());
      if (uses.isEmpty()) {
        out.add(base);
      }
      uses.forEach(
          (tls, name) -> {
            Upstream.Builder u = base.toBuilder().setName(name);
            tls.ifPresent(u::setTls);
            out.add(u.build());
          });
    }
    return out;
  }

  /** Where each upstream of {@link #all} comes from: its block, or the first proxy_pass. */
  List<Origin> origins() {
    return all().stream().map(u -> origins.get(u.getName())).toList();
  }
}
