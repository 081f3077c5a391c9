package dev.wharf.config;

import dev.wharf.proto.config.v1.AccessRules;
import dev.wharf.proto.config.v1.BasicAuth;
import dev.wharf.proto.config.v1.Route;
import dev.wharf.proto.config.v1.Satisfy;

/**
 * The rules of a route's access control (nginx allow/deny, auth_basic, satisfy). The user file's
 * contents are checked where the file is, by {@link Htpasswd}: the data plane when it loads it, the
 * importer when it reads the nginx config; here only what the config itself says.
 */
final class AccessControlRules {
  private AccessControlRules() {}

  static void check(String path, Route r, Problems problems) {
    if (r.hasAccess()) {
      rules(path + ".access", r.getAccess(), problems);
    }
    if (r.hasBasicAuth()) {
      basicAuth(path + ".basic_auth", r.getBasicAuth(), problems);
    }
    if (r.getSatisfy() != Satisfy.SATISFY_UNSPECIFIED
        && r.getSatisfy() != Satisfy.ALL
        && r.getSatisfy() != Satisfy.ANY) {
      problems.add(path + ".satisfy", "unknown value " + r.getSatisfyValue());
    }
  }

  private static void rules(String path, AccessRules access, Problems problems) {
    for (int i = 0; i < access.getRulesCount(); i++) {
      String source = access.getRules(i).getSource();
      String field = path + ".rules[" + i + "].source";
      if (source.isEmpty()) {
        problems.add(field, "required: an address, a CIDR or 'all'");
      } else if (!source.equals("all")) {
        try {
          Cidr.parse(source);
        } catch (IllegalArgumentException e) {
          problems.add(field, e.getMessage());
        }
      }
    }
  }

  private static void basicAuth(String path, BasicAuth auth, Problems problems) {
    if (!auth.getEnabled()) {
      return; // auth_basic off: nothing else is used
    }
    if (auth.getRealm().indexOf('"') >= 0 || auth.getRealm().chars().anyMatch(c -> c < 0x20)) {
      problems.add(
          path + ".realm", "must not contain '\"' or control characters (it is sent in a header)");
    }
    String file = auth.getUserFile();
    if (file.isEmpty()) {
      problems.add(path + ".user_file", "required when basic_auth is enabled (an htpasswd file)");
    } else if (!file.startsWith("/")) {
      problems.add(path + ".user_file", "'" + file + "' must be an absolute path");
    }
  }
}
