package dev.wharf.dataplane.discovery;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Snapshot;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the control plane's messages, and in a pushed config takes over, by identity, every route
 * whose bytes are those of a route of the config it decoded before: a route's bytes decode to the
 * same route every time, so the routes a change did not touch are neither parsed again nor, later,
 * compared by value ({@code RouteDelta} finds them by identity). A one-route change to 10,000
 * routes so parses one route. Everything else decodes as the generated parser decodes it; a message
 * of another shape than {@code ControlMessage{snapshot{version, nonce, config}}} (each field at
 * most once) is handed to the generated parser whole.
 *
 * <p>Reuse is only ever of byte-identical routes, so which config was decoded before (one that was
 * refused, or one from another replica) changes the cost, never the result. Thread-safe: decoding
 * is serialized.
 */
public final class PushDecoder implements MethodDescriptor.Marshaller<ControlMessage> {
  private static final int SNAPSHOT = ControlMessage.SNAPSHOT_FIELD_NUMBER;
  private static final int CONFIG = Snapshot.CONFIG_FIELD_NUMBER;
  private static final int ROUTES = Config.ROUTES_FIELD_NUMBER;

  /** The tag of a route: field {@code routes}, length-delimited (WireFormat.makeTag is hidden). */
  private static final int ROUTE_TAG = (ROUTES << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED;

  /**
   * Routes found neither at their index nor beside it that a decode parses before it indexes every
   * earlier route by content: a change of a few routes, or a few inserted or removed, costs no pass
   * over all earlier routes' bytes; a reordered config pays that pass once.
   */
  static final int NEAR_MISSES = 8;

  /** How far from where the routes so far put it a route's earlier self is looked for. */
  private static final int NEAR = 4;

  private final MethodDescriptor.Marshaller<ControlMessage> generated;

  /** The bytes the routes of the config decoded before came from. */
  private byte[] previousBytes = new byte[0];

  /** Where each route of that config starts and ends in {@link #previousBytes}. */
  private int[] previousStarts = new int[0];

  private int[] previousEnds = new int[0];
  private List<Route> previousRoutes = List.of();

  /** Statistics for tests and logs: routes taken over and parsed by the last decode. */
  private int lastReused;

  private int lastParsed;

  /** A decoder whose other messages go to the generated marshaller of the discovery stream. */
  public PushDecoder() {
    this(DiscoveryGrpc.getStreamMethod().getResponseMarshaller());
  }

  PushDecoder(MethodDescriptor.Marshaller<ControlMessage> generated) {
    this.generated = generated;
  }

  @Override
  public InputStream stream(ControlMessage value) {
    return generated.stream(value);
  }

  @Override
  public ControlMessage parse(InputStream stream) {
    byte[] bytes;
    try {
      bytes = stream.readAllBytes();
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription("cannot read a control-plane message")
          .withCause(e)
          .asRuntimeException();
    }
    try {
      return decode(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw Status.INTERNAL
          .withDescription("invalid control-plane message: " + e.getMessage())
          .withCause(e)
          .asRuntimeException();
    }
  }

  /** {@code ControlMessage.parseFrom(bytes)}, with the routes of a pushed config taken over. */
  public synchronized ControlMessage decode(byte[] bytes) throws InvalidProtocolBufferException {
    int[] snapshot = onlyField(bytes, 0, bytes.length, SNAPSHOT, true);
    if (snapshot == null) {
      return ControlMessage.parseFrom(bytes);
    }
    int[] config = onlyField(bytes, snapshot[0], snapshot[1], CONFIG, false);
    if (config == null) {
      return ControlMessage.parseFrom(bytes);
    }
    ByteArrayOutputStream rest = new ByteArrayOutputStream(config[0] - snapshot[0] + 16);
    rest.write(bytes, snapshot[0], config[2] - snapshot[0]); // the snapshot's fields before
    rest.write(bytes, config[1], snapshot[1] - config[1]); // and after its config
    Snapshot head = Snapshot.parseFrom(rest.toByteArray());
    Snapshot decoded = head.toBuilder().setConfig(config(bytes, config[0], config[1])).build();
    return ControlMessage.newBuilder().setSnapshot(decoded).build();
  }

  /**
   * The payload of field {@code number} (length-delimited) in {@code bytes[from, to)}: {start, end,
   * start of its tag}; null when that is not the range's only field of that number, when {@code
   * alone} and the range has other fields, or when the range holds anything but well-formed fields.
   */
  private static int[] onlyField(byte[] bytes, int from, int to, int number, boolean alone)
      throws InvalidProtocolBufferException {
    CodedInputStream in = CodedInputStream.newInstance(bytes, from, to - from);
    int[] found = null;
    try {
      while (true) {
        int tagStart = from + in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag == 0) {
          return found;
        }
        if (WireFormat.getTagFieldNumber(tag) == number) {
          if (found != null
              || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
            return null;
          }
          int length = in.readRawVarint32();
          int start = from + in.getTotalBytesRead();
          in.skipRawBytes(length);
          found = new int[] {start, start + length, tagStart};
        } else if (alone || !in.skipField(tag)) {
          return null; // another field, or an end-group tag where none belongs
        }
      }
    } catch (InvalidProtocolBufferException e) {
      return null; // the generated parser says what is wrong with it
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
  }

  /** The config in {@code bytes[from, to)}, routes taken over where their bytes are the same. */
  private Config config(byte[] bytes, int from, int to) throws InvalidProtocolBufferException {
    ByteArrayOutputStream rest = new ByteArrayOutputStream(4096);
    List<Route> routes = new ArrayList<>();
    List<int[]> ranges = new ArrayList<>();
    Map<Slice, Integer> byContent = null;
    int reused = 0;
    int shift = 0; // route i was route i + shift before, as far as the routes so far tell
    int misses = 0;
    CodedInputStream in = CodedInputStream.newInstance(bytes, from, to - from);
    try {
      while (true) {
        int tagStart = from + in.getTotalBytesRead();
        int tag = in.readTag();
        if (tag == 0) {
          break;
        }
        if (tag != ROUTE_TAG) {
          in.skipField(tag);
          rest.write(bytes, tagStart, from + in.getTotalBytesRead() - tagStart);
          continue;
        }
        int length = in.readRawVarint32();
        int start = from + in.getTotalBytesRead();
        in.skipRawBytes(length);
        int end = start + length;
        int i = routes.size();
        int earlier = near(i + shift, bytes, start, end);
        if (earlier < 0 && ++misses > NEAR_MISSES && !previousRoutes.isEmpty()) {
          if (byContent == null) {
            byContent = previousByContent();
          }
          earlier = byContent.getOrDefault(new Slice(bytes, start, end), -1);
        }
        if (earlier >= 0) {
          shift = earlier - i;
          routes.add(previousRoutes.get(earlier));
          reused++;
        } else {
          routes.add(Route.parser().parseFrom(bytes, start, length));
        }
        ranges.add(new int[] {start, end});
      }
    } catch (InvalidProtocolBufferException e) {
      throw e;
    } catch (IOException e) {
      throw new InvalidProtocolBufferException(e);
    }
    Config config = Config.parseFrom(rest.toByteArray()).toBuilder().addAllRoutes(routes).build();
    remember(bytes, ranges, config.getRoutesList());
    lastReused = reused;
    lastParsed = routes.size() - reused;
    return config;
  }

  /**
   * The index of the earlier route with these bytes at {@code at} or up to {@link #NEAR} routes
   * either side of it (routes changed in place, or a few removed or inserted before it), nearest
   * first; -1 when none is.
   */
  private int near(int at, byte[] bytes, int start, int end) {
    if (matchesPrevious(at, bytes, start, end)) {
      return at;
    }
    for (int d = 1; d <= NEAR; d++) {
      if (matchesPrevious(at + d, bytes, start, end)) {
        return at + d;
      }
      if (matchesPrevious(at - d, bytes, start, end)) {
        return at - d;
      }
    }
    return -1;
  }

  /** Whether earlier route {@code j} exists and has these bytes. */
  private boolean matchesPrevious(int j, byte[] bytes, int start, int end) {
    return j >= 0
        && j < previousRoutes.size()
        && Arrays.equals(previousBytes, previousStarts[j], previousEnds[j], bytes, start, end);
  }

  private Map<Slice, Integer> previousByContent() {
    Map<Slice, Integer> map = new HashMap<>();
    for (int i = 0; i < previousRoutes.size(); i++) {
      map.putIfAbsent(new Slice(previousBytes, previousStarts[i], previousEnds[i]), i);
    }
    return map;
  }

  private void remember(byte[] bytes, List<int[]> ranges, List<Route> routes) {
    previousBytes = bytes;
    previousStarts = new int[ranges.size()];
    previousEnds = new int[ranges.size()];
    for (int i = 0; i < ranges.size(); i++) {
      previousStarts[i] = ranges.get(i)[0];
      previousEnds[i] = ranges.get(i)[1];
    }
    previousRoutes = routes;
  }

  /** Routes the last decoded config took over from the one before. */
  synchronized int lastReused() {
    return lastReused;
  }

  /** Routes the last decoded config parsed. */
  synchronized int lastParsed() {
    return lastParsed;
  }

  /** A range of bytes, equal to another by content. */
  private static final class Slice {
    private final byte[] bytes;
    private final int start;
    private final int end;
    private final int hash;

    Slice(byte[] bytes, int start, int end) {
      this.bytes = bytes;
      this.start = start;
      this.end = end;
      int h = 1;
      for (int i = start; i < end; i++) {
        h = 31 * h + bytes[i];
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Slice s
          && hash == s.hash
          && Arrays.equals(bytes, start, end, s.bytes, s.start, s.end);
    }
  }
}
