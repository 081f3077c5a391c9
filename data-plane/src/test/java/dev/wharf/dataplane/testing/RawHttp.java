package dev.wharf.dataplane.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over a plain socket, for requests a real client refuses to
 * send (smuggling, missing Host, huge heads) and for checking keep-alive on one connection.
 */
public final class RawHttp implements AutoCloseable {
  /**
   * A response as it arrived: status, headers (names lower case), body as UTF-8 text and as the
   * bytes received (a chunked body is de-chunked).
   */
  public record Response(int status, Map<String, String> headers, String body, byte[] bytes) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawHttp(InetSocketAddress address) throws IOException {
    this(address, null);
  }

  /**
   * Connects from {@code from} (any port), e.g. 127.0.0.2: on Linux every 127/8 address is local,
   * so tests can play a trusted and an untrusted peer on one machine.
   */
  public RawHttp(InetSocketAddress address, InetAddress from) throws IOException {
    socket = new Socket();
    if (from != null) {
      socket.bind(new InetSocketAddress(from, 0));
    }
    socket.connect(address, 5_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public void send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /**
   * Reads one response; its body by Content-Length or chunked coding (HEAD: pass {@code
   * headRequest}).
   */
  public Response read(boolean headRequest) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
    }
    byte[] body;
    if (!headRequest && "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = readChunked();
    } else {
      body =
          in.readNBytes(
              headRequest ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0")));
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8), body);
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (; ; ) {
      String sizeLine = line();
      if (sizeLine == null) {
        throw new IOException("connection closed inside a chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      int size =
          Integer.parseInt(
              (semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
      if (size == 0) {
        for (String trailer = line(); trailer != null && !trailer.isEmpty(); trailer = line()) {
          // trailers are not kept
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line(); // the CRLF after the chunk
    }
  }

  public Response exchange(String raw) throws IOException {
    send(raw);
    return read(raw.startsWith("HEAD "));
  }

  /** Sends end of stream: nothing more will come from this side. */
  public void shutdownOutput() throws IOException {
    socket.shutdownOutput();
  }

  /** Everything the server sends until it closes the connection. */
  public byte[] readUntilClosed() throws IOException {
    return in.readAllBytes();
  }

  /** True when the server has closed the connection (reads end of stream). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (java.net.SocketException e) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        String s = buffer.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buffer.write(c);
    }
    return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
