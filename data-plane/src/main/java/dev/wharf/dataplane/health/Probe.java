package dev.wharf.dataplane.health;

import dev.wharf.dataplane.upstream.UpstreamEndpoint;
import dev.wharf.proto.config.v1.HealthCheck;
import dev.wharf.proto.config.v1.StatusRange;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One active health check of one endpoint: a client connection of its own, opened on an event loop
 * and never blocking it. TCP: connected within the timeout. HTTP: the request's status is in the
 * expected ranges. WebSocket: a real upgrade answered {@code 101} with the right {@code
 * Sec-WebSocket-Accept}, then a masked close frame 1000.
 *
 * <p>Confined to its event loop; reports exactly one {@link Result} unless cancelled.
 */
final class Probe extends ChannelInboundHandlerAdapter {
  enum Result {
    SUCCESS,
    FAILURE,
    TIMEOUT;

    String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final List<StatusRange> DEFAULT_EXPECTED =
      List.of(StatusRange.newBuilder().setMin(200).setMax(399).build());

  private final HealthCheck check;
  private final String host;
  private final Consumer<Result> done;
  private final String webSocketKey;
  private Channel channel;
  private ScheduledFuture<?> deadline;
  private boolean finished;

  private Probe(HealthCheck check, String host, Consumer<Result> done, RandomGenerator random) {
    this.check = check;
    this.host = host;
    this.done = done;
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    this.webSocketKey = Base64.getEncoder().encodeToString(nonce);
  }

  /**
   * Starts a check of {@code endpoint} on {@code loop}; must be called on {@code loop}. HTTP and
   * WebSocket checks of a TLS upstream speak TLS with its settings (the request goes out after the
   * handshake; a failed handshake is a failed check); TCP checks stay TCP connects.
   */
  static Probe start(
      EventLoop loop,
      Class<? extends Channel> channelType,
      UpstreamEndpoint endpoint,
      HealthCheck check,
      Duration timeout,
      RandomGenerator random,
      Consumer<Result> done) {
    String host =
        check.hasHttp() && !check.getHttp().getHost().isEmpty()
            ? check.getHttp().getHost()
            : check.hasWebsocket() && !check.getWebsocket().getHost().isEmpty()
                ? check.getWebsocket().getHost()
                : endpoint.address();
    Probe probe = new Probe(check, host, done, random);
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())))
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    if (!check.hasTcp()) {
                      if (endpoint.tls() != null) {
                        SslHandler tls =
                            endpoint
                                .tls()
                                .newHandler(
                                    ch.alloc(),
                                    endpoint.host(),
                                    endpoint.socketAddress().getPort());
                        tls.setHandshakeTimeoutMillis(Math.max(1, timeout.toMillis()));
                        ch.pipeline().addLast(tls);
                      }
                      ch.pipeline().addLast(new HttpClientCodec());
                    }
                    ch.pipeline().addLast(probe);
                  }
                })
            .connect(endpoint.socketAddress());
    probe.channel = connect.channel();
    probe.deadline =
        loop.schedule(() -> probe.finish(Result.TIMEOUT), timeout.toNanos(), TimeUnit.NANOSECONDS);
    connect.addListener(f -> probe.connected(connect));
    return probe;
  }

  /** Stops the check without reporting (its endpoint or upstream left the config). */
  void cancel() {
    finished = true;
    deadline.cancel(false);
    channel.close();
  }

  private void connected(ChannelFuture connect) {
    if (finished) {
      return;
    }
    if (!connect.isSuccess()) {
      finish(connect.cause() instanceof ConnectTimeoutException ? Result.TIMEOUT : Result.FAILURE);
    } else if (check.hasTcp()) {
      finish(Result.SUCCESS);
    } else {
      SslHandler tls = channel.pipeline().get(SslHandler.class);
      if (tls == null) {
        sendRequest();
      } else {
        tls.handshakeFuture()
            .addListener(
                h -> {
                  if (h.isSuccess()) {
                    sendRequest();
                  } else {
                    finish(Result.FAILURE);
                  }
                });
      }
    }
  }

  private void sendRequest() {
    if (!finished) {
      channel.writeAndFlush(check.hasWebsocket() ? upgradeRequest() : httpRequest());
    }
  }

  private FullHttpRequest httpRequest() {
    HttpMethod method =
        check.getHttp().getMethod().isEmpty()
            ? HttpMethod.GET
            : HttpMethod.valueOf(check.getHttp().getMethod());
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            method,
            check.getHttp().getPath().isEmpty() ? "/" : check.getHttp().getPath());
    r.headers()
        .set(HttpHeaderNames.HOST, host)
        .set(HttpHeaderNames.USER_AGENT, "wharf-health-check")
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    }
    return r;
  }

  private FullHttpRequest upgradeRequest() {
    FullHttpRequest r =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.GET,
            check.getWebsocket().getPath().isEmpty() ? "/" : check.getWebsocket().getPath());
    r.headers()
        .set(HttpHeaderNames.HOST, host)
        .set(HttpHeaderNames.USER_AGENT, "wharf-health-check")
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
        .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
        .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, webSocketKey)
        .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    return r;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse response && !finished) {
        onResponse(ctx, response);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onResponse(ChannelHandlerContext ctx, HttpResponse response) {
    int status = response.status().code();
    if (!check.hasWebsocket()) {
      finish(expected(status) ? Result.SUCCESS : Result.FAILURE);
      return;
    }
    String accept = response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT);
    if (status != 101 || !expectedAccept().equals(accept)) {
      finish(Result.FAILURE);
      return;
    }
    finished = true;
    deadline.cancel(false);
    // From the codec's context, so the HTTP encoder (no longer in use) is bypassed and TLS is not.
    ctx.pipeline()
        .context(HttpClientCodec.class)
        .writeAndFlush(closeFrame(ctx))
        .addListener(ChannelFutureListener.CLOSE);
    done.accept(Result.SUCCESS);
  }

  private boolean expected(int status) {
    List<StatusRange> ranges =
        check.getHttp().getExpectedStatusesCount() == 0
            ? DEFAULT_EXPECTED
            : check.getHttp().getExpectedStatusesList();
    for (StatusRange r : ranges) {
      int max = r.getMax() == 0 ? r.getMin() : r.getMax();
      if (status >= r.getMin() && status <= max) {
        return true;
      }
    }
    return false;
  }

  private String expectedAccept() {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((webSocketKey + WS_GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }

  /** A client close frame, code 1000, masked as RFC 6455 requires of clients. */
  private ByteBuf closeFrame(ChannelHandlerContext ctx) {
    byte[] mask = webSocketKey.substring(0, 4).getBytes(StandardCharsets.US_ASCII);
    return ctx.alloc()
        .buffer(8)
        .writeByte(0x88)
        .writeByte(0x80 | 2)
        .writeBytes(mask)
        .writeByte((1000 >> 8) ^ mask[0])
        .writeByte((1000 & 0xff) ^ mask[1]);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finish(Result.FAILURE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    finish(Result.FAILURE);
  }

  private void finish(Result result) {
    if (finished) {
      return;
    }
    finished = true;
    deadline.cancel(false);
    channel.close();
    done.accept(result);
  }
}
