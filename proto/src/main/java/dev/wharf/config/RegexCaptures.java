package dev.wharf.config;

import com.google.re2j.Matcher;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.MatchResult;

/**
 * One RE2/J match as a {@link java.util.regex.MatchResult}, the type in which the data plane
 * carries captures to templates ({@code $1}..{@code $9}, numbered as in the regex). A copy, as
 * {@code Matcher.toMatchResult} makes: it outlives the matcher and is safe to read from any thread.
 * A group that did not take part in the match has {@code -1} offsets and a null value.
 */
final class RegexCaptures implements MatchResult {
  private final String input;

  /** Start and end of group 0 (the whole match), then of each group in order. */
  private final int[] offsets;

  private final Map<String, Integer> names;

  private RegexCaptures(String input, int[] offsets, Map<String, Integer> names) {
    this.input = input;
    this.offsets = offsets;
    this.names = names;
  }

  /** The match {@code m} just found in {@code input}. */
  static RegexCaptures of(Matcher m, CharSequence input) {
    int[] offsets = new int[2 * (m.groupCount() + 1)];
    for (int g = 0; g <= m.groupCount(); g++) {
      offsets[2 * g] = m.start(g);
      offsets[2 * g + 1] = m.end(g);
    }
    return new RegexCaptures(input.toString(), offsets, Map.copyOf(m.pattern().namedGroups()));
  }

  @Override
  public int start() {
    return start(0);
  }

  @Override
  public int start(int group) {
    return offsets[2 * checked(group)];
  }

  @Override
  public int end() {
    return end(0);
  }

  @Override
  public int end(int group) {
    return offsets[2 * checked(group) + 1];
  }

  @Override
  public String group() {
    return group(0);
  }

  @Override
  public String group(int group) {
    int start = start(group);
    return start < 0 ? null : input.substring(start, end(group));
  }

  @Override
  public int groupCount() {
    return offsets.length / 2 - 1;
  }

  /** Named groups, {@code (?P<name>...)} or {@code (?<name>...)}; Java 20's MatchResult asks. */
  public Map<String, Integer> namedGroups() {
    return names;
  }

  private int checked(int group) {
    if (group < 0 || group > groupCount()) {
      throw new IndexOutOfBoundsException("No group " + group);
    }
    return group;
  }

  @Override
  public String toString() {
    return "RegexCaptures" + Arrays.toString(offsets);
  }
}
