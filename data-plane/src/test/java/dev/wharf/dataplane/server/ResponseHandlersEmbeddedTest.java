package dev.wharf.dataplane.server;

import static dev.wharf.dataplane.server.EmbeddedProxyNode.send;
import static dev.wharf.dataplane.server.EmbeddedProxyNode.written;
import static dev.wharf.dataplane.server.ProxyExchangeTest.answer;
import static dev.wharf.dataplane.server.ProxyExchangeTest.statusLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.testing.NettyLeakExtension;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compressor and the chunked file writer join a client connection only when a route first needs
 * them ({@link ResponseHandlers}): a proxied connection's pipeline has neither, and a connection
 * that met a compressing or file route answers its next, pipelined, requests exactly as before. The
 * real client pipeline on embedded channels ({@link EmbeddedProxyNode}).
 */
@ExtendWith(NettyLeakExtension.class)
class ResponseHandlersEmbeddedTest {
  private static final String CSS = "body { color: red; } ".repeat(40);

  @TempDir Path site;
  private EmbeddedProxyNode node;
  private EmbeddedChannel client;

  @AfterEach
  void releaseEverything() {
    if (node != null) {
      node.close();
    }
  }

  private void start() throws IOException {
    Files.writeString(site.resolve("site.css"), CSS);
    node =
        new EmbeddedProxyNode(
            """
            listeners:
              - {name: web, address: 127.0.0.1, port: 8080}
            upstreams:
              - name: solo
                endpoints: [{address: "10.0.0.3:80"}]
            routes:
              - name: styles
                match: {path: {exact: /styles}}
                respond: {body: "%1$s", content_type: text/css}
                compression: {enabled: true, min_length: 20, types: [text/css]}
              - name: files
                match: {path: {prefix: /files/}}
                static: {alias: "%2$s/"}
                compression: {enabled: true, min_length: 20, types: [text/css]}
              - name: plain-files
                match: {path: {prefix: /plain-files/}}
                static: {alias: "%2$s/"}
              - name: chat
                match: {path: {prefix: /chat}}
                proxy: {upstream: solo, websocket: {}}
              - name: api
                match: {path: {prefix: /}}
                proxy: {upstream: solo}
            """
                .formatted(CSS, site));
    client = node.connect();
  }

  private List<String> handlers() {
    return client.pipeline().names();
  }

  /** The upstream answers the request it has with {@code body}; returns the client's bytes. */
  private String proxied(String body) {
    answer(
        node.upstreams.last(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/css\r\nContent-Length: "
            + body.length()
            + "\r\n\r\n"
            + body);
    return written(client);
  }

  @Test
  void aProxiedConnectionCarriesNeitherCompressorNorChunkedWriter() throws IOException {
    start();
    send(client, "GET /api/a HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n");
    String response = proxied(CSS);
    assertEquals("HTTP/1.1 200 OK", statusLine(response));
    assertTrue(response.endsWith(CSS), response);
    assertEquals(
        List.of(
            HttpFrontendInitializer.TIMEOUTS,
            HttpFrontendInitializer.HTTP_CODEC,
            HttpFrontendInitializer.FLOW_CONTROL,
            HttpFrontendInitializer.DISPATCHER),
        handlers().subList(0, handlers().size() - 1), // the last is the pipeline's tail
        "no compressor, no chunked writer, no keep-alive handler on a response's way out");
  }

  /**
   * A 304 has no body and, from an endpoint, often no {@code Content-Length}: nginx keeps the
   * connection (main closed it: Netty's keep-alive handler took a response without a length for one
   * whose body ends with the connection).
   */
  @Test
  void aProxied304WithoutLengthKeepsTheConnectionForTheNextRequest() throws IOException {
    start();
    send(client, "GET /api/cached HTTP/1.1\r\nHost: example.test\r\n\r\n");
    answer(node.upstreams.last(), "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n");
    String notModified = written(client);
    assertEquals("HTTP/1.1 304 Not Modified", statusLine(notModified));
    assertFalse(notModified.contains("connection: close"), notModified);
    assertTrue(client.isOpen(), "kept alive after a 304");
    send(client, "GET /api/next HTTP/1.1\r\nHost: example.test\r\n\r\n");
    String next = proxied("next");
    assertTrue(next.startsWith("HTTP/1.1 200 OK\r\n") && next.endsWith("next"), next);
  }

  @Test
  void aCompressedResponseThenAPipelinedProxiedOneOnTheSameConnection() throws IOException {
    start();
    send(
        client,
        "GET /styles HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n"
            + "GET /api/b HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n");
    String first = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(first));
    assertTrue(first.contains("content-encoding: gzip\r\n"), first);
    assertEquals(CSS, gunzip(bodyOf(first)));
    List<String> names = handlers();
    assertEquals(
        names.indexOf(HttpFrontendInitializer.HTTP_CODEC) + 1,
        names.indexOf(HttpFrontendInitializer.COMPRESSION),
        "the compressor sits right after the codec: " + names);

    String second = proxied("plain");
    assertEquals("HTTP/1.1 200 OK", statusLine(second));
    assertFalse(second.toLowerCase(java.util.Locale.ROOT).contains("content-encoding"), second);
    assertTrue(second.endsWith("\r\n\r\nplain"), second);
  }

  @Test
  void aHeadOnACompressingRouteKeepsItsLengthAndVaryThenTheNextRequestIsAnswered()
      throws IOException {
    start();
    send(
        client,
        "HEAD /files/site.css HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n"
            + "GET /api/c HTTP/1.1\r\nHost: example.test\r\n\r\n");
    String head = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(head));
    assertTrue(head.contains("content-length: " + CSS.length() + "\r\n"), head);
    assertTrue(head.contains("vary: Accept-Encoding\r\n"), head);
    assertTrue(head.endsWith("\r\n\r\n"), "a HEAD response has no body: " + head);
    String next = proxied("next");
    assertTrue(next.startsWith("HTTP/1.1 200 OK\r\n") && next.endsWith("next"), next);
  }

  @Test
  void aFileReadInChunksThroughTheCompressorThenAPipelinedProxiedRequest() throws IOException {
    start();
    send(
        client,
        "GET /files/site.css HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n"
            + "GET /api/d HTTP/1.1\r\nHost: example.test\r\n\r\n");
    String file = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(file));
    assertTrue(file.contains("transfer-encoding: chunked\r\n"), file);
    assertEquals(CSS, gunzip(unchunk(bodyOf(file))));
    List<String> names = handlers();
    assertTrue(
        names.indexOf(HttpFrontendInitializer.COMPRESSION)
            < names.indexOf(HttpFrontendInitializer.CHUNKED_WRITER),
        "file chunks pass the compressor on their way out: " + names);

    String next = proxied("after the file");
    assertEquals("HTTP/1.1 200 OK", statusLine(next));
    assertTrue(next.endsWith("\r\n\r\nafter the file"), next);
  }

  @Test
  void aConditionalFileRequestGets304ThenThePipelinedRequestIsAnswered() throws IOException {
    start();
    send(client, "GET /plain-files/site.css HTTP/1.1\r\nHost: example.test\r\n\r\n");
    String full = written(client);
    assertEquals("HTTP/1.1 200 OK", statusLine(full));
    String modified = headerValue(full, "last-modified");
    send(
        client,
        "GET /plain-files/site.css HTTP/1.1\r\nHost: example.test\r\nIf-Modified-Since: "
            + modified
            + "\r\n\r\nGET /api/e HTTP/1.1\r\nHost: example.test\r\n\r\n");
    String notModified = written(client);
    assertEquals("HTTP/1.1 304 Not Modified", statusLine(notModified));
    assertFalse(notModified.contains("connection: close"), "nginx keeps it: " + notModified);
    assertTrue(notModified.endsWith("\r\n\r\n"), notModified);
    String next = proxied("fresh");
    assertTrue(next.startsWith("HTTP/1.1 200 OK\r\n") && next.endsWith("fresh"), next);
  }

  @Test
  void anHttp10RequestAfterACompressedOneStillEndsTheConnection() throws IOException {
    start();
    send(client, "GET /styles HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n");
    assertTrue(written(client).contains("content-encoding: gzip\r\n"));
    send(client, "GET /api/f HTTP/1.0\r\nHost: example.test\r\n\r\n");
    String response = proxied("bye");
    assertTrue(response.startsWith("HTTP/1.0 200 OK\r\n") || response.startsWith("HTTP/1.1 200"));
    assertTrue(response.endsWith("bye"), response);
    client.runPendingTasks();
    assertFalse(client.isOpen(), "HTTP/1.0 without keep-alive: closed after the response");
  }

  @Test
  void aWebSocketAfterACompressedResponseLosesTheJoinedHandlers() throws IOException {
    start();
    send(client, "GET /styles HTTP/1.1\r\nHost: example.test\r\nAccept-Encoding: gzip\r\n\r\n");
    assertTrue(written(client).contains("content-encoding: gzip\r\n"));
    send(
        client,
        "GET /chat HTTP/1.1\r\nHost: example.test\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    EmbeddedChannel upstream = node.upstreams.last();
    written(upstream);
    answer(
        upstream,
        "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    assertEquals("HTTP/1.1 101 Switching Protocols", statusLine(written(client)));
    assertFalse(handlers().contains(HttpFrontendInitializer.COMPRESSION), handlers().toString());
    assertFalse(handlers().contains(HttpFrontendInitializer.HTTP_CODEC), handlers().toString());
  }

  private static String headerValue(String response, String name) {
    for (String line : response.split("\r\n")) {
      if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
        return line.substring(name.length() + 1).strip();
      }
    }
    throw new AssertionError("no " + name + " in " + response);
  }

  private static byte[] bodyOf(String response) {
    int end = response.indexOf("\r\n\r\n");
    return response.substring(end + 4).getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The bytes of a chunked body, which must be complete (end with the zero chunk). */
  private static byte[] unchunk(byte[] chunked) {
    String text = new String(chunked, StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = 0;
    while (true) {
      int lineEnd = text.indexOf("\r\n", at);
      int size = Integer.parseInt(text.substring(at, lineEnd), 16);
      if (size == 0) {
        assertEquals("0\r\n\r\n", text.substring(at), "the body ends with the zero chunk");
        return out.toByteArray();
      }
      out.write(chunked, lineEnd + 2, size);
      at = lineEnd + 2 + size + 2;
    }
  }

  private static String gunzip(byte[] gzipped) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
