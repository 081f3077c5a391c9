package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The bearer tokens a replica accepts, each with its role and the principal it stands for.
 *
 * <p>File format, one token per line; blank lines and lines starting with {@code #} are skipped:
 *
 * <pre>
 * # ROLE   TOKEN                 [NAME]
 * admin    3f9c2a61d0e84b7f       alice
 * viewer   91be0c5d7a2e4f13       grafana
 * node     c07d5e8a4b1f9e26       edge-1,edge-2
 * node     7e21b9d04c6a8f35
 * 5a8e1c3f7b2d9064                # a token alone: a node token (the format before roles)
 * </pre>
 *
 * ROLE is {@code node} (the discovery stream only), {@code viewer} (Admin reads) or {@code admin}
 * (everything). On a node line NAME is the node ids the token is for, separated by commas: a stream
 * with it may say hello only as one of them. A node token without names is <em>unbound</em>: it may
 * claim any node id ({@link #unboundNodeLines} lists them, so the replica can warn or refuse to
 * start). On other lines NAME is the principal recorded with an admin's writes. The principal is
 * NAME (a node line's names as written), or {@code token:} and the token's first 6 characters when
 * the line names none.
 *
 * <p>Tokens are compared in constant time, against every configured token.
 */
public final class AccessTokens {
  private static final int SHOWN_CHARS = 6;

  private final List<Entry> entries;

  /**
   * @param line where the token is in its file (1-based), for start-up messages
   */
  private record Entry(byte[] token, Caller caller, int line) {}

  private AccessTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads a token file. */
  public static AccessTokens fromFile(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  /**
   * Reads lines in the file format; {@code source} names them in errors.
   *
   * @throws IOException naming the line of a role that does not exist, a line with too many words,
   *     a node line whose names hold an empty one, a token given twice, or no token at all
   */
  public static AccessTokens parse(List<String> lines, String source) throws IOException {
    List<Entry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = source + " line " + (i + 1);
      String[] words = line.split("\\s+");
      String token;
      Role role;
      String name = null;
      if (words.length == 1) {
        token = words[0];
        role = Role.NODE;
      } else if (words.length <= 3) {
        role = Role.parse(words[0]);
        if (role == null) {
          throw new IOException(
              where
                  + ": unknown role '"
                  + words[0]
                  + "' (expected: ROLE TOKEN [NAME] with ROLE one of node, viewer, admin)");
        }
        token = words[1];
        name = words.length == 3 ? words[2] : null;
      } else if (Role.parse(words[0]) == Role.NODE) {
        throw new IOException(
            where
                + ": "
                + words.length
                + " words (expected: node TOKEN "
                + "[NODE-ID[,NODE-ID...]], the node ids separated by commas without spaces)");
      } else {
        throw new IOException(
            where
                + ": "
                + words.length
                + " words (expected: ROLE TOKEN [NAME], or a node token alone)");
      }
      if (!seen.add(token)) {
        throw new IOException(where + ": this token is already on an earlier line");
      }
      Set<String> nodeIds = role == Role.NODE && name != null ? nodeIds(name, where) : Set.of();
      String principal =
          name != null
              ? name
              : "token:" + token.substring(0, Math.min(SHOWN_CHARS, token.length())) + "...";
      entries.add(
          new Entry(
              token.getBytes(StandardCharsets.UTF_8), new Caller(principal, role, nodeIds), i + 1));
    }
    if (entries.isEmpty()) {
      throw new IOException(source + " holds no token");
    }
    return new AccessTokens(entries);
  }

  /** {@code edge-1,edge-2}: the node ids a node line names. */
  private static Set<String> nodeIds(String names, String where) throws IOException {
    Set<String> ids = new LinkedHashSet<>();
    for (String id : names.split(",", -1)) {
      if (id.isEmpty()) {
        throw new IOException(
            where
                + ": node ids '"
                + names
                + "' hold an empty one "
                + "(expected: node TOKEN NODE-ID[,NODE-ID...], without spaces)");
      }
      ids.add(id);
    }
    return ids;
  }

  /** The caller {@code presented} identifies; null for a token this replica does not know. */
  Caller find(String presented) {
    byte[] bytes = presented.getBytes(StandardCharsets.UTF_8);
    Caller found = null;
    for (Entry e : entries) {
      // Every entry is compared, so the time taken does not say which one matched.
      if (MessageDigest.isEqual(e.token(), bytes) && found == null) {
        found = e.caller();
      }
    }
    return found;
  }

  /**
   * The lines (1-based, in order) of node tokens that name no node id: each may open the discovery
   * stream as any node.
   */
  public List<Integer> unboundNodeLines() {
    return entries.stream()
        .filter(e -> e.caller().role() == Role.NODE && e.caller().nodeIds().isEmpty())
        .map(Entry::line)
        .toList();
  }

  /** Whether some token has {@code role}. */
  public boolean grants(Role role) {
    return entries.stream().anyMatch(e -> e.caller().role() == role);
  }

  /** {@code 3 tokens (admin 1, viewer 1, node 1)}. */
  @Override
  public String toString() {
    Map<Role, Long> counts =
        entries.stream()
            .collect(
                Collectors.groupingBy(
                    e -> e.caller().role(),
                    () -> new EnumMap<>(Role.class),
                    Collectors.counting()));
    return entries.size()
        + (entries.size() == 1 ? " token (" : " tokens (")
        + counts.entrySet().stream()
            .map(e -> e.getKey().spelling() + " " + e.getValue())
            .collect(Collectors.joining(", "))
        + ")";
  }
}
