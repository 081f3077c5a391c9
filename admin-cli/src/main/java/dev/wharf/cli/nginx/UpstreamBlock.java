package dev.wharf.cli.nginx;

import com.google.protobuf.Duration;
import dev.wharf.config.Addresses;
import dev.wharf.config.Variables.Phase;
import dev.wharf.proto.config.v1.ConnectionPool;
import dev.wharf.proto.config.v1.Endpoint;
import dev.wharf.proto.config.v1.LoadBalancing;
import dev.wharf.proto.config.v1.LoadBalancing.Policy;
import dev.wharf.proto.config.v1.OutlierDetection;
import dev.wharf.proto.config.v1.Upstream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code upstream} block as a Wharf upstream.
 *
 * <p>{@code max_fails}/{@code fail_timeout} (nginx's defaults 1 and 10s) become outlier detection
 * whenever the upstream has more than one primary server (nginx never marks a single one failed):
 * {@code max_fails} failures within {@code fail_timeout} eject an endpoint for {@code
 * fail_timeout}, with no back-off, any share of the endpoints may be out at once, and only errors
 * and timeouts count (plus the statuses a route's {@code proxy_next_upstream} lists), as nginx
 * counts them. {@code max_fails=0} turns it off. nginx takes the settings per server, Wharf per
 * upstream: the first server that has them decides.
 */
final class UpstreamBlock {
  private final Directive block;
  private final String name;
  private final Ledger ledger;
  private final Map<String, Endpoint.Builder> endpoints = new LinkedHashMap<>();
  private final Upstream.Builder upstream = Upstream.newBuilder();
  private Directive failureSettings;
  private int upstreamMaxFails = 1; // nginx's defaults
  private Duration upstreamFailTimeout = Duration.newBuilder().setSeconds(10).build();
  private final Map<String, Directive> backups = new LinkedHashMap<>();
  private Directive balancing;

  UpstreamBlock(Directive block, String name, Ledger ledger) {
    this.block = block;
    this.name = name;
    this.ledger = ledger;
  }

  /** The upstream, or empty (reported) when no endpoint of it can be used. */
  Optional<Upstream> translate() {
    for (Directive d : block.children()) {
      switch (d.name()) {
        case "server" -> server(d);
        case "least_conn" ->
            balance(d, LoadBalancing.newBuilder().setPolicy(Policy.LEAST_CONNECTIONS), null);
        case "ip_hash" ->
            balance(
                d,
                hash("$remote_addr"),
                "translated as a consistent hash of "
                    + "$remote_addr; nginx hashes only the first three bytes of an IPv4 address");
        case "hash" -> hashDirective(d);
        case "random" ->
            balance(
                d,
                LoadBalancing.newBuilder().setPolicy(Policy.RANDOM),
                d.args().isEmpty()
                    ? null
                    : "Wharf picks one endpoint at random, not the better " + "of two");
        case "keepalive" ->
            pool(
                d,
                Values.number(d.arg(0), 1, 10_000)
                    .map(n -> ConnectionPool.newBuilder().setMaxIdlePerEndpoint(n)),
                "Wharf keeps up to this many idle connections per endpoint and event loop; nginx "
                    + "keeps this many per worker for the whole upstream");
        case "keepalive_timeout" ->
            pool(
                d,
                Values.time(d.arg(0))
                    .filter(t -> t.getSeconds() > 0)
                    .map(t -> ConnectionPool.newBuilder().setIdleTimeout(t)),
                null);
        case "keepalive_requests" ->
            pool(
                d,
                Values.number(d.arg(0), 0, Integer.MAX_VALUE)
                    .map(n -> ConnectionPool.newBuilder().setMaxRequestsPerConnection(n)),
                null);
        case "zone" ->
            ledger.notNeeded(
                d,
                "shared memory for nginx workers; each Wharf node "
                    + "keeps its own upstream state");
        default -> {} // the catalog decides
      }
    }
    if (endpoints.isEmpty()) {
      ledger.notTranslated(block, "no endpoint Wharf can use");
      return Optional.empty();
    }
    Policy policy = upstream.getBalancing().getPolicy();
    if (policy == Policy.CONSISTENT_HASH || policy == Policy.RANDOM) {
      backups.forEach(
          (address, d) -> {
            endpoints.remove(address);
            ledger.notTranslated(d, "nginx has no backup servers with " + balancing.name());
          });
    }
    if (endpoints.values().stream().filter(e -> !e.getBackup()).count() > 1
        && upstreamMaxFails != 0) {
      upstream.setOutlierDetection(nginxFailures(upstreamMaxFails, upstreamFailTimeout));
    }
    endpoints.values().forEach(upstream::addEndpoints);
    return Optional.of(upstream.setName(name).build());
  }

  private void server(Directive d) {
    String address = d.arg(0);
    if (address.startsWith("unix:")) {
      ledger.notTranslated(d, "Wharf connects to endpoints over TCP, not Unix sockets");
      return;
    }
    if (!address.matches(".*:\\d+") || address.endsWith("]")) {
      address = address + ":80";
    }
    try {
      Addresses.parseHostPort(address);
    } catch (IllegalArgumentException e) {
      ledger.notTranslated(d, e.getMessage());
      return;
    }
    int weight = 1;
    boolean down = false;
    boolean backup = false;
    List<String> ignored = new ArrayList<>();
    Integer maxFails = null;
    Duration failTimeout = null;
    for (String param : d.args().subList(1, d.args().size())) {
      String key = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
      String value = param.substring(key.length() + (param.contains("=") ? 1 : 0));
      switch (key) {
        case "down" -> down = true;
        case "backup" -> backup = true;
        case "weight" -> weight = Values.number(value, 1, 1000).orElse(-1);
        case "max_fails" -> maxFails = Values.number(value, 0, 1000).orElse(-1);
        case "fail_timeout" -> failTimeout = Values.time(value).orElse(null);
        default -> ignored.add(param);
      }
    }
    if (weight < 0
        || (maxFails != null && maxFails < 0)
        || (param(d, "fail_timeout") && failTimeout == null)) {
      ledger.notTranslated(d, "a weight, max_fails or fail_timeout Wharf cannot take");
      return;
    }
    Endpoint.Builder twin = endpoints.get(address);
    if (twin != null) {
      twin.setWeight(Math.min(1000, Math.max(1, twin.getWeight()) + weight));
      ledger.check(d, "listed twice; Wharf has one endpoint with the weights added");
      return;
    }
    Endpoint.Builder endpoint =
        Endpoint.newBuilder().setAddress(address).setDown(down).setBackup(backup);
    if (weight != 1) {
      endpoint.setWeight(weight);
    }
    endpoints.put(address, endpoint);
    List<String> notes = new ArrayList<>();
    if (maxFails != null || failTimeout != null) {
      failures(d, maxFails == null ? 1 : maxFails, failTimeout, notes);
    }
    if (backup) {
      backups.put(address, d);
    }
    if (!ignored.isEmpty()) {
      notes.add("without " + String.join(" ", ignored) + ", which Wharf has no counterpart for");
    }
    if (notes.isEmpty()) {
      ledger.translated(d);
    } else {
      ledger.check(d, String.join("; ", notes));
    }
  }

  private void failures(Directive d, int fails, Duration timeout, List<String> notes) {
    if (failureSettings != null) {
      notes.add(
          "Wharf ejects endpoints with the settings of the first server that has "
              + "max_fails or fail_timeout (line "
              + failureSettings.origin().line()
              + ")");
      return;
    }
    failureSettings = d;
    upstreamMaxFails = fails;
    if (timeout != null) {
      upstreamFailTimeout = timeout;
    }
  }

  /** nginx's accounting of failed attempts as outlier detection. */
  private static OutlierDetection nginxFailures(int maxFails, Duration failTimeout) {
    return OutlierDetection.newBuilder()
        .setConsecutiveFailures(maxFails)
        .setFailureWindow(failTimeout)
        .setBaseEjectionTime(failTimeout)
        .setMaxEjectionTime(failTimeout)
        .setMaxEjectionPercent(100)
        .setCount5XxResponses(false)
        .build();
  }

  private static boolean param(Directive d, String key) {
    return d.args().stream().anyMatch(a -> a.startsWith(key + "="));
  }

  private void hashDirective(Directive d) {
    String key = d.arg(0);
    Optional<String> problem = Templates.problem(key, Phase.REQUEST, -1);
    if (key.isEmpty() || problem.isPresent()) {
      ledger.notTranslated(d, problem.orElse("hash needs a key"));
      return;
    }
    balance(
        d,
        hash(key),
        d.arg(1).equals("consistent")
            ? null
            : "translated as a consistent hash: the same key reaches the same endpoint, and fewer "
                + "keys move when endpoints change than with nginx's plain hash");
  }

  private static LoadBalancing.Builder hash(String key) {
    return LoadBalancing.newBuilder().setPolicy(Policy.CONSISTENT_HASH).setHashKey(key);
  }

  private void balance(Directive d, LoadBalancing.Builder policy, String note) {
    if (balancing != null) {
      ledger.notNeeded(balancing, "replaced by the balancing method at line " + d.origin().line());
    }
    balancing = d;
    upstream.setBalancing(policy);
    if (note == null) {
      ledger.translated(d);
    } else {
      ledger.check(d, note);
    }
  }

  private void pool(Directive d, Optional<ConnectionPool.Builder> value, String note) {
    if (value.isEmpty()) {
      ledger.notTranslated(d, "'" + d.arg(0) + "' is not a value Wharf can take here");
      return;
    }
    upstream.getPoolBuilder().mergeFrom(value.get().build());
    if (note == null) {
      ledger.translated(d);
    } else {
      ledger.check(d, note);
    }
  }
}
