package dev.wharf.dataplane.tls;

/**
 * The TLS settings of an upstream cannot be put to work on this node (a file that cannot be read or
 * does not hold what it should); the config is refused.
 */
final class UpstreamTlsException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String upstream;
  private final String field;

  /**
   * @param field the field under {@code tls}, e.g. {@code ca_file}
   */
  UpstreamTlsException(String upstream, String field, String reason) {
    super(reason);
    this.upstream = upstream;
    this.field = field;
  }

  String upstream() {
    return upstream;
  }

  String field() {
    return field;
  }
}
