package dev.wharf.dataplane.clientaddress;

import dev.wharf.config.Cidr;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A listener's trusted address ranges, parsed once per config and event loop instead of once per
 * accepted connection. A config's lists are immutable and shared by every connection accepted under
 * it, so the list itself is the key; a few old configs' lists are forgotten wholesale. Confined to
 * the calling thread (each event loop has its own map).
 */
public final class TrustedRanges {
  private static final int MAX_LISTS = 32;
  private static final ThreadLocal<Map<List<String>, List<Cidr>>> PARSED =
      ThreadLocal.withInitial(IdentityHashMap::new);

  private TrustedRanges() {}

  /** The ranges of {@code sources}, a validated {@code trusted_sources} list of a config. */
  public static List<Cidr> of(List<String> sources) {
    Map<List<String>, List<Cidr>> parsed = PARSED.get();
    List<Cidr> ranges = parsed.get(sources);
    if (ranges == null) {
      if (parsed.size() >= MAX_LISTS) {
        parsed.clear();
      }
      ranges = Cidr.parseAll(sources);
      parsed.put(sources, ranges);
    }
    return ranges;
  }
}
