package dev.wharf.controlplane.discovery;

import com.google.protobuf.ByteString;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The gRPC marshaller of messages the control plane encoded itself ({@link SnapshotPush}): their
 * bytes go to the transport as they are. A known length and {@link Drainable} let gRPC frame them
 * without an intermediate copy, as it does for protobuf messages.
 */
final class EncodedMessages implements MethodDescriptor.Marshaller<ByteString> {
  static final EncodedMessages INSTANCE = new EncodedMessages();

  private EncodedMessages() {}

  @Override
  public InputStream stream(ByteString message) {
    return new Encoded(message);
  }

  @Override
  public ByteString parse(InputStream stream) {
    try {
      return ByteString.readFrom(stream);
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("reading a message").withCause(e).asRuntimeException();
    }
  }

  /** The bytes of one message, read once: by gRPC's framer through {@link #drainTo}, usually. */
  private static final class Encoded extends InputStream implements KnownLength, Drainable {
    private final ByteString message;
    private InputStream reading; // null until read byte by byte
    private boolean drained;

    Encoded(ByteString message) {
      this.message = message;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (reading == null && !drained) {
        drained = true;
        message.writeTo(target);
        return message.size();
      }
      return (int) input().transferTo(target);
    }

    @Override
    public int read() throws IOException {
      return input().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return input().read(b, off, len);
    }

    /** What is left; before anything is read, the whole message (gRPC asks before draining). */
    @Override
    public int available() throws IOException {
      if (reading == null) {
        return drained ? 0 : message.size();
      }
      return reading.available();
    }

    private InputStream input() {
      if (reading == null) {
        reading = drained ? InputStream.nullInputStream() : message.newInput();
      }
      return reading;
    }
  }
}
