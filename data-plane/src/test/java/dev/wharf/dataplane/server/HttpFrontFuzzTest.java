package dev.wharf.dataplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP/1 front on any bytes: they go through the real client pipeline ({@link
 * EmbeddedProxyNode}: strict codec, keep-alive, dispatcher, proxy) to embedded upstream connections
 * that answer each request with an empty 200. Nothing may be thrown, no buffer leaks (PARANOID),
 * and what reaches a backend must be well-formed HTTP/1.1 by {@link StrictRequestReference} (valid
 * method and target, fields that are tokens with values free of CR, LF and NUL, no Content-Length
 * twice or with Transfer-Encoding) and be the requests that the reference, reading the client's
 * bytes as strictly as RFC 9112 allows, finds there, in order: same method and target (origin-form
 * targets; absolute-form ones are rewritten by design). The front may refuse more than the
 * reference; it may never forward what the reference refuses.
 */
@ExtendWith(NettyLeakExtension.class)
class HttpFrontFuzzTest {
  private static final String CONFIG =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: 8080}
      upstreams:
        - name: app
          endpoints: [{address: "10.0.0.1:80"}]
      routes:
        - name: all
          match: {path: {prefix: /}}
          proxy: {upstream: app}
      """;
  private static final String ANSWER = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  private static final int ROUNDS = 6;

  @FuzzTest(maxDuration = "60s")
  void whatReachesTheBackendIsWellFormedAndWhatTheStrictReferenceReads(byte[] input) {
    List<StrictRequestReference.Head> sent = forward(input);
    StrictRequestReference.Reading client = StrictRequestReference.read(input);
    assertTrue(
        sent.size() <= client.heads().size(),
        () ->
            sent.size()
                + " requests forwarded, the reference reads "
                + client.heads().size()
                + (client.malformed() ? " and then refuses: " + client.why() : ""));
    // One upstream endpoint and keep-alive: the requests went out in the client's order.
    for (int i = 0; i < sent.size(); i++) {
      StrictRequestReference.Head want = client.heads().get(i);
      StrictRequestReference.Head got = sent.get(i);
      assertEquals(want.method(), got.method());
      if (want.target().startsWith("/")) {
        assertEquals(want.target(), got.target());
      }
    }
  }

  /** The harness is not vacuous: valid pipelined requests do reach the backend, in order. */
  @Test
  void validPipelinedRequestsReachTheBackendAsTheReferenceReadsThem() {
    byte[] two =
        ("POST /p HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /two HTTP/1.1\r\nHost: a.test\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    assertEquals(
        List.of("POST /p", "GET /two"),
        forward(two).stream().map(h -> h.method() + " " + h.target()).toList());
  }

  /** The requests the backend got, each checked to be well-formed. */
  private static List<StrictRequestReference.Head> forward(byte[] input) {
    Map<EmbeddedChannel, ByteArrayOutputStream> forwarded = new LinkedHashMap<>();
    try (EmbeddedProxyNode node = new EmbeddedProxyNode(CONFIG)) {
      EmbeddedChannel client = node.connect();
      ByteBuf in = PooledByteBufAllocator.DEFAULT.buffer(input.length).writeBytes(input);
      client.writeInbound(in);
      client.runPendingTasks();
      for (int round = 0; round < ROUNDS; round++) {
        drain(client);
        boolean answered = false;
        for (EmbeddedChannel up : List.copyOf(node.upstreams.opened())) {
          byte[] got = drain(up);
          forwarded.computeIfAbsent(up, u -> new ByteArrayOutputStream()).writeBytes(got);
          if (got.length > 0 && up.isActive()) {
            up.writeInbound(EmbeddedProxyNode.bytes(ANSWER));
            up.runPendingTasks();
            answered = true;
          }
        }
        client.runPendingTasks();
        if (!answered) {
          break;
        }
      }
      drain(client);
    }

    List<StrictRequestReference.Head> sent = new ArrayList<>();
    for (ByteArrayOutputStream stream : forwarded.values()) {
      StrictRequestReference.Reading backend = StrictRequestReference.read(stream.toByteArray());
      assertFalse(
          backend.malformed(), () -> "malformed to a backend: " + backend.why() + show(stream));
      for (StrictRequestReference.Head h : backend.heads()) {
        assertEquals("HTTP/1.1", h.version());
        sent.add(h);
      }
    }
    return sent;
  }

  private static byte[] drain(EmbeddedChannel ch) {
    ch.runPendingTasks();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
      if (o instanceof ByteBuf b) {
        byte[] bytes = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), bytes);
        out.writeBytes(bytes);
      }
      ReferenceCountUtil.release(o);
    }
    return out.toByteArray();
  }

  private static String show(ByteArrayOutputStream stream) {
    return "\n" + stream.toString(StandardCharsets.ISO_8859_1);
  }
}
