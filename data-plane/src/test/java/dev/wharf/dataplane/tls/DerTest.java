package dev.wharf.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.dataplane.tls.Der.DerException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DerTest {
  private static byte[] hex(String hex) {
    return HexFormat.of().parseHex(hex);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 127, 128, 255, 256, 65535, 65536, 1 << 20})
  void lengthsRoundTripInTheirShortestForm(int length) throws Exception {
    byte[] encoded = Der.octetString(new byte[length]);
    int lengthOctets = length < 128 ? 1 : 1 + (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
    assertEquals(1 + lengthOctets + length, encoded.length);
    Der.Element element = Der.parse(encoded);
    assertEquals(Der.OCTET_STRING, element.tag());
    assertEquals(length, element.content().length);
  }

  @Test
  void knownEncodingsMatchOpenssl() {
    // rsaEncryption and prime256v1 as `openssl asn1parse` shows them
    assertArrayEquals(hex("06092a864886f70d010101"), Der.oid("1.2.840.113549.1.1.1"));
    assertArrayEquals(hex("06082a8648ce3d030107"), Der.oid("1.2.840.10045.3.1.7"));
    assertArrayEquals(hex("06052b81040023"), Der.oid("1.3.132.0.35"));
    assertArrayEquals(hex("3005020100" + "0500"), Der.sequence(Der.integer(0), Der.nullValue()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.2.840.113549.1.1.1", "1.3.132.0.34", "2.999.1", "0.39", "1.3.101.112"})
  void objectIdentifiersRoundTrip(String oid) throws Exception {
    assertEquals(oid, Der.oidString(Der.parse(Der.oid(oid)).content()));
  }

  @Test
  void sequenceChildrenAreReadInOrder() throws Exception {
    List<Der.Element> children =
        Der.parse(Der.sequence(Der.integer(1), Der.octetString(new byte[] {7}))).children();
    assertEquals(2, children.size());
    assertEquals(Der.INTEGER, children.get(0).tag());
    assertArrayEquals(new byte[] {7}, children.get(1).content());
  }

  @ParameterizedTest
  @CsvSource({
    "'', truncated: no tag",
    "30, truncated: no length",
    "3080, indefinite length is not DER",
    "3085010000000000, length of 5 octets is too large",
    "3082, truncated: length octets missing",
    "300500, 'truncated: length 5, 1 left'",
    "3000ff, 1 bytes after the element",
    "1f0100, multi-byte tags are not supported",
    "3084ffffffff, 'truncated: length 4294967295, 0 left'",
  })
  void hostileBytesAreRefusedWithTheReason(String bytes, String reason) {
    assertEquals(
        reason, assertThrows(DerException.class, () -> Der.parse(hex(bytes))).getMessage());
  }

  @Test
  void hostileChildrenAndIdentifiersAreRefused() {
    assertThrows(DerException.class, () -> Der.parse(hex("3003300500")).children());
    assertThrows(DerException.class, () -> Der.parse(hex("0400")).children());
    assertThrows(DerException.class, () -> Der.oidString(new byte[0]));
    assertThrows(DerException.class, () -> Der.oidString(hex("2a86")));
    assertThrows(DerException.class, () -> Der.oidString(hex("ffffffffffffffffffff7f")));
    assertThrows(IllegalArgumentException.class, () -> Der.oid("3.1"));
    assertThrows(IllegalArgumentException.class, () -> Der.integer(128));
  }
}
