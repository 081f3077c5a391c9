package dev.wharf.dataplane.files;

import dev.wharf.dataplane.compression.ResponseCompression;
import dev.wharf.dataplane.exchange.ClientExchange;
import dev.wharf.dataplane.exchange.ExchangeOwner;
import dev.wharf.dataplane.exchange.RoutedRequest;
import dev.wharf.dataplane.http.HeaderRuleSet;
import dev.wharf.dataplane.http.RequestRecord;
import dev.wharf.dataplane.http.RequestTarget;
import dev.wharf.dataplane.http.Responses;
import dev.wharf.dataplane.http.UriPaths;
import dev.wharf.dataplane.node.NodeServices;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.regex.MatchResult;

/**
 * One request on a {@code static} route, answered from the disk: find the file ({@link
 * FileResolver}), pick the representation ({@link FileVariants}), evaluate the conditions ({@link
 * Preconditions}) and the range ({@link ByteRanges}), then send the head and the bytes ({@link
 * FileTransfer}). Only GET and HEAD are served; other methods get 405.
 *
 * <p>Finding and opening the file block on the disk, so they run on the node's file threads ({@link
 * NodeServices#files}); the answer comes back to the event loop, which decides and writes the
 * response. Sending is the kernel's (sendfile) or, when the response is compressed, reads of 32 KiB
 * chunks as the connection can take them.
 *
 * <p>The exchange lasts until the last byte was written, so the connection reads no other request
 * meanwhile and a node drain lets the file finish. The dispatcher hears of the end on a later turn
 * of the event loop, never from inside {@link #start}. Confined to the client connection's event
 * loop, but for {@link #lookUp}.
 */
public final class StaticExchange implements ClientExchange {
  private final ChannelHandlerContext ctx;
  private final NodeServices services;
  private final StaticSite site;
  private final boolean gzipProxied;
  private final HttpRequest request;
  private final RequestTarget target;
  private final MatchResult groups;
  private final RequestRecord record;
  private final ExchangeOwner owner;
  private final HeaderRuleSet responseHeaders;
  private final ResponseCompression compression;
  private long bodyLength;
  private LongSupplier bodySent = () -> 0;
  private boolean finished;

  /**
   * @param ctx the client connection's dispatcher context; the exchange writes there
   * @param site what the route serves
   * @param gzipProxied whether the route compresses responses to proxied requests (those with
   *     {@code Via}), which decides whether they get a precompressed sibling
   * @param compression what the compressor will do with the response, which decides how the file is
   *     sent
   */
  public StaticExchange(
      ChannelHandlerContext ctx,
      NodeServices services,
      RoutedRequest routed,
      StaticSite site,
      boolean gzipProxied,
      ExchangeOwner owner,
      ResponseCompression compression) {
    this.ctx = ctx;
    this.services = services;
    this.site = site;
    this.gzipProxied = gzipProxied;
    this.request = routed.request();
    this.target = routed.target();
    this.groups = routed.groups();
    this.record = routed.record();
    this.responseHeaders = routed.responseHeaders();
    this.owner = owner;
    this.compression = compression;
  }

  @Override
  public void start() {
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      FullHttpResponse refusal = error(HttpResponseStatus.METHOD_NOT_ALLOWED);
      refusal.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      sendWhole(refusal);
      return;
    }
    List<String> tryFiles = FileResolver.render(site, record, groups);
    boolean get = method.equals(HttpMethod.GET);
    services
        .files()
        .execute(
            () -> {
              LookedUp result = lookUp(tryFiles, get);
              ctx.executor().execute(() -> answer(result));
            });
  }

  /**
   * What the disk says: the lookup, the representation chosen, and for a GET the file opened (or
   * the status its opening failed with).
   */
  private record LookedUp(
      FileResolver.Lookup lookup, FileVariant file, FileChannel channel, int openFailure) {}

  /** On a file thread: everything that touches the disk before the response is decided. */
  private LookedUp lookUp(List<String> tryFiles, boolean get) {
    FileResolver resolver = new FileResolver(site);
    FileResolver.Lookup lookup = resolver.resolve(target.path(), tryFiles);
    if (!(lookup instanceof FileResolver.Found found)) {
      return new LookedUp(lookup, null, null, 0);
    }
    FileVariant file = FileVariants.choose(site, gzipProxied, request, resolver, found);
    if (!get) {
      return new LookedUp(lookup, file, null, 0);
    }
    try {
      return new LookedUp(lookup, file, FileChannel.open(file.file(), StandardOpenOption.READ), 0);
    } catch (AccessDeniedException e) {
      return new LookedUp(lookup, file, null, 403);
    } catch (IOException e) {
      return new LookedUp(lookup, file, null, 404); // gone since it was found
    }
  }

  /** Back on the event loop: answer with what the file threads found. */
  private void answer(LookedUp result) {
    if (finished) { // the client left meanwhile
      if (result.channel() != null) {
        closeQuietly(result.channel());
      }
      return;
    }
    FileResolver.Lookup lookup = result.lookup();
    if (lookup instanceof FileResolver.Found) {
      serve(result);
    } else if (lookup instanceof FileResolver.Redirect redirect) {
      FullHttpResponse moved = error(HttpResponseStatus.MOVED_PERMANENTLY);
      // Relative, as nginx's absolute_redirect off: right behind any proxy or port mapping.
      moved
          .headers()
          .set(
              HttpHeaderNames.LOCATION,
              UriPaths.encode(redirect.path())
                  + (target.query().isEmpty() ? "" : "?" + target.query()));
      sendWhole(moved);
    } else {
      sendWhole(error(HttpResponseStatus.valueOf(((FileResolver.Refused) lookup).status())));
    }
  }

  private void serve(LookedUp found) {
    FileVariant file = found.file();
    FileChannel channel = found.channel();
    switch (Preconditions.evaluate(request.headers(), file.etag(), file.modifiedSeconds())) {
      case FAILED -> {
        closeIfOpen(channel);
        sendWhole(error(HttpResponseStatus.PRECONDITION_FAILED));
        return;
      }
      case NOT_MODIFIED -> {
        closeIfOpen(channel);
        sendHead(head(HttpResponseStatus.NOT_MODIFIED, file));
        return;
      }
      case PROCEED -> {}
    }
    boolean get = request.method().equals(HttpMethod.GET);
    ByteRanges.Selection range =
        get ? ByteRanges.select(request.headers(), file) : ByteRanges.WHOLE;
    if (range instanceof ByteRanges.Unsatisfiable) {
      closeIfOpen(channel);
      FullHttpResponse refusal = error(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
      refusal.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + file.size());
      sendWhole(refusal);
      return;
    }
    if (get && channel == null) {
      sendWhole(error(HttpResponseStatus.valueOf(found.openFailure())));
      return;
    }
    ByteRanges.Part part = range instanceof ByteRanges.Part p ? p : null;
    long offset = part == null ? 0 : part.start();
    long length = part == null ? file.size() : part.length();
    HttpResponse head =
        head(part == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT, file);
    head.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    if (part == null) {
      head.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
    } else { // as nginx: a part says Content-Range, and no more that ranges are accepted
      head.headers().set(HttpHeaderNames.CONTENT_RANGE, part.contentRange(file.size()));
    }
    if (!get || length == 0) {
      closeIfOpen(channel);
      sendHead(head);
      return;
    }
    sendFile(head, channel, offset, length);
  }

  /** A head describing {@code file}: type, validators, coding; no length yet. */
  private HttpResponse head(HttpResponseStatus status, FileVariant file) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
    HttpHeaders headers =
        head.headers()
            .set(HttpHeaderNames.SERVER, Responses.SERVER)
            .set(HttpHeaderNames.DATE, Responses.httpDate(services.clock().instant()))
            .set(HttpHeaderNames.LAST_MODIFIED, file.lastModified())
            .set(HttpHeaderNames.ETAG, file.etag());
    if (status.code() != 304) {
      headers.set(HttpHeaderNames.CONTENT_TYPE, file.contentType());
    }
    if (file.contentEncoding() != null) {
      headers.set(HttpHeaderNames.CONTENT_ENCODING, file.contentEncoding());
    }
    if (file.varies()) {
      headers.set(HttpHeaderNames.VARY, "Accept-Encoding");
    }
    return head;
  }

  private void sendFile(HttpResponse head, FileChannel channel, long offset, long length) {
    boolean keepAlive = prepare(head);
    // The kernel can send the file itself unless something on the way needs its bytes: the
    // compressor, TLS, or HTTP/2's framing (a stream's DATA frames).
    boolean zeroCopy =
        compression.decide(head) != ResponseCompression.Decision.COMPRESS
            && ctx.pipeline().get(SslHandler.class) == null
            && !(ctx.channel() instanceof Http2StreamChannel);
    FileTransfer transfer;
    try {
      transfer = FileTransfer.start(ctx, head, channel, offset, length, zeroCopy);
    } catch (IOException e) {
      closeQuietly(channel); // nothing was written yet
      sendWhole(error(HttpResponseStatus.INTERNAL_SERVER_ERROR));
      return;
    }
    bodyLength = length;
    bodySent = transfer::progress;
    completeLater(transfer.written(), keepAlive);
  }

  /** A head without a body: 304, or a HEAD request's answer, or an empty file. */
  private void sendHead(HttpResponse head) {
    boolean keepAlive = prepare(head);
    ctx.write(head);
    completeLater(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), keepAlive);
  }

  private void sendWhole(FullHttpResponse response) {
    boolean keepAlive = prepare(response);
    bodyLength = response.content().readableBytes();
    bodySent = () -> bodyLength;
    completeLater(ctx.writeAndFlush(response), keepAlive);
  }

  /** Records the head, applies the route's header rules and decides keep-alive. */
  private boolean prepare(HttpResponse response) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && owner.keepAliveAllowed();
    HttpUtil.setKeepAlive(response, keepAlive);
    record.responded(response.status().code(), response.headers());
    responseHeaders.applyToResponse(response.headers(), response.status().code(), record, groups);
    return keepAlive;
  }

  private FullHttpResponse error(HttpResponseStatus status) {
    return Responses.error(
        ctx.alloc(),
        status,
        request.method().equals(HttpMethod.HEAD),
        false,
        services.clock().instant());
  }

  private void completeLater(ChannelFuture written, boolean keepAlive) {
    written.addListener(
        f -> ctx.executor().execute(() -> complete(f.isSuccess() && keepAlive, f.isSuccess())));
  }

  private void complete(boolean keepAlive, boolean whole) {
    if (finished) {
      return;
    }
    record.bodySent(whole ? bodyLength : bodySent.getAsLong());
    finished = true;
    owner.exchangeFinished(record, keepAlive);
  }

  @Override
  public void onClientContent(HttpContent content) {
    content.release(); // a body sent with GET or HEAD means nothing to a file
  }

  /** A file does not depend on the body; the connection cannot go on, so it closes. */
  @Override
  public void onClientBodyMalformed() {
    ctx.close();
  }

  @Override
  public void onClientWritabilityChanged() {
    // The chunked writer waits for writability itself; a file region is the kernel's.
  }

  @Override
  public void onClientBodyTimeout() {
    // Never asked for: the request body is read, and dropped, after the response.
  }

  @Override
  public void onClientClosed() {
    complete(false, false);
  }

  private static void closeIfOpen(FileChannel channel) {
    if (channel != null) {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing was written from it; the descriptor is gone either way
    }
  }
}
