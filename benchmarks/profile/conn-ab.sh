#!/usr/bin/env bash
# Per-connection cost of two data-plane jars, interleaved (A B A B ...), a fresh JVM each run:
# WebSocket open+close cycles through the node to a Node.js origin (ws-origin.js), measured
# after a warm-up. Prints one line per run: CPU of the node per cycle (utime+stime from
# /proc/PID/stat), cycles/s, bytes allocated per cycle (from jstat: young collections x eden +
# eden growth, exact enough for the serial collector), and RSS at rest and after the run.
# Usage: benchmarks/profile/conn-ab.sh JAR_A JAR_B [ROUNDS] [CYCLES]   (run from the repo root)
# Warm-up cycles before the measured ones: WARMUP (default 3000). Extra JVM flags: WHARF_FLAGS="..." (default: the benchmark's -Xms256m -Xmx256m -XX:+UseSerialGC).
set -euo pipefail
A=$1 B=$2 ROUNDS=${3:-3} CYCLES=${4:-4000}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d /tmp/conn-ab.XXXXXX)
read -r -a FLAGS <<<"${WHARF_FLAGS:--Xms256m -Xmx256m -XX:+UseSerialGC}"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
node "$HERE/ws-origin.js" 0 >"$WORK/origin.out" &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$WORK/origin.out" 2>/dev/null && break; sleep 0.1; done
ORIGIN=$(awk '{print $2}' "$WORK/origin.out")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/wharf.yaml" <<YAML
listeners:
  - name: bench
    address: 127.0.0.1
    port: $PORT
upstreams:
  - name: backend
    endpoints:
      - address: 127.0.0.1:$ORIGIN
routes:
  - name: ws
    match:
      path: {prefix: /}
    proxy:
      upstream: backend
YAML
ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
alloc() { jstat -gc "$1" | awk 'NR == 2 { for (i = 1; i <= NF; i++) v[h[i]] = $i } NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i } END { printf "%.0f %.0f %.0f\n", v["YGC"], v["EC"], v["EU"] }'; }
HZ=$(getconf CLK_TCK)
echo "run jar cpu_us_per_cycle cycles_per_s alloc_bytes_per_cycle rss_rest_kib rss_after_kib failures"
for round in $(seq "$ROUNDS"); do
  for label in A B; do
    jar=$A; [ "$label" = B ] && jar=$B
    java "${FLAGS[@]}" -XX:+StartAttachListener -jar "$jar" --config "$WORK/wharf.yaml" --workers 1 \
      --admin 127.0.0.1:0 >"$WORK/w.out" 2>"$WORK/w.err" &
    pid=$!
    PIDS+=("$pid")
    for _ in $(seq 300); do grep -q '^listening: ' "$WORK/w.out" 2>/dev/null && break; sleep 0.1; done
    sleep 1
    rest=$(rss "$pid")
    node "$HERE/ws-cycles.js" 127.0.0.1 "$PORT" /ws "${WARMUP:-3000}" 50 >/dev/null
    t0=$(ticks "$pid"); read -r g0 e0 u0 <<<"$(alloc "$pid")"
    out=$(node "$HERE/ws-cycles.js" 127.0.0.1 "$PORT" /ws "$CYCLES" 50)
    t1=$(ticks "$pid"); read -r g1 e1 u1 <<<"$(alloc "$pid")"
    after=$(rss "$pid")
    kill "$pid"; wait "$pid" 2>/dev/null || true
    secs=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$out")
    fail=$(sed 's/.*failures=\([0-9]*\).*/\1/' <<<"$out")
    awk -v r="$round" -v l="$label" -v t="$((t1 - t0))" -v hz="$HZ" -v n="$CYCLES" -v s="$secs" \
      -v g="$((g1 - g0))" -v ec="$e1" -v u0="$u0" -v u1="$u1" -v rest="$rest" -v after="$after" -v f="$fail" \
      'BEGIN { printf "%s %s %.1f %.0f %.0f %s %s %s\n", r, l, t / hz * 1e6 / n, n / s, (g * ec + u1 - u0) * 1024 / n, rest, after, f }'
  done
done
