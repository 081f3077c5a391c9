package dev.wharf.dataplane.testing;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A request as a {@link TestBackend} received it: the head exactly as it arrived and the whole
 * body. Everything here is a copy made before Netty's buffers were released, so it may be read from
 * any thread at any time.
 *
 * @param method the request method, e.g. {@code GET}
 * @param uri the request-target exactly as received (path and query)
 * @param headers a copy of the request headers, a {@link
 *     io.netty.handler.codec.http.DefaultHttpHeaders}
 * @param body the body bytes; empty for behaviours that act on the head alone ({@code /reset},
 *     {@code /close}, {@code /no-read})
 * @param connectionNumber 1-based number of the TCP connection it came on, in accept order
 */
public record RecordedRequest(
    String method, String uri, HttpHeaders headers, byte[] body, int connectionNumber) {

  /** The first value of header {@code name} (case-insensitive), or {@code null}. */
  public String header(String name) {
    return headers.get(name);
  }
}
