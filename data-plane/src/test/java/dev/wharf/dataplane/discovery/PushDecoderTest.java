package dev.wharf.dataplane.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import dev.wharf.proto.config.v1.PathMatch;
import dev.wharf.proto.config.v1.ProxyAction;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.RouteMatch;
import dev.wharf.proto.config.v1.Upstream;
import dev.wharf.proto.discovery.v1.ControlMessage;
import dev.wharf.proto.discovery.v1.DiscoveryGrpc;
import dev.wharf.proto.discovery.v1.Heartbeat;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * What the node decodes from a push is exactly what the generated parser decodes, whatever the
 * bytes; the routes whose bytes did not change are the earlier objects.
 */
class PushDecoderTest {
  private final PushDecoder decoder =
      new PushDecoder(DiscoveryGrpc.getStreamMethod().getResponseMarshaller());

  private static Config config(int routes, String tag) {
    Config.Builder c =
        Config.newBuilder()
            .addListeners(Listener.newBuilder().setName("web").setPort(8080))
            .addUpstreams(Upstream.newBuilder().setName("u"));
    for (int i = 0; i < routes; i++) {
      c.addRoutes(route("r" + i, "/p" + i + (i == 7 ? tag : "")));
    }
    return c.build();
  }

  private static Route route(String name, String prefix) {
    return Route.newBuilder()
        .setName(name)
        .setMatch(RouteMatch.newBuilder().setPath(PathMatch.newBuilder().setPrefix(prefix)))
        .setProxy(ProxyAction.newBuilder().setUpstream("u"))
        .build();
  }

  private static byte[] push(long version, Config config) {
    return ControlMessage.newBuilder()
        .setSnapshot(
            Snapshot.newBuilder().setVersion(version).setNonce("n" + version).setConfig(config))
        .build()
        .toByteArray();
  }

  /** Decodes through the marshaller, as gRPC does, and checks it against the generated parser. */
  private ControlMessage decoded(byte[] bytes) throws Exception {
    ControlMessage got = decoder.parse(new ByteArrayInputStream(bytes));
    assertEquals(ControlMessage.parseFrom(bytes), got);
    return got;
  }

  @Test
  void aOneRouteChangeParsesThatRouteAndTakesOverEveryOtherByIdentity() throws Exception {
    Config first = decoded(push(1, config(500, ""))).getSnapshot().getConfig();
    assertEquals(500, decoder.lastParsed());

    Config second = decoded(push(2, config(500, "/changed"))).getSnapshot().getConfig();

    assertEquals(499, decoder.lastReused());
    assertEquals(1, decoder.lastParsed());
    assertNotSame(first.getRoutes(7), second.getRoutes(7));
    assertEquals("/p7/changed", second.getRoutes(7).getMatch().getPath().getPrefix());
    for (int i : new int[] {0, 6, 8, 499}) {
      assertSame(first.getRoutes(i), second.getRoutes(i));
    }
  }

  @Test
  void routesShiftedByAnInsertionOrRemovalAreFoundByTheirBytes() throws Exception {
    Config base = config(300, "");
    Config first = decoded(push(1, base)).getSnapshot().getConfig();
    Config inserted =
        base.toBuilder()
            .clearRoutes()
            .addRoutes(route("new", "/new"))
            .addAllRoutes(base.getRoutesList())
            .build();

    Config second = decoded(push(2, inserted)).getSnapshot().getConfig();

    assertEquals(300, decoder.lastReused());
    assertSame(first.getRoutes(0), second.getRoutes(1));
    Config third =
        decoded(push(3, base.toBuilder().removeRoutes(0).build())).getSnapshot().getConfig();
    assertEquals(299, decoder.lastReused());
    assertSame(second.getRoutes(2), third.getRoutes(0));
  }

  @Test
  void insertionsAndRemovalsInSeveralPlacesAreFollowedWithoutLosingTheOtherRoutes()
      throws Exception {
    Config base = config(300, "");
    Config first = decoded(push(1, base)).getSnapshot().getConfig();
    Config edited =
        base.toBuilder()
            .removeRoutes(250)
            .addRoutes(200, route("b", "/b"))
            .removeRoutes(120)
            .removeRoutes(100)
            .addRoutes(10, route("a", "/a"))
            .setRoutes(50, route("r49", "/p49/changed"))
            .build();

    Config second = decoded(push(2, edited)).getSnapshot().getConfig();

    assertEquals(296, decoder.lastReused());
    assertEquals(3, decoder.lastParsed());
    assertSame(first.getRoutes(299), second.getRoutes(298));
  }

  @Test
  void aReorderedConfigTakesOverEveryRouteByItsBytes() throws Exception {
    Config base = config(300, "");
    Config first = decoded(push(1, base)).getSnapshot().getConfig();
    List<Route> reversed = new ArrayList<>(base.getRoutesList());
    Collections.reverse(reversed);

    Config second =
        decoded(push(2, base.toBuilder().clearRoutes().addAllRoutes(reversed).build()))
            .getSnapshot()
            .getConfig();

    // The first few were parsed before the decoder indexed the earlier routes by content.
    assertEquals(300 - PushDecoder.NEAR_MISSES, decoder.lastReused());
    assertSame(first.getRoutes(0), second.getRoutes(299));
  }

  @Test
  void messagesOfOtherShapesDecodeAsTheGeneratedParserDecodesThem() throws Exception {
    decoded(push(1, config(20, "")));
    byte[] snapshot = push(2, config(20, "x"));
    byte[] heartbeat =
        ControlMessage.newBuilder()
            .setHeartbeat(Heartbeat.getDefaultInstance())
            .build()
            .toByteArray();
    // A oneof's last field wins: a snapshot followed by a heartbeat is a heartbeat.
    decoded(concat(snapshot, heartbeat));
    decoded(concat(heartbeat, snapshot));
    // Two snapshots (and so two configs) merge: routes of both, in order.
    decoded(concat(snapshot, push(3, config(5, "y"))));
    decoded(heartbeat);
    decoded(new byte[0]);
    // Unknown fields at every level are kept.
    UnknownFieldSet unknown =
        UnknownFieldSet.newBuilder()
            .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
            .build();
    Config withUnknown = config(20, "").toBuilder().setUnknownFields(unknown).build();
    decoded(push(4, withUnknown));
    decoded(concat(push(5, config(20, "")), unknown.toByteArray()));
  }

  @Test
  void hostileBytesAreRefusedAsTheGeneratedParserRefusesThem() throws Exception {
    byte[] good = push(1, config(50, ""));
    decoded(good);
    SplittableRandom random = new SplittableRandom(20_261_207L);
    for (int k = 0; k < 300; k++) {
      byte[] bad = Arrays.copyOf(good, good.length);
      switch (k % 3) {
        case 0 -> bad = Arrays.copyOf(good, random.nextInt(good.length)); // cut short
        case 1 -> bad[random.nextInt(bad.length)] = (byte) random.nextInt(256); // a flipped byte
        default -> bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
      }
      sameAsGenerated(bad);
    }
    // The routes field with a wire type other than length-delimited, inside a valid push.
    ByteArrayOutputStream config = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(config);
    out.writeUInt64(Config.ROUTES_FIELD_NUMBER, 7);
    out.flush();
    Config odd = Config.parseFrom(config.toByteArray()); // kept as an unknown field, written back
    sameAsGenerated(
        ControlMessage.newBuilder()
            .setSnapshot(Snapshot.newBuilder().setVersion(2).setConfig(odd))
            .build()
            .toByteArray());
  }

  /** Either both decode to equal messages or both refuse the bytes. */
  private void sameAsGenerated(byte[] bytes) {
    ControlMessage want;
    try {
      want = ControlMessage.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      assertThrows(RuntimeException.class, () -> decoder.parse(new ByteArrayInputStream(bytes)));
      return;
    }
    assertEquals(want, decoder.parse(new ByteArrayInputStream(bytes)));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
