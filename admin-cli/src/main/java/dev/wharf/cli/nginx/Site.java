package dev.wharf.cli.nginx;

import java.util.List;

/**
 * What the routes of one {@code server} share: its host patterns (empty: the default server), the
 * listeners it is served on, and the prefix of its route names when there are several servers (null
 * when there is one).
 */
record Site(Directive server, List<String> hosts, List<String> listeners, String namePrefix) {
  Site {
    hosts = List.copyOf(hosts);
    listeners = List.copyOf(listeners);
  }
}
