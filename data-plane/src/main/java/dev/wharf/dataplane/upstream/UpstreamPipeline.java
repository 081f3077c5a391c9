package dev.wharf.dataplane.upstream;

import io.netty.channel.ChannelPipeline;

/**
 * Builds the pipeline of a new connection to an endpoint. The node's server layer declares it,
 * beside the client pipelines, so every pipeline of the node reads in one place; the connector only
 * asks for it.
 */
@FunctionalInterface
public interface UpstreamPipeline {
  /**
   * Adds the handlers of a new upstream connection to {@code pipeline}, ending with {@code
   * connection}, which must receive the decoded response messages.
   */
  void init(ChannelPipeline pipeline, UpstreamConnection connection);
}
