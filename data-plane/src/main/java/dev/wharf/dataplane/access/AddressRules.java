package dev.wharf.dataplane.access;

import dev.wharf.config.Cidr;
import dev.wharf.proto.config.v1.AccessRules;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * nginx allow/deny, compiled once per snapshot: the first rule containing the address decides.
 * Immutable and thread-safe.
 *
 * <p>As nginx: an IPv4-mapped IPv6 client ({@code ::ffff:10.1.2.3}, a dual-stack socket's view of
 * an IPv4 client) is matched by the IPv4 rules, and a rule written as an IPv4-mapped IPv6 address
 * matches no client at all (nginx never compares IPv4 clients with IPv6 rules).
 */
final class AddressRules {
  /** What the rules say of an address: nginx's OK, FORBIDDEN, or DECLINED (no rule matched). */
  enum Match {
    ALLOWED,
    DENIED,
    NONE
  }

  private record Rule(boolean allow, Cidr range, boolean all, boolean never) {}

  private final List<Rule> rules;

  private AddressRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  static AddressRules compile(AccessRules config) {
    List<Rule> rules = new ArrayList<>();
    for (var rule : config.getRulesList()) {
      String source = rule.getSource();
      if (source.equals("all")) {
        rules.add(new Rule(rule.getAllow(), null, true, false));
        continue;
      }
      Cidr range = Cidr.parse(source);
      boolean mappedV6 = source.contains(":") && !range.toString().contains(":");
      rules.add(new Rule(rule.getAllow(), range, false, mappedV6));
    }
    return new AddressRules(rules);
  }

  boolean isEmpty() {
    return rules.isEmpty();
  }

  Match match(InetAddress client) {
    for (Rule rule : rules) {
      if (rule.never()) {
        continue;
      }
      if (rule.all() || rule.range().contains(client)) {
        return rule.allow() ? Match.ALLOWED : Match.DENIED;
      }
    }
    return Match.NONE;
  }
}
