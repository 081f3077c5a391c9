package dev.wharf.controlplane.server;

import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Client certificates as credentials (mTLS): the CA that issues them, and the role of each holder.
 * A verified certificate's principal is its subject's CN; its role comes from the roles file when
 * that names the CN, else from the certificate's OU when the OU is a role ({@code OU=viewer},
 * {@code OU=admin}, {@code OU=node}). A node's certificate is bound to its CN: the node id its
 * discovery stream must claim. Trust only a CA that issues certificates for Wharf's clients: every
 * certificate it signed is let in.
 *
 * <p>Roles file format, one holder per line, {@code #} comments and blank lines skipped:
 *
 * <pre>
 * # ROLE  CN (the rest of the line)
 * admin   alice
 * viewer  Build Robot
 * </pre>
 */
public final class ClientCertificates {
  private final Path ca;
  private final Map<String, Role> roles;

  private ClientCertificates(Path ca, Map<String, Role> roles) {
    this.ca = ca;
    this.roles = Map.copyOf(roles);
  }

  /**
   * Trusts certificates issued by the CA certificates in {@code caFile} (PEM), with roles from
   * {@code rolesFile} (null: from the certificates' OU only).
   */
  public static ClientCertificates trusting(Path caFile, Path rolesFile) throws IOException {
    Objects.requireNonNull(caFile, "caFile");
    if (!Files.isReadable(caFile)) {
      throw new IOException(caFile + ": not a readable file");
    }
    Map<String, Role> roles = new HashMap<>();
    if (rolesFile != null) {
      List<String> lines = Files.readAllLines(rolesFile, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] words = line.split("\\s+", 2);
        Role role = Role.parse(words[0]);
        if (role == null || words.length < 2) {
          throw new IOException(
              rolesFile
                  + " line "
                  + (i + 1)
                  + ": '"
                  + line
                  + "' (expected: ROLE CN, with ROLE one of node, viewer, admin)");
        }
        roles.put(words[1].strip(), role);
      }
    }
    return new ClientCertificates(caFile, roles);
  }

  /** The CA certificates (PEM) client certificates must chain to. */
  Path ca() {
    return ca;
  }

  /** The principal of a verified certificate: its CN, or its whole subject without one. */
  static String principal(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    return attribute(subject, "CN").orElse(subject);
  }

  /**
   * The holder's caller, or empty when neither the roles file nor the OU gives a role. A node is
   * bound to the node id its CN names.
   */
  Optional<Caller> caller(X509Certificate certificate) {
    String principal = principal(certificate);
    Role role = roles.get(principal);
    if (role == null) {
      role =
          attribute(certificate.getSubjectX500Principal().getName(), "OU")
              .map(Role::parse)
              .orElse(null);
    }
    if (role == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Caller(principal, role, role == Role.NODE ? Set.of(principal) : Set.of()));
  }

  private static Optional<String> attribute(String subject, String type) {
    try {
      for (Rdn rdn : new LdapName(subject).getRdns()) {
        if (rdn.getType().equalsIgnoreCase(type)) {
          return Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      // An X.500 name from a verified certificate always parses; treat it as lacking the type.
    }
    return Optional.empty();
  }
}
