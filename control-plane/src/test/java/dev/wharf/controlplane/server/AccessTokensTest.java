package dev.wharf.controlplane.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.controlplane.admin.Caller;
import dev.wharf.controlplane.admin.Role;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessTokensTest {
  @Test
  void eachLineGivesATokenItsRoleAndPrincipal() throws Exception {
    AccessTokens tokens =
        AccessTokens.parse(
            List.of(
                "# ROLE TOKEN [NAME]",
                "",
                "admin   a-t0ken-for-alice   alice",
                "viewer  v-t0ken",
                "  node  n-t0ken  ",
                "legacy-node-t0ken"),
            "tokens");

    assertEquals(new Caller("alice", Role.ADMIN), tokens.find("a-t0ken-for-alice"));
    assertEquals(new Caller("token:v-t0ke...", Role.VIEWER), tokens.find("v-t0ken"));
    assertEquals(new Caller("token:n-t0ke...", Role.NODE), tokens.find("n-t0ken"));
    assertEquals(
        Role.NODE,
        tokens.find("legacy-node-t0ken").role(),
        "a token alone, as files were before roles, is a node token");
    assertNull(tokens.find("a-t0ken"), "a prefix of a token is not the token");
    assertNull(tokens.find("alice"), "a name is not a token");
    assertTrue(tokens.grants(Role.ADMIN));
    assertEquals("4 tokens (node 2, viewer 1, admin 1)", tokens.toString());
  }

  @Test
  void aNodeLineNamesTheNodeIdsItsTokenIsFor() throws Exception {
    AccessTokens tokens =
        AccessTokens.parse(
            List.of(
                "node    n-t0ken-1   edge-1",
                "# the nodes of one rack share a token",
                "node    n-t0ken-2   rack-7a,rack-7b,rack-7c",
                "admin   a-t0ken     ops",
                "node    n-t0ken-3",
                "legacy-node-t0ken"),
            "tokens");

    assertEquals(new Caller("edge-1", Role.NODE, Set.of("edge-1")), tokens.find("n-t0ken-1"));
    assertEquals(
        new Caller("rack-7a,rack-7b,rack-7c", Role.NODE, Set.of("rack-7a", "rack-7b", "rack-7c")),
        tokens.find("n-t0ken-2"));
    assertEquals(Set.of(), tokens.find("a-t0ken").nodeIds(), "an admin's NAME is a principal");
    assertEquals(Set.of(), tokens.find("n-t0ken-3").nodeIds());
    assertEquals(
        List.of(5, 6),
        tokens.unboundNodeLines(),
        "node tokens without names, a token alone included, are bound to no node");
  }

  @Test
  void aFileWhoseNodeLinesAllNameTheirNodesHasNoUnboundLine() throws Exception {
    assertEquals(
        List.of(),
        AccessTokens.parse(List.of("admin a1", "viewer v1", "node n1 edge-1"), "tokens")
            .unboundNodeLines());
  }

  @Test
  void malformedNodeIdsAreReportedWithTheirLine() {
    assertEquals(
        "tokens line 2: node ids 'edge-1,,edge-2' hold an empty one (expected: node "
            + "TOKEN NODE-ID[,NODE-ID...], without spaces)",
        error("admin a1", "node n1 edge-1,,edge-2"));
    assertEquals(
        "tokens line 1: node ids 'edge-1,' hold an empty one (expected: node TOKEN "
            + "NODE-ID[,NODE-ID...], without spaces)",
        error("node n1 edge-1,"));
    assertEquals(
        "tokens line 3: 4 words (expected: node TOKEN [NODE-ID[,NODE-ID...]], the node "
            + "ids separated by commas without spaces)",
        error("# ROLE TOKEN", "", "node n1 a, b"));
  }

  @Test
  void aFileWithOnlyNodeTokensGrantsNoAdmin() throws Exception {
    assertFalse(AccessTokens.parse(List.of("t1", "node t2"), "tokens").grants(Role.ADMIN));
  }

  @Test
  void mistakesAreReportedWithTheirLine() {
    assertEquals(
        "tokens line 2: unknown role 'root' (expected: ROLE TOKEN [NAME] with ROLE one "
            + "of node, viewer, admin)",
        error("admin a1", "root r1"));
    assertEquals(
        "tokens line 1: 4 words (expected: ROLE TOKEN [NAME], or a node token alone)",
        error("admin a1 alice smith"));
    assertEquals(
        "tokens line 3: this token is already on an earlier line",
        error("admin same", "# comment", "viewer same"));
    assertEquals("tokens holds no token", error("# nothing", ""));
  }

  private static String error(String... lines) {
    return assertThrows(IOException.class, () -> AccessTokens.parse(List.of(lines), "tokens"))
        .getMessage();
  }
}
