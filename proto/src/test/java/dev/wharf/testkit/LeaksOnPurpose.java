package dev.wharf.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * Drops a buffer without releasing it, for {@link LeakCheckTest} to run in a child JVM: as a test
 * class (its name keeps Surefire from running it here) and as a node-like process ({@link #main}).
 */
final class LeaksOnPurpose {
  @Test
  void dropsABufferUnreleased() {
    allocateAndDrop();
  }

  /** A process that leaks and then lets Netty notice: its output gets Netty's leak report. */
  public static void main(String[] args) throws InterruptedException {
    allocateAndDrop();
    LeakSweep.sweep();
    System.out.println("done");
  }

  private static void allocateAndDrop() {
    ByteBuf dropped = Unpooled.directBuffer(16);
    dropped.writeLong(42);
  }
}
