package dev.wharf.dataplane.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The few DER (ASN.1 distinguished encoding) pieces key conversion needs: reading one element with
 * its bounds checked, and writing sequences, integers, octet strings and object identifiers. Not a
 * general ASN.1 library: no indefinite lengths, no tags above 30, lengths up to 2^31-1.
 */
final class Der {
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;

  /** Malformed DER: the message says what was expected where. */
  static final class DerException extends Exception {
    private static final long serialVersionUID = 1L;

    DerException(String message) {
      super(message);
    }
  }

  /** One element: its tag byte and the bytes of its content. */
  static final class Element {
    private final int tag;
    private final byte[] content;

    Element(int tag, byte[] content) {
      this.tag = tag;
      this.content = content.clone();
    }

    int tag() {
      return tag;
    }

    byte[] content() {
      return content.clone();
    }

    /** The elements a constructed element (a sequence, an explicit tag) holds, in order. */
    List<Element> children() throws DerException {
      if ((tag & 0x20) == 0) {
        throw new DerException("element with tag 0x" + Integer.toHexString(tag) + " is primitive");
      }
      List<Element> children = new ArrayList<>();
      int[] position = {0};
      while (position[0] < content.length) {
        children.add(read(content, position));
      }
      return children;
    }

    Element expect(int expectedTag) throws DerException {
      if (tag != expectedTag) {
        throw new DerException(
            "expected tag 0x"
                + Integer.toHexString(expectedTag)
                + ", found 0x"
                + Integer.toHexString(tag));
      }
      return this;
    }

    @Override
    public String toString() {
      return "Element[tag=0x" + Integer.toHexString(tag) + ", length=" + content.length + "]";
    }
  }

  private Der() {}

  /** Reads the single element {@code der} holds; trailing bytes are an error. */
  static Element parse(byte[] der) throws DerException {
    int[] position = {0};
    Element element = read(der, position);
    if (position[0] != der.length) {
      throw new DerException((der.length - position[0]) + " bytes after the element");
    }
    return element;
  }

  private static Element read(byte[] in, int[] position) throws DerException {
    int p = position[0];
    if (p >= in.length) {
      throw new DerException("truncated: no tag");
    }
    int tag = in[p++] & 0xff;
    if ((tag & 0x1f) == 0x1f) {
      throw new DerException("multi-byte tags are not supported");
    }
    if (p >= in.length) {
      throw new DerException("truncated: no length");
    }
    int first = in[p++] & 0xff;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int octets = first & 0x7f;
      if (octets == 0) {
        throw new DerException("indefinite length is not DER");
      }
      if (octets > 4) {
        throw new DerException("length of " + octets + " octets is too large");
      }
      if (p + octets > in.length) {
        throw new DerException("truncated: length octets missing");
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (in[p++] & 0xff);
      }
    }
    if (length > in.length - p) {
      throw new DerException("truncated: length " + length + ", " + (in.length - p) + " left");
    }
    position[0] = p + (int) length;
    return new Element(tag, Arrays.copyOfRange(in, p, p + (int) length));
  }

  /** An element with {@code tag} around {@code content}, the length in its shortest form. */
  static byte[] encode(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int length = content.length;
    if (length < 0x80) {
      out.write(length);
    } else {
      int octets = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | octets);
      for (int i = octets - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  static byte[] sequence(byte[]... elements) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] e : elements) {
      content.writeBytes(e);
    }
    return encode(SEQUENCE, content.toByteArray());
  }

  /** A small non-negative INTEGER (versions). */
  static byte[] integer(int value) {
    if (value < 0 || value > 127) {
      throw new IllegalArgumentException("integer: " + value + " (expected: 0..127)");
    }
    return encode(INTEGER, new byte[] {(byte) value});
  }

  static byte[] octetString(byte[] content) {
    return encode(OCTET_STRING, content);
  }

  static byte[] nullValue() {
    return encode(NULL, new byte[0]);
  }

  /** An OBJECT IDENTIFIER from its dotted form, e.g. {@code 1.2.840.10045.3.1.7}. */
  static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.", -1);
    if (parts.length < 2) {
      throw new IllegalArgumentException("oid: " + dotted + " (expected: at least two arcs)");
    }
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    long first = Long.parseLong(parts[0]);
    long second = Long.parseLong(parts[1]);
    if (first > 2 || (first < 2 && second > 39)) {
      throw new IllegalArgumentException("oid: " + dotted + " (expected: a valid first arc)");
    }
    writeArc(content, first * 40 + second);
    for (int i = 2; i < parts.length; i++) {
      writeArc(content, Long.parseLong(parts[i]));
    }
    return encode(OID, content.toByteArray());
  }

  private static void writeArc(ByteArrayOutputStream out, long arc) {
    if (arc < 0) {
      throw new IllegalArgumentException("oid arc: " + arc + " (expected: >= 0)");
    }
    int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(arc) + 6) / 7);
    for (int i = groups - 1; i >= 0; i--) {
      int bits = (int) ((arc >>> (7 * i)) & 0x7f);
      out.write(i == 0 ? bits : bits | 0x80);
    }
  }

  /** The dotted form of an OBJECT IDENTIFIER's content. */
  static String oidString(byte[] content) throws DerException {
    if (content.length == 0) {
      throw new DerException("empty object identifier");
    }
    StringBuilder dotted = new StringBuilder();
    long arc = 0;
    boolean firstArc = true;
    for (int i = 0; i < content.length; i++) {
      if (arc > (Long.MAX_VALUE >>> 7)) {
        throw new DerException("object identifier arc too large");
      }
      arc = (arc << 7) | (content[i] & 0x7f);
      if ((content[i] & 0x80) != 0) {
        if (i == content.length - 1) {
          throw new DerException("truncated object identifier");
        }
        continue;
      }
      if (firstArc) {
        long top = Math.min(2, arc / 40);
        dotted.append(top).append('.').append(arc - top * 40);
        firstArc = false;
      } else {
        dotted.append('.').append(arc);
      }
      arc = 0;
    }
    return dotted.toString();
  }
}
