package dev.wharf.dataplane.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * PEM blocks ({@code -----BEGIN LABEL-----} ... {@code -----END LABEL-----}) of a text file. Text
 * between blocks is ignored, as OpenSSL does (openssl writes "Bag Attributes" and subjects there);
 * inside a block only RFC 1421 headers ({@code Proc-Type: 4,ENCRYPTED}) and base64 are allowed.
 */
final class Pem {
  /** One block: its label, whether it has headers (an encrypted legacy key), its bytes. */
  static final class Block {
    private final String label;
    private final boolean hasHeaders;
    private final boolean encrypted;
    private final byte[] der;

    Block(String label, boolean hasHeaders, boolean encrypted, byte[] der) {
      this.label = label;
      this.hasHeaders = hasHeaders;
      this.encrypted = encrypted;
      this.der = der.clone();
    }

    String label() {
      return label;
    }

    boolean hasHeaders() {
      return hasHeaders;
    }

    boolean encrypted() {
      return encrypted;
    }

    byte[] der() {
      return der.clone();
    }
  }

  /** A block that cannot be read; the message says which block and why. */
  static final class PemException extends Exception {
    private static final long serialVersionUID = 1L;

    PemException(String message) {
      super(message);
    }
  }

  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private Pem() {}

  static List<Block> parse(String text) throws PemException {
    List<Block> blocks = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    int i = 0;
    while (i < lines.length) {
      String line = lines[i].strip();
      i++;
      if (!line.startsWith(BEGIN) || !line.endsWith(DASHES) || line.length() < 16) {
        continue;
      }
      String label = line.substring(BEGIN.length(), line.length() - DASHES.length());
      String end = END + label + DASHES;
      StringBuilder base64 = new StringBuilder();
      boolean headers = false;
      boolean encrypted = false;
      boolean closed = false;
      while (i < lines.length) {
        String body = lines[i].strip();
        i++;
        if (body.equals(end)) {
          closed = true;
          break;
        }
        if (body.startsWith(BEGIN)) {
          throw new PemException("block " + label + " has no END line before the next BEGIN");
        }
        if (body.contains(":")) {
          headers = true;
          encrypted |= body.replace(" ", "").equalsIgnoreCase("Proc-Type:4,ENCRYPTED");
          continue;
        }
        base64.append(body);
      }
      if (!closed) {
        throw new PemException("block " + label + " has no END line");
      }
      byte[] der;
      try {
        der = Base64.getDecoder().decode(base64.toString());
      } catch (IllegalArgumentException e) {
        throw new PemException("block " + label + " is not valid base64");
      }
      if (der.length == 0) {
        throw new PemException("block " + label + " is empty");
      }
      blocks.add(new Block(label, headers, encrypted, der));
    }
    return blocks;
  }
}
