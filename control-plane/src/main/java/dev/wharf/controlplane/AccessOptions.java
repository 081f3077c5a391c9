package dev.wharf.controlplane;

import dev.wharf.controlplane.admin.Role;
import dev.wharf.controlplane.server.AccessTokens;
import dev.wharf.controlplane.server.ClientCertificates;
import dev.wharf.controlplane.server.ControlPlaneServer;
import dev.wharf.launch.Startup;
import dev.wharf.launch.StartupException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * Who may call a replica, and over what: the token file, TLS, and client certificates. Shared by
 * the replica and standalone (a picocli mixin). Without a token file and a client CA only callers
 * on the same host are served, so the gRPC address must then be a loopback one.
 */
public final class AccessOptions {
  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_TOKEN_FILE}",
      description =
          "Tokens callers present, one per line: ROLE TOKEN [NAME], ROLE one of node "
              + "(discovery), viewer (Admin reads), admin (everything); a token alone is a node "
              + "token. On a node line NAME is the node ids the token is for (node TOKEN "
              + "ID[,ID...]). Without it (and --tls-client-ca) only loopback callers are served. "
              + "Env WHARF_TOKEN_FILE.")
  Path tokenFile;

  @Option(
      names = "--require-bound-node-tokens",
      defaultValue = "${env:WHARF_REQUIRE_BOUND_NODE_TOKENS:-false}",
      description =
          "Refuse to start when a node token in --token-file names no node id (such a "
              + "token may otherwise connect as any node, with a warning). "
              + "Env WHARF_REQUIRE_BOUND_NODE_TOKENS=true.")
  boolean requireBoundNodeTokens;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_TLS_CERT}",
      description = "PEM certificate chain: serve TLS. Env WHARF_TLS_CERT.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_TLS_KEY}",
      description = "PEM private key of --tls-cert. Env WHARF_TLS_KEY.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_TLS_CLIENT_CA}",
      description =
          "PEM CA certificates: accept client certificates they issued as "
              + "credentials (principal: the CN; role: --tls-roles, else OU=viewer|admin|node). "
              + "Needs --tls-cert. Env WHARF_TLS_CLIENT_CA.")
  Path tlsClientCa;

  @Option(
      names = "--tls-roles",
      paramLabel = "FILE",
      defaultValue = "${env:WHARF_TLS_ROLES}",
      description =
          "Roles of client certificates, one per line: ROLE CN. " + "Env WHARF_TLS_ROLES.")
  Path tlsRoles;

  /**
   * Checks these flags together with the gRPC address {@code flag} names.
   *
   * @throws StartupException a usage error saying which flags do not go together
   */
  public void check(String flag, InetSocketAddress address) throws StartupException {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw StartupException.usage("--tls-cert and --tls-key go together");
    }
    if (tlsClientCa != null && tlsCert == null) {
      throw StartupException.usage(
          "--tls-client-ca needs --tls-cert and --tls-key (client certificates come over TLS)");
    }
    if (tlsRoles != null && tlsClientCa == null) {
      throw StartupException.usage("--tls-roles needs --tls-client-ca");
    }
    if (requireBoundNodeTokens && tokenFile == null) {
      throw StartupException.usage("--require-bound-node-tokens needs --token-file");
    }
    if (tokenFile == null
        && tlsClientCa == null
        && address != null
        && (address.getAddress() == null || !address.getAddress().isLoopbackAddress())) {
      throw StartupException.usage(
          flag
              + " "
              + Startup.hostPort(address)
              + " is not a loopback "
              + "address, and callers could not authenticate: give --token-file (or "
              + "--tls-client-ca), or listen on 127.0.0.1");
    }
  }

  /**
   * Reads the token and roles files into {@code builder}, and says on {@code err} what a reader of
   * the start-up lines should know (no admin token at all, node tokens bound to no node).
   *
   * @throws StartupException a usage error naming the flag whose file is wrong
   */
  public void configure(ControlPlaneServer.Builder builder, PrintWriter err)
      throws StartupException {
    if (tokenFile != null) {
      AccessTokens tokens;
      try {
        tokens = AccessTokens.fromFile(tokenFile);
      } catch (IOException e) {
        throw StartupException.usage("--token-file: " + e.getMessage());
      }
      if (!tokens.grants(Role.ADMIN) && tlsClientCa == null) {
        err.println(
            "warning: --token-file "
                + tokenFile
                + " has no admin token: the Admin API "
                + "takes no writes");
      }
      checkNodeBindings(tokens, err);
      builder.tokens(tokens);
    }
    if (tlsCert != null) {
      builder.tls(tlsCert, tlsKey);
    }
    if (tlsClientCa != null) {
      try {
        builder.clientCertificates(ClientCertificates.trusting(tlsClientCa, tlsRoles));
      } catch (IOException e) {
        throw StartupException.usage("--tls-client-ca/--tls-roles: " + e.getMessage());
      }
    }
  }

  /**
   * Node tokens that name no node id may connect as any node: refused with {@code
   * --require-bound-node-tokens}, else a warning (older files keep working).
   */
  private void checkNodeBindings(AccessTokens tokens, PrintWriter err) throws StartupException {
    List<Integer> unbound = tokens.unboundNodeLines();
    if (unbound.isEmpty()) {
      return;
    }
    String lines =
        (unbound.size() == 1 ? "line " : "lines ")
            + unbound.stream().map(String::valueOf).collect(Collectors.joining(", "));
    if (requireBoundNodeTokens) {
      throw StartupException.usage(
          "--token-file: "
              + tokenFile
              + " "
              + lines
              + ": node token "
              + "bound to no node id, refused by --require-bound-node-tokens (expected: node TOKEN "
              + "NODE-ID[,NODE-ID...])");
    }
    err.println(
        "warning: --token-file "
            + tokenFile
            + " "
            + lines
            + ": node token bound to no "
            + "node id: whoever holds it may connect as any node; name the node ids "
            + "(node TOKEN NODE-ID[,NODE-ID...]), then pass --require-bound-node-tokens");
  }

  /** One line for the start-up output: how callers authenticate. */
  public String describe() {
    if (tokenFile == null && tlsClientCa == null) {
      return "loopback callers only, as principal 'local' (no --token-file)";
    }
    String how =
        tokenFile == null
            ? ""
            : "tokens from "
                + tokenFile
                + (requireBoundNodeTokens ? " (node tokens bound to their node ids)" : "");
    if (tlsClientCa != null) {
      how += (how.isEmpty() ? "" : ", ") + "client certificates issued by " + tlsClientCa;
    }
    return how;
  }
}
