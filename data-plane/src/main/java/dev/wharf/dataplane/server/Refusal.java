package dev.wharf.dataplane.server;

import dev.wharf.dataplane.http.Responses;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;

/**
 * A route's refusal of a request before anything is served ({@link RouteAdmission}), carrying
 * whether the connection survives it, so no caller decides that apart from the status: a limit's
 * refusal (limit_req, limit_conn: 429, 503) keeps the connection, as nginx's does (a client over
 * its rate would otherwise pay a new connection per refused request); a route check's (413, 501:
 * {@link RouteChecks}) closes it, as the request's body was not read.
 */
record Refusal(HttpResponseStatus status, boolean keepsConnection) {
  /** A limit_req or limit_conn refusal: the connection stays open for the next request. */
  static Refusal byLimit(HttpResponseStatus status) {
    return new Refusal(status, true);
  }

  /** A route check's refusal, the request's body unread: the connection closes after it. */
  static Refusal bodyUnread(HttpResponseStatus status) {
    return new Refusal(status, false);
  }

  /** The error response to send, with {@code Connection: close} when the connection ends. */
  FullHttpResponse response(ByteBufAllocator alloc, boolean head, Instant now) {
    return Responses.error(alloc, status, head, !keepsConnection, now);
  }
}
