package dev.wharf.dataplane.server;

/** A listener could not bind its address; the message is fit for an operator. */
public final class ListenerBindException extends Exception {
  private static final long serialVersionUID = 1L;

  ListenerBindException(String listener, String address, Throwable cause) {
    super("listener " + listener + ": cannot bind " + address + ": " + cause.getMessage(), cause);
  }
}
