package dev.wharf.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How much a config document may ask of the process that reads it. Every reader of documents goes
 * through {@link ConfigDocuments}, so the same limits hold for wharfctl, a node's {@code --config},
 * standalone's file and the Admin API (whose gRPC messages are bounded by {@link #MAX_BYTES} too).
 * docs/configuration.md, "Limits", explains the numbers to users.
 *
 * <p>Each limit is far above what a real config needs and far below what hurts: a document over one
 * is refused with a {@link ConfigError} naming the limit (and the line, where there is one), before
 * the work it would cause is done.
 */
public final class DocumentLimits {
  /**
   * Bytes of a document (UTF-8). A 10,000-route config is 3.2 MB as YAML and 5.2 MB as the indented
   * JSON {@code wharfctl get config -o json} writes, so this leaves three times that. Only {@code
   * MAX_BYTES + 1} bytes are ever read to find out that a document is too large.
   */
  public static final int MAX_BYTES = 16 * 1024 * 1024;

  /**
   * Lists and mappings inside each other, the document's own mapping included. The deepest document
   * the schema allows is 7 (DocumentLimitsTest works it out); composing is recursive, so without
   * this a deep {@code [[[[...} ends in a StackOverflowError.
   */
  public static final int MAX_DEPTH = 64;

  /**
   * Characters of one value (a string, a key). A response body is the only field that could want
   * much; larger content belongs in a file a {@code static} route serves.
   */
  public static final int MAX_VALUE_CHARS = 1024 * 1024;

  /**
   * Aliases ({@code *name}) of lists and mappings: a config may reuse a few blocks, but each alias
   * repeats all of what it names wherever it stands ("billion laughs").
   */
  public static final int MAX_COLLECTION_ALIASES = 50;

  /**
   * Values (keys, strings, numbers, lists, mappings) in a document, and again once aliases are
   * expanded. Memory grows with values rather than bytes: each costs a few hundred bytes of heap
   * while it is read, so a document of two-byte values ({@code [a,a,a,...]}) far smaller than
   * {@link #MAX_BYTES} could otherwise exhaust a 512 MB heap. A 10,000-route config holds 318,000;
   * the worst document at this limit needs about 250 MB while it is read.
   */
  public static final int MAX_VALUES = 500_000;

  private DocumentLimits() {}

  /**
   * The document {@code in} holds, decoded as UTF-8; reads at most {@link #MAX_BYTES} + 1 bytes,
   * however long the stream is.
   *
   * @throws ConfigException the document is larger than {@link #MAX_BYTES}
   * @throws IOException the stream cannot be read, or is not UTF-8
   */
  static String read(InputStream in) throws IOException, ConfigException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new ConfigException(List.of(tooLarge()));
    }
    // A decoder, not new String(...): bytes that are not UTF-8 are an error, as
    // Files.readString made them, not replacement characters.
    return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
  }

  /** Whether {@code text} takes more than {@link #MAX_BYTES} bytes as UTF-8. */
  static boolean tooLarge(String text) {
    if (text.length() > MAX_BYTES) {
      return true; // every char is at least one byte
    }
    if ((long) text.length() * 3 <= MAX_BYTES) {
      return false; // and at most three
    }
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : (c < 0x800 || Character.isSurrogate(c)) ? 2 : 3;
    }
    return bytes > MAX_BYTES;
  }

  static ConfigError tooLarge() {
    return new ConfigError(
        "",
        "larger than "
            + MAX_BYTES
            + " bytes ("
            + (MAX_BYTES >> 20)
            + " MiB), the limit for a config document");
  }

  static ConfigError tooDeep(int line) {
    return new ConfigError(
        "",
        "lists and mappings nested more than "
            + MAX_DEPTH
            + " deep, the limit for a config document",
        line);
  }

  static ConfigError valueTooLong(int line) {
    return new ConfigError(
        "",
        "a value of more than " + MAX_VALUE_CHARS + " characters, the limit for one value",
        line);
  }

  static ConfigError tooManyAliases(int line) {
    return new ConfigError(
        "",
        "more than "
            + MAX_COLLECTION_ALIASES
            + " aliases of lists or "
            + "mappings, the limit for a config document",
        line);
  }

  static ConfigError tooManyValues(int line) {
    return new ConfigError(
        "",
        "more than "
            + MAX_VALUES
            + " values (keys, strings, numbers, "
            + "lists, mappings), the limit for a config document",
        line);
  }

  static ConfigError tooManyExpandedValues(int line) {
    return new ConfigError(
        "",
        "more than "
            + MAX_VALUES
            + " values once aliases are expanded, "
            + "the limit for a config document",
        line);
  }

  /** A limit a document broke: reading it stops at once, with this one error. */
  static final class Exceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient ConfigError error;

    Exceeded(ConfigError error) {
      super(error.toString(), null, false, false);
      this.error = error;
    }

    ConfigError error() {
      return error;
    }
  }
}
