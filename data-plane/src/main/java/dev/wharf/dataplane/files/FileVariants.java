package dev.wharf.dataplane.files;

import dev.wharf.dataplane.compression.AcceptEncoding;
import dev.wharf.dataplane.compression.ContentCoding;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Picks what to send for a file found: the file itself, or, on a route with {@code precompressed}
 * (nginx gzip_static), its {@code FILE.gz} sibling when it exists and the client accepts gzip.
 * Whenever a sibling exists, both answers carry {@code Vary: Accept-Encoding}, so a cache keeps
 * them apart. The sibling has its own {@code ETag}, {@code Last-Modified} and length; its type is
 * the original's.
 *
 * <p>A request that came through another proxy ({@code Via}) gets the sibling only when the route's
 * compression settings compress for proxied requests, as gzip_static follows {@code gzip_proxied}.
 */
final class FileVariants {
  private FileVariants() {}

  /**
   * @param gzipProxied whether the route's compression covers proxied requests
   */
  static FileVariant choose(
      StaticSite site,
      boolean gzipProxied,
      HttpRequest request,
      FileResolver resolver,
      FileResolver.Found found) {
    Path file = found.file();
    String type = site.mimeTypes().of(file.getFileName().toString());
    if (site.precompressed()) {
      Path gz = file.resolveSibling(file.getFileName() + ".gz");
      BasicFileAttributes attributes = FileResolver.attributesOrNull(gz);
      if (attributes != null
          && attributes.isRegularFile()
          && (!site.denySymlinksOutsideRoot() || resolver.insideBase(gz))) {
        return acceptsGzip(gzipProxied, request)
            ? variant(gz, attributes, type, ContentCoding.GZIP.token(), true)
            : variant(file, found.attributes(), type, null, true);
      }
    }
    return variant(file, found.attributes(), type, null, false);
  }

  private static boolean acceptsGzip(boolean gzipProxied, HttpRequest request) {
    return AcceptEncoding.accepts(
            request.headers().get(HttpHeaderNames.ACCEPT_ENCODING), ContentCoding.GZIP)
        && (gzipProxied || !request.headers().contains(HttpHeaderNames.VIA));
  }

  private static FileVariant variant(
      Path file, BasicFileAttributes attributes, String type, String encoding, boolean varies) {
    return new FileVariant(
        file,
        attributes.size(),
        attributes.lastModifiedTime().to(TimeUnit.SECONDS),
        type,
        encoding,
        varies);
  }
}
