package dev.wharf.dataplane.server;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An independent, deliberately plain reading of HTTP/1.1 requests (RFC 9112 request line, fields,
 * Content-Length and chunked bodies), as strict as the RFC allows: for the HTTP front's fuzz test.
 * It reads requests one after another until one is incomplete or malformed, and says which.
 */
final class StrictRequestReference {
  /** A request head read whole; its body may be incomplete when it is the last. */
  record Head(String method, String target, String version, List<String[]> fields) {}

  /** What a stream holds: the requests read, and whether reading stopped at malformed bytes. */
  record Reading(List<Head> heads, boolean malformed, String why) {}

  private static final String TCHAR = "!#$%&'*+-.^_`|~";

  private final byte[] b;
  private int at;

  private StrictRequestReference(byte[] bytes) {
    this.b = bytes;
  }

  static Reading read(byte[] bytes) {
    return new StrictRequestReference(bytes).readAll();
  }

  /** Thrown inside: the rest is incomplete. */
  private static final class Incomplete extends Exception {
    private static final long serialVersionUID = 1L;

    Incomplete() {
      super(null, null, false, false);
    }
  }

  /** Thrown inside: the rest is malformed. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String why) {
      super(why, null, false, false);
    }
  }

  private Reading readAll() {
    List<Head> heads = new ArrayList<>();
    try {
      while (true) {
        while (at < b.length && (b[at] == '\r' || b[at] == '\n')) {
          if (b[at] == '\r') {
            expectCrlf();
          } else {
            at++; // RFC 9112 2.2: a server ignores at least one empty line before a request
          }
        }
        if (at == b.length) {
          return new Reading(heads, false, "");
        }
        Head head = head();
        heads.add(head);
        body(head);
      }
    } catch (Incomplete e) {
      return new Reading(heads, false, "");
    } catch (Malformed e) {
      return new Reading(heads, true, e.getMessage());
    }
  }

  private Head head() throws Incomplete, Malformed {
    String method = token(' ');
    expect(' ');
    int start = at;
    while (peek() != ' ') {
      int c = b[at] & 0xff;
      if (c < 0x21 || c == 0x7f) {
        throw new Malformed("target byte " + c);
      }
      at++;
    }
    if (at == start) {
      throw new Malformed("empty target");
    }
    String target = text(start, at);
    expect(' ');
    int v = at;
    while (peek() != '\r') {
      at++;
    }
    String version = text(v, at);
    if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
      throw new Malformed("version " + version);
    }
    expectCrlf();
    return new Head(method, target, version, fields());
  }

  private List<String[]> fields() throws Incomplete, Malformed {
    List<String[]> fields = new ArrayList<>();
    while (peek() != '\r') {
      String name = token(':');
      expect(':');
      int start = at;
      while (peek() != '\r') {
        int c = b[at] & 0xff;
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
          throw new Malformed("field value byte " + c);
        }
        at++;
      }
      fields.add(new String[] {name.toLowerCase(Locale.ROOT), text(start, at).strip()});
      expectCrlf();
    }
    expectCrlf();
    return fields;
  }

  private void body(Head head) throws Incomplete, Malformed {
    List<String> lengths = values(head, "content-length");
    List<String> codings = values(head, "transfer-encoding");
    if (!codings.isEmpty()) {
      if (!lengths.isEmpty() || codings.size() > 1 || !head.version().equals("HTTP/1.1")) {
        throw new Malformed("Transfer-Encoding with Content-Length, twice, or on 1.0");
      }
      if (!codings.get(0).equalsIgnoreCase("chunked")) {
        throw new Malformed("coding " + codings.get(0));
      }
      chunked();
      return;
    }
    if (lengths.size() > 1) {
      throw new Malformed("Content-Length twice");
    }
    if (lengths.size() == 1) {
      String n = lengths.get(0);
      if (n.isEmpty() || n.length() > 18 || !n.chars().allMatch(Character::isDigit)) {
        throw new Malformed("Content-Length " + n);
      }
      skip(Long.parseLong(n));
    }
  }

  private void chunked() throws Incomplete, Malformed {
    while (true) {
      int start = at;
      while (isHex(peek())) {
        at++;
      }
      if (at == start || at - start > 15) {
        throw new Malformed("chunk size");
      }
      long size = Long.parseLong(text(start, at), 16);
      if (peek() == ';') {
        while (peek() != '\r') {
          int c = b[at] & 0xff;
          if ((c < 0x20 && c != '\t') || c == 0x7f) {
            throw new Malformed("chunk extension byte " + c);
          }
          at++;
        }
      }
      expectCrlf();
      if (size == 0) {
        fields(); // the trailer section and the empty line
        return;
      }
      skip(size);
      expectCrlf();
    }
  }

  private static List<String> values(Head head, String name) {
    List<String> out = new ArrayList<>();
    for (String[] f : head.fields()) {
      if (f[0].equals(name)) {
        out.add(f[1]);
      }
    }
    return out;
  }

  private String token(char end) throws Incomplete, Malformed {
    int start = at;
    while (peek() != end) {
      char c = (char) (b[at] & 0xff);
      if (!(Character.isLetterOrDigit(c) && c < 0x80) && TCHAR.indexOf(c) < 0) {
        throw new Malformed("token byte " + (int) c);
      }
      at++;
    }
    if (at == start) {
      throw new Malformed("empty token");
    }
    return text(start, at);
  }

  private int peek() throws Incomplete {
    if (at >= b.length) {
      throw new Incomplete();
    }
    return b[at] & 0xff;
  }

  private void expect(char c) throws Incomplete, Malformed {
    if (peek() != c) {
      throw new Malformed("expected " + (int) c + " at " + at);
    }
    at++;
  }

  private void expectCrlf() throws Incomplete, Malformed {
    expect('\r');
    expect('\n');
  }

  private void skip(long n) throws Incomplete {
    if (b.length - at < n) {
      at = b.length;
      throw new Incomplete();
    }
    at += (int) n;
  }

  private String text(int from, int to) {
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
