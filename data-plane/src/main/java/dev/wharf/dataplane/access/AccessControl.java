package dev.wharf.dataplane.access;

import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Satisfy;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A route's access control, compiled once per snapshot: nginx's allow/deny, auth_basic and satisfy,
 * with nginx's outcomes (checked side by side with nginx 1.22):
 *
 * <ul>
 *   <li>{@code satisfy all}: a denied address is 403 whatever its credentials; otherwise, with
 *       basic auth on, missing or wrong credentials are 401.
 *   <li>{@code satisfy any}: an address an {@code allow} rule matches gets in without credentials;
 *       otherwise valid credentials let it in, and without them it is 401 when basic auth is on
 *       (even for a denied address), 403 when it is off and a rule denied the address.
 *   <li>An address no rule matches counts as allowed under {@code all}, and as not allowed under
 *       {@code any} (nginx's DECLINED).
 * </ul>
 *
 * <p>{@link #check} runs on an event loop and never blocks: a bcrypt check not in the {@link
 * VerifiedCache} runs on the password executor ({@link PasswordCheckPool}) and the returned future
 * completes there; when that executor refuses it, the outcome is {@link Outcome#BUSY} at once.
 * Thread-safe.
 */
public final class AccessControl {
  /** The outcome for one request. */
  public enum Outcome {
    ALLOWED,
    FORBIDDEN,
    UNAUTHORIZED,
    /** The credentials could not be checked now: every password check slot was taken. */
    BUSY
  }

  private static final VerifiedCache CACHE = VerifiedCache.withRandomKey();
  private static final CompletableFuture<Outcome> ALLOWED =
      CompletableFuture.completedFuture(Outcome.ALLOWED);
  private static final CompletableFuture<Outcome> FORBIDDEN =
      CompletableFuture.completedFuture(Outcome.FORBIDDEN);
  private static final CompletableFuture<Outcome> UNAUTHORIZED =
      CompletableFuture.completedFuture(Outcome.UNAUTHORIZED);
  private static final CompletableFuture<Outcome> BUSY =
      CompletableFuture.completedFuture(Outcome.BUSY);

  private final AddressRules rules;
  private final UserFile users;
  private final String challenge;
  private final boolean any;

  private AccessControl(AddressRules rules, UserFile users, String realm, boolean any) {
    this.rules = rules;
    this.users = users;
    this.challenge = users == null ? null : "Basic realm=\"" + realm + "\"";
    this.any = any;
  }

  /**
   * The route's access control, or null when it has none. Reads the user file once (blocking: call
   * it off the event loops, where snapshots are compiled).
   */
  public static AccessControl compile(Route route) {
    AddressRules rules = route.hasAccess() ? AddressRules.compile(route.getAccess()) : null;
    UserFile users = null;
    if (route.hasBasicAuth() && route.getBasicAuth().getEnabled()) {
      users = UserFile.of(Path.of(route.getBasicAuth().getUserFile()));
      users.readIfChanged();
    }
    if ((rules == null || rules.isEmpty()) && users == null) {
      return null;
    }
    return new AccessControl(
        rules,
        users,
        route.hasBasicAuth() ? route.getBasicAuth().getRealm() : "",
        route.getSatisfy() == Satisfy.ANY);
  }

  /** The {@code WWW-Authenticate} value of a 401, as nginx writes it. */
  public String challenge() {
    return challenge;
  }

  /**
   * The outcome for a client at {@code client} sending {@code authorization} (or null).
   *
   * @param nowNanos the node's ticker, for the user file's poll and the cache
   * @param files where the user file is read
   * @param passwords where bcrypt runs; it may refuse a check when it is full
   */
  public CompletableFuture<Outcome> check(
      InetAddress client, String authorization, long nowNanos, Executor files, Executor passwords) {
    AddressRules.Match address = rules == null ? AddressRules.Match.NONE : rules.match(client);
    if (any && address == AddressRules.Match.ALLOWED) {
      return ALLOWED;
    }
    if (!any && address == AddressRules.Match.DENIED) {
      return FORBIDDEN;
    }
    if (users == null) {
      return address == AddressRules.Match.DENIED ? FORBIDDEN : ALLOWED;
    }
    return credentials(authorization, nowNanos, files, passwords);
  }

  private CompletableFuture<Outcome> credentials(
      String authorization, long nowNanos, Executor files, Executor passwords) {
    BasicCredentials credentials = BasicCredentials.parse(authorization);
    if (credentials == null) {
      return UNAUTHORIZED;
    }
    users.pollIfDue(nowNanos, files);
    Map<String, String> known = users.users();
    if (known == null) {
      return FORBIDDEN; // nginx: the file cannot be opened
    }
    String hash = known.get(credentials.user());
    if (hash == null) {
      return UNAUTHORIZED;
    }
    if (!PasswordHashes.slow(hash)) {
      return PasswordHashes.matches(hash, credentials.password()) ? ALLOWED : UNAUTHORIZED;
    }
    String key = CACHE.keyOf(credentials.user(), credentials.password(), hash);
    if (CACHE.verified(key, nowNanos)) {
      return ALLOWED;
    }
    try {
      return CompletableFuture.supplyAsync(
          () -> {
            if (!PasswordHashes.matches(hash, credentials.password())) {
              return Outcome.UNAUTHORIZED;
            }
            CACHE.remember(key, nowNanos);
            return Outcome.ALLOWED;
          },
          passwords);
    } catch (RejectedExecutionException full) {
      return BUSY;
    }
  }
}
