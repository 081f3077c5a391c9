package dev.wharf.dataplane.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * A real HTTP/1.1 and WebSocket server on 127.0.0.1 for end-to-end tests of the data plane: a
 * backend a proxy can be pointed at, whose behaviour each request picks by its path.
 *
 * <ul>
 *   <li>anything not listed: echo; 200 with the request body, {@code x-echo-method} and {@code
 *       x-echo-uri} (the request-target as received)
 *   <li>{@code /status/NNN} (200 to 599): status NNN, body {@code "status NNN\n"} (none for 204 and
 *       304)
 *   <li>{@code /bytes/N}, {@code /chunked/N}: N bytes, byte i being {@code (byte) (i % 251)}, with
 *       Content-Length or chunked, streamed in 16 KiB pieces
 *   <li>{@code /stall}: reads the request, never answers
 *   <li>{@code /stall-after-head}: a head promising 100 bytes, then 10 of them, then nothing
 *   <li>{@code /truncated/N}, {@code /truncated-chunked/N}: a head promising N bytes (by
 *       Content-Length, or one chunk of N), the first N/2 of them, then a close
 *   <li>{@code /reset}, {@code /close}: after the request head, closes with RST or FIN
 *   <li>{@code /no-read}: after the request head, stops reading the socket, never answers
 *   <li>{@code /slow?ms=N}: 200 {@code "slow\n"} after N ms
 *   <li>{@code /hold}: 200 {@code "held\n"} when the test calls {@link #releaseHeld()}
 *   <li>{@code /redirect?to=URL}: 302 with {@code Location: URL} and {@code Refresh: 5; url=URL};
 *       {@code {host}} in URL is replaced by the Host header received
 *   <li>{@code /ws-reject}: 403 {@code "no websocket here\n"}, also to upgrade requests
 *   <li>{@code /ws...}: WebSocket echo, frame by frame; text {@code close:CODE} makes the backend
 *       close with CODE; text {@code flood:N} makes it send N bytes in 16 KiB binary messages as
 *       fast as the connection lets it ({@link #floodedBytes}, {@link #floodWaiting})
 * </ul>
 *
 * <p>A number that does not parse (or a status outside 200 to 599), and a plain request to a {@code
 * /ws} path, are answered 400, so a typo fails loudly instead of echoing. {@code Expect:
 * 100-continue} is answered before the body is read.
 *
 * <p>Every HTTP response carries {@code x-backend: <name>} and {@code x-connection: <n>} (the
 * 1-based accept-order number of the connection). Connections are kept alive unless the client
 * sends {@code Connection: close} or the query has {@code close=1}.
 *
 * <p>Threading: one NIO event loop serves every connection; all methods of this class may be called
 * from any thread. Daemon threads, so a test that forgets {@link #close} cannot hang the JVM.
 */
public final class TestBackend implements AutoCloseable {
  private final String name;
  private final BackendLog log;
  private final EventLoopGroup loop;
  private final ChannelGroup connections;
  private final Channel server;
  private final BackendTls tls;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TestBackend(
      String name,
      BackendLog log,
      EventLoopGroup loop,
      ChannelGroup connections,
      Channel server,
      BackendTls tls) {
    this.name = name;
    this.log = log;
    this.loop = loop;
    this.connections = connections;
    this.server = server;
    this.tls = tls;
  }

  /**
   * Starts on 127.0.0.1 on an ephemeral port; {@code name} is sent back in an {@code x-backend}
   * header on every HTTP response.
   */
  public static TestBackend start(String name) {
    return start(name, 0);
  }

  /** Starts on 127.0.0.1:{@code port}, e.g. the port of a backend that was closed before. */
  public static TestBackend start(String name, int port) {
    return start(name, port, null);
  }

  /**
   * Starts an HTTPS (and {@code wss}) backend on 127.0.0.1 on an ephemeral port: every connection
   * begins with a TLS handshake under {@code server} (a server context; require client certificates
   * there to test them). What each handshake carried is recorded: {@link #takeServerName}, {@link
   * #takeClientSubject}.
   */
  public static TestBackend startTls(String name, SslContext server) {
    return start(name, 0, new BackendTls(server));
  }

  private static TestBackend start(String name, int port, BackendTls tls) {
    EventLoopGroup loop =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("test-backend-" + name, true), NioIoHandler.newFactory());
    try {
      BackendLog log = new BackendLog(name);
      ChannelGroup connections = new DefaultChannelGroup(loop.next());
      Channel server =
          new ServerBootstrap()
              .group(loop)
              .channel(NioServerSocketChannel.class)
              .childHandler(new BackendChannelInitializer(name, log, connections, tls))
              .bind(new InetSocketAddress("127.0.0.1", port))
              .syncUninterruptibly()
              .channel();
      return new TestBackend(name, log, loop, connections, server, tls);
    } catch (RuntimeException e) {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  /** {@code "127.0.0.1:PORT"}, as written in a Wharf endpoint address. */
  public String endpoint() {
    return "127.0.0.1:" + address().getPort();
  }

  public String name() {
    return name;
  }

  /**
   * The next request the backend fully received (head and whole body), waiting up to {@code
   * timeout}. Requests to {@code /reset}, {@code /close} and {@code /no-read} are recorded when
   * their head arrives, with an empty body, since the backend never reads on.
   *
   * @throws AssertionError when none arrives in time
   */
  public RecordedRequest takeRequest(Duration timeout) {
    return log.takeRequest(timeout);
  }

  /**
   * The next request whose connection closed after its head and before the end of its body (no
   * {@code 0\r\n\r\n}, or fewer bytes than its Content-Length), with the body bytes that did
   * arrive; such a request is never among {@link #takeRequest}'s and is never answered.
   *
   * @throws AssertionError when none is cut off in time
   */
  public RecordedRequest takeCutOffRequest(Duration timeout) {
    return log.takeCutOff(timeout);
  }

  /**
   * Fails, naming them, when the backend received requests that the test did not {@linkplain
   * #takeRequest take}: call it in {@code @AfterEach}, so a request a test caused but did not
   * expect (a retried or duplicated POST arriving late) fails that test instead of being discarded
   * by the next. Takes them first, so one stray request fails one test.
   */
  public void assertNoUnconsumedRequests() {
    assertNoUnconsumedRequests(r -> false);
  }

  /**
   * The same, but requests that {@code expectedUntaken} accepts are taken silently: for classes
   * whose tests prove each of some kind of request by its answer (a WebSocket handshake by its
   * echo) rather than by taking it here.
   */
  public void assertNoUnconsumedRequests(Predicate<RecordedRequest> expectedUntaken) {
    List<RecordedRequest> left = new ArrayList<>(log.takeUnconsumed());
    left.removeIf(expectedUntaken);
    if (!left.isEmpty()) {
      throw new AssertionError(
          "backend "
              + name
              + " received "
              + left.size()
              + " request(s) the test did not take: "
              + left.stream().map(r -> r.method() + " " + r.uri()).toList());
    }
  }

  /**
   * Answers ({@code 200 held}) every request to {@code /hold} received so far; until then the
   * backend holds them, so a test decides when their responses start.
   */
  public void releaseHeld() {
    log.releaseHeld();
  }

  /** Requests received so far that were not taken yet; does not wait. */
  public int pendingRequests() {
    return log.pendingRequests();
  }

  /** TCP connections accepted since start. */
  public int connectionsAccepted() {
    return log.connectionsAccepted();
  }

  /**
   * The SNI host name of the next TLS handshake in arrival order ({@code ""} when the client sent
   * none), waiting up to {@code timeout}. Only for a backend made by {@link #startTls}.
   */
  public String takeServerName(Duration timeout) {
    return tls.serverNames.take(timeout);
  }

  /**
   * The subject of the client certificate of the next successful handshake ({@code ""} when the
   * client presented none), waiting up to {@code timeout}. Only for {@link #startTls}.
   */
  public String takeClientSubject(Duration timeout) {
    return tls.clientSubjects.take(timeout);
  }

  /** Forgets the server names and client subjects recorded so far (between tests). */
  public void forgetHandshakes() {
    tls.serverNames.clear();
    tls.clientSubjects.clear();
  }

  /** Handshakes that failed so far (e.g. the client refused the certificate). */
  public int failedHandshakes() {
    return tls.failed.get();
  }

  /** TCP connections currently open. */
  public int openConnections() {
    return log.openConnections();
  }

  /**
   * The status code of the next WebSocket close frame the backend received (1005 when the frame had
   * none), in arrival order, waiting up to {@code timeout}.
   *
   * @throws AssertionError when none arrives in time
   */
  public int takeWebSocketCloseCode(Duration timeout) {
    return log.takeCloseCode(timeout);
  }

  /**
   * Whether every WebSocket frame received from clients was masked, as RFC 6455 requires; false
   * once any unmasked frame arrived (the backend then fails that connection with 1002).
   */
  public boolean allClientFramesMasked() {
    return log.allFramesMasked();
  }

  /** WebSocket payload bytes written by {@code flood:N} commands so far, on all connections. */
  public long floodedBytes() {
    return log.floodedBytes();
  }

  /**
   * Whether the last flood that wrote is waiting because its connection is not writable: the proxy
   * stopped reading it.
   */
  public boolean floodWaiting() {
    return log.floodWaiting();
  }

  /**
   * Stops listening, closes every connection (FIN) and stops the event loop, waiting at most about
   * five seconds. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  @Override
  public String toString() {
    return "TestBackend[" + name + " at " + endpoint() + "]";
  }
}
