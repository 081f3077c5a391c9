package dev.wharf.dataplane.upstream;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an upstream remembers across config swaps: whether it is in panic (no endpoint usable, so
 * traffic goes to all of them). Also the lock that makes ejection decisions of its endpoints one at
 * a time, so the share ejected at once stays within bounds.
 */
final class UpstreamState {
  final AtomicBoolean panic = new AtomicBoolean();
}
