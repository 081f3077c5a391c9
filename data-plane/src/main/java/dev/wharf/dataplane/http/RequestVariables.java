package dev.wharf.dataplane.http;

import dev.wharf.dataplane.clientaddress.ClientAddress;
import dev.wharf.dataplane.clientaddress.ClientAddresses;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The request-phase nginx variables of one request ({@code $remote_addr}, {@code $host}, {@code
 * $http_user_agent}, ...), computed on demand from the request head and the connection. Variables
 * without a value here render as "", as in nginx.
 */
public final class RequestVariables implements TemplateRenderer.VariableSource {
  private static final DateTimeFormatter TIME_LOCAL =
      DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
  private static final DateTimeFormatter TIME_ISO8601 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX", Locale.ROOT);

  private final HttpRequest request;
  private final RequestTarget target;
  private final ClientAddress client;
  private final InetSocketAddress local;
  private final String hostname;
  private final Supplier<String> requestIds;
  private String requestId;
  private String remoteAddr;
  private String host;
  private String serverName = "";
  private final Instant now;
  private final ZoneId zone;
  private final TlsFacts tls;
  private final ClientProtocol protocol;

  /**
   * The variables of a request read on {@code connection}; its client's address is resolved here,
   * once (see {@link ClientAddresses#resolve}), and what its TLS handshake established ({@link
   * TlsFacts}) is read when it has one.
   *
   * @param hostname this machine's name, resolved once at startup (never per request)
   * @param requestIds makes the unique id of {@code $request_id}, only if something asks
   * @param now when the request head was read, for {@code $time_local} and {@code $msec}
   */
  public RequestVariables(
      HttpRequest request,
      RequestTarget target,
      Channel connection,
      String hostname,
      Supplier<String> requestIds,
      Instant now,
      ZoneId zone) {
    this(
        request,
        target,
        ClientAddresses.resolve(connection, request),
        connection.localAddress(),
        connection.attr(TlsFacts.KEY).get(),
        ClientProtocol.of(connection),
        hostname,
        requestIds,
        now,
        zone);
  }

  /**
   * @param client the request's client, or null when the connection has no IP address
   */
  public RequestVariables(
      HttpRequest request,
      RequestTarget target,
      ClientAddress client,
      SocketAddress local,
      String hostname,
      Supplier<String> requestIds,
      Instant now,
      ZoneId zone) {
    this(
        request,
        target,
        client,
        local,
        null,
        ClientProtocol.HTTP_1_1,
        hostname,
        requestIds,
        now,
        zone);
  }

  private RequestVariables(
      HttpRequest request,
      RequestTarget target,
      ClientAddress client,
      SocketAddress local,
      TlsFacts tls,
      ClientProtocol protocol,
      String hostname,
      Supplier<String> requestIds,
      Instant now,
      ZoneId zone) {
    this.tls = tls;
    this.protocol = protocol;
    this.request = request;
    this.target = target;
    this.client = client;
    this.local = local instanceof InetSocketAddress l ? l : null;
    this.hostname = hostname;
    this.requestIds = requestIds;
    this.now = now;
    this.zone = zone;
  }

  /**
   * {@code $host} of this request ({@link #hostOf}), worked out once: routing and logs both ask.
   */
  public String host() {
    if (host == null) {
      host = hostOf(request);
    }
    return host;
  }

  /**
   * {@code $host}: the authority of an absolute-form target ({@code GET http://a.example/x}), which
   * RFC 9112 3.2.2 says wins over the Host header, as in nginx; else the Host header; in lower case
   * without its port, or "" when absent.
   */
  public static String hostOf(HttpRequest request) {
    String authority = absoluteAuthority(request.uri());
    String host = authority != null ? authority : request.headers().get(HttpHeaderNames.HOST, "");
    int colon = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
    if (colon > 0) {
      host = host.substring(0, colon);
    }
    return host.toLowerCase(Locale.ROOT);
  }

  /** The authority of an absolute-form request target, or null for any other form. */
  public static String absoluteAuthority(String uri) {
    if (uri.startsWith("/")) {
      return null;
    }
    int scheme = uri.indexOf("://");
    if (scheme < 0) {
      return null;
    }
    int start = scheme + 3;
    int end = start;
    while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
      end++;
    }
    return uri.substring(start, end);
  }

  @Override
  public String get(String name) {
    return switch (name) {
      case "remote_addr", "binary_remote_addr" -> remoteAddr();
      case "remote_port" -> port(client == null ? null : client.remote());
      case "realip_remote_addr" -> address(client == null ? null : client.peer());
      case "realip_remote_port" -> port(client == null ? null : client.peer());
      case "proxy_protocol_addr" -> address(client == null ? null : client.proxyProtocol());
      case "proxy_protocol_port" -> port(client == null ? null : client.proxyProtocol());
      case "server_addr" -> local == null ? "" : local.getAddress().getHostAddress();
      case "server_port" -> local == null ? "" : Integer.toString(local.getPort());
      case "host" -> host();
      case "hostname" -> hostname;
      case "server_name" -> serverName;
      case "scheme" -> tls == null ? "http" : "https";
      case "https" -> tls == null ? "" : "on";
      case "request" -> request.method() + " " + request.uri() + " " + serverProtocol();
      case "request_method" -> request.method().name();
      case "request_uri" -> request.uri();
      case "uri", "document_uri" -> target.path();
      case "args", "query_string" -> target.query();
      case "is_args" -> target.query().isEmpty() ? "" : "?";
      case "server_protocol" -> serverProtocol();
      case "http2" -> protocol.http2Variable();
      case "request_id" -> requestId();
      case "proxy_add_x_forwarded_for" -> forwardedFor();
      case "connection_upgrade" ->
          request.headers().contains(HttpHeaderNames.UPGRADE) ? "upgrade" : "close";
      case "content_type" -> request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
      case "content_length" -> request.headers().get(HttpHeaderNames.CONTENT_LENGTH, "");
      case "msec" ->
          now.getEpochSecond()
              + "."
              + String.format(Locale.ROOT, "%03d", now.getNano() / 1_000_000);
      case "time_local" -> TIME_LOCAL.format(now.atZone(zone));
      case "time_iso8601" -> TIME_ISO8601.format(now.atZone(zone));
      default -> name.startsWith("ssl_") ? ssl(name) : family(name);
    };
  }

  /**
   * {@code $server_name} from now on: the first name of the server (route) the request was matched
   * in; "" until it is routed.
   */
  void serverName(String name) {
    serverName = name;
  }

  private String serverProtocol() {
    return protocol.isHttp2() ? protocol.serverProtocol() : request.protocolVersion().text();
  }

  /** The {@code $ssl_*} variables: "" on a plain connection, as in nginx. */
  private String ssl(String name) {
    if (tls == null) {
      return "";
    }
    return switch (name) {
      case "ssl_protocol" -> tls.protocol();
      case "ssl_cipher" -> tls.cipher();
      case "ssl_server_name" -> tls.serverName();
      case "ssl_client_s_dn" -> tls.clientSubject();
      case "ssl_client_verify" -> tls.clientVerify();
      default -> "";
    };
  }

  /** As nginx prints addresses: IPv6 in its short form (RFC 5952), {@code 2001:db8::7}. */
  private static String address(InetSocketAddress a) {
    return a == null ? "" : NetUtil.toAddressString(a.getAddress());
  }

  /** nginx prints no port when there is none (0: an address from a header without one). */
  private static String port(InetSocketAddress a) {
    return a == null || a.getPort() == 0 ? "" : Integer.toString(a.getPort());
  }

  private String family(String name) {
    if (name.startsWith("http_")) {
      return header(name.substring(5).replace('_', '-'));
    }
    if (name.startsWith("cookie_")) {
      return Cookies.value(request.headers().getAll(HttpHeaderNames.COOKIE), name.substring(7));
    }
    if (name.startsWith("arg_")) {
      return target.argument(name.substring(4));
    }
    return "";
  }

  /** {@code $remote_addr}, formatted once per request (X-Real-IP and X-Forwarded-For both ask). */
  private String remoteAddr() {
    if (remoteAddr == null) {
      remoteAddr = address(client == null ? null : client.remote());
    }
    return remoteAddr;
  }

  /** All values of a header joined as nginx joins them: "; " for Cookie, ", " otherwise. */
  private String header(String headerName) {
    if (!request.headers().contains(headerName)) {
      return ""; // the usual case for X-Forwarded-For: no list to make
    }
    List<String> values = request.headers().getAll(headerName);
    if (values.isEmpty()) {
      return "";
    }
    return String.join(headerName.equalsIgnoreCase("cookie") ? "; " : ", ", values);
  }

  private String requestId() {
    if (requestId == null) {
      requestId = requestIds.get();
    }
    return requestId;
  }

  private String forwardedFor() {
    String existing = header("x-forwarded-for");
    String client = get("remote_addr");
    return existing.isEmpty() ? client : existing + ", " + client;
  }

  /** The request's client, or null when the connection has no IP address. */
  public ClientAddress client() {
    return client;
  }
}
