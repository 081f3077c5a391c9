package dev.wharf.bench.fleet;

import dev.wharf.proto.discovery.v1.ControlMessage;
import io.grpc.MethodDescriptor.Marshaller;
import java.io.InputStream;

/**
 * The control messages' marshaller, noting on the parsing thread when each parse started and ended,
 * for {@link SimulatedNode#onNext} to read on the same thread right after.
 */
final class TimedParse implements Marshaller<ControlMessage> {
  private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[2]);

  private final Marshaller<ControlMessage> delegate;

  TimedParse(Marshaller<ControlMessage> delegate) {
    this.delegate = delegate;
  }

  /** The start and end (nanoTime) of the last parse on this thread. */
  static long[] last() {
    long[] t = LAST.get();
    return new long[] {t[0], t[1]};
  }

  @Override
  public InputStream stream(ControlMessage value) {
    return delegate.stream(value);
  }

  @Override
  public ControlMessage parse(InputStream stream) {
    long start = System.nanoTime();
    ControlMessage m = delegate.parse(stream);
    long[] t = LAST.get();
    t[0] = start;
    t[1] = System.nanoTime();
    return m;
  }
}
