package dev.wharf.dataplane.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;

/**
 * The protocol a client connection speaks, set on the connection when it is known (after ALPN, or
 * after the first bytes on a listener that accepts h2c). Requests of an HTTP/2 connection each run
 * on a stream channel; {@link #connectionOf} finds the connection from either.
 */
public enum ClientProtocol {
  HTTP_1_1("http/1.1", "", null),
  /** HTTP/2 over TLS, chosen through ALPN. */
  H2("h2", "h2", "HTTP/2.0"),
  /** HTTP/2 in cleartext, with prior knowledge. */
  H2C("h2c", "h2c", "HTTP/2.0");

  private static final AttributeKey<ClientProtocol> KEY =
      AttributeKey.valueOf(ClientProtocol.class, "client-protocol");

  private final String label;
  private final String http2Variable;
  private final String serverProtocol;

  ClientProtocol(String label, String http2Variable, String serverProtocol) {
    this.label = label;
    this.http2Variable = http2Variable;
    this.serverProtocol = serverProtocol;
  }

  /** The {@code protocol} label of the metrics: the ALPN name. */
  public String label() {
    return label;
  }

  /** nginx's {@code $http2}: {@code h2}, {@code h2c}, or "" for HTTP/1.x. */
  public String http2Variable() {
    return http2Variable;
  }

  /**
   * nginx's {@code $server_protocol} for HTTP/2 ({@code HTTP/2.0}); for HTTP/1.x, null: the
   * request's own version says it.
   */
  public String serverProtocol() {
    return serverProtocol;
  }

  public boolean isHttp2() {
    return this != HTTP_1_1;
  }

  /** Records that {@code connection} speaks {@code protocol}. */
  public static void set(Channel connection, ClientProtocol protocol) {
    connection.attr(KEY).set(protocol);
  }

  /** What {@code channel}'s connection speaks; HTTP/1.1 until said otherwise. */
  public static ClientProtocol of(Channel channel) {
    ClientProtocol p = connectionOf(channel).attr(KEY).get();
    return p == null ? HTTP_1_1 : p;
  }

  /** The client connection of {@code channel}: itself, or the connection of an HTTP/2 stream. */
  public static Channel connectionOf(Channel channel) {
    return channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
  }
}
