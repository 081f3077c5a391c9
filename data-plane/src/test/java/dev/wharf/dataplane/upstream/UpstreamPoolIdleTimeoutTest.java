package dev.wharf.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelOption;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The pool's {@code idle_timeout} counts from a connection's last return to the pool, however often
 * it was reused before: nginx's {@code keepalive_timeout} in an upstream block. Time is the
 * channel's mock ticker.
 */
class UpstreamPoolIdleTimeoutTest {
  private static final Duration IDLE = Duration.ofSeconds(30);
  private static final CompiledUpstream.PoolSettings SETTINGS =
      new CompiledUpstream.PoolSettings(8, IDLE, 0);

  private final MockTicker ticker = Ticker.newMockTicker();
  private final UpstreamEndpoint endpoint =
      new UpstreamEndpoint(
          "u",
          "10.0.0.1:80",
          InetSocketAddress.createUnresolved("10.0.0.1", 80),
          1,
          new EndpointRegistry().statsFor("u", "10.0.0.1:80"));
  private final UpstreamPool pool = new UpstreamPool();
  private final UpstreamConnection connection = new UpstreamConnection(endpoint);
  private final EmbeddedChannel channel = open(connection);

  private EmbeddedChannel open(UpstreamConnection c) {
    EmbeddedChannel ch = EmbeddedChannel.builder().ticker(ticker).handlers(c).build();
    ch.config().setOption(ChannelOption.AUTO_READ, false);
    return ch;
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void advance(Duration d) {
    ticker.advance(d.toNanos(), TimeUnit.NANOSECONDS);
    channel.runScheduledPendingTasks();
    channel.runPendingTasks();
  }

  /** One request's use of the pooled connection: taken from the pool, then given back. */
  private void reuse() {
    assertSame(connection, pool.poll(endpoint));
    pool.offer(connection, SETTINGS);
  }

  @Test
  void anIdleConnectionIsOpenJustBeforeTheTimeoutAndClosedAtIt() {
    pool.offer(connection, SETTINGS);

    advance(IDLE.minusNanos(1));
    assertTrue(channel.isActive(), "closed before idle_timeout");
    advance(Duration.ofNanos(1));
    assertFalse(channel.isActive(), "still open at idle_timeout");
    assertNull(pool.poll(endpoint), "a closed connection left in the pool");
  }

  @Test
  void eachReuseStartsTheIdlePeriodAgain() {
    pool.offer(connection, SETTINGS);
    advance(IDLE.multipliedBy(6).dividedBy(10));
    reuse();
    advance(IDLE.multipliedBy(6).dividedBy(10));
    assertTrue(channel.isActive(), "closed by the first idle period's timer");
    reuse();
    reuse();

    advance(IDLE.minusNanos(1));
    assertTrue(channel.isActive(), "closed before idle_timeout after the last reuse");
    advance(Duration.ofNanos(1));
    assertFalse(channel.isActive(), "still open idle_timeout after the last reuse");
  }

  @Test
  void aConnectionInUseWhenItsTimerComesDueStaysOpen() {
    pool.offer(connection, SETTINGS);
    assertSame(connection, pool.poll(endpoint));

    advance(IDLE.multipliedBy(3));
    assertTrue(channel.isActive(), "an exchange's connection closed by the idle timer");
    pool.offer(connection, SETTINGS);
    advance(IDLE.minusNanos(1));
    assertTrue(channel.isActive(), "closed before idle_timeout after its return");
    advance(Duration.ofNanos(1));
    assertFalse(channel.isActive());
  }

  @Test
  void aShorterTimeoutAppliesAtTheNextReturnToThePool() {
    pool.offer(connection, SETTINGS);
    reuse();
    Duration shorter = Duration.ofSeconds(5);
    assertSame(connection, pool.poll(endpoint));
    pool.offer(connection, new CompiledUpstream.PoolSettings(8, shorter, 0));

    advance(shorter);
    assertFalse(channel.isActive(), "the old, longer timer kept the connection");
  }
}
