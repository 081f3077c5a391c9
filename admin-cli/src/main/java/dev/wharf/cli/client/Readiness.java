package dev.wharf.cli.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Whether a server answers at all, before a call is trusted to it. A gRPC channel is ready only
 * once the server's HTTP/2 settings came back; a stopped process (SIGSTOP) completes the TCP
 * connect in its kernel and then says nothing, so a channel to it stays connecting. Waiting for
 * that with a short bound, apart from the call's own deadline, moves a command to the next server
 * within seconds, and never cuts a long stream ({@code get --watch}, {@code rollout --wait}) that
 * started on a server that did answer.
 */
final class Readiness {
  /** How long a server may take to answer the connection before the next one is tried. */
  static final Duration ATTEMPT_BOUND = Duration.ofSeconds(2);

  private Readiness() {}

  /**
   * Starts connecting {@code channel} if it is idle and waits up to {@code bound} for it to be
   * ready or to have failed (a refused connection fails the call at once, with its own message).
   *
   * @return false when the server did not answer within {@code bound}
   */
  static boolean answers(ManagedChannel channel, Duration bound) {
    ConnectivityState state = channel.getState(true);
    if (settled(state)) {
      return true;
    }
    CountDownLatch done = new CountDownLatch(1);
    watch(channel, state, done);
    try {
      return done.await(bound.toNanos(), TimeUnit.NANOSECONDS) || settled(channel.getState(false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true; // the call that follows ends at once on the interrupted thread
    }
  }

  private static void watch(ManagedChannel channel, ConnectivityState from, CountDownLatch done) {
    channel.notifyWhenStateChanged(
        from,
        () -> {
          ConnectivityState now = channel.getState(false);
          if (settled(now)) {
            done.countDown();
          } else {
            watch(channel, now, done);
          }
        });
  }

  private static boolean settled(ConnectivityState state) {
    return state != ConnectivityState.IDLE && state != ConnectivityState.CONNECTING;
  }
}
