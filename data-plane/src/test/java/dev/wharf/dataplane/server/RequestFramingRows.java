package dev.wharf.dataplane.server;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Issue 18: one table of request-framing edge cases on a proxy route, run at two levels: on
 * embedded channels through the real client and upstream pipelines ({@link
 * RequestFramingEmbeddedTest}, which sees the exact bytes written upstream) and over real sockets
 * to a {@link dev.wharf.dataplane.testing.TestBackend} ({@link RequestFramingProxyEndToEndTest}).
 *
 * <p>Each row is the raw bytes a client sends, the statuses it gets in order (an interim {@code
 * 100} included; none when the connection just closes), whether the connection is closed after
 * them, and the exact bytes the endpoint receives: the endpoint answers each complete request
 * {@code 200 ok}. {@code cut} means the endpoint's connection is closed after those bytes,
 * mid-request, so no endpoint can take the part for the whole request (Wharf streams bodies; nginx,
 * buffering them, would not have connected at all).
 *
 * <p>The listener's limits are small ({@link #LIMITS}) so the oversized rows stay small.
 */
final class RequestFramingRows {
  private RequestFramingRows() {}

  /** The listener's limits, in its YAML flow mapping. */
  static final String LIMITS =
      "max_uri_length: 1k, max_request_header_size: 2k, max_header_line_size: 1k";

  /**
   * @param name what the row is about, shown as the test's name
   * @param parts the request bytes, sent one after the other
   * @param statuses what the client gets, in order
   * @param closes whether the client's connection is closed after them
   * @param upstream the exact bytes the endpoint gets, over all its connections ({@link #ENDPOINT}
   *     standing for its address)
   * @param cut the endpoint's connection is closed after {@code upstream}, mid-request
   */
  record Row(
      String name,
      List<String> parts,
      List<Integer> statuses,
      boolean closes,
      String upstream,
      boolean cut) {
    @Override
    public String toString() {
      return name;
    }

    /** {@link #upstream} with {@link #ENDPOINT} replaced by the endpoint's address. */
    String upstreamFor(String endpoint) {
      return upstream.replace(ENDPOINT, endpoint);
    }
  }

  /** Stands for the address of the endpoint ({@code host:port}) in {@link Row#upstream}. */
  static final String ENDPOINT = "{endpoint}";

  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** The endpoint's answer to each complete request. */
  static String endpointAnswer() {
    return OK;
  }

  private static Row refused(String name, String raw, int status) {
    return new Row(name, List.of(raw), List.of(status), true, "", false);
  }

  private static Row forwarded(String name, String raw, String upstream) {
    return new Row(name, List.of(raw), List.of(200), false, upstream, false);
  }

  /** A head Wharf forwards, then a body it cannot frame: 400, both connections closed. */
  private static Row cutOff(String name, String body, String forwardedBody) {
    String head = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    String sent = "POST /up HTTP/1.1\r\nHost: a\r\ntransfer-encoding: chunked\r\n\r\n";
    return new Row(name, List.of(head + body), List.of(400), true, sent + forwardedBody, true);
  }

  private static final String POST = "POST /up HTTP/1.1\r\nHost: a\r\n";

  static Stream<Arguments> rows() {
    return Stream.of(
            // ---- Content-Length and Transfer-Encoding together: smuggling, 400, nothing sent
            refused(
                "CL then TE: chunked",
                POST + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
                400),
            refused(
                "TE: chunked then CL",
                POST + "Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\nG",
                400),
            refused(
                "CL 0 with TE: chunked",
                POST + "Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                400),
            // ---- Transfer-Encoding values: chunked alone, any case and around spaces, else 501
            // chunked twice is malformed (RFC 9112 7: never applied twice), 400; nginx 1.22 501
            refused(
                "TE: chunked, chunked",
                POST + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                400),
            refused(
                "TE twice: chunked and chunked",
                POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                400),
            refused(
                "TE: gzip, chunked",
                POST + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                501),
            // identity is no transfer coding since RFC 7230: Netty's decoder refuses it, 400
            refused("TE: identity", POST + "Transfer-Encoding: identity\r\n\r\n", 400),
            refused(
                "TE: identity with CL",
                POST + "Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello",
                400),
            forwarded(
                "TE: Chunked (case)",
                POST + "Transfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                POST + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            forwarded(
                "TE: 'chunked ' (trailing space)",
                POST + "Transfer-Encoding: chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                POST + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            refused(
                "TE: chunked on HTTP/1.0",
                "POST /up HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                400),
            refused(
                "TE obs-folded onto a second line",
                POST + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
                400),
            refused(
                "TE: \\x0bchunked (vertical tab)",
                POST + "Transfer-Encoding: \u000bchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                400),
            refused(
                "TE: chunked\\x0b (vertical tab after)",
                POST + "Transfer-Encoding: chunked\u000b\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                400),
            refused(
                "TE with a space before the colon",
                POST + "Transfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                400),
            // ---- Content-Length values
            refused(
                "CL twice, equal",
                POST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                400),
            refused(
                "CL twice, different",
                POST + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                400),
            refused("CL list '5, 5'", POST + "Content-Length: 5, 5\r\n\r\nhello", 400),
            refused("CL +5", POST + "Content-Length: +5\r\n\r\nhello", 400),
            refused("CL -1", POST + "Content-Length: -1\r\n\r\nhello", 400),
            refused("CL 0x5", POST + "Content-Length: 0x5\r\n\r\nhello", 400),
            refused("CL 5 5", POST + "Content-Length: 5 5\r\n\r\nhello", 400),
            refused(
                "CL 99999999999999999999 (overflow)",
                POST + "Content-Length: 99999999999999999999\r\n\r\nhello",
                400),
            forwarded(
                "CL ' 5' (spaces are OWS)",
                POST + "Content-Length:    5\r\n\r\nhello",
                POST + "Content-Length: 5\r\n\r\nhello"),
            forwarded(
                "CL 005 (leading zeros)",
                POST + "Content-Length: 005\r\n\r\nhello",
                POST + "Content-Length: 005\r\n\r\nhello"),
            // ---- chunk sizes: the head has gone, the body is cut off
            cutOff("chunk size g", "g\r\nabc\r\n0\r\n\r\n", ""),
            cutOff("chunk size -1", "-1\r\nabc\r\n0\r\n\r\n", ""),
            cutOff("chunk size 0x10", "0x10\r\n" + "a".repeat(16) + "\r\n0\r\n\r\n", ""),
            cutOff(
                "chunk size of 17 hex digits (overflow)",
                "10000000000000005\r\nhello\r\n0\r\n\r\n",
                ""),
            cutOff(
                "chunk size after a good chunk, overflowing",
                "5\r\nhello\r\nffffffffffffffffff1\r\nabc\r\n0\r\n\r\n",
                "5\r\nhello\r\n"),
            cutOff("chunk extension with a bare LF", "5;a=b\nhello\r\n0\r\n\r\n", ""),
            cutOff("chunk extension with a NUL", "5;a=\u0000\r\nhello\r\n0\r\n\r\n", ""),
            cutOff(
                "chunk extension longer than a chunk-size line may be",
                "5;" + "x".repeat(70_000) + "\r\nhello\r\n0\r\n\r\n",
                ""),
            cutOff("no CRLF after the chunk data", "5\r\nhelloXY0\r\n\r\n", "5\r\nhello\r\n"),
            cutOff("LF-only line ends", "5\nhello\n0\n\n", ""),
            forwarded(
                "a chunk extension is dropped",
                POST + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n",
                POST + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
            // ---- oversized heads, against the listener's limits
            refused(
                "request line over max_uri_length",
                "GET /" + "u".repeat(1100) + " HTTP/1.1\r\nHost: a\r\n\r\n",
                414),
            refused(
                "head over max_request_header_size",
                "GET / HTTP/1.1\r\nHost: a\r\n"
                    + ("X-Pad: " + "p".repeat(500) + "\r\n").repeat(5)
                    + "\r\n",
                431),
            refused(
                "header line over max_header_line_size",
                "GET / HTTP/1.1\r\nHost: a\r\nX-Long: " + "l".repeat(1100) + "\r\n\r\n",
                400),
            // ---- Expect
            new Row(
                "Expect: 100-continue, body after the 100",
                List.of(POST + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\n", "hello"),
                List.of(100, 200),
                false,
                POST + "Content-Length: 5\r\n\r\nhello",
                false),
            new Row(
                "Expect: 100-continue, body sent at once anyway",
                List.of(POST + "Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello"),
                List.of(100, 200),
                false,
                POST + "Content-Length: 5\r\n\r\nhello",
                false),
            forwarded(
                "Expect: 100-continue on HTTP/1.0 is ignored",
                "POST /up HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\nConnection: keep-alive\r\n\r\nhello",
                POST + "Content-Length: 5\r\n\r\nhello"),
            forwarded(
                "Expect: something-else is ignored and not forwarded, as nginx",
                POST + "Content-Length: 5\r\nExpect: something-else\r\n\r\nhello",
                POST + "Content-Length: 5\r\n\r\nhello"),
            // ---- HTTP/1.0
            new Row(
                "HTTP/1.0 with CL",
                List.of("POST /up HTTP/1.0\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
                List.of(200),
                true,
                POST + "Content-Length: 5\r\n\r\nhello",
                false),
            new Row(
                "HTTP/1.0 without CL: no body, the bytes after are not a request",
                List.of("POST /up HTTP/1.0\r\nHost: a\r\n\r\nhello"),
                List.of(200),
                true,
                "POST /up HTTP/1.1\r\nHost: a\r\n\r\n",
                false),
            // An HTTP/1.1 request must have a Host (RFC 9112 3.2); the client's is kept, and one
            // that sent none (HTTP/1.0 may) gets the endpoint's address, as nginx's $proxy_host.
            new Row(
                "HTTP/1.0 without Host: the endpoint's address is its Host upstream",
                List.of("GET /up HTTP/1.0\r\n\r\n"),
                List.of(200),
                true,
                "GET /up HTTP/1.1\r\nhost: " + ENDPOINT + "\r\n\r\n",
                false),
            new Row(
                "HTTP/1.0 keep-alive with CL, then a second request",
                List.of(
                    "POST /up HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n"
                        + "Content-Length: 5\r\n\r\nhello",
                    "GET /next HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n"),
                List.of(200, 200),
                false,
                POST + "Content-Length: 5\r\n\r\nhello" + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
                false),
            // ---- pipelining after a body
            forwarded2(
                "pipelined after a CL body",
                POST + "Content-Length: 5\r\n\r\nhello" + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
                POST + "Content-Length: 5\r\n\r\nhello" + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"),
            forwarded2(
                "pipelined after a chunked body",
                POST
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
                POST
                    + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"),
            forwarded2(
                "pipelined after a chunked body with a trailer",
                POST
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n",
                POST
                    + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"),
            new Row(
                "a body longer than its CL: the excess is the next request (garbage: 400)",
                List.of(POST + "Content-Length: 5\r\n\r\nhelloGARBAGE\r\n\r\n"),
                List.of(200, 400),
                true,
                POST + "Content-Length: 5\r\n\r\nhello",
                false))
        .map(Arguments::of);
  }

  private static Row forwarded2(String name, String raw, String upstream) {
    return new Row(name, List.of(raw), List.of(200, 200), false, upstream, false);
  }
}
