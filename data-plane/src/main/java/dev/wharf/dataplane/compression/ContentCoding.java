package dev.wharf.dataplane.compression;

import io.netty.handler.codec.compression.ZlibWrapper;

/** The content codings Wharf compresses with, both zlib formats. */
public enum ContentCoding {
  /** RFC 1952; {@code x-gzip} is the same coding (RFC 9110 8.4.1.3). */
  GZIP("gzip", "x-gzip", ZlibWrapper.GZIP),
  /** HTTP's "deflate" is the zlib format (RFC 1950), not a raw deflate stream. */
  DEFLATE("deflate", null, ZlibWrapper.ZLIB);

  private final String token;
  private final String alias;
  private final ZlibWrapper wrapper;

  ContentCoding(String token, String alias, ZlibWrapper wrapper) {
    this.token = token;
    this.alias = alias;
    this.wrapper = wrapper;
  }

  /** The name in {@code Content-Encoding}. */
  public String token() {
    return token;
  }

  boolean named(String name) {
    return token.equalsIgnoreCase(name) || (alias != null && alias.equalsIgnoreCase(name));
  }

  ZlibWrapper wrapper() {
    return wrapper;
  }
}
