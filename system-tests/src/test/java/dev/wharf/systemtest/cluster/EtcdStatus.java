package dev.wharf.systemtest.cluster;

import dev.wharf.testkit.EtcdCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * etcd's own view of an {@link EtcdCluster}, read from each member's JSON gateway ({@code POST
 * /v3/maintenance/status}, {@code /v3/cluster/member/list}: what {@code etcdctl endpoint status}
 * and {@code member list} show), so a test finds the leader as an operator would and needs no
 * {@code etcdctl}. Every call has a 2 s bound; a member that does not answer counts as not knowing.
 */
final class EtcdStatus {
  private static final Duration CALL = Duration.ofSeconds(2);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CALL).build();
  // The gateway writes uint64 fields as JSON strings.
  private static final Pattern MEMBER_ID = Pattern.compile("\"member_id\":\"?(\\d+)");
  private static final Pattern LEADER = Pattern.compile("\"leader\":\"?(\\d+)");
  private static final Pattern MEMBER = Pattern.compile("\"ID\":\"?(\\d+)");

  private EtcdStatus() {}

  /**
   * The index of the member that every running member that answers names as the leader, and that is
   * itself that member; empty while there is no leader or the members disagree (an election).
   */
  static OptionalLong leaderIndex(EtcdCluster etcd) {
    OptionalLong leader = OptionalLong.empty();
    OptionalLong leaderIndex = OptionalLong.empty();
    for (int i = 0; i < etcd.size(); i++) {
      if (!etcd.isRunning(i)) {
        continue;
      }
      String status = post(etcd.clientEndpoint(i), "/v3/maintenance/status");
      OptionalLong self = first(MEMBER_ID, status);
      OptionalLong says = first(LEADER, status);
      if (self.isEmpty() || says.isEmpty() || says.getAsLong() == 0) {
        return OptionalLong.empty(); // no answer, or no leader (ids are never 0)
      }
      if (leader.isPresent() && leader.getAsLong() != says.getAsLong()) {
        return OptionalLong.empty();
      }
      leader = says;
      if (self.getAsLong() == says.getAsLong()) {
        leaderIndex = OptionalLong.of(i);
      }
    }
    return leaderIndex;
  }

  /** The member ids member {@code index} lists ({@code etcdctl member list}); empty if none. */
  static List<Long> members(EtcdCluster etcd, int index) {
    String list = post(etcd.clientEndpoint(index), "/v3/cluster/member/list");
    List<Long> ids = new ArrayList<>();
    Matcher m = MEMBER.matcher(list);
    while (m.find()) {
      ids.add(Long.parseUnsignedLong(m.group(1)));
    }
    return ids;
  }

  /** Whether member {@code index} answers {@code /health} with {@code "health":"true"}. */
  static boolean healthy(EtcdCluster etcd, int index) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(etcd.clientEndpoint(index).resolve("/health"))
                  .timeout(CALL)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"health\":\"true\"");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String post(URI member, String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(member.resolve(path))
                  .timeout(CALL)
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static OptionalLong first(Pattern pattern, String json) {
    Matcher m = pattern.matcher(json);
    return m.find() ? OptionalLong.of(Long.parseUnsignedLong(m.group(1))) : OptionalLong.empty();
  }
}
