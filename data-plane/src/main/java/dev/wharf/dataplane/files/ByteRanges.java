package dev.wharf.dataplane.files;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A GET's {@code Range} on a file (RFC 9110 14): one satisfiable range is answered 206 with exactly
 * its bytes; a range that starts past the end is answered 416. Everything else is answered with the
 * whole file, as the RFC allows a server to do: several ranges (nginx would send {@code
 * multipart/byteranges}), a unit other than {@code bytes}, a header that does not parse, and an
 * {@code If-Range} that does not match the file's current validators.
 */
final class ByteRanges {
  /** What to send of the file. */
  sealed interface Selection permits Whole, Part, Unsatisfiable {}

  /** The whole file, 200. */
  record Whole() implements Selection {}

  /** {@code length} bytes from {@code start}, 206. */
  record Part(long start, long length) implements Selection {
    /** The {@code Content-Range} value, e.g. {@code bytes 0-99/1000}. */
    String contentRange(long size) {
      return "bytes " + start + "-" + (start + length - 1) + "/" + size;
    }
  }

  /** 416, with {@code Content-Range: bytes *}{@code /size}. */
  record Unsatisfiable() implements Selection {}

  static final Whole WHOLE = new Whole();
  static final Unsatisfiable UNSATISFIABLE = new Unsatisfiable();

  private ByteRanges() {}

  static Selection select(HttpHeaders headers, FileVariant file) {
    String range = headers.get(HttpHeaderNames.RANGE);
    if (range == null || !ifRangeHolds(headers.get(HttpHeaderNames.IF_RANGE), file)) {
      return WHOLE;
    }
    if (!range.regionMatches(true, 0, "bytes=", 0, 6)) {
      return WHOLE;
    }
    String spec = range.substring(6).strip();
    if (spec.indexOf(',') >= 0) {
      return WHOLE; // several ranges: the whole file, never multipart
    }
    return single(spec, file.size());
  }

  /** {@code If-Range}: an entity tag compared strongly, or a date equal to Last-Modified. */
  private static boolean ifRangeHolds(String ifRange, FileVariant file) {
    if (ifRange == null) {
      return true;
    }
    String value = ifRange.strip();
    if (value.startsWith("\"") || value.startsWith("W/")) {
      return Preconditions.matches(value, file.etag(), true);
    }
    Long date = Preconditions.seconds(value);
    return date != null && date == file.modifiedSeconds();
  }

  /** One {@code first-last}, {@code first-} or {@code -suffix}. */
  private static Selection single(String spec, long size) {
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return WHOLE;
    }
    long first = number(spec.substring(0, dash).strip());
    long last = number(spec.substring(dash + 1).strip());
    if (dash == 0) { // a suffix: the last N bytes
      if (last < 0) {
        return WHOLE;
      }
      if (last == 0 || size == 0) {
        return UNSATISFIABLE;
      }
      long length = Math.min(last, size);
      return new Part(size - length, length);
    }
    if (first < 0 || (dash < spec.length() - 1 && (last < 0 || last < first))) {
      return WHOLE; // does not parse, or first > last: the header is invalid, ignore it
    }
    if (first >= size) {
      return UNSATISFIABLE;
    }
    long end = dash == spec.length() - 1 ? size - 1 : Math.min(last, size - 1);
    return new Part(first, end - first + 1);
  }

  /** A non-negative decimal, or -1. */
  private static long number(String digits) {
    if (digits.isEmpty() || digits.length() > 18) {
      return -1;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(digits);
  }
}
