#!/usr/bin/env bash
# The rate limiter under load (issue 21): requests/s through a route with limit_req against the
# same route without it, and the rate the limited route lets through against the configured one,
# on a node with several event loops (--workers, default 2).
#   - one Wharf data plane, the benchmark jar's backend behind it;
#   - route /free/: no limit; route /limited/: one zone keyed on a value every request shares
#     ($server_addr), RATE r/s, burst BURST (default RATE/10), nodelay, so every request over the
#     rate is refused at once (429) and the allowed count over the run is the limiter's rate.
#     With burst 0 the limit is one request per 1/RATE s slot (nginx's too): a slot no request
#     falls in is lost, so bursty arrivals on a loaded machine get well under RATE;
#   - wrk with THREADS threads and CONNECTIONS connections for DURATION s on each route, after a
#     warm-up of WARMUP s on the free route.
# Reports: requests/s of both routes (all answers, 200 and 429), the allowed requests/s of the
# limited route (from wharf_rate_limit_requests_total of the node's /metrics, which counts every
# judged request) and its error against RATE. Prints Markdown; writes
# benchmarks/results/ratelimit-latest.md (not committed).
#
#   [RATE=1000] [WORKERS=2] [DURATION=20] [WARMUP=5] [THREADS=2] [CONNECTIONS=64]
#       bash benchmarks/ratelimit.sh
#
# Needs a JDK 17+, wrk and curl. Builds the data-plane and benchmark jars if they are missing or
# older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

RATE=${RATE:-1000}
BURST=${BURST:-$((RATE / 10))}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
DATA_PLANE_JAR=data-plane/target/wharf-data-plane.jar

command -v wrk >/dev/null 2>&1 || die "wrk not found (Debian: apt-get install -y wrk)"
command -v curl >/dev/null 2>&1 || die "curl not found"
build_jars
install_cleanup wharf-ratelimit
start_backend "$WORK/backend"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ADMIN=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/wharf.yaml" <<EOF2
listeners:
  - {name: web, address: 127.0.0.1, port: $PORT, keepalive_timeout: 600s}
upstreams:
  - name: backend
    endpoints: [{address: "127.0.0.1:$BACKEND_PORT"}]
    pool: {max_idle_per_endpoint: 256}
rate_limit_zones:
  - {name: bench, key: \$server_addr, rate: ${RATE}r/s}
routes:
  - name: free
    match: {path: {prefix: /free/}}
    proxy: {upstream: backend}
  - name: limited
    match: {path: {prefix: /limited/}}
    proxy: {upstream: backend}
    limit_req: [{zone: bench, burst: $BURST, nodelay: true}]
EOF2
log "starting wharf (--workers $WORKERS) on 127.0.0.1:$PORT"
start_wharf "$WORK/wharf" "$DATA_PLANE_JAR" "$WORK/wharf.yaml" --workers "$WORKERS" \
  --admin "127.0.0.1:$ADMIN" || die "wharf did not start: $(cat "$WORK/wharf.err")"

allowed() {
  curl -s "http://127.0.0.1:$ADMIN/metrics" \
    | awk '/^wharf_rate_limit_requests_total\{/ && /zone="bench"/ && /outcome="allowed"/ { print $2 }'
}

log "warm-up: ${WARMUP}s on /free/"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${WARMUP}s" "http://127.0.0.1:$PORT/free/" >/dev/null
log "measuring /free/ for ${DURATION}s"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency \
  "http://127.0.0.1:$PORT/free/" >"$WORK/free.txt"
before=$(allowed)
before=${before:-0}
start_ns=$(date +%s%N)
log "measuring /limited/ for ${DURATION}s"
wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency \
  "http://127.0.0.1:$PORT/limited/" >"$WORK/limited.txt"
end_ns=$(date +%s%N)
after=$(allowed)

read -r free_rps free_p99 _ _ <<<"$(wrk_summary "$WORK/free.txt")"
read -r lim_rps lim_p99 lim_refused lim_requests <<<"$(wrk_summary "$WORK/limited.txt")"
secs=$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
allowed_rps=$(awk -v a="$before" -v b="$after" -v s="$secs" 'BEGIN { printf "%.1f", (b - a) / s }')
error=$(awk -v r="$allowed_rps" -v c="$RATE" 'BEGIN { printf "%+.2f", (r - c) * 100 / c }')

mkdir -p "$RESULTS_DIR"
{
  echo "## Rate limiter: $RATE r/s configured, --workers $WORKERS"
  echo
  echo "| route | requests/s (all answers) | p99 ms | refused (429) |"
  echo "|---|---|---|---|"
  echo "| /free/ (no limit) | $free_rps | $free_p99 | - |"
  echo "| /limited/ (limit_req $RATE r/s, burst $BURST, nodelay) | $lim_rps | $lim_p99 | $lim_refused of $lim_requests |"
  echo
  echo "Allowed through /limited/: $allowed_rps requests/s over ${secs}s (configured $RATE r/s: $error %; the burst adds at most $BURST requests to the run)."
  echo
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s; $(nproc) cores; java ${WHARF_JVM_FLAGS[*]}"
} | tee "$RESULTS_DIR/ratelimit-latest.md"
