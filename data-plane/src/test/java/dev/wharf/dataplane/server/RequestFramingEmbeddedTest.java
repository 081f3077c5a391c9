package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The request-framing table ({@link RequestFramingRows}) through the node's own client pipeline
 * ({@link HttpFrontendInitializer}) and upstream pipeline ({@link UpstreamHttpPipeline}) on
 * embedded channels: what the client gets, whether its connection closes, and the exact bytes
 * written to the endpoint, which answers each request it gets whole.
 */
@ExtendWith(NettyLeakExtension.class)
class RequestFramingEmbeddedTest {
  static final String CONFIG =
      """
      listeners:
        - {name: web, address: 127.0.0.1, port: 8080, %s}
      upstreams:
        - name: app
          endpoints: [{address: "10.0.0.1:80"}]
      routes:
        - name: app
          match: {path: {prefix: /}}
          proxy: {upstream: app}
      """
          .formatted(RequestFramingRows.LIMITS);

  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

  private final EmbeddedProxyNode node = new EmbeddedProxyNode(CONFIG);
  private final EmbeddedChannel client = node.connect();

  @AfterEach
  void releaseEverything() {
    node.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.wharf.dataplane.server.RequestFramingRows#rows")
  void aRequestGetsItsStatusItsCloseAndTheEndpointExactlyItsBytes(RequestFramingRows.Row row) {
    for (String part : row.parts()) {
      send(client, part);
    }
    StringBuilder upstream = new StringBuilder();
    StringBuilder response = new StringBuilder(written(client));
    boolean cut = false;
    for (int turn = 0; turn < 10; turn++) {
      boolean answered = false;
      for (EmbeddedChannel up : node.upstreams.opened()) {
        String got = written(up);
        upstream.append(got);
        if (!got.isEmpty() && up.isActive()) {
          ProxyExchangeTest.answer(up, RequestFramingRows.endpointAnswer());
          answered = true;
        } else if (!got.isEmpty()) {
          cut = true;
        }
      }
      response.append(written(client));
      if (!answered) {
        break;
      }
    }

    assertEquals(row.statuses(), statuses(response.toString()), response.toString());
    assertEquals(row.closes(), !client.isActive(), "client connection closed");
    assertEquals(row.upstreamFor("10.0.0.1:80"), upstream.toString(), "the bytes the endpoint got");
    assertEquals(row.cut(), cut, "the endpoint's connection closed mid-request");
  }

  private static List<Integer> statuses(String response) {
    List<Integer> statuses = new ArrayList<>();
    Matcher m = STATUS_LINE.matcher(response);
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return statuses;
  }
}
