package dev.wharf.dataplane.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The timeline and outcome of one request, filled in as it moves along (routed, upstream connected,
 * response head, last byte). It feeds the access log and the latency metrics, and answers the
 * response-phase variables ({@code $status}, {@code $request_time}, {@code
 * $upstream_response_time}, ...) on top of the request's own.
 *
 * <p>Confined to the client connection's event loop. Times are from the injected ticker.
 */
public final class RequestRecord implements TemplateRenderer.VariableSource {
  private RequestVariables request;
  private final long startNanos;
  private String route = "";
  private int status;
  private long bodyBytesSent;

  /** Bytes of a compressed body as sent; -1 while the body is sent as written. */
  private long encodedBodyBytes = -1;

  private long requestBodyBytes;
  private long endNanos = -1;

  /** One entry per upstream attempt; rendered only when a log or header asks for it. */
  private static final class Attempt {
    final String address;
    int status = -1;
    long connectNanos = -1;
    long headerNanos = -1;
    long responseNanos = -1;

    Attempt(String address) {
      this.address = address;
    }
  }

  private final List<Attempt> attempts = new ArrayList<>(1);
  private String upstreamName = "";
  private HttpHeaders sentHeaders;
  private HttpHeaders upstreamHeaders;

  private final VariableMaps maps;

  /**
   * The variables the listener's access log renders; the only ones {@link #keepOnlyLogged} keeps.
   */
  private final List<String> logged;

  /** After {@link #keepOnlyLogged}: the values of {@link #logged}'s names, null for own ones. */
  private String[] kept;

  public RequestRecord(RequestVariables request, long startNanos) {
    this(request, startNanos, VariableMaps.NONE, List.of());
  }

  /**
   * @param maps the variables of the snapshot's {@code maps}, looked up when something asks
   * @param logged the variables the listener's access log renders (empty without a log)
   */
  public RequestRecord(
      RequestVariables request, long startNanos, VariableMaps maps, List<String> logged) {
    this.request = request;
    this.startNanos = startNanos;
    this.maps = maps;
    this.logged = logged;
  }

  /** The request's variables; null after {@link #keepOnlyLogged}. */
  public RequestVariables request() {
    return request;
  }

  /**
   * For a request that outlives its exchange (a WebSocket, whose line is logged when it ends): the
   * logged variables that come from the request and the heads (headers, cookies, arguments, maps,
   * {@code $sent_http_*}, {@code $upstream_http_*}) take their values now, and the request and the
   * heads are let go, so a long-lived WebSocket keeps a few strings instead of two heads. The
   * record's own variables ({@code $status}, {@code $request_time}, ...) keep their live values. A
   * map whose source is one of those is evaluated now, with the value it has at the handshake. From
   * then on only the logged variables have values. Call once, when the heads are final.
   */
  public void keepOnlyLogged() {
    String[] values = new String[logged.size()];
    for (int i = 0; i < values.length; i++) {
      String name = logged.get(i);
      values[i] = own(name) != null ? null : prefixed(name);
    }
    kept = values;
    request = null;
    sentHeaders = null;
    upstreamHeaders = null;
  }

  public long startNanos() {
    return startNanos;
  }

  public String route() {
    return route;
  }

  public void routed(String routeName) {
    route = routeName;
  }

  /** Routed to {@code routeName}, whose server's first name is {@code serverName}. */
  public void routed(String routeName, String serverName) {
    route = routeName;
    request.serverName(serverName);
  }

  public int status() {
    return status;
  }

  /** The response head sent to the client. */
  public void responded(int statusCode, HttpHeaders headers) {
    status = statusCode;
    sentHeaders = headers;
  }

  public void bodySent(long bytes) {
    bodyBytesSent += bytes;
  }

  /**
   * The response counted so far never reached the client: an error page replaces it, and its body
   * counts from zero. {@code $body_bytes_sent} counts what the client got, as nginx's does.
   */
  public void bodyReplaced() {
    bodyBytesSent = 0;
    encodedBodyBytes = -1;
  }

  /**
   * The body went out compressed, {@code bytes} more of it: {@code $body_bytes_sent} then counts
   * what was sent, as nginx does, not what was written before compression.
   */
  public void bodyEncoded(long bytes) {
    encodedBodyBytes = Math.max(encodedBodyBytes, 0) + bytes;
  }

  public void bodyReceived(long bytes) {
    requestBodyBytes += bytes;
  }

  public long requestBodyBytes() {
    return requestBodyBytes;
  }

  /** One attempt at an upstream endpoint, as nginx lists them: "10.0.0.1:80, 10.0.0.2:80". */
  public void upstreamAttempt(String upstream, String address) {
    upstreamName = upstream;
    attempts.add(new Attempt(address));
  }

  /** The attempt ended; times are since the request started, -1 when the step never came. */
  public void upstreamDone(
      int statusCode, long connectNanos, long headerNanos, long endNanosAt, HttpHeaders headers) {
    Attempt a = attempts.get(attempts.size() - 1);
    a.status = statusCode;
    a.connectNanos = connectNanos;
    a.headerNanos = headerNanos;
    a.responseNanos = endNanosAt;
    if (headers != null) {
      upstreamHeaders = headers;
    }
  }

  public void finished(long nanos) {
    endNanos = nanos;
  }

  /** Response body bytes sent to the client as they went on the wire (compressed, if so). */
  public long bodyBytesOnTheWire() {
    return encodedBodyBytes >= 0 ? encodedBodyBytes : bodyBytesSent;
  }

  /** Response body bytes written before any compression: for a proxied one, what came upstream. */
  public long bodyBytesWritten() {
    return bodyBytesSent;
  }

  public long durationNanos() {
    return endNanos < 0 ? 0 : endNanos - startNanos;
  }

  @Override
  public String get(String name) {
    String own = own(name);
    if (own != null) {
      return own;
    }
    return kept == null ? prefixed(name) : keptValue(name);
  }

  private String keptValue(String name) {
    int i = logged.indexOf(name);
    return i < 0 || kept[i] == null ? "" : kept[i];
  }

  /** The variables this record answers from its own fields; null for any other name. */
  private String own(String name) {
    return switch (name) {
      case "status" -> status == 0 ? "" : Integer.toString(status);
      case "body_bytes_sent" -> Long.toString(bodyBytesOnTheWire());
      case "bytes_sent" -> Long.toString(bodyBytesOnTheWire()); // head bytes are not counted
      case "request_length" -> Long.toString(requestBodyBytes);
      case "request_time" -> seconds(durationNanos());
      case "upstream_addr" -> list(a -> a.address);
      case "upstream_status" -> list(a -> a.status < 0 ? "-" : Integer.toString(a.status));
      case "upstream_connect_time" -> list(a -> seconds(a.connectNanos));
      case "upstream_header_time" -> list(a -> seconds(a.headerNanos));
      case "upstream_response_time" -> list(a -> seconds(a.responseNanos));
      case "proxy_host" -> upstreamName;
      default -> null;
    };
  }

  private String prefixed(String name) {
    if (name.startsWith("sent_http_")) {
      return headerOf(sentHeaders, name.substring("sent_http_".length()));
    }
    if (name.startsWith("upstream_http_")) {
      return headerOf(upstreamHeaders, name.substring("upstream_http_".length()));
    }
    String mapped = maps.lookup(name, this);
    return mapped != null ? mapped : request.get(name);
  }

  private static String headerOf(HttpHeaders headers, String variable) {
    if (headers == null) {
      return "";
    }
    return headers.get(variable.replace('_', '-'), "");
  }

  /** One value per attempt, as nginx lists them: "10.0.0.1:80, 10.0.0.2:80". */
  private String list(Function<Attempt, String> value) {
    if (attempts.isEmpty()) {
      return "";
    }
    if (attempts.size() == 1) {
      return value.apply(attempts.get(0));
    }
    StringBuilder out = new StringBuilder();
    for (Attempt a : attempts) {
      if (!out.isEmpty()) {
        out.append(", ");
      }
      out.append(value.apply(a));
    }
    return out.toString();
  }

  /** nginx's "%T.%03M": seconds with milliseconds; "-" when the step never happened. */
  static String seconds(long nanos) {
    if (nanos < 0) {
      return "-";
    }
    long millis = nanos / 1_000_000;
    long fraction = millis % 1000;
    return (millis / 1000) + (fraction < 10 ? ".00" : fraction < 100 ? ".0" : ".") + fraction;
  }
}
