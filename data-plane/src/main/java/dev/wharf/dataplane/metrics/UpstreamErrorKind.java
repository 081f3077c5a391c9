package dev.wharf.dataplane.metrics;

import java.util.Locale;

/** Why a request to an upstream failed: the {@code kind} tag of upstream error counts. */
public enum UpstreamErrorKind {
  /** The endpoint refused the TCP connection. */
  CONNECT_REFUSED,
  /** The TCP connection was not established in time. */
  CONNECT_TIMEOUT,
  /** The endpoint sent nothing (or stopped sending) for longer than the read timeout. */
  READ_TIMEOUT,
  /** The request could not be written to the endpoint in time. */
  SEND_TIMEOUT,
  /** The endpoint reset or closed the connection mid-exchange. */
  RESET,
  /** The endpoint's response was not valid HTTP. */
  BAD_RESPONSE,
  /** The upstream had no endpoint to send the request to. */
  NO_ENDPOINT;

  private final String tag = name().toLowerCase(Locale.ROOT);

  /** The tag value: the name in lower case, computed once. */
  public String tag() {
    return tag;
  }
}
