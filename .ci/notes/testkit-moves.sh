#!/usr/bin/env bash
# Issue 18 (branch kit): the near-copies of test fixtures moved into the shared testkit
# (proto's test-jar, package dev.wharf.testkit). Rewrites the old names in every test source;
# idempotent, so it can be re-run after merging branches whose new tests still use the old names.
# Run from the repository root, then: ./mvnw -B -o spotless:apply (sorts the added imports).
#   dev.wharf.dataplane.testing.Await, dev.wharf.controlplane.store.Await -> dev.wharf.testkit.Await
#   controlplane discovery FakeNode, controlplane admin RawNode -> dev.wharf.testkit.FakeDiscoveryNode
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

add_import() { # file import: adds "import X;" after the package line when it is missing
  grep -q "^import $2;" "$1" || sed -i "0,/^package .*;/s//&\n\nimport $2;/" "$1"
}

for f in $(git ls-files '*/src/test/java/*.java' | xargs grep -lE '\b(Await|FakeNode|RawNode)\b' || true); do
  case "$f" in
    proto/src/test/java/dev/wharf/testkit/* | */dataplane/testing/Await.java | */store/Await.java | \
      */discovery/FakeNode.java | */admin/RawNode.java) continue ;;
  esac
  sed -i -e 's/^import dev\.wharf\.dataplane\.testing\.Await;/import dev.wharf.testkit.Await;/' \
         -e 's/^import dev\.wharf\.controlplane\.store\.Await;/import dev.wharf.testkit.Await;/' "$f"
  # Await used without an import: the class was in the same package (store, dataplane.testing).
  if grep -qE '\bAwait\.until\b' "$f" && ! grep -qE '^import [a-z.]*\.Await;' "$f"; then
    add_import "$f" dev.wharf.testkit.Await
  fi
  if grep -qE '\b(FakeNode|RawNode)\b' "$f"; then
    sed -i -E 's/\b(FakeNode|RawNode)\b/FakeDiscoveryNode/g' "$f"
    add_import "$f" dev.wharf.testkit.FakeDiscoveryNode
  fi
done
git rm -q -f --ignore-unmatch \
  data-plane/src/test/java/dev/wharf/dataplane/testing/Await.java \
  control-plane/src/test/java/dev/wharf/controlplane/store/Await.java \
  control-plane/src/test/java/dev/wharf/controlplane/discovery/FakeNode.java \
  control-plane/src/test/java/dev/wharf/controlplane/admin/RawNode.java
