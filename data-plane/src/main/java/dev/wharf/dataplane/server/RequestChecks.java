package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.RequestVariables;
import dev.wharf.dataplane.http.UriPaths;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Request heads nginx refuses before routing, and the status it refuses them with. */
final class RequestChecks {
  private RequestChecks() {}

  /** The status for a head that cannot be accepted, or null. */
  static HttpResponseStatus malformedStatus(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
      if (cause instanceof RejectedRequestException rejected) {
        return rejected.status(); // the strict decoder's verdict on the raw head
      }
      if (cause instanceof TooLongHttpLineException) {
        return HttpResponseStatus.REQUEST_URI_TOO_LONG;
      }
      if (cause instanceof TooLongHttpHeaderException) {
        return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      }
      // Includes Content-Length with Transfer-Encoding and conflicting lengths: smuggling.
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && !request.headers().contains(HttpHeaderNames.HOST)) {
      return HttpResponseStatus.BAD_REQUEST; // RFC 9112 3.2, as nginx
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.size() == 1 && !isAuthority(hosts.get(0)))) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    String absolute = RequestVariables.absoluteAuthority(request.uri());
    if (absolute != null && !isAuthority(absolute)) {
      return HttpResponseStatus.BAD_REQUEST; // it routes the request, so it is held to the same
    }
    HttpResponseStatus coding = transferCodingStatus(request);
    if (coding != null) {
      return coding;
    }
    if (request.method().equals(HttpMethod.TRACE)) {
      return HttpResponseStatus.METHOD_NOT_ALLOWED; // nginx never echoes a request back
    }
    return null;
  }

  /** The request's target, parsed; null when its path cannot be (a 400). */
  static RequestTarget target(HttpRequest request) {
    try {
      return RequestTarget.parse(request.uri());
    } catch (UriPaths.BadPathException e) {
      return null;
    }
  }

  /**
   * nginx's {@code underscores_in_headers off}: a header named with {@code _} is ignored, neither a
   * variable nor forwarded; a backend that maps {@code -} and {@code _} alike (CGI, many
   * frameworks) would otherwise take {@code X_User} for {@code X-User}.
   */
  static void dropUnderscoredHeaders(HttpHeaders headers) {
    List<CharSequence> underscored = null;
    // Entries, not names(): names() builds a set of strings for every request.
    Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
    while (entries.hasNext()) {
      CharSequence name = entries.next().getKey();
      if (hasUnderscore(name)) {
        if (underscored == null) {
          underscored = new ArrayList<>(2);
        }
        underscored.add(name);
      }
    }
    if (underscored != null) {
      underscored.forEach(headers::remove);
    }
  }

  private static boolean hasUnderscore(CharSequence name) {
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '_') {
        return true;
      }
    }
    return false;
  }

  /**
   * nginx 1.22 takes {@code Transfer-Encoding: chunked} alone: any other coding is 501 ("client
   * sent unknown Transfer-Encoding"), as Netty would remove the chunked framing and forward the
   * body with the other coding silently dropped; on HTTP/1.0 the header is 400.
   */
  private static HttpResponseStatus transferCodingStatus(HttpRequest request) {
    if (!request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
      return null; // nearly every request: no list to make
    }
    List<String> codings = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    if (codings.size() > 1 || !codings.get(0).strip().equalsIgnoreCase("chunked")) {
      return HttpResponseStatus.NOT_IMPLEMENTED;
    }
    return null;
  }

  /**
   * Whether a Host value is {@code host [":" port]} (RFC 9110 7.2): a reg-name or IPv4 address of
   * unreserved and sub-delim characters without an empty label ({@code a..b}), or an IP literal in
   * brackets; no {@code /}, no spaces, no userinfo ({@code @}).
   */
  static boolean isAuthority(String value) {
    String host = value;
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      if (close < 0) {
        return false;
      }
      for (int i = 1; i < close; i++) {
        char c = host.charAt(i);
        if (!(isHexDigit(c) || c == ':' || c == '.')) {
          return false;
        }
      }
      return isPort(host.substring(close + 1));
    }
    int colon = host.indexOf(':');
    if (colon >= 0) {
      if (!isPort(host.substring(colon))) {
        return false;
      }
      host = host.substring(0, colon);
    }
    if (host.isEmpty() || host.contains("..") || host.startsWith(".")) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "-._~!$&'()*+,;=%".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** Empty, or {@code ":"} and at most five digits. */
  private static boolean isPort(String suffix) {
    if (suffix.isEmpty()) {
      return true;
    }
    if (suffix.charAt(0) != ':' || suffix.length() > 6) {
      return false;
    }
    for (int i = 1; i < suffix.length(); i++) {
      if (suffix.charAt(i) < '0' || suffix.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /**
   * Whether the connection may go on after {@code response}, made by the node, to {@code request}.
   * After a 400 the next request cannot be trusted to start where this one seemed to end.
   */
  static boolean keepsAlive(HttpRequest request, FullHttpResponse response) {
    return HttpUtil.isKeepAlive(request)
        && response.status().code() != HttpResponseStatus.BAD_REQUEST.code()
        && !response.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
  }
}
