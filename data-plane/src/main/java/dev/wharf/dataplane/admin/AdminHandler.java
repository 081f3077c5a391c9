package dev.wharf.dataplane.admin;

import dev.wharf.config.ConfigDocuments;
import dev.wharf.dataplane.http.Responses;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers admin requests, one aggregated request at a time, on the admin event loop.
 *
 * <ul>
 *   <li>{@code /metrics}: 200, the registry's Prometheus text (format 0.0.4).
 *   <li>{@code /healthz}: 200 {@code ok} while the process runs.
 *   <li>{@code /readyz}: 200 {@code ready}, or 503 {@code not ready}.
 *   <li>{@code /config}: 200, the applied config as YAML with {@code x-wharf-config-version}; 503
 *       {@code no config} before one is applied.
 *   <li>{@code /config/version}: 200 {@code {"version":N,"applied_at":"<ISO-8601>"}}; 503 as above.
 * </ul>
 *
 * Other paths are 404; other methods than GET and HEAD 405. Bodies are short and never carry an
 * exception's text. Stateless, so one instance serves every admin connection.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  static final AsciiString CONFIG_VERSION = AsciiString.cached("x-wharf-config-version");
  static final String TEXT = "text/plain; charset=utf-8";
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String YAML = "application/yaml; charset=utf-8";
  static final String JSON = "application/json";
  private static final String ALLOWED = "GET, HEAD";

  private final PrometheusMeterRegistry registry;
  private final AdminState state;
  private final Clock clock;

  AdminHandler(PrometheusMeterRegistry registry, AdminState state, Clock clock) {
    this.registry = registry;
    this.state = state;
    this.clock = clock;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    Instant now = clock.instant();
    boolean head = HttpMethod.HEAD.equals(request.method());
    if (request.decoderResult().isFailure()) {
      ctx.writeAndFlush(
              Responses.error(ctx.alloc(), HttpResponseStatus.BAD_REQUEST, head, true, now))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    if (!isKnown(path)) {
      ctx.writeAndFlush(
          Responses.error(ctx.alloc(), HttpResponseStatus.NOT_FOUND, head, false, now));
      return;
    }
    if (!head && !HttpMethod.GET.equals(request.method())) {
      FullHttpResponse refused =
          Responses.error(ctx.alloc(), HttpResponseStatus.METHOD_NOT_ALLOWED, false, false, now);
      refused.headers().set(HttpHeaderNames.ALLOW, ALLOWED);
      ctx.writeAndFlush(refused);
      return;
    }
    FullHttpResponse response;
    try {
      response = answer(ctx, path, head, now);
    } catch (RuntimeException e) {
      log.warn("admin {} failed", path, e);
      response =
          Responses.error(ctx.alloc(), HttpResponseStatus.INTERNAL_SERVER_ERROR, head, false, now);
    }
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    ctx.writeAndFlush(response);
  }

  private static boolean isKnown(String path) {
    return switch (path) {
      case "/metrics", "/healthz", "/readyz", "/config", "/config/version" -> true;
      default -> false;
    };
  }

  private FullHttpResponse answer(
      ChannelHandlerContext ctx, String path, boolean head, Instant now) {
    return switch (path) {
      case "/metrics" ->
          text(ctx, HttpResponseStatus.OK, PROMETHEUS_TEXT, registry.scrape(), head, now);
      case "/healthz" -> text(ctx, HttpResponseStatus.OK, TEXT, "ok\n", head, now);
      case "/readyz" ->
          state.ready()
              ? text(ctx, HttpResponseStatus.OK, TEXT, "ready\n", head, now)
              : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "not ready\n", head, now);
      case "/config" -> config(ctx, false, head, now);
      case "/config/version" -> config(ctx, true, head, now);
      default -> throw new IllegalStateException("unrouted admin path " + path);
    };
  }

  private FullHttpResponse config(
      ChannelHandlerContext ctx, boolean versionOnly, boolean head, Instant now) {
    AppliedConfig applied = state.current();
    if (applied == null) {
      return text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, "no config\n", head, now);
    }
    FullHttpResponse response =
        versionOnly
            ? text(
                ctx,
                HttpResponseStatus.OK,
                JSON,
                "{\"version\":"
                    + applied.version()
                    + ",\"applied_at\":\""
                    + applied.appliedAt()
                    + "\"}\n",
                head,
                now)
            : text(
                ctx,
                HttpResponseStatus.OK,
                YAML,
                ConfigDocuments.toYaml(applied.config()),
                head,
                now);
    response.headers().set(CONFIG_VERSION, applied.version());
    return response;
  }

  private static FullHttpResponse text(
      ChannelHandlerContext ctx,
      HttpResponseStatus status,
      String contentType,
      String body,
      boolean head,
      Instant now) {
    return Responses.text(ctx.alloc(), status, contentType, body, head, now);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
    ctx.close();
  }
}
