package dev.wharf.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.wharf.config.HostPattern.Form;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** nginx's server_name forms, read once for the validator and the data plane's host table. */
class HostPatternTest {
  @ParameterizedTest(name = "{0} is {1} of {2}")
  @CsvSource({
    "example.com,       EXACT,               example.com",
    "*.example.com,     LEADING_WILDCARD,    example.com",
    ".example.com,      NAME_AND_SUBDOMAINS, example.com",
    "www.example.*,     TRAILING_WILDCARD,   www.example",
    "~^(www\\.)?a\\.io$, REGEX,              ^(www\\.)?a\\.io$",
  })
  void eachFormIsRecognisedWithTheNameItIsAbout(String pattern, Form form, String name) {
    assertEquals(new HostPattern(form, name), HostPattern.parse(pattern));
  }

  @Test
  void namesAreCaseInsensitiveSoPatternsDifferingInCaseAreTheSameVirtualHost() {
    assertEquals(HostPattern.parse("example.com"), HostPattern.parse("Example.COM"));
    assertEquals(HostPattern.parse("*.example.com"), HostPattern.parse("*.EXAMPLE.com"));
  }

  @Test
  void aRegexIsKeptAsWrittenBecauseLowerCasingWouldChangeWhatItMatches() {
    assertEquals("\\D+\\.example", HostPattern.parse("~\\D+\\.example").name());
    assertNotEquals(HostPattern.parse("~\\D+"), HostPattern.parse("~\\d+"));
  }

  @Test
  void aLeadingWildcardAndTheDotFormAreDifferentPatterns() {
    assertNotEquals(HostPattern.parse("*.example.com"), HostPattern.parse(".example.com"));
  }

  @Test
  void anyTextParsesSoTheValidatorCanSayWhatIsWrongWithIt() {
    assertEquals(new HostPattern(Form.EXACT, ""), HostPattern.parse(""));
    assertEquals(
        new HostPattern(Form.LEADING_WILDCARD, "api.*.example.com"),
        HostPattern.parse("*.api.*.example.com"));
    assertEquals(new HostPattern(Form.REGEX, "^[a-z"), HostPattern.parse("~^[a-z"));
  }

  @Test
  void theValidatorChecksTheNameAsWrittenNotLowerCased() {
    // U+212A KELVIN SIGN lower-cases to an ASCII 'k', which would make it look valid.
    assertEquals(
        "'\u212Aexample.com' is not a host name",
        HostPatterns.problem("\u212Aexample.com").orElseThrow());
    assertEquals("kexample.com", HostPattern.parse("\u212Aexample.com").name());
  }
}
