package dev.wharf.dataplane.files;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.function.LongSupplier;

/**
 * A file's bytes on their way to the client, after its head. Two ways:
 *
 * <ul>
 *   <li>zero-copy: one {@link DefaultFileRegion}, which the transport hands to the kernel ({@code
 *       sendfile}); no byte passes through the JVM. Only when nothing between the dispatcher and
 *       the socket needs the bytes (no compression, no TLS).
 *   <li>chunked: {@link ChunkedNioFile} read 32 KiB at a time by the pipeline's chunked writer,
 *       only while the connection is writable, so a slow client holds one chunk, not the file.
 * </ul>
 *
 * Both read the file on the event loop: from the page cache that is a copy, from a slow disk it
 * stalls the loop, as nginx's {@code sendfile} and {@code read} do without {@code aio threads}.
 */
final class FileTransfer {
  static final int CHUNK_SIZE = 32 * 1024;

  private final ChannelFuture written;
  private final LongSupplier progress;

  private FileTransfer(ChannelFuture written, LongSupplier progress) {
    this.written = written;
    this.progress = progress;
  }

  /**
   * Writes {@code head} and {@code length} bytes of {@code file} from {@code offset}. The file
   * channel belongs to the transfer from here on: it is closed when the body was written or the
   * connection closed.
   *
   * @throws IOException before anything was written, when the file cannot be read
   */
  static FileTransfer start(
      ChannelHandlerContext ctx,
      HttpResponse head,
      FileChannel file,
      long offset,
      long length,
      boolean zeroCopy)
      throws IOException {
    if (zeroCopy) {
      DefaultFileRegion region = new DefaultFileRegion(file, offset, length);
      ctx.write(head);
      ctx.write(region);
      return new FileTransfer(
          ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT), region::transferred);
    }
    ChunkedNioFile chunks = new ChunkedNioFile(file, offset, length, CHUNK_SIZE);
    ctx.write(head);
    return new FileTransfer(ctx.writeAndFlush(new HttpChunkedInput(chunks)), chunks::progress);
  }

  /** Completes when the last byte was written (or the write failed). */
  ChannelFuture written() {
    return written;
  }

  /** File bytes handed to the connection so far. */
  long progress() {
    return progress.getAsLong();
  }
}
