package dev.wharf.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link RecordingLeakDetector} saw in this JVM: the resource types it watches and the leaks
 * Netty reported. Plain Java, so a module whose tests never touch Netty can read it (and finds it
 * empty) without Netty on its classpath.
 */
public final class LeakLog {
  private static final List<String> LEAKS = new ArrayList<>();
  private static final Set<String> WATCHED = ConcurrentHashMap.newKeySet();

  private LeakLog() {}

  static void watching(Class<?> resourceType) {
    WATCHED.add(resourceType.getName());
  }

  static void leaked(String report) {
    synchronized (LEAKS) {
      LEAKS.add(report);
    }
  }

  /** Whether the recording detector watches {@code resourceType} (for example ByteBuf). */
  public static boolean watches(String resourceTypeName) {
    return WATCHED.contains(resourceTypeName);
  }

  /** Whether Netty created any recording detector in this JVM, that is, whether Netty is used. */
  public static boolean nettyInUse() {
    return !WATCHED.isEmpty();
  }

  /** The leaks reported since the last call, which forgets them. */
  public static List<String> takeLeaks() {
    synchronized (LEAKS) {
      List<String> taken = List.copyOf(LEAKS);
      LEAKS.clear();
      return taken;
    }
  }
}
