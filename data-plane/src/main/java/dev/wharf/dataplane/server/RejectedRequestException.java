package dev.wharf.dataplane.server;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Why {@link StrictRequestDecoder} refused a request head, and the status the client gets for it.
 * It travels as the cause of the failed {@link io.netty.handler.codec.DecoderResult} of the request
 * the decoder emits in place of the refused one.
 */
final class RejectedRequestException extends DecoderException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;

  RejectedRequestException(HttpResponseStatus status, String reason) {
    super(reason);
    this.status = status;
  }

  HttpResponseStatus status() {
    return status;
  }

  /** No stack trace: a refused head is the client's doing, and common under attack. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
