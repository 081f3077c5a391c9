package dev.wharf.dataplane.http;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * A user event fired into a client connection's pipeline when the node drains and wants that
 * connection to end gracefully: an idle HTTP connection closes at once, one with a request in
 * flight sends {@code Connection: close} with its response; an HTTP/2 connection sends GOAWAY and
 * closes after its last stream. A WebSocket ignores it: the node's {@code ConnectionDrainer} gives
 * each its {@code 1001} in turn, spread out.
 */
public enum GoAway {
  INSTANCE;

  private static final AttributeKey<Boolean> SENT = AttributeKey.valueOf(GoAway.class, "sent");

  /** Records that {@code connection} was told to go away (its streams ask {@link #sent}). */
  public static void markSent(Channel connection) {
    connection.attr(SENT).set(Boolean.TRUE);
  }

  /** Whether the connection of {@code channel} (or of its stream) was told to go away. */
  public static boolean sent(Channel channel) {
    return Boolean.TRUE.equals(ClientProtocol.connectionOf(channel).attr(SENT).get());
  }
}
