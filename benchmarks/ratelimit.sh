#!/usr/bin/env bash
# The rate limiter under load (issue 21), Wharf beside a real nginx with the same limit: requests/s
# through a route with limit_req against the same route without it, what a refused request costs,
# and the rate the limited route lets through against the configured one, with several event loops
# (--workers) and as many nginx worker processes (WORKERS, default 2).
#   - the benchmark jar's backend; behind it Wharf (and, with BASELINE_JAR, a second Wharf from
#     another build, e.g. main's, to measure a change) and nginx, each started once;
#   - route /free/: no limit; route /limited/: one zone keyed on a value every request shares
#     ($server_addr), RATE r/s, burst BURST (default RATE/10), nodelay, so every request over the
#     rate is refused at once (429: nginx is given limit_req_status 429, and limit_req_log_level
#     info so it does not write an error-log line per refusal, which Wharf does not either) and
#     the allowed count over a run is the limiter's rate (nginx refuses "burst=0": with BURST=0
#     its limit_req has no burst parameter, which means 0). With burst 0 the limit is one request
#     per 1/RATE s slot (nginx's too): a slot no request falls in is lost, so bursty arrivals on a
#     loaded machine get under RATE;
#   - after a warm-up of WARMUP s per proxy, ROUNDS rounds; each round runs every proxy in turn
#     (the order rotates each round), wrk with THREADS threads and CONNECTIONS connections for
#     DURATION s on /free/ then on /limited/. Interleaving spreads the noise of a shared machine
#     over all proxies; compare the ratios within a round.
# Reports per proxy and round: requests/s of both routes (all answers, 200 and 429), their ratio,
# the allowed requests/s of the limited route (its 2xx answers over wrk's duration; for Wharf also
# from wharf_rate_limit_requests_total) and its error against RATE, and wrk's socket errors (a
# proxy that closed the connection after a refusal shows them as read/connect errors and pays a
# new connection per refusal). Prints Markdown; writes benchmarks/results/ratelimit-latest.md
# (not committed).
#
#   [RATE=1000] [BURST=RATE/10] [WORKERS=2] [DURATION=20] [WARMUP=5] [ROUNDS=2] [THREADS=2]
#   [CONNECTIONS=64] [BASELINE_JAR=path/to/wharf-data-plane.jar] [WHARF_JAR=path/to/jar]
#       bash benchmarks/ratelimit.sh
#
# Needs a JDK 17+, nginx, wrk and curl. Builds the data-plane and benchmark jars if they are
# missing or older than the sources (with WHARF_JAR, the data plane measured, only the latter).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

RATE=${RATE:-1000}
BURST=${BURST:-$((RATE / 10))}
WORKERS=${WORKERS:-2}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
ROUNDS=${ROUNDS:-2}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
BASELINE_JAR=${BASELINE_JAR:-}
WHARF_JAR=${WHARF_JAR:-}
DATA_PLANE_JAR=${WHARF_JAR:-data-plane/target/wharf-data-plane.jar}

require_nginx_wrk_java
command -v curl >/dev/null 2>&1 || die "curl not found"
[ -z "$BASELINE_JAR" ] || [ -f "$BASELINE_JAR" ] || die "BASELINE_JAR $BASELINE_JAR not found"
raise_nofile
build_jars "$WHARF_JAR"
install_cleanup wharf-ratelimit
start_backend "$WORK/backend"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

declare -A PORT ADMIN
PROXIES=(wharf)
[ -z "$BASELINE_JAR" ] || PROXIES+=(wharf-baseline)
PROXIES+=(nginx)

# start_wharf_proxy LABEL JAR: a data plane with the two routes; sets PORT[LABEL], ADMIN[LABEL].
start_wharf_proxy() {
  local label=$1 jar=$2
  PORT[$label]=$(free_port)
  ADMIN[$label]=$(free_port)
  cat >"$WORK/$label.yaml" <<EOF2
listeners:
  - {name: web, address: 127.0.0.1, port: ${PORT[$label]}, keepalive_timeout: 600s}
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
  log "starting $label (--workers $WORKERS) on 127.0.0.1:${PORT[$label]}"
  start_wharf "$WORK/$label" "$jar" "$WORK/$label.yaml" --workers "$WORKERS" \
    --admin "127.0.0.1:${ADMIN[$label]}" || die "$label did not start: $(cat "$WORK/$label.err")"
}

start_nginx_proxy() {
  PORT[nginx]=$(free_port)
  mkdir -p "$WORK/nginx"
  log "starting nginx ($WORKERS workers) on 127.0.0.1:${PORT[nginx]}"
  NGINX_WORKERS=$WORKERS start_nginx "$WORK/nginx" <<EOF2
    keepalive_requests 10000000;
    keepalive_timeout 600s;
    limit_req_zone \$server_addr zone=bench:10m rate=${RATE}r/s;
    limit_req_status 429;
    limit_req_log_level info;

    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 256;
        keepalive_requests 10000000;
        keepalive_timeout 600s;
    }

    server {
        listen 127.0.0.1:${PORT[nginx]};
        proxy_http_version 1.1;
        proxy_set_header Connection "";

        location /free/ {
            proxy_pass http://backend;
        }
        location /limited/ {
            limit_req zone=bench$([ "$BURST" -eq 0 ] || echo " burst=$BURST") nodelay;
            proxy_pass http://backend;
        }
    }
EOF2
  local deadline=$((SECONDS + 30))
  until curl -fs -o /dev/null "http://127.0.0.1:${PORT[nginx]}/free/"; do
    [ $SECONDS -lt $deadline ] || die "nginx did not answer: $(cat "$WORK/nginx/error.log")"
    sleep 0.2
  done
}

start_wharf_proxy wharf "$DATA_PLANE_JAR"
[ -z "$BASELINE_JAR" ] || start_wharf_proxy wharf-baseline "$BASELINE_JAR"
start_nginx_proxy

# allowed_metric LABEL: Wharf's count of allowed requests in zone bench (nothing for nginx).
allowed_metric() {
  [ -n "${ADMIN[$1]:-}" ] || return 0
  curl -s "http://127.0.0.1:${ADMIN[$1]}/metrics" \
    | awk '/^wharf_rate_limit_requests_total\{/ && /zone="bench"/ && /outcome="allowed"/ { print $2 }'
}

# wrk_parts FILE: "REQUESTS_PER_S REQUESTS SECONDS NON_2XX SOCKET_ERRORS P99_MS" of a wrk run.
wrk_parts() {
  awk '
    /^ *[0-9]+ requests in / { requests = $1; s = $4; sub(/,$/, "", s)
      if (s ~ /ms$/) { sub(/ms$/, "", s); s = s / 1000 }
      else if (s ~ /m$/) { sub(/m$/, "", s); s = s * 60 }
      else { sub(/s$/, "", s) }
      secs = s }
    /^Requests\/sec:/ { rps = $2 }
    /^ +99%/ {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); p99 = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v }
      else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1000 }
    }
    /Socket errors:/ { gsub(",", ""); sock += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $5 }
    END { printf "%s %d %s %d %d %s", rps, requests, secs, non2xx, sock, p99 }' "$1"
}

run_wrk() { # LABEL PATH SECONDS OUT
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "$3s" --latency "http://127.0.0.1:${PORT[$1]}$2" >"$4"
}

for p in "${PROXIES[@]}"; do
  log "warm-up: ${WARMUP}s on $p /free/ and /limited/"
  run_wrk "$p" /free/ "$WARMUP" /dev/null
  run_wrk "$p" /limited/ "$WARMUP" /dev/null
done

ROWS=()
for ((round = 1; round <= ROUNDS; round++)); do
  order=()
  for ((i = 0; i < ${#PROXIES[@]}; i++)); do
    order+=("${PROXIES[$(((i + round - 1) % ${#PROXIES[@]}))]}")
  done
  for p in "${order[@]}"; do
    log "round $round: $p /free/ then /limited/, ${DURATION}s each"
    run_wrk "$p" /free/ "$DURATION" "$WORK/$p-$round-free.txt"
    before=$(allowed_metric "$p")
    run_wrk "$p" /limited/ "$DURATION" "$WORK/$p-$round-limited.txt"
    after=$(allowed_metric "$p")
    read -r f_rps _ _ _ f_sock _ <<<"$(wrk_parts "$WORK/$p-$round-free.txt")"
    read -r l_rps l_req l_secs l_non2xx l_sock l_p99 <<<"$(wrk_parts "$WORK/$p-$round-limited.txt")"
    ROWS+=("$(awk -v p="$p" -v r="$round" -v f="$f_rps" -v l="$l_rps" -v req="$l_req" \
      -v s="$l_secs" -v n="$l_non2xx" -v fs="$f_sock" -v ls="$l_sock" -v p99="$l_p99" \
      -v rate="$RATE" -v b="${before:-}" -v a="${after:-}" 'BEGIN {
        allowed = (req - n) / s
        metric = (a == "" ? "-" : sprintf("%.1f", (a - b) / s))
        printf "| %s | %d | %.0f | %.0f | %.2f | %.1f (%+.1f %%) | %s | %d of %d | %d / %d | %s |",
          p, r, f, l, l / f, allowed, (allowed - rate) * 100 / rate, metric, n, req, fs, ls, p99 }')")
  done
done

mkdir -p "$RESULTS_DIR"
{
  echo "## Rate limiter: $RATE r/s, burst $BURST, nodelay; --workers $WORKERS / $WORKERS nginx workers"
  echo
  echo "| proxy | round | /free/ req/s | /limited/ req/s | limited / free | allowed r/s (vs $RATE) | allowed r/s (Wharf's metric) | refused (non-2xx) | socket errors free / limited | /limited/ p99 ms |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "wrk -t $THREADS -c $CONNECTIONS -d ${DURATION}s per route, proxies interleaved (order rotates each round)."
  echo
  machine_info
  tool_versions
  echo "wharf jvm:   ${WHARF_JVM_FLAGS[*]}${BASELINE_JAR:+; baseline jar $BASELINE_JAR}"
} | tee "$RESULTS_DIR/ratelimit-latest.md"
