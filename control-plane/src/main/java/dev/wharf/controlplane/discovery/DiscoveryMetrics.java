package dev.wharf.controlplane.discovery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The discovery service's meters: connected nodes, pushes and how they were answered, the time from
 * a push to its ACK, the version being pushed, and streams whose credential did not fit.
 */
public final class DiscoveryMetrics {
  private final Counter pushes;
  private final Counter acks;
  private final Counter nacks;
  private final Counter suppressed;
  private final Counter stale;
  private final Counter rejected;
  private final Counter notThisNode;
  private final Counter unbound;
  private final Counter silentNodes;
  private final Counter movedNodes;
  private final Timer pushToAck;
  private final Timer watchLag;
  private final Timer validate;
  private final Timer fanOut;
  private final AtomicLong version = new AtomicLong();

  public DiscoveryMetrics(MeterRegistry registry, Supplier<Number> connectedNodes) {
    Gauge.builder("wharf_cp_connected_nodes", connectedNodes)
        .description("Nodes with an open discovery stream on this replica")
        .register(registry);
    Gauge.builder("wharf_cp_config_version", version, AtomicLong::get)
        .description("Latest valid config version this replica pushes")
        .register(registry);
    pushes =
        Counter.builder("wharf_cp_pushes")
            .description("Snapshots pushed to nodes")
            .register(registry);
    acks = Counter.builder("wharf_cp_acks").description("Pushes nodes applied").register(registry);
    nacks =
        Counter.builder("wharf_cp_nacks").description("Pushes nodes refused").register(registry);
    suppressed =
        Counter.builder("wharf_cp_pushes_suppressed")
            .description("Versions not pushed because the node already runs them")
            .register(registry);
    stale =
        Counter.builder("wharf_cp_stale_answers")
            .description("ACKs or NACKs ignored: they answer no push in flight")
            .register(registry);
    rejected =
        Counter.builder("wharf_cp_versions_rejected")
            .description("Stored versions the validator refused; they are never pushed")
            .register(registry);
    notThisNode =
        Counter.builder("wharf_cp_streams_refused_node_id")
            .description(
                "Discovery streams refused because their hello claimed a node id their "
                    + "credential is not bound to")
            .register(registry);
    unbound =
        Counter.builder("wharf_cp_streams_unbound_token")
            .description("Discovery streams accepted with a node token bound to no node id")
            .register(registry);
    silentNodes =
        Counter.builder("wharf_cp_nodes_silent")
            .description("Node streams ended because the node answered no heartbeat in time")
            .register(registry);
    movedNodes =
        Counter.builder("wharf_cp_nodes_moved")
            .description("Nodes asked to move to another replica (rebalancing)")
            .register(registry);
    pushToAck =
        Timer.builder("wharf_cp_push_to_ack")
            .description("Time from pushing a snapshot to the node's ACK")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    watchLag =
        Timer.builder("wharf_cp_store_watch_lag")
            .description(
                "Time from a commit to this replica publishing it: the store's watch "
                    + "delay plus validation (commit times come from the writer's clock)")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry);
    validate =
        publishStage(registry, "validate", "validate (the shared validator, once per version)");
    fanOut =
        publishStage(
            registry, "fan_out", "fan out (a push queued on every connected node's stream)");
  }

  private static Timer publishStage(MeterRegistry registry, String stage, String what) {
    return Timer.builder("wharf_cp_publish")
        .description("Time this replica spends publishing a version, by stage: " + what)
        .tag("stage", stage)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
  }

  /** Meters that count but are not exported: for tests and tools that do not scrape. */
  public static DiscoveryMetrics unregistered(Supplier<Number> connectedNodes) {
    return new DiscoveryMetrics(new SimpleMeterRegistry(), connectedNodes);
  }

  void published(long v, Duration lag) {
    version.set(v);
    if (lag != null) {
      watchLag.record(lag);
    }
  }

  /**
   * A version was validated in {@code validateNanos}, then offered to every node in {@code
   * fanOutNanos}.
   */
  void publishStages(long validateNanos, long fanOutNanos) {
    validate.record(Duration.ofNanos(validateNanos));
    fanOut.record(Duration.ofNanos(fanOutNanos));
  }

  void pushed() {
    pushes.increment();
  }

  void acked(long nanos) {
    acks.increment();
    pushToAck.record(Duration.ofNanos(nanos));
  }

  void nacked() {
    nacks.increment();
  }

  void suppressed() {
    suppressed.increment();
  }

  void staleAnswer() {
    stale.increment();
  }

  void rejected() {
    rejected.increment();
  }

  void refusedNodeId() {
    notThisNode.increment();
  }

  void unboundToken() {
    unbound.increment();
  }

  void silentNode() {
    silentNodes.increment();
  }

  void movedNode() {
    movedNodes.increment();
  }
}
