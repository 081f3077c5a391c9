package dev.wharf.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An htpasswd file as nginx's auth_basic_user_file reads it: {@code user:hash} lines, {@code #}
 * comments and blank lines skipped, anything after a second {@code :} ignored. Only hashes Wharf
 * verifies are accepted: bcrypt ({@code $2y$}, {@code $2a$}, {@code $2b$}), apr1-MD5 ({@code
 * $apr1$}) and SHA1 ({@code {SHA}}). Plain text ({@code {PLAIN}} or a bare password) and crypt(3)
 * DES are refused with the line and the reason, as is any other scheme: a password that is not
 * hashed, or hashed so weakly, should not be guarded by a file that looks safe. The one parser for
 * the data plane (which serves the file) and the importer (which reports on it).
 */
public final class Htpasswd {
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  private static final Pattern APR1 = Pattern.compile("\\$apr1\\$[^$]{0,8}\\$[./A-Za-z0-9]{22}");
  private static final Pattern SHA1 = Pattern.compile("\\{SHA\\}[A-Za-z0-9+/]{27}=");
  private static final Pattern DES = Pattern.compile("[./A-Za-z0-9]{13}");
  private static final int MAX_BCRYPT_COST = 16;

  /** The users and their hashes, in file order; the problems, one per refused line. */
  public record Parsed(Map<String, String> users, List<String> problems) {
    public Parsed {
      users = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(users));
      problems = List.copyOf(problems);
    }
  }

  private Htpasswd() {}

  /** Parses a file's text; never throws. */
  public static Parsed parse(String text) {
    Map<String, String> users = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        problems.add("line " + (i + 1) + ": expected 'user:hash'");
        continue;
      }
      String user = line.substring(0, colon);
      int end = line.indexOf(':', colon + 1);
      String hash = line.substring(colon + 1, end < 0 ? line.length() : end);
      String refused = refusal(hash);
      if (refused != null) {
        problems.add("line " + (i + 1) + " (user '" + user + "'): " + refused);
      } else {
        users.putIfAbsent(user, hash); // nginx uses the first line of a user
      }
    }
    return new Parsed(users, problems);
  }

  /** Why {@code hash} is not accepted, or null when it is bcrypt, apr1 or SHA1. */
  public static String refusal(String hash) {
    if (BCRYPT.matcher(hash).matches()) {
      int cost = Integer.parseInt(hash.substring(4, 6));
      return cost < 4 || cost > MAX_BCRYPT_COST
          ? "bcrypt cost " + cost + " (expected: 4-" + MAX_BCRYPT_COST + ")"
          : null;
    }
    if (APR1.matcher(hash).matches() || SHA1.matcher(hash).matches()) {
      return null;
    }
    if (hash.startsWith("{PLAIN}")) {
      return "plain-text password refused (hash it with htpasswd -B)";
    }
    if (hash.startsWith("$2") || hash.startsWith("$apr1$") || hash.startsWith("{SHA}")) {
      return "malformed " + scheme(hash) + " hash";
    }
    if (hash.startsWith("$") || hash.startsWith("{")) {
      return "unsupported hash scheme '"
          + scheme(hash)
          + "' (expected: bcrypt $2y$, apr1 $apr1$ or SHA1 {SHA})";
    }
    if (DES.matcher(hash).matches()) {
      return "crypt(3) DES hash refused: it keeps 8 characters of a password (use htpasswd -B)";
    }
    return "plain-text password refused (hash it with htpasswd -B)";
  }

  private static String scheme(String hash) {
    if (hash.startsWith("{")) {
      int close = hash.indexOf('}');
      return close < 0 ? "{" : hash.substring(0, close + 1);
    }
    int second = hash.indexOf('$', 1);
    return second < 0 ? "$" : hash.substring(0, second + 1);
  }
}
