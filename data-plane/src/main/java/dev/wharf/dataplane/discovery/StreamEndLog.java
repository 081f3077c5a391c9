package dev.wharf.dataplane.discovery;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log line for a stream to a control plane that ended, with where and when the node tries next.
 *
 * <p>A refusal ({@code PERMISSION_DENIED}: the control plane rejected this node's credentials or
 * its node id) is an error, not a warning, because retrying will not fix it: an operator must fix
 * the node's flags or its token, so the line names the node id and what the node keeps serving
 * meanwhile. Every other end is a warning; the node fails over on its own.
 */
final class StreamEndLog {
  // Under the client's name: operators' log settings for the client keep covering these lines.
  private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);

  private StreamEndLog() {}

  /**
   * @param running the version the node serves, 0 for none; asked only for a refusal
   */
  static void ended(
      String nodeId,
      String target,
      String why,
      boolean refused,
      LongSupplier running,
      String next,
      Duration delay) {
    if (refused) {
      long version = running.getAsLong();
      log.error(
          "node {}: control plane {} refused this node: {}; check --node-id {} against "
              + "the node ids its token (or certificate) was issued for; {}, trying {} in {} ms",
          nodeId,
          target,
          why,
          nodeId,
          version == 0 ? "serves no config yet" : "keeps serving version " + version,
          next,
          delay.toMillis());
    } else {
      log.warn("control plane {}: {}; trying {} in {} ms", target, why, next, delay.toMillis());
    }
  }
}
