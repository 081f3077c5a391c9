package dev.wharf.controlplane.store;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.proto.discovery.v1.NodeStatus;
import dev.wharf.testkit.EtcdExtension;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many node statuses written at once, on a real etcd: few raft commits, none lost. */
@Timeout(60)
class EtcdStatusRangeTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.singleMember();

  private final String prefix = "/status-range-" + UUID.randomUUID();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private Client raw;

  @BeforeEach
  void connect() {
    raw = Client.builder().endpoints(etcd.clientEndpoints()).build();
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    raw.close();
  }

  private NodeStatusStore nodes(String replica) {
    EtcdConfigStore store =
        EtcdConfigStore.connect(
            EtcdStoreSettings.defaults(etcd.clientEndpoints(), replica)
                .withPrefix(prefix)
                .withRetry(Duration.ofMillis(50), Duration.ofSeconds(1)));
    toClose.add(store);
    return store.nodes();
  }

  private long revision() throws Exception {
    return raw.getKVClient()
        .get(ByteSequence.from(prefix + "/none", StandardCharsets.UTF_8))
        .get(10, SECONDS)
        .getHeader()
        .getRevision();
  }

  private static List<NodeStatus> statuses(int count, long version) {
    List<NodeStatus> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          NodeStatus.newBuilder()
              .setNodeId(String.format("node-%04d", i))
              .setAckedVersion(version)
              .build());
    }
    return out;
  }

  @Test
  void aThousandStatusesWrittenTogetherTakeAFewCommitsAndAreAllListed() throws Exception {
    NodeStatusStore nodes = nodes("cp-a");
    nodes.put(statuses(1, 1).get(0)); // the lease is granted before the batch
    long before = revision();

    nodes.putAll(statuses(1000, 7));

    long commits = revision() - before;
    assertTrue(commits <= 8, "1,000 statuses took " + commits + " etcd revisions");
    List<NodeStatus> listed = nodes.list();
    assertEquals(1000, listed.size());
    for (int i = 0; i < 1000; i++) {
      assertEquals(String.format("node-%04d", i), listed.get(i).getNodeId());
      assertEquals(7, listed.get(i).getAckedVersion());
      assertEquals("cp-a", listed.get(i).getReplica());
    }
  }

  @Test
  void twoBatchesOfOtherNodesWrittenAtOnceAreBothListedAndEachNodeRemovable() throws Exception {
    NodeStatusStore nodes = nodes("cp-a");
    List<NodeStatus> all = statuses(1000, 3);
    CompletableFuture<Void> first =
        CompletableFuture.runAsync(() -> putAll(nodes, all.subList(0, 500)));
    CompletableFuture<Void> last =
        CompletableFuture.runAsync(() -> putAll(nodes, all.subList(500, 1000)));
    CompletableFuture.allOf(first, last).get(30, SECONDS);

    nodes.remove("node-0000");
    nodes.remove("node-0999");

    List<NodeStatus> listed = nodes.list();
    assertEquals(998, listed.size());
    assertEquals("node-0001", listed.get(0).getNodeId());
    assertEquals("node-0998", listed.get(listed.size() - 1).getNodeId());
    assertTrue(listed.stream().allMatch(s -> s.getAckedVersion() == 3), listed::toString);
  }

  private static void putAll(NodeStatusStore nodes, List<NodeStatus> statuses) {
    try {
      nodes.putAll(statuses);
    } catch (StoreException e) {
      throw new CompletionException(e);
    }
  }

  @Test
  void aNodeListedTwiceInOneBatchKeepsItsLastStatus() throws Exception {
    NodeStatusStore nodes = nodes("cp-a");
    List<NodeStatus> batch = new ArrayList<>(statuses(200, 1));
    batch.addAll(statuses(3, 2));

    nodes.putAll(batch);

    List<NodeStatus> listed = nodes.list();
    assertEquals(200, listed.size());
    assertEquals(2, listed.get(0).getAckedVersion());
    assertEquals(2, listed.get(2).getAckedVersion());
    assertEquals(1, listed.get(3).getAckedVersion());
  }

  @Test
  void aStatusWrittenInABatchIsRemovedOnlyByTheReplicaThatWroteItLast() throws Exception {
    NodeStatusStore a = nodes("cp-a");
    NodeStatusStore b = nodes("cp-b");
    a.putAll(statuses(300, 1));
    b.putAll(statuses(1, 2)); // node-0000 moved to cp-b

    a.remove("node-0000");
    a.remove("node-0299");

    List<NodeStatus> listed = a.list();
    assertEquals(299, listed.size());
    assertEquals("cp-b", listed.get(0).getReplica());
    assertEquals("node-0298", listed.get(listed.size() - 1).getNodeId());
  }
}
