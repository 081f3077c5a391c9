package dev.wharf.dataplane.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ByteProcessor;

/**
 * Checks the raw bytes of one request head for what Netty's decoder normalises away before anyone
 * can see it: the request line must be exactly {@code METHOD SP target SP HTTP/1.x CRLF} (one space
 * each, a method of {@code A-Z}, {@code _} and {@code -} as nginx allows, no control byte in the
 * target, {@code HTTP/} in upper case), and no header line may start with a space or a tab
 * (obs-fold, RFC 9112 5.2), and no header line may be longer than the listener's {@code
 * max_header_line_size} (400, as nginx answers a line that does not fit one of its {@code
 * large_client_header_buffers}). Versions from 1.2 up are 505 (nginx 1.22 answers 505 from 2.0 up
 * and serves 1.2 as 1.1; Wharf does not guess); 0.x is 400, as nginx; everything else refused is
 * 400.
 *
 * <p>It is fed bytes as they arrive, resuming where it stopped, so each byte of a head is looked at
 * once. It stops at the empty line that ends the head, or at the first fault; {@link #reset}
 * readies it for the next head. One instance per connection, on its event loop.
 */
final class RequestHeadScanner implements ByteProcessor {
  private static final int MAX_VERSION_LENGTH = 16;

  private enum State {
    START,
    METHOD,
    TARGET_START,
    TARGET,
    VERSION,
    LINE_LF,
    LINE_START,
    HEADER,
    HEADER_LF,
    END_LF,
    DONE,
    REJECTED
  }

  private final int maxHeaderLine;
  private State state = State.START;
  private int headerLineLength;
  private final StringBuilder version = new StringBuilder(MAX_VERSION_LENGTH);
  private RejectedRequestException rejection;
  private long bytesSeen;

  /**
   * @param maxHeaderLine the buffer a header line must fit with its CRLF, as nginx's {@code
   *     large_client_header_buffers} SIZE: with 8k a line of 8190 bytes passes, 8191 is refused
   */
  RequestHeadScanner(int maxHeaderLine) {
    this.maxHeaderLine = maxHeaderLine;
  }

  /** The head was scanned to its end without a fault. */
  boolean done() {
    return state == State.DONE;
  }

  /** Every byte this scanner was given since it was made, across heads: a test's proof. */
  long bytesSeen() {
    return bytesSeen;
  }

  /** The fault found, or null. */
  RejectedRequestException rejection() {
    return rejection;
  }

  void reset() {
    state = State.START;
    version.setLength(0);
    rejection = null;
  }

  /** Takes the next byte of the head; false once the head ended or was refused. */
  @Override
  public boolean process(byte b) {
    bytesSeen++;
    switch (state) {
      case START -> {
        if (b == '\r' || b == '\n') {
          return true; // empty lines before a request line are ignored (RFC 9112 2.2)
        }
        state = State.METHOD;
        return methodByte(b);
      }
      case METHOD -> {
        if (b == ' ') {
          state = State.TARGET_START;
          return true;
        }
        return methodByte(b);
      }
      case TARGET_START -> {
        if (b == ' ' || b == '\r' || b == '\n') {
          return reject(
              HttpResponseStatus.BAD_REQUEST,
              "request line: expected one space and " + "a request target after the method");
        }
        state = State.TARGET;
        return targetByte(b);
      }
      case TARGET -> {
        if (b == ' ') {
          state = State.VERSION;
          return true;
        }
        return targetByte(b);
      }
      case VERSION -> {
        if (b == '\r') {
          state = State.LINE_LF;
          return checkVersion();
        }
        if (version.length() == MAX_VERSION_LENGTH || b < 0x21 || b > 0x7E) {
          return reject(HttpResponseStatus.BAD_REQUEST, "request line: malformed HTTP version");
        }
        version.append((char) b);
        return true;
      }
      case LINE_LF, HEADER_LF -> {
        if (b != '\n') {
          return reject(HttpResponseStatus.BAD_REQUEST, "a CR not followed by LF in the head");
        }
        state = State.LINE_START;
        return true;
      }
      case LINE_START -> {
        if (b == ' ' || b == '\t') {
          return reject(HttpResponseStatus.BAD_REQUEST, "obsolete line folding in a header");
        }
        if (b == '\r') {
          state = State.END_LF;
          return true;
        }
        state = State.HEADER;
        headerLineLength = 0;
        return headerByte(b);
      }
      case HEADER -> {
        return headerByte(b);
      }
      case END_LF -> {
        if (b != '\n') {
          return reject(HttpResponseStatus.BAD_REQUEST, "a CR not followed by LF in the head");
        }
        state = State.DONE;
        return false;
      }
      default -> {
        return false; // DONE or REJECTED: nothing more to look at
      }
    }
  }

  private boolean methodByte(byte b) {
    if ((b >= 'A' && b <= 'Z') || b == '_' || b == '-') {
      return true;
    }
    return reject(
        HttpResponseStatus.BAD_REQUEST,
        "request line: the method must be upper-case letters, '_' or '-', then one space");
  }

  private boolean targetByte(byte b) {
    if (b < 0x20 || b == 0x7F) {
      return reject(
          HttpResponseStatus.BAD_REQUEST,
          "request line: a control byte in the request target, or no HTTP version");
    }
    return true;
  }

  private boolean headerByte(byte b) {
    if (b == '\r') {
      state = State.HEADER_LF;
    } else if (b == '\n') {
      return reject(HttpResponseStatus.BAD_REQUEST, "a header line ended by a bare LF");
    } else if (++headerLineLength > maxHeaderLine - 2) {
      // Refused at the first byte too many: the rest of a 1 GB line is never looked at.
      return reject(
          HttpResponseStatus.BAD_REQUEST,
          "a header line longer than max_header_line_size (" + maxHeaderLine + " bytes)");
    }
    return true;
  }

  private boolean checkVersion() {
    String v = version.toString();
    if (v.equals("HTTP/1.1") || v.equals("HTTP/1.0")) {
      return true; // nearly every request: no pattern to compile for them
    }
    if (!isVersionShape(v)) {
      return reject(HttpResponseStatus.BAD_REQUEST, "request line: malformed HTTP version");
    }
    if (v.startsWith("HTTP/0.")) {
      return reject(HttpResponseStatus.BAD_REQUEST, "request line: " + v + " has no head");
    }
    if (!v.equals("HTTP/1.1") && !v.equals("HTTP/1.0")) {
      return reject(
          HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
          "request line: " + v + " is not supported");
    }
    return true;
  }

  /** Whether {@code v} is {@code HTTP/} digits {@code .} digits, at least one digit each side. */
  private static boolean isVersionShape(String v) {
    int dot = v.indexOf('.');
    return v.startsWith("HTTP/")
        && dot > "HTTP/".length()
        && dot < v.length() - 1
        && allDigits(v, "HTTP/".length(), dot)
        && allDigits(v, dot + 1, v.length());
  }

  private static boolean allDigits(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private boolean reject(HttpResponseStatus status, String reason) {
    state = State.REJECTED;
    rejection = new RejectedRequestException(status, reason);
    return false;
  }
}
