package dev.wharf.dataplane.server;

import dev.wharf.dataplane.compression.ResponseCompression;
import dev.wharf.dataplane.compression.ResponseCompressor;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.routing.CompiledRoute;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.stream.ChunkedWriteHandler;

/**
 * The handlers a response may need on its way to the client besides the codec: the compressor and
 * the chunked file writer. On an HTTP/1.1 connection each joins the pipeline only at the first
 * request whose route needs it (a route that compresses; a route that serves files) and stays for
 * the connection's other requests: a connection that never meets such a route pays no handler and
 * no hop per write for them. Both are where they were when added at once: the compressor right
 * after the codec, the chunked writer in front of it (so file chunks get compressed).
 *
 * <p>Confined to the connection's event loop, like the dispatcher that owns it.
 */
final class ResponseHandlers {
  private ResponseCompressor compressor; // null until the first route that compresses

  private ResponseHandlers(ResponseCompressor compressor) {
    this.compressor = compressor;
  }

  /** None yet: each handler joins when a route first needs it. */
  static ResponseHandlers lazy() {
    return new ResponseHandlers(null);
  }

  /** Handlers already in the pipeline (an HTTP/2 stream's, which lives for one request). */
  static ResponseHandlers present(ResponseCompressor compressor) {
    return new ResponseHandlers(compressor);
  }

  /**
   * Before the request routed to {@code route} is served: adds what its response may need, and
   * hands the compressor the request's plan ({@code compression}).
   */
  void prepare(
      ChannelPipeline p,
      CompiledRoute route,
      ResponseCompression compression,
      RequestRecord record) {
    if (compressor == null && compression != ResponseCompression.OFF) {
      compressor = new ResponseCompressor();
      p.addAfter(
          HttpFrontendInitializer.HTTP_CODEC, HttpFrontendInitializer.COMPRESSION, compressor);
    }
    if (compressor != null) {
      compressor.expect(compression, record);
    }
    if (route.files() != null && p.get(HttpFrontendInitializer.CHUNKED_WRITER) == null) {
      p.addBefore(
          HttpFrontendInitializer.FLOW_CONTROL,
          HttpFrontendInitializer.CHUNKED_WRITER,
          new ChunkedWriteHandler());
    }
  }

  /** Takes the handlers out of {@code p}, those that joined it (for the WebSocket relay). */
  static void remove(ChannelPipeline p) {
    if (p.get(HttpFrontendInitializer.CHUNKED_WRITER) != null) {
      p.remove(HttpFrontendInitializer.CHUNKED_WRITER);
    }
    if (p.get(HttpFrontendInitializer.COMPRESSION) != null) {
      p.remove(HttpFrontendInitializer.COMPRESSION);
    }
  }
}
