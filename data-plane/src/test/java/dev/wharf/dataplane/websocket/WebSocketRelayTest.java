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
import io.netty.buffer.PooledByteBufAllocator;
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
 * The relay between two embedded channels: the 1001 close never cuts a frame in two, the frame
 * towards the endpoint is masked, and a message over the maximum size is refused with 1009 before
 * any of its bytes go on.
 */
@ExtendWith(NettyLeakExtension.class)
class WebSocketRelayTest {
  private final EmbeddedChannel client = new EmbeddedChannel();
  private final EmbeddedChannel upstream = new EmbeddedChannel();
  private final AtomicBoolean ended = new AtomicBoolean();

  /** The relay's maximum message size in these tests. */
  private static final int LIMIT = 1024;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ProxyMetrics metrics = new ProxyMetrics(registry);
  private final ConnectionDrainer drainer =
      new ConnectionDrainer(
          Ticker.systemTicker(),
          metrics.drainMeters(List.of(), () -> 0),
          Runnable::run,
          ConnectionDrainer.Scheduler.EVENT_LOOP);
  private final WebSocketRelay relay =
      WebSocketRelay.create(
          client,
          upstream,
          new Placement("chat", "backend", "127.0.0.1:1", DrainSettings.DEFAULT),
          Duration.ofHours(1),
          LIMIT,
          new RequestRecord(null, 0),
          new NodeServices(
              metrics,
              Ticker.systemTicker(),
              Clock.systemUTC(),
              () -> new SplittableRandom(1),
              Runnable::run,
              Runnable::run),
          drainer,
          () -> ended.set(true));

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
    upstream.writeInbound(
        Unpooled.wrappedBuffer(
            Arrays.copyOfRange(message, 40, message.length),
            FrameScannerTest.frame(1, true, false, new byte[3])));
    byte[] after = read(client);

    assertEquals(0, beforeTheEnd.length, "no close frame inside a frame");
    assertEquals(
        message.length - 40 + 4,
        after.length,
        "the rest of the frame, then the close frame; the next frame is not forwarded");
    assertArrayEquals(
        new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe9},
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

    client.writeInbound(
        Unpooled.wrappedBuffer(
            FrameScannerTest.frame(8, true, true, new byte[] {0x03, (byte) 0xe9})));
    upstream.writeInbound(
        Unpooled.wrappedBuffer(
            FrameScannerTest.frame(8, true, false, new byte[] {0x03, (byte) 0xe9})));
    client.runPendingTasks();
    upstream.runPendingTasks();

    assertFalse(client.isActive());
    assertFalse(upstream.isActive());
    assertTrue(ended.get());
    assertEquals(0, read(client).length, "the answers are not relayed after our own close");
    assertEquals(0, read(upstream).length);
  }

  /** Bytes in a pooled buffer, as a socket would deliver them, so leaks are detected. */
  private static ByteBuf pooled(byte[]... parts) {
    ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
    for (byte[] p : parts) {
      b.writeBytes(p);
    }
    return b;
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuf b = pooled(parts);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    b.release();
    return out;
  }

  /** The code of a masked two-byte close frame, as the endpoint reads it. */
  private static int maskedCloseCode(byte[] frame) {
    assertEquals(8, frame.length, Arrays.toString(frame));
    assertEquals((byte) 0x88, frame[0]);
    assertEquals((byte) 0x82, frame[1], "mask bit and a two-byte payload");
    return ((frame[6] ^ frame[2]) & 0xff) << 8 | ((frame[7] ^ frame[3]) & 0xff);
  }

  private double closesCounted(int code) {
    var counter =
        registry
            .find("wharf.websocket.closes")
            .tag("code", Integer.toString(code))
            .tag("closed_by", "proxy")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  /** The endpoint answers the proxy's close, as a well-behaved one does. */
  private void endpointAnswersTheClose() {
    upstream.writeInbound(
        pooled(FrameScannerTest.frame(8, true, false, new byte[] {0x03, (byte) 0xe9})));
    client.runPendingTasks();
    upstream.runPendingTasks();
  }

  private static final byte[] CLOSE_1009_TO_CLIENT = {(byte) 0x88, 2, 0x03, (byte) 0xf1};

  @Test
  void aFrameAnnouncing2To63Minus1BytesIsRefusedWith1009AndNothingOfItIsForwarded() {
    byte[] before = FrameScannerTest.frame(1, true, true, "hi".getBytes());
    byte[] huge = {
      (byte) 0x82,
      (byte) 0xff,
      0x7f,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      (byte) 0xff,
      0x11,
      0x22,
      0x33,
      0x44,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8
    };
    client.writeInbound(pooled(before, huge));

    assertArrayEquals(CLOSE_1009_TO_CLIENT, read(client));
    byte[] toEndpoint = read(upstream);
    assertArrayEquals(
        before,
        Arrays.copyOfRange(toEndpoint, 0, before.length),
        "the frame before the huge one goes on whole");
    assertEquals(
        1001,
        maskedCloseCode(Arrays.copyOfRange(toEndpoint, before.length, toEndpoint.length)),
        "then the close, in place of the huge frame");
    assertFalse(client.isActive(), "the client's stream cannot be followed any more");

    endpointAnswersTheClose();
    assertFalse(upstream.isActive());
    assertTrue(ended.get());
    assertEquals(1, closesCounted(1009));
    assertEquals(0, closesCounted(1002));
  }

  @Test
  void aFrameOneByteOverTheLimitIsRefusedAndOneAtTheLimitIsNot() {
    byte[] atLimit = FrameScannerTest.frame(2, true, true, new byte[LIMIT]);
    client.writeInbound(pooled(atLimit));
    assertArrayEquals(atLimit, read(upstream));

    byte[] over = FrameScannerTest.frame(2, true, true, new byte[LIMIT + 1]);
    client.writeInbound(pooled(Arrays.copyOfRange(over, 0, 100))); // the rest never comes

    assertArrayEquals(CLOSE_1009_TO_CLIENT, read(client));
    assertEquals(1001, maskedCloseCode(read(upstream)));
    endpointAnswersTheClose();
    assertTrue(ended.get());
    assertEquals(1, closesCounted(1009));
  }

  @Test
  void aFragmentedMessageIsRefusedAtTheFragmentThatTakesItOverTheLimit() {
    byte[] first = FrameScannerTest.frame(1, false, true, new byte[600]);
    byte[] ping = FrameScannerTest.frame(9, true, true, new byte[100]); // not part of the message
    byte[] second = FrameScannerTest.frame(0, false, true, new byte[400]);
    byte[] last = FrameScannerTest.frame(0, true, true, new byte[25]); // 1025 in all
    client.writeInbound(pooled(first, ping, second));
    client.writeInbound(pooled(last));

    assertArrayEquals(CLOSE_1009_TO_CLIENT, read(client));
    byte[] toEndpoint = read(upstream);
    byte[] accepted = concat(first, ping, second);
    assertArrayEquals(accepted, Arrays.copyOfRange(toEndpoint, 0, accepted.length));
    assertEquals(
        1001, maskedCloseCode(Arrays.copyOfRange(toEndpoint, accepted.length, toEndpoint.length)));
    endpointAnswersTheClose();
    assertEquals(1, closesCounted(1009));
  }

  @Test
  void theLimitCountsEachMessageOnItsOwn() {
    byte[] message =
        concat(
            FrameScannerTest.frame(1, false, true, new byte[600]),
            FrameScannerTest.frame(0, true, true, new byte[400]));
    client.writeInbound(pooled(message, message));

    assertArrayEquals(concat(message, message), read(upstream));
    assertEquals(0, read(client).length);
    assertTrue(client.isActive());
  }

  @Test
  void aMessageTooBigFromTheEndpointGetsTheEndpoint1009AndTheClient1001() {
    upstream.writeInbound(pooled(FrameScannerTest.frame(2, true, false, new byte[LIMIT + 1])));

    assertArrayEquals(new byte[] {(byte) 0x88, 2, 0x03, (byte) 0xe9}, read(client));
    assertEquals(1009, maskedCloseCode(read(upstream)));
    assertFalse(upstream.isActive());
    client.writeInbound(
        pooled(FrameScannerTest.frame(8, true, true, new byte[] {0x03, (byte) 0xe9})));
    client.runPendingTasks();
    upstream.runPendingTasks();
    assertTrue(ended.get());
    assertEquals(1, closesCounted(1009));
  }
}
