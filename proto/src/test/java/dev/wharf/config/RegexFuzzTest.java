package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.re2j.Pattern;
import dev.wharf.proto.config.v1.PathMatch;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import org.junit.jupiter.api.Timeout;

/**
 * The pattern compilers routes use ({@link LinearRegex}, {@link HostPatterns}, {@link PathMatches},
 * {@link Template}) on any text: a pattern compiles or is refused with a reason, and a compiled one
 * is searched in any input in bounded time (the timeout is Jazzer's limit per input, and generous:
 * RE2 is linear). Nothing else is thrown.
 */
class RegexFuzzTest {
  private static final Set<String> KNOWN_MODIFIERS = Set.of("", "=", "^~", "~", "~*");

  /**
   * An input is three lines, so the committed ones read as what they test: an nginx location
   * modifier ({@code ~*} also makes the plain regex case-insensitive; anything else than a known
   * modifier: no path match), the pattern, and the text to search (the rest, newlines included).
   */
  @FuzzTest(maxDuration = "60s")
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void anyPatternCompilesOrIsRefusedWithAReasonAndMatchesInBoundedTime(byte[] bytes) {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", 3);
    String modifier = lines[0];
    String pattern = lines.length > 1 ? lines[1] : "";
    String input = lines.length > 2 ? lines[2] : "";
    boolean caseInsensitive = modifier.equals("~*");

    Optional<String> problem = LinearRegex.problem(pattern, caseInsensitive);
    if (problem.isPresent()) {
      assertFalse(problem.get().isBlank());
    } else {
      Pattern compiled = LinearRegex.compile(pattern, caseInsensitive);
      MatchResult found = LinearRegex.find(compiled, input);
      if (found != null) {
        assertTrue(found.start() >= 0 && found.end() <= input.length());
      }
    }

    HostPattern host = HostPattern.parse(pattern);
    assertEquals(host, HostPattern.parse(pattern), "parsing is a function of the text");
    HostPatterns.problem(pattern).ifPresent(p -> assertFalse(p.isBlank()));

    Optional<PathMatch> path = PathMatches.of(modifier, pattern);
    assertEquals(!KNOWN_MODIFIERS.contains(modifier), path.isEmpty());
    path.filter(PathMatches::isRegex).ifPresent(m -> compileOrRefuse(m, input));

    try {
      Template.parse(pattern);
    } catch (IllegalArgumentException e) {
      assertFalse(e.getMessage() == null || e.getMessage().isBlank());
    }
  }

  private static void compileOrRefuse(PathMatch m, String input) {
    try {
      LinearRegex.find(PathMatches.compile(m), input);
    } catch (LinearRegex.Refused e) {
      assertFalse(e.getMessage().isBlank());
    }
  }
}
