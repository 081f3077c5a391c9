package dev.wharf.dataplane.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A deliberately dumb HTTP/2 client over a plain socket (h2c with prior knowledge), for the frames
 * a real client never sends: floods, resets, oversized or malformed header blocks, bodies that
 * break flow control or their declared length.
 *
 * <p>Frames are written exactly as asked (the caller picks types, flags, stream ids); header blocks
 * are HPACK literals without indexing, in the order given, with names as given (upper case,
 * pseudo-headers after regular ones: whatever the test wants). What comes back is read only when
 * the test asks (so a test can flood without reading the acknowledgements), frame by frame, and
 * every read has a deadline: {@link #until} fails the test instead of hanging it. Writes are
 * bounded too: a write that blocks longer than {@link #WRITE_BOUND} (a server that stopped reading)
 * closes the socket and reports {@code false}.
 *
 * <p>The server's header blocks are decoded as they arrive (HPACK state is per connection), the
 * server's SETTINGS are acknowledged when read, and the frames are sorted per stream. Not
 * thread-safe: one test thread drives one client.
 */
public final class RawH2 implements AutoCloseable {
  public static final int DATA = 0;
  public static final int HEADERS = 1;
  public static final int PRIORITY = 2;
  public static final int RST_STREAM = 3;
  public static final int SETTINGS = 4;
  public static final int PING = 6;
  public static final int GOAWAY = 7;
  public static final int WINDOW_UPDATE = 8;
  public static final int CONTINUATION = 9;

  public static final int END_STREAM = 0x1;
  public static final int ACK = 0x1;
  public static final int END_HEADERS = 0x4;

  public static final int SETTINGS_HEADER_TABLE_SIZE = 0x1;
  public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  public static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;
  public static final int SETTINGS_MAX_FRAME_SIZE = 0x5;
  public static final int SETTINGS_MAX_HEADER_LIST_SIZE = 0x6;
  public static final int SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8;

  public static final int NO_ERROR = 0x0;
  public static final int PROTOCOL_ERROR = 0x1;
  public static final int FLOW_CONTROL_ERROR = 0x3;
  public static final int FRAME_SIZE_ERROR = 0x6;
  public static final int REFUSED_STREAM = 0x7;
  public static final int CANCEL = 0x8;
  public static final int ENHANCE_YOUR_CALM = 0xb;

  /** How long one write may block before the socket is closed under it. */
  public static final Duration WRITE_BOUND = Duration.ofSeconds(20);

  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

  /** One frame as it arrived. */
  public record Frame(int type, int flags, int streamId, byte[] payload) {
    public boolean has(int flag) {
      return (flags & flag) != 0;
    }

    /** The error code of a RST_STREAM, or of a GOAWAY. */
    public int errorCode() {
      ByteBuffer b = ByteBuffer.wrap(payload);
      return type == GOAWAY ? b.getInt(4) : b.getInt(0);
    }

    @Override
    public String toString() {
      String what = "type=" + type + " flags=" + flags + " stream=" + streamId;
      if (type == GOAWAY) {
        String debug = new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
        return "GOAWAY[" + what + " error=" + errorCode() + " " + debug + "]";
      }
      return "Frame[" + what + (type == RST_STREAM ? " error=" + errorCode() : "") + "]";
    }
  }

  /** What came back on one stream so far. */
  public static final class Stream {
    private final List<Http2Headers> heads = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private int resetCode = -1;
    private boolean ended;

    /** The {@code :status} of the first HEADERS, or -1 when none came. */
    public int status() {
      return heads.isEmpty() || heads.get(0).status() == null
          ? -1
          : Integer.parseInt(heads.get(0).status().toString());
    }

    /** The first header block (the response head), or null. */
    public Http2Headers head() {
      return heads.isEmpty() ? null : heads.get(0);
    }

    public String body() {
      return body.toString(StandardCharsets.UTF_8);
    }

    /** The RST_STREAM error code the server sent, or -1. */
    public int resetCode() {
      return resetCode;
    }

    /** END_STREAM or RST_STREAM arrived. */
    public boolean done() {
      return ended || resetCode >= 0;
    }

    @Override
    public String toString() {
      return "Stream[status=" + status() + " reset=" + resetCode + " ended=" + ended + "]";
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final ScheduledExecutorService watchdog;
  private final DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
  private final Map<Integer, Stream> streams = new HashMap<>();
  private final Map<Integer, Long> serverSettings = new LinkedHashMap<>();
  private final List<Frame> received = new ArrayList<>();
  private ByteArrayOutputStream headerBlock;
  private int headerBlockStream;
  private boolean serverSettingsSeen;
  private int settingsAcks;
  private int pingAcks;
  private Frame goAway;
  private boolean closed;
  private volatile boolean writeStuck;
  private boolean outputBroken;

  private RawH2(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "raw-h2-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Connects to a listener with {@code http2: {cleartext: true}} and sends nothing yet. A small
   * receive buffer, so a client that does not read soon stops the server's writes.
   */
  public static RawH2 connect(InetSocketAddress address) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024);
    socket.connect(address, 5_000);
    socket.setTcpNoDelay(true);
    return new RawH2(socket);
  }

  /**
   * Connects, sends the preface with empty SETTINGS, reads the server's SETTINGS (acknowledging
   * them) and the acknowledgement of ours: the connection is ready for streams.
   */
  public static RawH2 open(InetSocketAddress address, Duration bound) throws IOException {
    RawH2 h2 = connect(address);
    h2.preface(Map.of());
    h2.until(bound, () -> h2.serverSettingsSeen && h2.settingsAcks > 0, "SETTINGS exchange");
    return h2;
  }

  // ---- writing ------------------------------------------------------------------------------

  /** The connection preface and a SETTINGS frame with {@code settings} (id to value). */
  public boolean preface(Map<Integer, Long> settings) {
    return write(concat(PREFACE, settingsFrame(settings)));
  }

  /** Writes {@code bytes} (one or many frames); false when the connection is gone or stuck. */
  public boolean write(byte[] bytes) {
    if (closed || outputBroken) {
      return false;
    }
    ScheduledFuture<?> stuck =
        watchdog.schedule(
            () -> {
              System.err.println("RawH2: a write blocked, the server's loops:\n" + wharfThreads());
              writeStuck = true;
              closeQuietly();
            },
            WRITE_BOUND.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      out.write(bytes);
      out.flush();
      return true;
    } catch (IOException e) {
      outputBroken = true; // what the server sent before its reset is still there to read
      return false;
    } finally {
      stuck.cancel(false);
    }
  }

  public static byte[] frame(int type, int flags, int streamId, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8));
    b.put((byte) payload.length).put((byte) type).put((byte) flags).putInt(streamId);
    return b.put(payload).array();
  }

  public static byte[] settingsFrame(Map<Integer, Long> settings) {
    ByteBuffer b = ByteBuffer.allocate(6 * settings.size());
    settings.forEach((id, value) -> b.putShort((short) (int) id).putInt((int) (long) value));
    return frame(SETTINGS, 0, 0, b.array());
  }

  public static byte[] settingsAck() {
    return frame(SETTINGS, ACK, 0, new byte[0]);
  }

  public static byte[] ping(long data) {
    return frame(PING, 0, 0, ByteBuffer.allocate(8).putLong(data).array());
  }

  public static byte[] rstStream(int streamId, int code) {
    return frame(RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(code).array());
  }

  public static byte[] windowUpdate(int streamId, int increment) {
    return frame(WINDOW_UPDATE, 0, streamId, ByteBuffer.allocate(4).putInt(increment).array());
  }

  public static byte[] priority(int streamId, int dependsOn, int weight) {
    return frame(
        PRIORITY, 0, streamId, ByteBuffer.allocate(5).putInt(dependsOn).put((byte) weight).array());
  }

  public static byte[] data(int streamId, byte[] body, boolean endStream) {
    return frame(DATA, endStream ? END_STREAM : 0, streamId, body);
  }

  /** A HEADERS frame carrying the whole block of {@code fields} (name, value, name, value...). */
  public static byte[] headers(int streamId, boolean endStream, String... fields) {
    return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), streamId, hpack(fields));
  }

  /**
   * A plain request head: {@code :method}, {@code :scheme http}, {@code :path}, {@code :authority}.
   */
  public static byte[] request(int streamId, String method, String path, boolean endStream) {
    return headers(
        streamId,
        endStream,
        ":method",
        method,
        ":scheme",
        "http",
        ":path",
        path,
        ":authority",
        "h2.test");
  }

  /**
   * An HPACK header block of literal fields without indexing, new names, no Huffman (RFC 7541
   * 6.2.2), in the order given and byte for byte as given.
   */
  public static byte[] hpack(String... fields) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < fields.length; i += 2) {
      block.write(0x00);
      hpackString(block, fields[i]);
      hpackString(block, fields[i + 1]);
    }
    return block.toByteArray();
  }

  private static void hpackString(ByteArrayOutputStream block, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
    int length = bytes.length;
    if (length < 127) {
      block.write(length);
    } else {
      block.write(127);
      length -= 127;
      while (length >= 128) {
        block.write((length & 0x7f) | 0x80);
        length >>>= 7;
      }
      block.write(length);
    }
    block.writeBytes(bytes);
  }

  public static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.writeBytes(p);
    }
    return all.toByteArray();
  }

  // ---- reading ------------------------------------------------------------------------------

  /**
   * Reads frames until {@code condition} holds or the connection closes; fails the test when
   * neither happens within {@code bound}. Returns whether the condition holds.
   */
  public boolean until(Duration bound, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (closed) {
        return false;
      }
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new AssertionError("not within " + bound + ": " + what + "; got " + summary());
      }
      readFrame((int) Math.max(1, left));
    }
    return true;
  }

  /** Reads until stream {@code id} ends (END_STREAM or RST_STREAM) or the connection closes. */
  public Stream awaitStream(int id, Duration bound) {
    until(bound, () -> stream(id).done(), "stream " + id + " to end");
    return stream(id);
  }

  /** Reads until a GOAWAY arrives or the connection closes; the GOAWAY or null. */
  public Frame awaitGoAway(Duration bound) {
    until(bound, () -> goAway != null, "GOAWAY");
    return goAway;
  }

  /** Reads (and discards) until the server closes the connection; fails after {@code bound}. */
  public void awaitClosed(Duration bound) {
    until(bound, () -> false, "the connection to close");
  }

  public Stream stream(int id) {
    return streams.computeIfAbsent(id, k -> new Stream());
  }

  /** The server's SETTINGS (id to value) once read; empty before. */
  public Map<Integer, Long> serverSettings() {
    return serverSettings;
  }

  public int pingAcks() {
    return pingAcks;
  }

  public Frame goAway() {
    return goAway;
  }

  /**
   * Whether a write blocked for {@link #WRITE_BOUND} and this client closed the socket itself: the
   * server had stopped reading without closing.
   */
  public boolean writeStuck() {
    return writeStuck;
  }

  public boolean isClosed() {
    return closed;
  }

  /** Every frame read so far, in order. */
  public List<Frame> received() {
    return received;
  }

  private void readFrame(int timeoutMillis) {
    try {
      socket.setSoTimeout(timeoutMillis);
      int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      int type = in.readUnsignedByte();
      int flags = in.readUnsignedByte();
      int streamId = in.readInt() & 0x7fff_ffff;
      socket.setSoTimeout((int) WRITE_BOUND.toMillis()); // the rest of a frame comes at once
      byte[] payload = new byte[length];
      in.readFully(payload);
      onFrame(new Frame(type, flags, streamId, payload));
    } catch (SocketTimeoutException e) {
      // the caller's deadline decides
    } catch (EOFException e) {
      closed = true;
    } catch (IOException e) {
      closed = true; // reset by the server counts as closed
    }
  }

  private void onFrame(Frame f) throws IOException {
    received.add(f);
    switch (f.type()) {
      case SETTINGS -> onSettings(f);
      case PING -> {
        if (f.has(ACK)) {
          pingAcks++;
        }
      }
      case GOAWAY -> goAway = f;
      case RST_STREAM -> stream(f.streamId()).resetCode = f.errorCode();
      case DATA -> {
        stream(f.streamId()).body.writeBytes(f.payload());
        stream(f.streamId()).ended |= f.has(END_STREAM);
        if (f.payload().length > 0) { // keep the server's windows open; bodies here are small
          write(
              concat(
                  windowUpdate(0, f.payload().length),
                  windowUpdate(f.streamId(), f.payload().length)));
        }
      }
      case HEADERS, CONTINUATION -> onHeaderBlock(f);
      default -> {}
    }
  }

  private void onSettings(Frame f) {
    if (f.has(ACK)) {
      settingsAcks++;
      return;
    }
    ByteBuffer b = ByteBuffer.wrap(f.payload());
    while (b.remaining() >= 6) {
      serverSettings.put(b.getShort() & 0xffff, b.getInt() & 0xffff_ffffL);
    }
    serverSettingsSeen = true;
    write(settingsAck());
  }

  private void onHeaderBlock(Frame f) throws IOException {
    byte[] fragment = f.payload();
    if (f.type() == HEADERS) {
      headerBlock = new ByteArrayOutputStream();
      headerBlockStream = f.streamId();
      stream(f.streamId()).ended |= f.has(END_STREAM);
      fragment = headersFragment(f);
    }
    headerBlock.writeBytes(fragment);
    if (!f.has(END_HEADERS)) {
      return;
    }
    ByteBuf block = Unpooled.wrappedBuffer(headerBlock.toByteArray());
    try {
      stream(headerBlockStream).heads.add(hpack.decodeHeaders(headerBlockStream, block));
    } catch (Http2Exception e) {
      throw new IOException("the server sent a header block that does not decode", e);
    } finally {
      block.release();
    }
  }

  /** A HEADERS payload without padding and priority. */
  private static byte[] headersFragment(Frame f) {
    int from = 0;
    int to = f.payload().length;
    if (f.has(0x8)) {
      to -= f.payload()[0] & 0xff;
      from++;
    }
    if (f.has(0x20)) {
      from += 5;
    }
    byte[] fragment = new byte[to - from];
    System.arraycopy(f.payload(), from, fragment, 0, fragment.length);
    return fragment;
  }

  private String summary() {
    StringBuilder s = new StringBuilder("[closed=" + closed);
    if (goAway != null) {
      s.append(" goaway=").append(goAway.errorCode());
    }
    s.append(" streams=").append(streams).append(" frames=").append(received.size()).append(']');
    return s.toString();
  }

  /** Where the node's threads are, for the report of a write that blocked. */
  private static String wharfThreads() {
    StringBuilder d = new StringBuilder();
    Thread.getAllStackTraces()
        .forEach(
            (t, stack) -> {
              if (t.getName().startsWith("wharf")) {
                d.append(t.getName()).append(' ').append(t.getState()).append('\n');
                for (int i = 0; i < Math.min(20, stack.length); i++) {
                  d.append("    ").append(stack[i]).append('\n');
                }
              }
            });
    return d.toString();
  }

  private void closeQuietly() {
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that was asked
    }
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly();
    watchdog.shutdownNow();
  }
}
