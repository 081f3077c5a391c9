package dev.wharf.dataplane.server;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.proxy.ProxyServices;
import dev.wharf.dataplane.routing.RoutingTable;
import dev.wharf.dataplane.tls.TlsEngine;
import dev.wharf.dataplane.tls.TlsListeners;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.dataplane.upstream.EmbeddedUpstreams;
import dev.wharf.dataplane.upstream.EndpointRegistry;
import dev.wharf.dataplane.upstream.Upstreams;
import dev.wharf.proto.config.v1.Config;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A node's client connections on embedded channels: each has the real client pipeline ({@link
 * HttpFrontendInitializer}: codec, compression, flow control, keep-alive, dispatcher), and its
 * proxy routes get their upstream connections from {@link EmbeddedUpstreams}, built by the real
 * {@link UpstreamHttpPipeline}. A test writes raw request bytes in, plays the endpoint on the
 * upstream channels, and reads raw bytes out of both: the fastest harness that still runs every
 * handler a request meets.
 *
 * <p>Time is a {@link MockTicker} shared by the node and every channel; the wall clock is fixed.
 * Single-threaded, like the channels.
 */
final class EmbeddedProxyNode implements AutoCloseable {
  static final String LISTENER = "web";

  final MockTicker ticker = Ticker.newMockTicker();
  final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final EmbeddedUpstreams upstreams = new EmbeddedUpstreams(new UpstreamHttpPipeline(), ticker);
  private final ListenerContext context;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final List<EmbeddedChannel> clients = new ArrayList<>();

  /** A node serving {@code yaml}, whose one listener must be named {@value #LISTENER}. */
  EmbeddedProxyNode(String yaml) {
    this(load(yaml));
  }

  /**
   * A node serving {@code config} as it is, unvalidated: a test may take an upstream's endpoints
   * away, which a valid config cannot do but discovery one day may.
   */
  EmbeddedProxyNode(Config config) {
    ProxyMetrics metrics = new ProxyMetrics(registry);
    NodeServices node =
        new NodeServices(
            metrics,
            ticker,
            Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC),
            () -> new SplittableRandom(7),
            Runnable::run,
            Runnable::run);
    ConnectionDrainer drainer =
        new ConnectionDrainer(
            ticker,
            metrics.drainMeters(List.of(), () -> 0),
            Runnable::run,
            ConnectionDrainer.Scheduler.EVENT_LOOP);
    Map<String, CompiledUpstream> upstreamsByName =
        Upstreams.compile(config, new EndpointRegistry(), node.random());
    NodeSnapshot snapshot =
        new NodeSnapshot(
            1, config, RoutingTable.compile(config, upstreamsByName), Map.of(), Instant.EPOCH);
    context =
        new ListenerContext(
            LISTENER,
            () -> snapshot,
            new ProxyServices(node, upstreams, drainer),
            "test-host",
            () -> "request-id",
            new TlsListeners(
                TlsEngine.detect(), new SimpleMeterRegistry(), java.time.Clock.systemUTC()));
  }

  static Config load(String yaml) {
    try {
      return ConfigDocuments.load(yaml, "test");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** A new client connection, accepted and waiting for its first request. */
  EmbeddedChannel connect() {
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).register(false).build();
    ch.config().setOption(ChannelOption.AUTO_READ, false);
    ch.pipeline().addLast(new HttpFrontendInitializer(context, connections));
    try {
      ch.register();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    clients.add(ch);
    return ch;
  }

  /**
   * Feeds raw bytes to {@code ch} as the socket would, then runs what they scheduled. The bytes are
   * in a pooled buffer, which the leak detector tracks (unpooled heap buffers it does not): a
   * message the code under test forgets to release fails the test.
   */
  static void send(EmbeddedChannel ch, String raw) {
    ch.writeInbound(bytes(raw));
    ch.runPendingTasks();
  }

  /** {@code raw} as ISO-8859-1 bytes in a pooled, leak-tracked buffer. */
  static ByteBuf bytes(String raw) {
    byte[] b = raw.getBytes(StandardCharsets.ISO_8859_1);
    return PooledByteBufAllocator.DEFAULT.buffer(b.length).writeBytes(b);
  }

  /** Everything written to {@code ch} since the last call, as ISO-8859-1 text. */
  static String written(EmbeddedChannel ch) {
    ch.runPendingTasks();
    StringBuilder out = new StringBuilder();
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      if (o instanceof ByteBuf b) {
        out.append(b.toString(StandardCharsets.ISO_8859_1));
      }
      ReferenceCountUtil.release(o);
    }
    return out.toString();
  }

  /** The Prometheus scrape of the node's metrics. */
  String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    for (EmbeddedChannel ch : clients) {
      ch.finishAndReleaseAll();
    }
    upstreams.finishAll();
  }
}
