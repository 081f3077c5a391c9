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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The endpoint's connection ends without a close frame (the backend died): the client gets {@code
 * 1014 Bad Gateway} with a reason instead of a bare end of its connection (1006), the close is
 * counted, and what the client sends afterwards is counted as dropped.
 */
@ExtendWith(NettyLeakExtension.class)
class UpstreamLossTest {
  /** 1014 with the reason "upstream connection lost", as the client reads it. */
  static final byte[] CLOSE_1014 = closeFrame(1014, "upstream connection lost");

  private final EmbeddedChannel client = new EmbeddedChannel();
  private final EmbeddedChannel upstream = new EmbeddedChannel();
  private final AtomicBoolean ended = new AtomicBoolean();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProxyMetrics metrics = new ProxyMetrics(registry);
  private final WebSocketRelay relay =
      WebSocketRelay.create(
          client,
          upstream,
          new Placement("chat", "backend", "127.0.0.1:1", DrainSettings.DEFAULT),
          Duration.ofHours(1),
          1024,
          new RequestRecord(null, 0),
          new NodeServices(
              metrics,
              Ticker.systemTicker(),
              Clock.systemUTC(),
              () -> new SplittableRandom(1),
              Runnable::run,
              Runnable::run),
          new ConnectionDrainer(
              Ticker.systemTicker(),
              metrics.drainMeters(List.of(), () -> 0),
              Runnable::run,
              ConnectionDrainer.Scheduler.EVENT_LOOP),
          () -> ended.set(true));

  UpstreamLossTest() {
    client.pipeline().addLast(relay.clientHandler());
    upstream.pipeline().addLast(relay.upstreamHandler());
    relay.start();
  }

  @AfterEach
  void releaseWhatTheTestDidNotRead() {
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  static byte[] closeFrame(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[4 + text.length];
    frame[0] = (byte) 0x88;
    frame[1] = (byte) (2 + text.length);
    frame[2] = (byte) (code >> 8);
    frame[3] = (byte) code;
    System.arraycopy(text, 0, frame, 4, text.length);
    return frame;
  }

  private static byte[] read(EmbeddedChannel ch) {
    ch.runPendingTasks();
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

  private static ByteBuf pooled(byte[] bytes) {
    return PooledByteBufAllocator.DEFAULT.buffer().writeBytes(bytes);
  }

  private double counted(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private void clientAnswersTheClose() {
    client.writeInbound(pooled(FrameScannerTest.frame(8, true, true, new byte[] {0x03, -10})));
    client.runPendingTasks();
    upstream.runPendingTasks();
  }

  @Test
  void anEndpointConnectionClosedWithoutACloseFrameGetsTheClient1014WithAReason() {
    byte[] hello = FrameScannerTest.frame(1, true, false, "hello".getBytes(StandardCharsets.UTF_8));
    upstream.writeInbound(pooled(hello));
    assertArrayEquals(hello, read(client));

    upstream.close();
    upstream.runPendingTasks();

    assertArrayEquals(CLOSE_1014, read(client));
    assertTrue(client.isActive(), "the client may answer the close");
    clientAnswersTheClose();
    assertFalse(client.isActive());
    assertTrue(ended.get());
    assertEquals(
        1,
        counted(
            "wharf.websocket.closes", "code", "1014", "closed_by", "upstream", "route", "chat"));
    assertEquals(0, counted("wharf.websocket.closes", "code", "1006"));
  }

  @Test
  void aReadErrorOnTheEndpointConnectionGetsTheClient1014() {
    upstream.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
    upstream.runPendingTasks();

    assertFalse(upstream.isActive());
    assertArrayEquals(CLOSE_1014, read(client));
  }

  @Test
  void anEndpointThatSentItsOwnCloseFrameIsRelayedUnchanged() {
    byte[] close = FrameScannerTest.frame(8, true, false, new byte[] {0x03, (byte) 0xe8, 'b', 'y'});
    upstream.writeInbound(pooled(close));
    upstream.close();
    upstream.runPendingTasks();

    assertArrayEquals(close, read(client), "the endpoint's 1000 and nothing of ours");
    assertEquals(0, counted("wharf.websocket.closes", "code", "1014"));
  }

  @Test
  void anEndpointConnectionLostInsideAFrameEndsTheClientConnectionWithoutAFrameOfOurs() {
    byte[] message = FrameScannerTest.frame(2, true, false, new byte[100]);
    upstream.writeInbound(pooled(Arrays.copyOfRange(message, 0, 40)));
    upstream.close();
    upstream.runPendingTasks();
    client.runPendingTasks();

    assertArrayEquals(Arrays.copyOfRange(message, 0, 40), read(client), "no frame inside a frame");
    assertFalse(client.isActive());
    assertEquals(1, counted("wharf.websocket.closes", "code", "1006", "closed_by", "upstream"));
  }

  @Test
  void messagesTheClientSendsAfterTheLossAreCountedAsDropped() {
    client.writeInbound(pooled(FrameScannerTest.frame(1, true, true, new byte[] {'a'})));
    upstream.close();
    upstream.runPendingTasks();
    assertArrayEquals(CLOSE_1014, read(client));

    client.writeInbound(
        pooled(FrameScannerTest.frame(1, true, true, new byte[] {'b'})),
        pooled(FrameScannerTest.frame(2, true, true, new byte[] {'c'})));
    clientAnswersTheClose();

    assertEquals(
        1, counted("wharf.websocket.messages", "direction", "from_client", "route", "chat"));
    assertEquals(
        2,
        counted("wharf.websocket.messages.dropped", "direction", "from_client", "route", "chat"));
    assertFalse(client.isActive());
  }

  @Test
  void aClientAlreadyGivenGoingAwayGetsNoSecondClose() {
    relay.goAway();
    byte[] goingAway = read(client);
    upstream.close();
    upstream.runPendingTasks();

    assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe9}, goingAway);
    assertEquals(0, read(client).length);
  }
}
