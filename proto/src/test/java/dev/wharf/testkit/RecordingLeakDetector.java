package dev.wharf.testkit;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, which also records every leak it reports in {@link LeakLog} so a test can
 * fail on it (Netty itself only logs). Installed by the test JVM's system property {@code
 * -Dio.netty.customResourceLeakDetector=dev.wharf.testkit.RecordingLeakDetector} (the parent pom's
 * {@code wharf.test.jvmArgs}), so it is in place before any Netty class creates its detector: they
 * keep theirs in static final fields, and a detector installed by a test class comes too late
 * whenever another class allocated a buffer first.
 *
 * @param <T> the watched resource type
 */
public class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
  /** The constructor Netty's factory looks up by reflection: (resource type, sampling interval). */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
    LeakLog.watching(resourceType);
  }

  /**
   * The older constructor Netty's factory also looks up (it logs an error when it is missing).
   *
   * @deprecated Netty ignores {@code maxActive}; use {@link #RecordingLeakDetector(Class, int)}
   */
  @Deprecated
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    this(resourceType, samplingInterval);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    LeakLog.leaked("LEAK: " + resourceType + " was not released:" + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    LeakLog.leaked("LEAK: " + resourceType + " was not released (no access records)");
    super.reportUntracedLeak(resourceType);
  }
}
