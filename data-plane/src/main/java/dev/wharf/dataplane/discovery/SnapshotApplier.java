package dev.wharf.dataplane.discovery;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.server.ListenerBindException;
import dev.wharf.proto.discovery.v1.Ack;
import dev.wharf.proto.discovery.v1.Hello;
import dev.wharf.proto.discovery.v1.Nack;
import dev.wharf.proto.discovery.v1.NodeMessage;
import dev.wharf.proto.discovery.v1.Snapshot;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns snapshots into a running config and an answer, knowing nothing of streams: applies a
 * snapshot to the sink, saves it to the snapshot file once it serves, and says whether to ACK or
 * NACK it. Also serves the saved snapshot at boot.
 *
 * <p>Threading: called from the client's config thread only.
 */
final class SnapshotApplier {
  private static final Logger log = LoggerFactory.getLogger(SnapshotApplier.class);
  private static final int MAX_REASON_CHARS = 4096;

  private final ConfigSink sink;
  private final SnapshotFile file;
  private final EventFanout events;
  private final RefusedVersions refused;

  SnapshotApplier(ConfigSink sink, SnapshotFile file, EventFanout events) {
    this.sink = sink;
    this.file = file;
    this.events = events;
    this.refused = new RefusedVersions();
  }

  /**
   * The hello to open a stream with: the version that serves, and the versions this node refused
   * and has not applied since (no replica pushes them again).
   */
  Hello hello(String nodeId, Map<String, String> labels) {
    return Hello.newBuilder()
        .setNodeId(nodeId)
        .putAllLabels(labels)
        .setVersion(sink.version())
        .addAllRefusedVersions(refused.list())
        .build();
  }

  /** The version that serves now, 0 before any. */
  long running() {
    return sink.version();
  }

  /**
   * Applies the snapshot file if it holds a valid snapshot this node can run; otherwise logs why
   * not and leaves the node as it is.
   */
  void serveSaved() {
    Optional<Snapshot> saved;
    try {
      saved = file.read();
    } catch (CorruptSnapshotException e) {
      log.error("{}; not serving it, waiting for a push from the control plane", e.getMessage());
      return;
    } catch (IOException e) {
      log.error(
          "cannot read {}: {}; not serving it, waiting for a push from the control plane",
          file,
          e.toString());
      return;
    }
    if (saved.isEmpty()) {
      log.info("no saved snapshot at {}; waiting for a push from the control plane", file);
      return;
    }
    long version = saved.get().getVersion();
    String source = file.toString();
    try {
      sink.apply(saved.get().getConfig(), version);
    } catch (ConfigException | ListenerBindException e) {
      String reason = reason(e);
      log.error(
          "{} holds version {} but this node cannot apply it: {}; waiting for a push from "
              + "the control plane",
          file,
          version,
          reason);
      events.emit(ev -> ev.refused(version, source, reason));
      return;
    }
    log.info("serving version {} from {} until a control plane answers", version, file);
    events.emit(ev -> ev.applied(version, source));
  }

  /** The node drains: it applies no config any more, and answers no snapshot. */
  boolean draining() {
    return sink.drainProgress() != null;
  }

  /**
   * Applies a pushed snapshot and returns the answer: ACK once it serves and is saved (or when it
   * already served), NACK with the reason when it cannot serve; then the old config serves on and
   * the file is untouched.
   */
  NodeMessage answer(Snapshot snapshot, String source) {
    long version = snapshot.getVersion();
    long running = sink.version();
    if (version == running && running != 0) {
      log.info("version {} from {} already serves; acknowledging it", version, source);
      return ack(snapshot);
    }
    if (version < running) {
      log.warn(
          "{} pushes version {}, older than the {} this node runs; applying it: the "
              + "control plane decides what runs",
          source,
          version,
          running);
    }
    try {
      sink.apply(snapshot.getConfig(), version);
    } catch (ConfigException | ListenerBindException e) {
      return refuse(snapshot, source, reason(e));
    } catch (RuntimeException e) {
      log.error("applying version {} from {} failed unexpectedly", version, source, e);
      return refuse(snapshot, source, "cannot apply: " + e);
    }
    save(snapshot);
    refused.serves(version);
    log.info("applied version {} from {}", version, source);
    events.emit(ev -> ev.applied(version, source));
    return ack(snapshot);
  }

  private NodeMessage refuse(Snapshot snapshot, String source, String reason) {
    if (sink.version() == 0) { // at boot nothing serves yet: there is no previous one to keep
      log.warn(
          "cannot apply version {} from {}: {}; this node serves nothing until a version applies",
          snapshot.getVersion(),
          source,
          reason);
    } else {
      log.warn(
          "refused version {} from {}, still serving version {}: {}",
          snapshot.getVersion(),
          source,
          sink.version(),
          reason);
    }
    events.emit(ev -> ev.refused(snapshot.getVersion(), source, reason));
    refused.refused(snapshot.getVersion());
    return NodeMessage.newBuilder()
        .setNack(
            Nack.newBuilder()
                .setVersion(snapshot.getVersion())
                .setNonce(snapshot.getNonce())
                .setReason(reason))
        .build();
  }

  /** A file that cannot be written costs only the boot fallback: the new config serves anyway. */
  private void save(Snapshot snapshot) {
    try {
      file.write(snapshot);
    } catch (IOException e) {
      log.error(
          "cannot write {}: {}; version {} serves, but a restart without a control plane "
              + "would serve an older one",
          file,
          e.toString(),
          snapshot.getVersion());
    }
  }

  private static NodeMessage ack(Snapshot snapshot) {
    return NodeMessage.newBuilder()
        .setAck(Ack.newBuilder().setVersion(snapshot.getVersion()).setNonce(snapshot.getNonce()))
        .build();
  }

  /** The validator's errors, one after another: {@code routes[2].proxy.upstream: ...; ...}. */
  static String reason(Exception e) {
    String text =
        e instanceof ConfigException c
            ? c.errors().stream().map(ConfigError::toString).collect(Collectors.joining("; "))
            : e.getMessage();
    return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "...";
  }
}
