package dev.wharf.dataplane.discovery;

/**
 * Why a node lost its stream to a control-plane replica, as {@code
 * wharf_discovery_stream_losses_total{reason}} counts it.
 */
public enum StreamLoss {
  /** The replica ended the stream, or the connection broke (a replica that exited, a reset). */
  ENDED("ended", "stream ended"),
  /** The replica refused this node (PERMISSION_DENIED): its credentials or node id. */
  REFUSED("refused", "refused"),
  /** The replica sent nothing at all (not even a heartbeat) for the node's timeout. */
  SILENT("silent", "no heartbeat within the timeout"),
  /** The replica held more than its share of the fleet and asked this node to move. */
  MOVED("moved", "moved for rebalancing");

  private final String tag;
  private final String description;

  StreamLoss(String tag, String description) {
    this.tag = tag;
    this.description = description;
  }

  /** The metric's {@code reason} tag. */
  public String tag() {
    return tag;
  }

  String description() {
    return description;
  }
}
