package dev.wharf.dataplane.files;

import io.netty.handler.codec.DateFormatter;
import java.nio.file.Path;
import java.util.Date;

/**
 * One representation of a file as sent: the file read (the original or its {@code .gz} sibling),
 * its size and modification time, and the headers that describe it.
 *
 * @param modifiedSeconds modification time in whole seconds since the epoch, as HTTP dates have
 * @param contentType from the original file's name, also for its {@code .gz} sibling
 * @param contentEncoding {@code gzip} for a precompressed sibling, else null
 * @param varies whether another client may get another representation ({@code Vary:
 *     Accept-Encoding}): a precompressed sibling exists
 */
record FileVariant(
    Path file,
    long size,
    long modifiedSeconds,
    String contentType,
    String contentEncoding,
    boolean varies) {

  /** nginx's entity tag: hex modification time and hex size, strong. */
  String etag() {
    return "\"" + Long.toHexString(modifiedSeconds) + "-" + Long.toHexString(size) + "\"";
  }

  String lastModified() {
    return DateFormatter.format(new Date(modifiedSeconds * 1000));
  }
}
