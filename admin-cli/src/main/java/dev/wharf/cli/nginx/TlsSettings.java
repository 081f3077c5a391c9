package dev.wharf.cli.nginx;

import dev.wharf.cli.nginx.Listeners.Served;
import dev.wharf.proto.config.v1.ClientVerification;
import dev.wharf.proto.config.v1.ListenerTls;
import dev.wharf.proto.config.v1.Size;
import dev.wharf.proto.config.v1.TlsSessions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The TLS settings nginx keeps per server and Wharf per listener: protocols, ciphers, sessions,
 * client certificates, record size. A listener takes them from its first server (the default
 * server); a later server on it with other values is reported, as in {@link ListenerSettings}.
 */
final class TlsSettings {
  private static final List<String> NAMES =
      List.of(
          "ssl_protocols",
          "ssl_ciphers",
          "ssl_prefer_server_ciphers",
          "ssl_session_cache",
          "ssl_session_timeout",
          "ssl_session_tickets",
          "ssl_session_ticket_key",
          "ssl_verify_client",
          "ssl_client_certificate",
          "ssl_verify_depth",
          "ssl_buffer_size",
          "ssl_reject_handshake");

  /** An OpenSSL cipher name such as ECDHE-RSA-AES128-GCM-SHA256, as opposed to a keyword. */
  private static final Pattern CIPHER_NAME = Pattern.compile("[A-Z0-9]+(-[A-Z0-9]+)+|TLS_\\w+");

  private static final long SESSIONS_PER_MEGABYTE = 4000;

  private final Ledger ledger;

  TlsSettings(Ledger ledger) {
    this.ledger = ledger;
  }

  void apply(String listenerName, ListenerTls.Builder tls, List<Served> servers) {
    Scope first = servers.get(0).scope();
    TlsSessions.Builder sessions = TlsSessions.newBuilder();
    first.nearest("ssl_protocols").ifPresent(d -> protocols(ledger, d, tls::addAllProtocols));
    first.nearest("ssl_ciphers").ifPresent(d -> ciphers(ledger, d, tls::addAllCiphers));
    first.nearest("ssl_prefer_server_ciphers").ifPresent(d -> flag(d, tls::setPreferServerCiphers));
    first.nearest("ssl_session_cache").ifPresent(d -> sessionCache(d, sessions));
    first.nearest("ssl_session_timeout").ifPresent(d -> time(d, sessions));
    first.nearest("ssl_session_tickets").ifPresent(d -> flag(d, sessions::setTickets));
    ticketKeys(first.nearestAll("ssl_session_ticket_key"), sessions);
    if (!sessions.build().equals(TlsSessions.getDefaultInstance())) {
      tls.setSessions(sessions);
    }
    clientVerification(first).ifPresent(tls::setClientVerification);
    first.nearest("ssl_buffer_size").ifPresent(d -> recordSize(d, tls));
    first
        .nearest("ssl_reject_handshake")
        .ifPresent(
            d ->
                flag(
                    d,
                    on -> {
                      if (on) {
                        tls.setUnknownServerName(ListenerTls.UnknownServerName.REFUSE);
                      }
                    }));
    for (Served later : servers.subList(1, servers.size())) {
      for (String name : NAMES) {
        SettingsOfFirstServer.compare(
            ledger, listenerName, name, first.nearestAll(name), later, servers.get(0));
      }
    }
  }

  /**
   * TLS 1.2 and 1.3 are kept; older protocols are dropped with a note. Nothing is set for both, the
   * default (nginx 1.23.4+ has the same default).
   */
  static void protocols(Ledger ledger, Directive d, Consumer<List<String>> set) {
    List<String> kept = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    for (String p : d.args()) {
      if (p.equals("TLSv1.2") || p.equals("TLSv1.3")) {
        kept.add(p);
      } else {
        dropped.add(p);
      }
    }
    if (kept.isEmpty()) {
      ledger.notTranslated(
          d, "Wharf offers TLSv1.2 and TLSv1.3 only; none is listed, so both are offered");
      return;
    }
    if (!kept.equals(List.of("TLSv1.2", "TLSv1.3"))) {
      set.accept(kept);
    }
    if (dropped.isEmpty()) {
      ledger.translated(d);
    } else {
      ledger.check(
          d,
          String.join(" ", dropped)
              + " dropped: Wharf does not offer protocols older than TLSv1.2; peers that "
              + "only speak those cannot connect");
    }
  }

  /** A list of cipher names is kept; an OpenSSL expression leaves Wharf's default list. */
  static void ciphers(Ledger ledger, Directive d, Consumer<List<String>> set) {
    List<String> names = List.of(d.arg(0).split("[:, ]+"));
    if (names.stream().allMatch(n -> CIPHER_NAME.matcher(n).matches())) {
      set.accept(names);
      ledger.translated(d);
    } else {
      ledger.check(
          d,
          "an OpenSSL cipher expression, not a list of cipher names: Wharf's default "
              + "list (Mozilla's intermediate profile) applies; list names to choose");
    }
  }

  /** {@code shared:NAME:SIZE} holds about 4000 sessions per megabyte; off and none hold none. */
  private void sessionCache(Directive d, TlsSessions.Builder sessions) {
    Long count = null;
    for (String arg : d.args()) {
      if (arg.equals("off") || arg.equals("none")) {
        count = 0L;
      } else if (arg.startsWith("shared:")) {
        Optional<Size> size = Values.size(arg.substring(arg.lastIndexOf(':') + 1));
        if (size.isPresent() && arg.split(":").length == 3) {
          count = Math.max(1, size.get().getBytes() * SESSIONS_PER_MEGABYTE / (1 << 20));
        }
      } else if (arg.startsWith("builtin") && count == null) {
        count = builtinSize(arg);
      }
    }
    if (count == null) {
      ledger.notTranslated(d, "'" + d.text() + "' is not a session cache Wharf knows");
      return;
    }
    // nginx's size is bytes of shared memory; 1m holds about 4000 sessions by its own docs.
    sessions.setCacheSize((int) Math.min(count, Integer.MAX_VALUE));
    ledger.translated(d);
  }

  /** {@code builtin[:SESSIONS]}, 20480 sessions by default. */
  private static Long builtinSize(String arg) {
    if (!arg.contains(":")) {
      return 20480L;
    }
    return Values.number(arg.substring(arg.indexOf(':') + 1), 1, 1 << 30)
        .map(Integer::longValue)
        .orElse(null);
  }

  private void time(Directive d, TlsSessions.Builder sessions) {
    Optional<com.google.protobuf.Duration> t = Values.time(d.arg(0));
    if (t.isEmpty()) {
      ledger.notTranslated(d, "'" + d.arg(0) + "' is not a time");
      return;
    }
    sessions.setTimeout(t.get());
    ledger.translated(d);
  }

  private void ticketKeys(List<Directive> keys, TlsSessions.Builder sessions) {
    for (Directive d : keys) {
      sessions.addTicketKeyFiles(d.arg(0));
      ledger.check(
          d,
          "Wharf reads 80-byte key files (openssl rand 80 > FILE); nginx also took 48-byte ones");
    }
  }

  /** {@code ssl_verify_client} with {@code ssl_client_certificate} and {@code ssl_verify_depth}. */
  private Optional<ClientVerification> clientVerification(Scope scope) {
    Optional<Directive> verify = scope.nearest("ssl_verify_client");
    Optional<Directive> ca = scope.nearest("ssl_client_certificate");
    Optional<Directive> depth = scope.nearest("ssl_verify_depth");
    if (verify.isEmpty() || verify.get().arg(0).equals("off")) {
      verify.ifPresent(d -> ledger.translated(d));
      ca.ifPresent(d -> ledger.notNeeded(d, "ssl_verify_client is off"));
      depth.ifPresent(d -> ledger.notNeeded(d, "ssl_verify_client is off"));
      return Optional.empty();
    }
    Directive v = verify.get();
    ClientVerification.Builder out = ClientVerification.newBuilder();
    switch (v.arg(0)) {
      case "on" -> out.setMode(ClientVerification.Mode.REQUIRED);
      case "optional", "optional_no_ca" -> out.setMode(ClientVerification.Mode.OPTIONAL);
      default -> {
        ledger.notTranslated(v, "'" + v.arg(0) + "' is not on, off, optional or optional_no_ca");
        return Optional.empty();
      }
    }
    if (ca.isEmpty()) {
      ledger.notTranslated(
          v,
          "no ssl_client_certificate to verify client certificates against (nginx -t refuses "
              + "this too); no client certificates are requested");
      return Optional.empty();
    }
    out.setCaFile(ca.get().arg(0));
    ledger.translated(ca.get());
    if (v.arg(0).equals("optional_no_ca")) {
      ledger.check(
          v,
          "Wharf verifies every client certificate against ssl_client_certificate; one that "
              + "does not chain to it has $ssl_client_verify FAILED");
    } else {
      ledger.translated(v);
    }
    if (depth.isPresent()) {
      Optional<Integer> n = Values.number(depth.get().arg(0), 1, 10);
      if (n.isPresent()) {
        out.setDepth(n.get());
        ledger.translated(depth.get());
      } else {
        ledger.notTranslated(depth.get(), "Wharf takes a depth of 1 to 10");
      }
    }
    return Optional.of(out.build());
  }

  private void recordSize(Directive d, ListenerTls.Builder tls) {
    Optional<Size> size = Values.size(d.arg(0));
    if (size.isEmpty() || size.get().getBytes() < 512 || size.get().getBytes() > 16384) {
      ledger.notTranslated(d, "Wharf writes TLS records of 512 bytes to 16k");
      return;
    }
    tls.setRecordSize(size.get());
    ledger.translated(d);
  }

  private void flag(Directive d, Consumer<Boolean> set) {
    Optional<Boolean> on = Values.flag(d.arg(0));
    if (on.isEmpty()) {
      ledger.notTranslated(d, "'" + d.arg(0) + "' is not on or off");
      return;
    }
    set.accept(on.get());
    ledger.translated(d);
  }
}
