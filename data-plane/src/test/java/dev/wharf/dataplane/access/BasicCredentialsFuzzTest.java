package dev.wharf.dataplane.access;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * {@code Authorization} values as a client can send them (any Latin-1 text, as the HTTP decoder
 * hands header bytes over): {@link BasicCredentials#parse} returns credentials or null and never
 * throws; a user name it returns is non-empty, holds no {@code :} and no control character; and no
 * value over {@link BasicCredentials#MAX_HEADER} is decoded.
 */
class BasicCredentialsFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void anyAuthorizationValueIsCredentialsOrNone(byte[] input) {
    String header = new String(input, StandardCharsets.ISO_8859_1);
    BasicCredentials credentials = BasicCredentials.parse(header);
    if (credentials == null) {
      return;
    }
    assertTrue(header.length() <= BasicCredentials.MAX_HEADER, "an oversized value was decoded");
    String user = credentials.user();
    assertTrue(!user.isEmpty() && user.indexOf(':') < 0, () -> "user '" + user + "'");
    assertTrue(
        user.chars().noneMatch(c -> c < 0x20 || c == 0x7f), () -> "control character in " + user);
  }
}
