#!/usr/bin/env bash
# Config distribution on this machine (docs/performance.md, "Targets"), with the benchmark jar's tools:
#   - fleet:          a real control-plane replica and 100 and 1,000 simulated nodes in one JVM;
#                     each config change timed from the commit call to the last node's ACK
#   - snapshot-build: a real node's apply (validate, compile, swap) of 10 / 1,000 / 10,000-route
#                     configs, and its route lookup time at each size
# Prints a Markdown report and writes it to benchmarks/results/fleet-latest.md (not committed).
#
#   bash benchmarks/fleet.sh [--quick] [--etcd URL[,URL...]]
#
# Builds nothing: build the jar first (./mvnw -B -DskipTests package -pl benchmarks -am).
# Needs a JDK 17+. Everything binds 127.0.0.1 on ephemeral ports, inside the tools' own JVMs.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

usage() {
  cat <<'EOF'
usage: bash benchmarks/fleet.sh [--quick] [--etcd URL[,URL...]]

  --quick              fewer changes, applies and lookup rounds: a smoke run of about a minute
  --etcd URL[,URL...]  also run the fleet on this etcd cluster as the store (under a fresh
                       key prefix, emptied at the end); default: the embedded file store only
EOF
}

MODE=full
ETCD=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --etcd) ETCD=${2:?--etcd needs URLs}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if [ "$MODE" = quick ]; then
  FLEET_ARGS=(--nodes 100,1000 --changes 20 --warmup-changes 5)
  SNAPSHOT_ARGS=(--applies 20 --warmup 5 --lookup-rounds 5 --lookup-warmup 1s)
else
  # Every node its own TCP connection too, as a real fleet has, at both sizes.
  FLEET_ARGS=(--nodes 100,1000 --nodes-per-channel 50,1 --changes 100 --warmup-changes 20)
  SNAPSHOT_ARGS=(--applies 100 --warmup 20 --lookup-rounds 15 --lookup-warmup 3s)
fi
JVM_ARGS=(-Xms1g -Xmx1g)

command -v java >/dev/null 2>&1 || die "java not found (a JDK 17 or newer is needed)"
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it first:
  ./mvnw -B -DskipTests package -pl benchmarks -am"

NOTES=()
if [ -n "$(find pom.xml proto control-plane data-plane benchmarks \
    \( -path '*/target' -o -path benchmarks/results \) -prune -o -newer "$BENCH_JAR" -type f \
    -print -quit)" ]; then
  NOTES+=("$BENCH_JAR is older than some sources: the figures are those of the jar's build, not of the working tree")
fi

# 1,000 nodes over their own connections cost 2,000 sockets in the one JVM.
raise_nofile

install_cleanup wharf-fleet

{
  machine_info
  echo "jvm args:    ${JVM_ARGS[*]} (one JVM per tool)"
  echo "open files:  $NOFILE"
} >"$WORK/machine.txt"

# run NAME TOOL ARGS...: the tool's Markdown to $WORK/NAME.md, its progress and logs to NAME.log.
run() {
  local name=$1
  shift
  log "$name: java -jar $BENCH_JAR $*"
  if ! java "${JVM_ARGS[@]}" -jar "$BENCH_JAR" "$@" >"$WORK/$name.md" 2>"$WORK/$name.log"; then
    grep -v ' INFO ' "$WORK/$name.log" | tail -20 >&2
    die "$name failed (its log: $WORK/$name.log)"
  fi
  grep -E '^(fleet|snapshot-build):' "$WORK/$name.log" >&2 || true
}

run fleet fleet "${FLEET_ARGS[@]}"
if [ -n "$ETCD" ]; then
  run fleet-etcd fleet --nodes 100,1000 --changes 50 --warmup-changes 10 --etcd "$ETCD"
fi
run snapshot snapshot-build "${SNAPSHOT_ARGS[@]}"

mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/fleet-latest.md"
{
  echo "## Config distribution: same machine, one run"
  echo
  echo "- command: \`bash benchmarks/fleet.sh$([ "$MODE" = quick ] && echo ' --quick')$([ -n "$ETCD" ] && echo " --etcd $ETCD")\`"
  echo "- fleet: \`fleet ${FLEET_ARGS[*]}\`$([ -n "$ETCD" ] && echo "; on etcd: \`fleet --nodes 100,1000 --changes 50 --warmup-changes 10 --etcd URLS\`")"
  echo "- snapshot-build: \`snapshot-build ${SNAPSHOT_ARGS[*]}\`"
  echo "- the simulated nodes share the replica's JVM and the machine's cores; they decode each push as a real node does (PushDecoder) and ACK at once (nothing validated, compiled or saved): a real node adds its own apply time, measured below"
  echo
  cat "$WORK/fleet.md"
  if [ -n "$ETCD" ]; then
    echo "#### On etcd"
    echo
    cat "$WORK/fleet-etcd.md"
  fi
  cat "$WORK/snapshot.md"
  report_machine_and_notes "$WORK/machine.txt" "${NOTES[@]}"
} >"$REPORT"
echo
cat "$REPORT"
echo
log "written to $REPORT"
