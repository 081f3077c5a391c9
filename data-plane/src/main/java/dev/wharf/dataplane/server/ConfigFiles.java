package dev.wharf.dataplane.server;

import dev.wharf.config.ConfigError;
import dev.wharf.config.ConfigException;
import dev.wharf.dataplane.accesslog.AccessLogOpenException;
import dev.wharf.dataplane.accesslog.AccessLogger;
import dev.wharf.dataplane.accesslog.AccessLogs;
import dev.wharf.dataplane.node.NodeServices;
import dev.wharf.dataplane.tls.TlsListeners;
import dev.wharf.dataplane.tls.TlsSetupException;
import dev.wharf.dataplane.tls.UpstreamTlsClient;
import dev.wharf.dataplane.tls.UpstreamTlsContexts;
import dev.wharf.proto.config.v1.Config;
import dev.wharf.proto.config.v1.Listener;
import java.util.List;
import java.util.Map;

/**
 * What a config names on this node's disk: access log files, listener certificates, upstream CA
 * bundles and client certificates. A config the validator passed can still be one this node cannot
 * serve (a missing file, a key that does not match): reading them is where it refuses, with the
 * field and the reason, before anything changes. Blocking: the node's config thread only.
 */
final class ConfigFiles {
  private final NodeServices services;
  private final AccessLogs accessLogs;
  private final TlsListeners listenerTls;
  private final UpstreamTlsContexts upstreamTls = new UpstreamTlsContexts();

  ConfigFiles(NodeServices services, AccessLogs accessLogs, TlsListeners listenerTls) {
    this.services = services;
    this.accessLogs = accessLogs;
    this.listenerTls = listenerTls;
  }

  /** The TLS clients of upstreams with {@code tls}, by upstream name. */
  Map<String, UpstreamTlsClient> upstreamTls(Config config) throws ConfigException {
    try {
      return upstreamTls.update(config);
    } catch (ConfigException e) {
      services.metrics().configRejected("tls");
      throw e;
    }
  }

  /** Every listener certificate, read and checked, ready to commit. */
  TlsListeners.Prepared listenerTls(Config config) throws ConfigException {
    try {
      return listenerTls.prepare(config.getListenersList(), services.ticker().nanoTime());
    } catch (TlsSetupException e) {
      services.metrics().configRejected("tls");
      throw new ConfigException(List.of(new ConfigError(e.field(), e.getMessage(), 0)));
    }
  }

  /** The access log of every listener that has one, opened. */
  Map<String, AccessLogger> accessLogs(Config config) throws ConfigException {
    try {
      return accessLogs.update(config);
    } catch (AccessLogOpenException e) {
      services.metrics().configRejected("invalid");
      List<Listener> ls = config.getListenersList();
      int index = 0;
      while (index < ls.size() - 1 && !ls.get(index).getName().equals(e.listener())) {
        index++;
      }
      throw new ConfigException(
          List.of(new ConfigError("listeners[" + index + "].access_log.path", e.getMessage(), 0)));
    }
  }
}
