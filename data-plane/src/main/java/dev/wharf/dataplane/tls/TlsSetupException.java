package dev.wharf.dataplane.tls;

/**
 * A listener's TLS setup cannot be built on this node (a file it cannot read, a key that does not
 * load, a cipher list the engine supports nothing of): the config is refused with this reason.
 */
public final class TlsSetupException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * @param field the field below the listener's {@code tls}, e.g. {@code certificates[0]}
   */
  public TlsSetupException(String field, String reason) {
    super(reason);
    this.field = field;
  }

  /** The field below the listener's {@code tls} the problem is in. */
  public String field() {
    return field;
  }
}
