package dev.wharf.dataplane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UriPathsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/,                    /",
    "/a/b,                 /a/b",
    "/a//b///c,            /a/b/c",
    "/a/./b,               /a/b",
    "/a/b/..,              /a/",
    "/a/b/../c,            /a/c",
    "/a/.,                 /a/",
    "/a/,                  /a/",
    "/api/%2e%2e/admin,    /admin",
    "/%41%42c,             /ABc",
    "/caf%C3%A9,           /café",
    "/a%2Fb,               /a/b",
    "/..a/b..,             /..a/b..",
  })
  void pathsAreNormalisedAsNginxDoes(String raw, String expected) throws Exception {
    assertEquals(expected, UriPaths.normalize(raw));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {"", "a/b", "/..", "/a/../..", "/%2e%2e/x", "/%zz", "/%4", "/a%00b", "/%C3%28"})
  void pathsNginxRejectsAreRejected(String raw) {
    assertThrows(UriPaths.BadPathException.class, () -> UriPaths.normalize(raw));
  }
}
