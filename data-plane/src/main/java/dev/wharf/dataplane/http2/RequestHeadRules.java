package dev.wharf.dataplane.http2;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import java.util.List;

/**
 * What makes a request head malformed (RFC 9113 8.3.1, 8.1.1) beyond what Netty's HPACK decoder
 * already refuses (upper-case names, connection-specific fields, {@code te} other than {@code
 * trailers}, pseudo-headers after regular ones, unknown or repeated pseudo-headers).
 *
 * <p>Netty lets a request without {@code :method}, {@code :scheme} or {@code :path} through to the
 * stream; the HTTP/1.1 conversion then fails without an answer (the stream hangs until the client
 * gives up, holding one of its concurrent streams) or, without {@code :scheme}, is forwarded. And
 * {@code content-length} repeated with different values would leave the body's length to whichever
 * value a backend reads. Each such head is refused with {@code RST_STREAM PROTOCOL_ERROR}.
 */
final class RequestHeadRules {
  private RequestHeadRules() {}

  /** Why {@code headers} is malformed, or null when it is a well-formed request head. */
  static String malformed(Http2Headers headers) {
    CharSequence method = headers.method();
    if (method == null || method.length() == 0) {
      return "no :method";
    }
    boolean plainConnect =
        HttpMethod.CONNECT.asciiName().contentEquals(method)
            && !headers.contains(PseudoHeaderName.PROTOCOL.value());
    if (plainConnect) {
      return headers.authority() == null ? "CONNECT without :authority" : null;
    }
    if (headers.scheme() == null || headers.scheme().length() == 0) {
      return "no :scheme";
    }
    if (headers.path() == null || headers.path().length() == 0) {
      return "no :path";
    }
    if (!isToken(method)) {
      return "a :method that is not a token";
    }
    if (!isTarget(headers.path())) {
      return "a space or control character in :path";
    }
    List<CharSequence> lengths = headers.getAll(HttpHeaderNames.CONTENT_LENGTH);
    for (CharSequence length : lengths) {
      if (!isDigits(length) || !length.toString().equals(lengths.get(0).toString())) {
        return "content-length " + lengths;
      }
    }
    return null;
  }

  /**
   * nginx refuses a space or a control character in a request target ("client sent invalid :path
   * header"); Netty's HTTP/1.1 conversion throws on one after allocating the body's buffer, which
   * then leaks, and the stream ends in a bare CANCEL.
   */
  private static boolean isTarget(CharSequence path) {
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** RFC 9110 5.6.2's token, which a method is. */
  private static boolean isToken(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alphanumeric =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigits(CharSequence s) {
    if (s.length() == 0 || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
