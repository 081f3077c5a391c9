package dev.wharf.dataplane.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A blocking HTTP/2 client on a plain socket that writes and reads frames one by one, so a test
 * decides what the node sees and when: answer a PING or not, open a stream after a GOAWAY (which
 * libraries refuse to do), and read every frame the node sends in order. HPACK is Netty's.
 */
final class RawH2Client implements AutoCloseable {
  static final int DATA = 0x0;
  static final int HEADERS = 0x1;
  static final int RST_STREAM = 0x3;
  static final int SETTINGS = 0x4;
  static final int PING = 0x6;
  static final int GOAWAY = 0x7;
  static final int WINDOW_UPDATE = 0x8;
  static final int END_STREAM = 0x1;
  static final int ACK = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** One frame as it came off the wire; {@code headers} is set for HEADERS only. */
  record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
    boolean is(int t) {
      return type == t;
    }

    boolean endStream() {
      return (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0;
    }

    int goAwayLastStreamId() {
      return ByteBuffer.wrap(payload).getInt() & Integer.MAX_VALUE;
    }

    long errorCode() {
      return ByteBuffer.wrap(payload, type == GOAWAY ? 4 : 0, 4).getInt() & 0xFFFF_FFFFL;
    }

    long pingData() {
      return ByteBuffer.wrap(payload).getLong();
    }

    @Override
    public String toString() {
      return switch (type) {
        case GOAWAY -> "GOAWAY(last=" + goAwayLastStreamId() + ", error=" + errorCode() + ")";
        case PING -> "PING(" + Long.toHexString(pingData()) + ((flags & ACK) != 0 ? ", ack)" : ")");
        case HEADERS -> "HEADERS(" + streamId + ", " + headers + ", flags=" + flags + ")";
        case RST_STREAM -> "RST_STREAM(" + streamId + ", error=" + errorCode() + ")";
        case DATA -> "DATA(" + streamId + ", " + payload.length + " bytes, flags=" + flags + ")";
        default -> "frame(type=" + type + ", stream=" + streamId + ", flags=" + flags + ")";
      };
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  /** Frames written while corked, sent in one write by {@link #corked}. */
  private ByteArrayOutputStream cork;

  private RawH2Client(Socket socket) throws IOException {
    socket.setTcpNoDelay(true);
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    out.write(PREFACE);
    writeFrame(SETTINGS, 0, 0, new byte[0]);
  }

  /** h2c with prior knowledge; the preface and an empty SETTINGS are sent. */
  static RawH2Client cleartext(int port) {
    try {
      return new RawH2Client(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** h2 over TLS, ALPN {@code h2} only, SNI {@code host}. */
  static RawH2Client tls(SSLContext context, String host, int port) {
    try {
      SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
      SSLParameters params = s.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      params.setServerNames(List.of(new SNIHostName(host)));
      s.setSSLParameters(params);
      s.startHandshake();
      if (!"h2".equals(s.getApplicationProtocol())) {
        s.close();
        throw new AssertionError("ALPN chose " + s.getApplicationProtocol());
      }
      return new RawH2Client(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code writes} and sends the frames they wrote in one write, so they arrive together. */
  void corked(Runnable writes) {
    cork = new ByteArrayOutputStream();
    try {
      writes.run();
    } finally {
      byte[] frames = cork.toByteArray();
      cork = null;
      send(frames);
    }
  }

  /** A request without a body: HEADERS with END_STREAM. */
  void get(int streamId, String authority, String scheme, String path) {
    headers(
        streamId,
        new DefaultHttp2Headers().method("GET").scheme(scheme).authority(authority).path(path),
        true);
  }

  void headers(int streamId, Http2Headers headers, boolean endStream) {
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(streamId, headers, block);
      byte[] bytes = new byte[block.readableBytes()];
      block.readBytes(bytes);
      writeFrame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, bytes);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      block.release();
    }
  }

  void data(int streamId, byte[] bytes, boolean endStream) {
    writeFrame(DATA, endStream ? END_STREAM : 0, streamId, bytes);
  }

  void ping(long data, boolean ack) {
    writeFrame(PING, ack ? ACK : 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  /**
   * The next frame the node sent, or null when it closed the connection; SETTINGS are acknowledged
   * and skipped, as are WINDOW_UPDATE frames and SETTINGS acknowledgements.
   */
  Frame next(Duration timeout) {
    while (true) {
      Frame f = read(timeout);
      if (f == null) {
        return null;
      }
      if (f.is(SETTINGS)) {
        if ((f.flags() & ACK) == 0) {
          writeFrame(SETTINGS, ACK, 0, new byte[0]);
        }
        continue;
      }
      if (!f.is(WINDOW_UPDATE)) {
        return f;
      }
    }
  }

  private Frame read(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      int first = in.read();
      if (first < 0) {
        return null;
      }
      int length = (first << 16) | (in.readUnsignedByte() << 8) | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int streamId = in.readInt() & Integer.MAX_VALUE;
      byte[] payload = new byte[length];
      in.readFully(payload);
      Http2Headers headers = type == HEADERS ? decode(streamId, payload) : null;
      return new Frame(type, flags, streamId, payload, headers);
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no frame within " + timeout, e);
    } catch (EOFException e) {
      return null;
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("reset")) {
        return null;
      }
      throw new UncheckedIOException(e);
    }
  }

  /** The node's header blocks here are never padded, prioritised or continued. */
  private Http2Headers decode(int streamId, byte[] block) {
    ByteBuf buf = Unpooled.wrappedBuffer(block);
    try {
      return decoder.decodeHeaders(streamId, buf);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  private void writeFrame(int type, int flags, int streamId, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(9 + payload.length);
    frame.write(payload.length >>> 16);
    frame.write(payload.length >>> 8);
    frame.write(payload.length);
    frame.write(type);
    frame.write(flags);
    frame.writeBytes(ByteBuffer.allocate(4).putInt(streamId).array());
    frame.writeBytes(payload);
    if (cork != null) {
      cork.writeBytes(frame.toByteArray());
    } else {
      send(frame.toByteArray());
    }
  }

  private void send(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }
}
