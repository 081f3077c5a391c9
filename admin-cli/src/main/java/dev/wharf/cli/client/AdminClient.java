package dev.wharf.cli.client;

import dev.wharf.cli.exit.Failure;
import dev.wharf.cli.output.DurationText;
import dev.wharf.common.BearerToken;
import dev.wharf.proto.admin.v1.AdminGrpc;
import dev.wharf.proto.admin.v1.AdminGrpc.AdminBlockingStub;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Calls the Admin API on the first server that answers. A server that is unreachable (UNAVAILABLE,
 * or a deadline that expired before its connection was up) is skipped for the next; any other
 * answer, error or not, is the answer. Once a server has answered, later calls of the same command
 * go to it first, so a read and the write based on it usually meet the same replica.
 *
 * <p>A server that does not answer its connection within {@link Readiness#ATTEMPT_BOUND} (a stopped
 * process) is skipped for the next, unless it is the last one left, which gets the whole deadline.
 * A replica that answers that its store is down (STORE_UNAVAILABLE) ends the command with {@link
 * StoreOutage}'s message: other replicas share the store.
 *
 * <p>A write retried on the next server after UNAVAILABLE cannot be applied twice: it carries the
 * version it was based on, and a second attempt after a first that did commit is refused as stale.
 *
 * <p>Not thread-safe: one command, one thread. Channels are opened on first use and shut down by
 * {@link #close()}.
 */
public final class AdminClient implements AutoCloseable {
  /** Streams have none, in practice. */
  private static final Duration STREAM_DEADLINE = Duration.ofDays(365);

  private final Connection connection;
  private final Transport transport;
  private final Duration deadline;
  private final Duration attemptBound;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private int preferred;

  public AdminClient(Connection connection, Transport transport, Duration deadline) {
    this(connection, transport, deadline, Readiness.ATTEMPT_BOUND);
  }

  /**
   * @param attemptBound how long a server may take to answer its connection before the next one is
   *     tried (not the last: it has the whole deadline)
   */
  public AdminClient(
      Connection connection, Transport transport, Duration deadline, Duration attemptBound) {
    this.connection = connection;
    this.transport = transport;
    this.deadline = deadline;
    this.attemptBound = attemptBound.compareTo(deadline) < 0 ? attemptBound : deadline;
  }

  /** A read, or a write not based on a version, with the command's deadline. */
  public <T> T call(Function<AdminBlockingStub, T> rpc) {
    return invoke(deadline, rpc, OptionalLong.empty());
  }

  /** Like {@link #call(Function)} with another deadline. */
  public <T> T call(Duration callDeadline, Function<AdminBlockingStub, T> rpc) {
    return invoke(callDeadline, rpc, OptionalLong.empty());
  }

  /** A read whose NOT_FOUND is an answer: empty. */
  public <T> Optional<T> find(Function<AdminBlockingStub, T> rpc) {
    return invoke(
        deadline,
        stub -> {
          try {
            return Optional.of(rpc.apply(stub));
          } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
              return Optional.<T>empty();
            }
            throw e;
          }
        },
        OptionalLong.empty());
  }

  /**
   * A server stream, each message handed to {@code each} as it comes, until the server ends the
   * stream or the thread is interrupted. It has no deadline; a server that cannot be reached when
   * it starts, or that goes away (UNAVAILABLE), is skipped for the next, which starts the stream
   * anew.
   */
  public <T> void stream(Function<AdminBlockingStub, Iterator<T>> rpc, Consumer<T> each) {
    invoke(
        STREAM_DEADLINE,
        stub -> {
          rpc.apply(stub).forEachRemaining(each);
          return null;
        },
        OptionalLong.empty());
  }

  /** A write based on {@code readVersion}: a stale refusal names both versions. */
  public <T> T write(long readVersion, Function<AdminBlockingStub, T> rpc) {
    return invoke(deadline, rpc, OptionalLong.of(readVersion));
  }

  private <T> T invoke(
      Duration callDeadline, Function<AdminBlockingStub, T> rpc, OptionalLong readVersion) {
    List<String> servers = connection.servers();
    List<String> attempts = new ArrayList<>();
    StoreOutage outage = null;
    for (int i = 0; i < servers.size(); i++) {
      int index = (preferred + i) % servers.size();
      String server = servers.get(index);
      ManagedChannel channel = channel(server);
      boolean another = i < servers.size() - 1;
      if (another && !Readiness.answers(channel, attemptBound)) {
        attempts.add(
            server
                + ": no answer within "
                + DurationText.of(attemptBound)
                + " (the connection was accepted, nothing answered: a stopped or overloaded"
                + " process?)");
        continue;
      }
      AdminBlockingStub stub =
          AdminGrpc.newBlockingStub(channel)
              .withDeadlineAfter(callDeadline.toNanos(), TimeUnit.NANOSECONDS);
      if (connection.token().isPresent()) {
        stub = stub.withInterceptors(new BearerToken(connection.token().get()));
      }
      try {
        T answer = rpc.apply(stub);
        preferred = index;
        return answer;
      } catch (StatusRuntimeException e) {
        Optional<StoreOutage> store = StoreOutage.of(server, e);
        if (store.isPresent() && (store.get().shared() || !another)) {
          throw store.get().failure();
        }
        if (store.isPresent()) {
          outage = store.get();
        } else if (!unreachable(e, channel)) {
          throw StatusFailures.of(server, e, readVersion, connection, callDeadline);
        }
        attempts.add(server + ": " + StatusFailures.describe(e));
      }
    }
    if (outage != null) {
      throw outage.failure();
    }
    throw StatusFailures.unreachable(attempts, connection);
  }

  /**
   * UNAVAILABLE, or a deadline that expired while the channel never got connected (a blackholed
   * address): the server could not be asked, so another may be.
   */
  private static boolean unreachable(StatusRuntimeException e, ManagedChannel channel) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE
        || (code == Status.Code.DEADLINE_EXCEEDED
            && channel.getState(false) != ConnectivityState.READY);
  }

  private ManagedChannel channel(String server) {
    ManagedChannel channel = channels.get(server);
    if (channel == null) {
      try {
        channel = transport.open(server, connection.tlsCa());
      } catch (IOException e) {
        throw Failure.invalidInput(e.getMessage());
      }
      channels.put(server, channel);
    }
    return channel;
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels.values()) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels.values()) {
      try {
        channel.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
