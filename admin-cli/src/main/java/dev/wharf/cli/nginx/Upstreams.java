package dev.wharf.cli.nginx;

import dev.wharf.config.Addresses;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.Upstream;
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
 */
final class Upstreams {
  private final Ledger ledger;
  private final Map<String, Upstream> blocks = new LinkedHashMap<>();
  private final Map<String, String> unusable = new LinkedHashMap<>();
  private final Map<String, Upstream> byAddress = new LinkedHashMap<>();
  private final Map<String, Origin> origins = new LinkedHashMap<>();
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
  Either<String> resolve(ProxyPassUrl url, Origin usedAt) {
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
    String address = url.host() + ":" + (url.port() == 0 ? 80 : url.port());
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

  /** Upstream blocks in the order written, then the ones made for addresses. */
  List<Upstream> all() {
    List<Upstream> out = new ArrayList<>(blocks.values());
    out.addAll(byAddress.values());
    return out;
  }

  /** Where each upstream of {@link #all} comes from: its block, or the first proxy_pass. */
  List<Origin> origins() {
    return all().stream().map(u -> origins.get(u.getName())).toList();
  }
}
