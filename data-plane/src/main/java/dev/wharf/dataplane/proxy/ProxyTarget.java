package dev.wharf.dataplane.proxy;

import com.google.re2j.Pattern;
import dev.wharf.config.Durations;
import dev.wharf.config.LinearRegex;
import dev.wharf.config.Template;
import dev.wharf.dataplane.drain.DrainSettings;
import dev.wharf.dataplane.http.HeaderRuleSet;
import dev.wharf.dataplane.upstream.CompiledUpstream;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Route;
import java.time.Duration;

/**
 * What a proxy route does, compiled once per snapshot: where to, how the path is rewritten, which
 * headers change, and its timeouts with nginx's defaults filled in.
 *
 * @param rewrite the path regex, or null when the path is sent as received
 * @param connectRetries further endpoints tried after a failed connect
 * @param ownDrain the route's own drain policy, or null when it follows its upstream's
 * @param webSocketMaxMessageSize the largest WebSocket message relayed, in payload bytes
 * @param nextUpstream when a request goes to the next endpoint (nginx proxy_next_upstream)
 * @param uri the request target template (nginx proxy_pass with variables), or null
 * @param locationRewrites nginx proxy_redirect: the Location and Refresh rewrites of responses
 */
public record ProxyTarget(
    CompiledUpstream upstream,
    Pattern rewrite,
    Template replacement,
    HeaderRuleSet requestHeaders,
    Duration connectTimeout,
    Duration readTimeout,
    Duration sendTimeout,
    boolean webSocketEnabled,
    Duration webSocketIdleTimeout,
    int connectRetries,
    DrainSettings ownDrain,
    long webSocketMaxMessageSize,
    NextUpstreamRules nextUpstream,
    Template uri,
    LocationRewrites locationRewrites) {
  /** nginx proxy_read_timeout and proxy_send_timeout. */
  static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(60);

  /** Long, unlike nginx's 60 s read timeout that silently cuts quiet WebSockets. */
  static final Duration DEFAULT_WEBSOCKET_IDLE_TIMEOUT = Duration.ofHours(1);

  /** Generous: big enough for any chat or RPC message, small enough to bound a runaway one. */
  static final long DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE = 16L << 20;

  /** Compiles the proxy action of a validated route against its snapshot's upstreams. */
  public static ProxyTarget compile(Route route, CompiledUpstream upstream) {
    ProxyAction p = route.getProxy();
    return new ProxyTarget(
        upstream,
        p.hasRewrite() ? LinearRegex.compile(p.getRewrite().getRegex(), false) : null,
        p.hasRewrite() ? Template.parse(p.getRewrite().getReplacement()) : null,
        HeaderRuleSet.compile(route.getRequestHeaders()),
        p.hasConnectTimeout() ? Durations.toJava(p.getConnectTimeout()) : upstream.connectTimeout(),
        p.hasReadTimeout() ? Durations.toJava(p.getReadTimeout()) : DEFAULT_IO_TIMEOUT,
        p.hasSendTimeout() ? Durations.toJava(p.getSendTimeout()) : DEFAULT_IO_TIMEOUT,
        !p.hasWebsocket() || !p.getWebsocket().hasEnabled() || p.getWebsocket().getEnabled(),
        p.getWebsocket().hasIdleTimeout()
            ? Durations.toJava(p.getWebsocket().getIdleTimeout())
            : DEFAULT_WEBSOCKET_IDLE_TIMEOUT,
        p.hasConnectRetries() ? p.getConnectRetries() : 1,
        DrainSettings.ofRoute(p),
        p.getWebsocket().hasMaxMessageSize()
            ? p.getWebsocket().getMaxMessageSize().getBytes()
            : DEFAULT_WEBSOCKET_MAX_MESSAGE_SIZE,
        NextUpstreamRules.of(p),
        p.getUri().isEmpty() ? null : Template.parse(p.getUri()),
        LocationRewrites.of(p));
  }

  /** The policy for its WebSockets: the route's own, else its upstream's. */
  public DrainSettings drain() {
    return DrainSettings.inForce(ownDrain, upstream.drain());
  }
}
