package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.MatchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the one compiler of user regexes accepts, refuses (and says why), and captures. */
class LinearRegexTest {
  private static final String WHY =
      " is not supported: Wharf's regexes run in linear time " + "(RE2 syntax)";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '"',
      textBlock =
          """
      /\\.(?=env) => lookahead (?=...)
      /\\.(?!well-known/) => negative lookahead (?!...)
      (?<=/api)/x => lookbehind (?<=...)
      (?<!/api)/x => negative lookbehind (?<!...)
      ^/(\\w+)/\\1$ => backreference \\1
      ^/(?<s>\\w+)/\\k<s>$ => backreference \\k...
      ^/(?P<s>\\w+)/(?P=s)$ => backreference (?P=name)
      ^/a*+b => possessive quantifier *+
      ^/a++b => possessive quantifier ++
      ^/a?+b => possessive quantifier ?+
      ^/a{2,3}+b => possessive quantifier {2,3}+
      ^/(?>a|ab)c => atomic group (?>...)
      ^(\\((?R)?\\))$ => recursion (?R...)
      ^(a)(?1)$ => recursion (?1...)
      ^(a)?(?(1)b|c) => conditional group (?(...)...)
      ^/(?|(a)|(b)) => branch reset group (?|...)
      ^/x(?#note) => comment (?#...)
      ^/\\Kx => match reset \\K
      \\G/x => \\G (the end of the previous match)
      /x\\Z => \\Z (use $ or \\z)
      (*UTF8)/x => backtracking control verb (*...)
      (?x) /x => inline flag x in (?x...)
      [a-z&&[^e]] => class intersection [...&&...]
      """)
  void aConstructRe2CannotRunIsRefusedByName(String regex, String construct) {
    assertEquals(Optional.of(construct + WHY), LinearRegex.problem(regex, false));
    LinearRegex.Refused e =
        assertThrows(LinearRegex.Refused.class, () -> LinearRegex.compile(regex, false));
    assertEquals(construct + WHY, e.getMessage());
  }

  @Test
  void syntaxErrorsKeepTheWordsAndIndexUsersKnow() {
    assertEquals(
        Optional.of("unclosed group near index 9"), LinearRegex.problem("^/api/(v1", false));
    assertEquals(
        Optional.of("dangling meta character '*' near index 0"),
        LinearRegex.problem("*.php", false));
  }

  @Test
  void whatOnlyRe2RefusesIsToldInItsWords() {
    assertEquals(
        Optional.of(
            "\\p{Alpha} is not supported (invalid character class range): "
                + "Wharf's regexes run in linear time (RE2 syntax)"),
        LinearRegex.problem("\\p{Alpha}", false));
  }

  @Test
  void countedRepetitionsThatWouldNotFitInMemoryAreRefusedBeforeCompiling() {
    // RE2/J would build ten to the ninth instructions for this one and run out of heap.
    Optional<String> problem =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10), () -> LinearRegex.problem("((a{1000}){1000}){1000}", false));
    assertEquals(
        Optional.of(
            "counted repetitions such as {1000} expand it to more than 2000 "
                + "parts"
                + WHY.replace(" is", ", which is")),
        problem);
    assertEquals(
        Optional.empty(),
        LinearRegex.problem(
            "^/[0-9a-f]{8}-[0-9a-f]{4}-" + "[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", false));
    assertEquals(Optional.empty(), LinearRegex.problem("^/x/.{1000}$", false));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "^/(?P<id>\\d+)/(?<name>\\w+)$",
        "\\.(gif|jpg|jpeg)$",
        "^/api/?(.*)",
        "[[:alpha:]]+\\.php$",
        "^/\\Q.*\\E$",
        "(?i)^/CaSe",
        "[(?=]x",
        "^/a{2,3}?b"
      })
  void re2SyntaxThatPcreSharesCompiles(String regex) {
    assertEquals(Optional.empty(), LinearRegex.problem(regex, false));
  }

  @Test
  void aRegexIsSearchedForAnywhereUnlessAnchoredAsNginxDoes() {
    assertTrue(LinearRegex.find(LinearRegex.compile("\\.php$", false), "/a/b.php") != null);
    assertNull(LinearRegex.find(LinearRegex.compile("^\\.php$", false), "/a/b.php"));
  }

  @Test
  void caseInsensitiveIsNginxsTildeStar() {
    Pattern ci = LinearRegex.compile("\\.PNG$", true);
    assertTrue(LinearRegex.find(ci, "/x.png") != null);
    assertNull(LinearRegex.find(LinearRegex.compile("\\.PNG$", false), "/x.png"));
  }

  @Test
  void capturesAreNumberedAsWrittenAndUnmatchedGroupsAreNull() {
    MatchResult m =
        LinearRegex.find(
            LinearRegex.compile("^/u/(?P<id>\\d+)(/(\\w+))?(x)?$", false), "/u/42/bob");

    assertEquals(4, m.groupCount());
    assertEquals("/u/42/bob", m.group());
    assertEquals("42", m.group(1));
    assertEquals("bob", m.group(3));
    assertNull(m.group(4));
    assertEquals(-1, m.start(4));
    assertEquals(3, m.start(1));
    assertEquals(5, m.end(1));
    assertEquals(Map.of("id", 1), ((RegexCaptures) m).namedGroups());
    assertThrows(IndexOutOfBoundsException.class, () -> m.group(5));
  }

  @Test
  void thePathologicalRouteOfIssue15RunsInLinearTime() {
    Pattern p = LinearRegex.compile("^/re/(.*a){12}$", false);
    String path = "/re/" + "a".repeat(10_000) + "!";

    // java.util.regex takes minutes here; a generous bound still tells the two apart.
    assertNull(assertTimeoutPreemptively(Duration.ofSeconds(5), () -> LinearRegex.find(p, path)));
  }

  /** Found by RegexFuzzTest: java.util.regex, asked for the message, overflowed its stack. */
  @Test
  void groupsNestedDeeperThanPcreAllowsAreRefusedAtOnceWithTheirIndex() {
    assertEquals(
        Optional.of(
            "groups nested more than 250 deep near index 250 (PCRE, and so nginx, "
                + "refuses them too)"),
        LinearRegex.problem("(".repeat(200_000), false));
    assertTrue(LinearRegex.problem("(?:".repeat(250) + "a" + ")".repeat(250), false).isEmpty());
  }

  /**
   * Unclosed classes and counts by the thousand: each was once looked for to the end of the regex
   * (quadratic), and java.util.regex recursed into the nested classes for over a minute. The
   * message quotes the start of the offending part only.
   */
  @Test
  void longRegexesOfUnclosedClassesAreRefusedWithAShortMessage() {
    String refused =
        assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> LinearRegex.problem("[[:".repeat(2_000), false))
            .orElseThrow();
    assertEquals(
        "'[:' without ':]' more than 64 times is not supported: Wharf's regexes run in linear "
            + "time (RE2 syntax)",
        refused);
    assertEquals(
        Optional.of("missing closing ]: [a-z[a-z[a-z[a-z[a-z[a-z[a-z[a-z[a-z[a-z..."),
        LinearRegex.problem("[a-z".repeat(2_000), false));
    assertTrue(LinearRegex.problem("x{1".repeat(100_000), false).isPresent());
  }

  /**
   * Found by ConfigValidatorFuzzTest: RE2J 1.8 folds case with its own orbit tables and Java 17's
   * Character, and for U+1C80..U+1C88 the orbit never comes back, so compiling a case-insensitive
   * regex holding one, or a class range over them, looped forever: a config with {@code
   * regex_case_insensitive: "\u1c80"} hung the validator. They are refused, in bounded time.
   */
  @Test
  void caseInsensitiveRegexesWithRunesRe2jCannotFoldAreRefusedNotHung() {
    for (String regex :
        List.of(
            "\u1c80",
            "/a\u1c88b",
            "[\\x{1000}-\\x{2000}]",
            "[a\u1c7f-\u1c80]",
            "(?i)\\x{1C88}",
            "[^\\x{1c00}-\\x{1cff}]")) {
      Optional<String> problem =
          assertTimeoutPreemptively(
              Duration.ofSeconds(30), () -> LinearRegex.problem(regex, true), regex);
      assertTrue(problem.orElse("").startsWith("U+1C80..U+1C88 cannot be matched"), regex);
    }
    assertTrue(
        assertTimeoutPreemptively(
                Duration.ofSeconds(30), () -> LinearRegex.problem("(?i:x)\\x{1c80}", false))
            .isPresent());
  }

  /** Case-sensitively, and for every other rune and class, nothing changes. */
  @Test
  void runesNextToTheUnfoldableOnesAndUnicodeClassesStillCompileCaseInsensitively() {
    for (String regex :
        List.of(
            "\u0432",
            "\u1c7f\u1c89",
            "[\\x{100}-\\x{1c7f}]",
            "[\\x{1c89}-\\x{10ffff}]",
            "\\pL",
            "\\p{Cyrillic}",
            "[^a]",
            "[\\-x]")) {
      assertEquals(Optional.empty(), LinearRegex.problem(regex, true), regex);
    }
    assertEquals(Optional.empty(), LinearRegex.problem("\u1c80", false));
  }
}
