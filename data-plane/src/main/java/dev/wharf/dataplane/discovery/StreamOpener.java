package dev.wharf.dataplane.discovery;

import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Hello;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the discovery client's streams: a channel of its own per stream, the call, and the hello
 * with who the node is and the version it runs. Immutable; used on the config thread.
 */
final class StreamOpener {
  // Under the client's name: operators' log settings for the client keep covering these lines.
  private static final Logger log = LoggerFactory.getLogger(DiscoveryClient.class);

  private final String nodeId;
  private final Map<String, String> labels;
  private final ChannelFactory channels;
  private final List<ClientInterceptor> interceptors;
  private final LongSupplier nanoTime;

  /** Shared by the client's streams, one after another: a new replica's push reuses routes too. */
  private final PushDecoder decoder;

  StreamOpener(
      String nodeId,
      Map<String, String> labels,
      ChannelFactory channels,
      List<ClientInterceptor> interceptors,
      LongSupplier nanoTime) {
    this.nodeId = nodeId;
    this.labels = Map.copyOf(labels);
    this.channels = channels;
    this.interceptors = List.copyOf(interceptors);
    this.nanoTime = nanoTime;
    this.decoder = new PushDecoder(DiscoveryGrpc.getStreamMethod().getResponseMarshaller());
  }

  /**
   * A stream to {@code target}, hello sent: the version {@code applier} runs and the versions it
   * refused.
   *
   * @throws RuntimeException when no channel could be opened to {@code target}
   */
  DiscoveryStream open(
      String target,
      SnapshotApplier applier,
      Executor configThread,
      DiscoveryStream.Handler handler) {
    Hello hello = applier.hello(nodeId, labels);
    ManagedChannel channel = channels.open(target);
    log.debug(
        "node {}: connecting to control plane {}, hello with version {}",
        nodeId,
        target,
        hello.getVersion());
    return DiscoveryStream.open(
        target, channel, interceptors, configThread, handler, hello, nanoTime, decoder);
  }
}
