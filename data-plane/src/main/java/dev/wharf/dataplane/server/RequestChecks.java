package dev.wharf.dataplane.server;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/** Request heads nginx refuses before routing, and the status it refuses them with. */
final class RequestChecks {
  private RequestChecks() {}

  /** The status for a head that cannot be accepted, or null. */
  static HttpResponseStatus malformedStatus(HttpRequest request) {
    DecoderResult result = request.decoderResult();
    if (result.isFailure()) {
      Throwable cause = result.cause();
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
    if (request.headers().getAll(HttpHeaderNames.HOST).size() > 1) {
      return HttpResponseStatus.BAD_REQUEST;
    }
    return null;
  }
}
