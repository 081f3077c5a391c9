package dev.wharf.dataplane.compression;

import dev.wharf.proto.config.v1.Compression;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * A route's compression settings as the data plane applies them: the route's own {@code
 * compression}, or its listener's when the route has none. Compiled once per snapshot.
 *
 * @param enabled nginx {@code gzip on}
 * @param minLength responses declaring a shorter {@code Content-Length} are sent as they are;
 *     responses of unknown length are compressed
 * @param types media types compressed, lower case, without parameters; always holds {@code
 *     text/html}
 * @param typeFamilies media type prefixes from {@code text/*} entries, such as {@code text/}
 * @param level zlib level, 1 (fastest) to 9 (smallest)
 * @param proxied whether requests that came through another proxy ({@code Via}) get compressed
 *     responses, as nginx {@code gzip_proxied any}; false is {@code gzip_proxied off}
 */
public record CompressionSettings(
    boolean enabled,
    long minLength,
    Set<String> types,
    Set<String> typeFamilies,
    int level,
    boolean proxied) {
  /** nginx gzip_min_length. */
  static final long DEFAULT_MIN_LENGTH = 20;

  /** nginx gzip_comp_level. */
  static final int DEFAULT_LEVEL = 1;

  public static final CompressionSettings OFF = compile(Compression.getDefaultInstance());

  public CompressionSettings {
    types = Set.copyOf(types);
    typeFamilies = Set.copyOf(typeFamilies);
  }

  /** The settings of {@code config}; unset fields take nginx's defaults. */
  public static CompressionSettings compile(Compression config) {
    Set<String> types = new HashSet<>();
    Set<String> families = new HashSet<>();
    types.add("text/html");
    for (String type : config.getTypesList()) {
      String t = type.toLowerCase(Locale.ROOT);
      if (t.endsWith("/*")) {
        families.add(t.substring(0, t.length() - 1));
      } else {
        types.add(t);
      }
    }
    return new CompressionSettings(
        config.getEnabled(),
        config.hasMinLength() ? config.getMinLength().getBytes() : DEFAULT_MIN_LENGTH,
        types,
        families,
        config.getLevel() == 0 ? DEFAULT_LEVEL : config.getLevel(),
        !config.hasProxied() || config.getProxied());
  }

  /** Whether a response with this {@code Content-Type} header value may be compressed. */
  public boolean compressible(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .strip()
            .toLowerCase(Locale.ROOT);
    if (types.contains(type)) {
      return true;
    }
    int slash = type.indexOf('/');
    return slash > 0 && typeFamilies.contains(type.substring(0, slash + 1));
  }

  /** What the response to {@code request} may become, decided when its head is written. */
  public ResponseCompression forRequest(HttpRequest request) {
    if (!enabled) {
      return ResponseCompression.OFF;
    }
    ContentCoding coding = null;
    if (proxied || !request.headers().contains(HttpHeaderNames.VIA)) {
      coding = AcceptEncoding.preferred(request.headers().get(HttpHeaderNames.ACCEPT_ENCODING));
    }
    return new ResponseCompression(
        this,
        coding,
        request.method().equals(HttpMethod.HEAD),
        request.protocolVersion().equals(HttpVersion.HTTP_1_0));
  }
}
