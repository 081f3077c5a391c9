package dev.wharf.dataplane.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.dataplane.files.Preconditions.Outcome;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Conditional request headers against a file with a known tag and time. */
class PreconditionsTest {
  private static final String TAG = "\"695735a5-3e8\"";
  private static final long MODIFIED = 1_767_323_045L; // Fri, 02 Jan 2026 03:04:05 GMT
  private static final String AT = "Fri, 02 Jan 2026 03:04:05 GMT";
  private static final String BEFORE = "Thu, 01 Jan 2026 00:00:00 GMT";
  private static final String AFTER = "Sat, 03 Jan 2026 00:00:00 GMT";

  private static Outcome evaluate(String... headers) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return Preconditions.evaluate(h, TAG, MODIFIED);
  }

  @Test
  void noConditionsProceed() {
    assertEquals(Outcome.PROCEED, evaluate());
  }

  @Test
  void ifNoneMatchIsNotModifiedOnAWeakMatch() {
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-none-match", TAG));
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-none-match", "W/" + TAG));
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-none-match", "\"a\",W/\"b\", " + TAG));
    assertEquals(
        Outcome.NOT_MODIFIED,
        evaluate("if-none-match", "\"a\"", "if-none-match", TAG),
        "two header lines are one list");
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-none-match", "*"));
    assertEquals(Outcome.PROCEED, evaluate("if-none-match", "\"695735a5\""));
    assertEquals(Outcome.PROCEED, evaluate("if-none-match", "695735a5-3e8"), "unquoted: no tag");
  }

  @Test
  void ifNoneMatchMakesIfModifiedSinceIgnored() {
    assertEquals(Outcome.PROCEED, evaluate("if-none-match", "\"old\"", "if-modified-since", AT));
  }

  @Test
  void ifModifiedSinceComparesWholeSeconds() {
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-modified-since", AT));
    assertEquals(Outcome.NOT_MODIFIED, evaluate("if-modified-since", AFTER));
    assertEquals(Outcome.PROCEED, evaluate("if-modified-since", BEFORE));
    assertEquals(Outcome.PROCEED, evaluate("if-modified-since", "garbage"));
  }

  @Test
  void ifMatchNeedsAStrongMatchAndComesFirst() {
    assertEquals(Outcome.PROCEED, evaluate("if-match", TAG));
    assertEquals(Outcome.PROCEED, evaluate("if-match", "*"));
    assertEquals(Outcome.FAILED, evaluate("if-match", "W/" + TAG));
    assertEquals(Outcome.FAILED, evaluate("if-match", "\"other\"", "if-none-match", TAG));
  }

  @Test
  void ifUnmodifiedSinceFailsForANewerFileUnlessIfMatchIsThere() {
    assertEquals(Outcome.FAILED, evaluate("if-unmodified-since", BEFORE));
    assertEquals(Outcome.PROCEED, evaluate("if-unmodified-since", AT));
    assertEquals(Outcome.PROCEED, evaluate("if-match", TAG, "if-unmodified-since", BEFORE));
  }

  @Test
  void strongComparisonRefusesWeakTagsOnEitherSide() {
    assertTrue(Preconditions.matches(TAG, TAG, true));
    assertFalse(Preconditions.matches(TAG, "W/" + TAG, true));
    assertTrue(Preconditions.matches(TAG, "W/" + TAG, false));
    assertFalse(Preconditions.matches("\"unterminated", TAG, false));
  }
}
