package dev.wharf.dataplane.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.drain.ConnectionDrainer;
import dev.wharf.dataplane.drain.DrainSettings;
import dev.wharf.dataplane.drain.Placement;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.metrics.ProxyMetrics;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The relay between two embedded channels: the 1001 close never cuts a frame in two, and the
 * frame towards the endpoint is masked.
 */
@ExtendWith(NettyLeakExtension.class)
class WebSocketRelayTest {
  private final EmbeddedChannel client = new EmbeddedChannel();
  private final EmbeddedChannel upstream = new EmbeddedChannel();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final ProxyMetrics metrics = new ProxyMetrics(new SimpleMeterRegistry());
  private final ConnectionDrainer drainer = new ConnectionDrainer(Ticker.systemTicker(),
      metrics.drainMeters(List.of(), () -> 0), Runnable::run,
      ConnectionDrainer.Scheduler.EVENT_LOOP);
  private final WebSocketRelay relay = WebSocketRelay.create(client, upstream,
      new Placement("chat", "backend", "127.0.0.1:1", DrainSettings.DEFAULT),
      Duration.ofHours(1), new RequestRecord(null, 0), new NodeServices(metrics,
          Ticker.systemTicker(), Clock.systemUTC(), () -> new SplittableRandom(1), Runnable::run),
      drainer, () -> ended.set(true));

  WebSocketRelayTest() {
    client.pipeline().addLast(relay.clientHandler());
    upstream.pipeline().addLast(relay.upstreamHandler());
    relay.start();
  }

  @AfterEach
  void releaseWhatTheTestDidNotRead() {
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  private static byte[] read(EmbeddedChannel ch) {
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
      all.writeBytes(b);
      b.release();
    }
    byte[] out = new byte[all.readableBytes()];
    all.readBytes(out);
    all.release();
    return out;
  }

  @Test
  void theGoingAwayFrameWaitsForTheEndOfTheFrameInFlight() {
    byte[] message = FrameScannerTest.frame(2, true, false, new byte[100]);
    upstream.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(message, 0, 40)));
    assertArrayEquals(Arrays.copyOfRange(message, 0, 40), read(client));

    relay.goAway();
    byte[] beforeTheEnd = read(client);
    upstream.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(message, 40, message.length),
        FrameScannerTest.frame(1, true, false, new byte[3])));
    byte[] after = read(client);

    assertEquals(0, beforeTheEnd.length, "no close frame inside a frame");
    assertEquals(message.length - 40 + 4, after.length,
        "the rest of the frame, then the close frame; the next frame is not forwarded");
    assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe9},
        Arrays.copyOfRange(after, after.length - 4, after.length));
  }

  @Test
  void theGoingAwayFrameTowardsTheEndpointIsMasked() {
    relay.goAway();

    byte[] frame = read(upstream);
    assertEquals(8, frame.length);
    assertEquals((byte) 0x88, frame[0]);
    assertEquals((byte) 0x82, frame[1], "mask bit and a two-byte payload");
    int code = ((frame[6] ^ frame[2]) & 0xff) << 8 | ((frame[7] ^ frame[3]) & 0xff);
    assertEquals(1001, code);
  }

  @Test
  void bothSidesAreClosedOnceEachAnsweredTheClose() {
    relay.goAway();
    read(client);
    read(upstream);

    client.writeInbound(Unpooled.wrappedBuffer(FrameScannerTest.frame(8, true, true,
        new byte[] {0x03, (byte) 0xe9})));
    upstream.writeInbound(Unpooled.wrappedBuffer(FrameScannerTest.frame(8, true, false,
        new byte[] {0x03, (byte) 0xe9})));
    client.runPendingTasks();
    upstream.runPendingTasks();

    assertFalse(client.isActive());
    assertFalse(upstream.isActive());
    assertTrue(ended.get());
    assertEquals(0, read(client).length, "the answers are not relayed after our own close");
    assertEquals(0, read(upstream).length);
  }
}
