package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.config.v1.PathMatch;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each kind of path match means, for every module that reads one. */
class PathMatchesTest {
  private static final PathMatch EXACT = PathMatch.newBuilder().setExact("/login").build();
  private static final PathMatch PREFIX = PathMatch.newBuilder().setPrefix("/api/").build();
  private static final PathMatch NO_REGEX =
      PathMatch.newBuilder().setPrefixNoRegex("/api/").build();
  private static final PathMatch REGEX = PathMatch.newBuilder().setRegex("\\.php$").build();
  private static final PathMatch REGEX_CI =
      PathMatch.newBuilder().setRegexCaseInsensitive("\\.php$").build();
  private static final PathMatch UNSET = PathMatch.getDefaultInstance();

  @Test
  void eachKindHasItsFieldModifierValueAndNginxText() {
    List<PathMatch> all = List.of(EXACT, PREFIX, NO_REGEX, REGEX, REGEX_CI);

    assertEquals(
        List.of("exact", "prefix", "prefix_no_regex", "regex", "regex_case_insensitive"),
        all.stream().map(PathMatches::field).toList());
    assertEquals(PathMatches.FIELDS, all.stream().map(PathMatches::field).toList());
    assertEquals(
        List.of("=", "", "^~", "~", "~*"), all.stream().map(PathMatches::modifier).toList());
    assertEquals(
        List.of("/login", "/api/", "/api/", "\\.php$", "\\.php$"),
        all.stream().map(PathMatches::value).toList());
    assertEquals(
        List.of("= /login", "/api/", "^~ /api/", "~ \\.php$", "~* \\.php$"),
        all.stream().map(PathMatches::text).toList());
  }

  @Test
  void anUnsetMatchHasNoKindAndEmptyTexts() {
    assertFalse(PathMatches.isSet(UNSET));
    assertEquals("", PathMatches.field(UNSET));
    assertEquals("", PathMatches.value(UNSET));
    assertEquals("", PathMatches.text(UNSET));
    assertEquals("", PathMatches.sameMatchKey(UNSET));
  }

  @ParameterizedTest(name = "''{0}'' {1}")
  @CsvSource({"=, /login", "'', /api/", "^~, /api/", "~, \\.php$", "~*, \\.php$"})
  void anNginxModifierMakesTheMatchItsTextReadsBack(String modifier, String value) {
    PathMatch m = PathMatches.of(modifier, value).orElseThrow();

    assertEquals(modifier, PathMatches.modifier(m));
    assertEquals(value, PathMatches.value(m));
  }

  @Test
  void anUnknownModifierMakesNoMatch() {
    assertEquals(Optional.empty(), PathMatches.of("^", "/x"));
  }

  @Test
  void modifiersAreListedLongestFirstSoAPrefixOfOneIsNotMistakenForIt() {
    assertEquals(List.of("^~", "~*", "=", "~"), PathMatches.MODIFIERS);
  }

  @Test
  void onlyTheTwoRegexKindsAreRegexesAndOnlyTheTwoPrefixKindsArePrefixes() {
    assertEquals(
        List.of(false, false, false, true, true),
        List.of(EXACT, PREFIX, NO_REGEX, REGEX, REGEX_CI).stream()
            .map(PathMatches::isRegex)
            .toList());
    assertEquals(
        List.of(false, true, true, false, false),
        List.of(EXACT, PREFIX, NO_REGEX, REGEX, REGEX_CI).stream()
            .map(PathMatches::isPrefix)
            .toList());
  }

  @Test
  void aCaseInsensitiveRegexCompilesCaseInsensitive() {
    assertTrue(PathMatches.compile(REGEX_CI).matcher("/INDEX.PHP").find());
    assertFalse(PathMatches.compile(REGEX).matcher("/INDEX.PHP").find());
    assertEquals(Pattern.CASE_INSENSITIVE, PathMatches.regexFlags(REGEX_CI));
    assertThrows(IllegalArgumentException.class, () -> PathMatches.compile(PREFIX));
  }

  @Test
  void aPrefixAndANoRegexPrefixOfOnePathAreTheSameMatchAsInNginx() {
    assertEquals(PathMatches.sameMatchKey(PREFIX), PathMatches.sameMatchKey(NO_REGEX));
  }

  @Test
  void anExactMatchAndAPrefixOfOnePathAreDifferentMatches() {
    PathMatch exactApi = PathMatch.newBuilder().setExact("/api/").build();

    assertNotEquals(PathMatches.sameMatchKey(exactApi), PathMatches.sameMatchKey(PREFIX));
  }

  @Test
  void aRegexAndItsCaseInsensitiveTwinAreDifferentMatches() {
    assertNotEquals(PathMatches.sameMatchKey(REGEX), PathMatches.sameMatchKey(REGEX_CI));
  }
}
