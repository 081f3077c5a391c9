package dev.wharf.controlplane.store;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.wharf.common.Backoff;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link NodeRecords#watchRetries}: every retry request standing (each made less than a minute
 * ago), then each new one. It remembers the mod revision of each request it delivered, so a re-list
 * delivers only requests made meanwhile. Runs on its own thread, {@code wharf-store-retries}.
 */
final class EtcdRetryWatch extends EtcdPrefixWatch {
  private static final Logger log = LoggerFactory.getLogger(EtcdRetryWatch.class);

  private final Client client;
  private final EtcdCalls calls;
  private final String prefix;
  private final BiConsumer<String, Long> listener;
  private final Map<String, Long> delivered = new HashMap<>(); // key to mod revision; watch thread

  EtcdRetryWatch(
      Client client,
      EtcdCalls calls,
      String prefix,
      BiConsumer<String, Long> listener,
      Backoff.Retries backoff,
      Duration callTimeout,
      Consumer<EtcdPrefixWatch> onClose) {
    super(
        client.getWatchClient(),
        EtcdNodeRecords.key(prefix, ""),
        prefix,
        "retry watch",
        "wharf-store-retries",
        backoff,
        callTimeout,
        onClose);
    this.client = client;
    this.calls = calls;
    this.prefix = prefix;
    this.listener = listener;
  }

  @Override
  long listAndDeliver() throws StoreException {
    GetResponse response =
        calls.await(
            () ->
                client
                    .getKVClient()
                    .get(
                        EtcdNodeRecords.key(prefix, ""),
                        GetOption.builder().isPrefix(true).withSerializable(false).build()),
            "listing " + prefix);
    Map<String, Long> standing = new HashMap<>();
    for (KeyValue kv : response.getKvs()) {
      standing.put(kv.getKey().toString(UTF_8), kv.getModRevision());
    }
    delivered.keySet().retainAll(standing.keySet());
    response.getKvs().forEach(this::deliver);
    return response.getHeader().getRevision();
  }

  @Override
  void apply(List<WatchEvent> events) {
    for (WatchEvent event : events) {
      if (event.getEventType() == WatchEvent.EventType.PUT) {
        deliver(event.getKeyValue());
      } else {
        delivered.remove(event.getKeyValue().getKey().toString(UTF_8));
      }
    }
  }

  @Override
  String kept() {
    return "no retry request is lost: standing ones are delivered when etcd answers";
  }

  private void deliver(KeyValue kv) {
    String key = kv.getKey().toString(UTF_8);
    Long before = delivered.put(key, kv.getModRevision());
    if (isClosed() || (before != null && before == kv.getModRevision())) {
      return;
    }
    String nodeId = key.substring(prefix.length());
    try {
      long version = Long.parseLong(kv.getValue().toString(UTF_8));
      listener.accept(nodeId, version);
    } catch (NumberFormatException e) {
      log.warn("skipping {}: not a version", key);
    } catch (RuntimeException e) {
      log.error("a retry listener failed on node {}", nodeId, e);
    }
  }
}
