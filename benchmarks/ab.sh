#!/usr/bin/env bash
# Two builds of the data plane compared on this machine, A against B, for a change that must
# not cost throughput beyond run-to-run noise. Neither is flattered:
#   - every measurement on a freshly started proxy JVM, after a warm-up of its own;
#   - rounds alternate which jar goes first (A B, B A, A B, ...), so a machine that slows down
#     or speeds up during the run weighs on both alike;
#   - the origin is one nginx worker answering from memory, the same process for both;
#   - each jar's median, its range (min-max) over the rounds, the proxy's CPU per request and
#     the machine's load average at every measurement are reported, so noise is visible.
# Scenarios: HTTP with a 6-byte and a 1 KiB response through a proxy route with upstream
# keep-alive (wrk -t1 -c64 --latency), and WebSocket echo (ws-load echo, 64 connections,
# 64-byte messages) through the benchmark jar's backend.
# Prints a Markdown report and writes it to benchmarks/results/ab-latest.md (not committed).
#
#   bash benchmarks/ab.sh A.jar B.jar [--rounds N] [--seconds S] [--quick]
#
# Builds nothing: A and B are runnable wharf-data-plane.jar files (copied when the script
# starts, so a rebuild during the run changes nothing), and the benchmark jar must be built
# (./mvnw -B -DskipTests package -pl benchmarks -am). Needs a JDK 17+, nginx and wrk. Everything
# binds 127.0.0.1 on ephemeral ports and is stopped by pid when the script exits.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash benchmarks/ab.sh A.jar B.jar [--rounds N] [--seconds S] [--quick]

  A.jar B.jar   the two data-plane jars, labelled A and B in the report
  --rounds N    rounds (default 5); each measures every scenario once per jar, in the order
                A B in odd rounds and B A in even ones; medians and ranges are over the rounds
  --seconds S   measured seconds per scenario and jar (default 15; each after a 5 s warm-up)
  --quick       2 rounds of 4 s after 2 s warm-ups, HTTP only (a WebSocket measurement
                starts two load-tool JVMs): a smoke run of under two minutes
EOF
}

COMMAND="bash benchmarks/ab.sh $*"
ROUNDS=5
MEASURE_SECONDS=15
WARMUP_SECONDS=5
MODE=full
JAR_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; ROUNDS=2; MEASURE_SECONDS=4; WARMUP_SECONDS=2 ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --seconds) MEASURE_SECONDS=${2:?--seconds needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
    *) JAR_ARGS+=("$1") ;;
  esac
  shift
done
[ ${#JAR_ARGS[@]} -eq 2 ] || { echo "expected two jars, got ${#JAR_ARGS[@]}" >&2; usage >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: $ROUNDS (expected: >= 1)" >&2; exit 2; }
[[ "$MEASURE_SECONDS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--seconds: $MEASURE_SECONDS (expected: >= 1)" >&2; exit 2; }
for jar in "${JAR_ARGS[@]}"; do
  [ -f "$jar" ] || { echo "not a file: $jar" >&2; exit 2; }
done
# Resolved before changing directory: the paths may be relative to the caller's.
JAR_A=$(readlink -f "${JAR_ARGS[0]}")
JAR_B=$(readlink -f "${JAR_ARGS[1]}")

cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

CONNECTIONS=64
WS_MESSAGE_BYTES=64
SCENARIOS=(http-small http-1k ws-echo)
[ "$MODE" = full ] || SCENARIOS=(http-small http-1k)

require_nginx_wrk_java
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found; build it first:
  ./mvnw -B -DskipTests package -pl benchmarks -am"
CLK_TCK=$(getconf CLK_TCK)
install_cleanup wharf-ab

# --- the jars -------------------------------------------------------------------------------

cp "$JAR_A" "$WORK/A.jar"
cp "$JAR_B" "$WORK/B.jar"
NOTES=()
declare -A PROXY_ARGS SHA
for label in A B; do
  SHA[$label]=$(sha256sum "$WORK/$label.jar" | cut -c1-12)
  help=$(java -jar "$WORK/$label.jar" --help 2>&1 || true)
  args=""
  # One event loop, as run.sh gives Wharf; the admin port on a free port, not the fixed default.
  grep -q -- '--workers' <<<"$help" && args+=" --workers 1"
  grep -q -- '--admin' <<<"$help" && args+=" --admin 127.0.0.1:0"
  # Stopped with TERM after each measurement: no grace period to sit out.
  grep -q -- '--drain-grace' <<<"$help" && args+=" --drain-grace 0s --drain-timeout 2s"
  PROXY_ARGS[$label]=${args# }
done
if [ "${PROXY_ARGS[A]}" != "${PROXY_ARGS[B]}" ]; then
  NOTES+=("A and B take different options (A: \`${PROXY_ARGS[A]:-none}\`, B: \`${PROXY_ARGS[B]:-none}\`): a jar without --workers runs one event loop per core, so the comparison is not like for like")
fi
if [ "${SHA[A]}" = "${SHA[B]}" ]; then
  NOTES+=("A and B are the same jar: every difference between them is noise")
fi

# --- origin and echo backend ----------------------------------------------------------------

# One free port for nginx, then one for each proxy JVM: a fresh port per start, so no socket
# left in TIME_WAIT by the previous proxy can refuse the bind.
mapfile -t PORTS < <(bench free-ports $((1 + 2 * ROUNDS * ${#SCENARIOS[@]})))
NGINX_PORT=${PORTS[0]}
NEXT_PORT=1

SMALL_BODY='hello\n' # the backend's answer, as nginx writes it in the config
head -c 1024 /dev/zero | tr '\0' 'x' >"$WORK/body-1k"
printf 'hello\n' >"$WORK/body-small"

log "starting nginx (the origin) on 127.0.0.1:$NGINX_PORT"
start_nginx "$WORK/nginx" <<EOF
    # The origin: answers from memory, and keeps the proxy's connections as long as the run.
    default_type text/plain;
    keepalive_requests 10000000;
    keepalive_timeout 600s;

    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /small { return 200 "$SMALL_BODY"; }
        location = /1k { return 200 "$(cat "$WORK/body-1k")"; }
    }
EOF

log "starting the WebSocket echo backend"
start_backend "$WORK/backend"

# write_config FILE PORT: the proxy's config; the same for both jars but for the port.
write_config() {
  cat >"$1" <<EOF
# Generated by benchmarks/ab.sh.
listeners:
  - name: ab
    address: 127.0.0.1
    port: $2

upstreams:
  - name: origin
    endpoints:
      - address: 127.0.0.1:$NGINX_PORT
    pool:
      max_idle_per_endpoint: $CONNECTIONS
  - name: echo
    endpoints:
      - address: 127.0.0.1:$BACKEND_PORT

routes:
  - name: http
    match:
      path: {prefix: /}
    proxy:
      upstream: origin
  - name: ws
    match:
      path: {prefix: /ws}
    proxy:
      upstream: echo
      websocket: {idle_timeout: 1h}
EOF
}

# http_body_ok PORT PATH EXPECTED_FILE: true if GET PATH answers 200 with exactly that body.
http_body_ok() {
  local response="$WORK/probe-response"
  timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: ab\r\nConnection: close\r\n\r\n" "$2" >&3
    cat <&3' _ "$1" "$2" >"$response" 2>/dev/null || return 1
  head -1 "$response" | grep -q '^HTTP/1.1 200' || return 1
  sed '1,/^\r$/d' "$response" | cmp -s - "$3"
}

http_body_ok "$NGINX_PORT" /small "$WORK/body-small" && http_body_ok "$NGINX_PORT" /1k "$WORK/body-1k" \
  || die "nginx does not answer as configured: $(cat "$WORK/nginx/error.log")"

# --- measurements ---------------------------------------------------------------------------

RESULTS="$WORK/results.tsv"
: >"$RESULTS"

# measure ROUND SLOT SCENARIO LABEL: one measurement of jar LABEL on a proxy JVM started for it;
# appends "round slot scenario label rate p99_ms errors count cpu_us_per load1" to RESULTS,
# with "-" for what it could not measure.
measure() {
  local round=$1 slot=$2 scenario=$3 label=$4 port prefix pid path="" out load1="-" ticks_before
  local ticks_after summary rate="-" p99="-" errors="-" count=0 cpu="-" args
  port=${PORTS[NEXT_PORT]}
  NEXT_PORT=$((NEXT_PORT + 1))
  prefix="$WORK/r$round-$scenario-$label"
  write_config "$prefix.yaml" "$port"
  read -r -a args <<<"${PROXY_ARGS[$label]}"
  start_wharf "$prefix" "$WORK/$label.jar" "$prefix.yaml" "${args[@]}" \
    || die "$label did not start: $(tail -5 "$prefix.err")"
  pid=$WHARF_PID
  out="$prefix.load"
  case "$scenario" in
    http-small) path=/small ;;
    http-1k) path=/1k ;;
  esac
  if [ -n "$path" ]; then
    if ! http_body_ok "$port" "$path" "$WORK/body-${path#/}"; then
      NOTES+=("round $round: $label: GET $path through the proxy did not answer the origin's body; not measured")
    else
      timeout -k 5 $((WARMUP_SECONDS + 30)) wrk -t1 -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" \
        "http://127.0.0.1:$port$path" >"$out.warmup" 2>&1 || true
      load1=$(cut -d' ' -f1 /proc/loadavg)
      ticks_before=$(cpu_ticks "$pid")
      timeout -k 5 $((MEASURE_SECONDS + 30)) wrk -t1 -c"$CONNECTIONS" -d"${MEASURE_SECONDS}s" \
        --latency "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
      ticks_after=$(cpu_ticks "$pid")
      summary=$(wrk_summary "$out")
      if [ -n "$summary" ]; then
        read -r rate p99 errors count <<<"$summary"
      else
        NOTES+=("round $round: $label: wrk on $path gave no result: $(tail -2 "$out" | tr '\n' ' ')")
      fi
    fi
  else
    # The warm-up also checks that the proxy relays WebSockets at all.
    ws_echo "$port" "$WARMUP_SECONDS" "$out.warmup"
    if [ -z "$(result_field "$out.warmup" rate)" ]; then
      NOTES+=("round $round: $label: no WebSocket echo through the proxy ($(grep -m1 '^first problem' "$out.warmup" || tail -1 "$out.warmup")); not measured")
    else
      load1=$(cut -d' ' -f1 /proc/loadavg)
      ticks_before=$(cpu_ticks "$pid")
      ws_echo "$port" "$MEASURE_SECONDS" "$out"
      ticks_after=$(cpu_ticks "$pid")
      rate=$(result_field "$out" rate)
      if [ -n "$rate" ]; then
        p99=$(awk -v us="$(result_field "$out" p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
        errors=$(( $(result_field "$out" handshake_failures) + $(result_field "$out" abnormal_closes) \
          + $(result_field "$out" errors) ))
        count=$(result_field "$out" messages)
      else
        rate="-"
        NOTES+=("round $round: $label: ws-load echo gave no result: $(tail -2 "$out" | tr '\n' ' ')")
      fi
    fi
  fi
  if [ "$rate" != "-" ] && [ "$count" -gt 0 ]; then
    cpu=$(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="$count" \
      'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait_for_exit "$pid" 10 || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$slot" "$scenario" "$label" \
    "$rate" "$p99" "$errors" "$count" "$cpu" "$load1" >>"$RESULTS"
  log "round $round: $scenario: $label: $rate/s, p99 $p99 ms, $errors errors, CPU $cpu us per request, load $load1"
}

# ws_echo PORT SECONDS OUT: ws-load echo through the proxy on PORT; its output to OUT.
ws_echo() {
  timeout -k 5 $(($2 + 60)) java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$BENCH_JAR" \
    ws-load echo --url "ws://127.0.0.1:$1/ws" --connections "$CONNECTIONS" --duration "${2}s" \
    --size "$WS_MESSAGE_BYTES" >"$3" 2>&1 || true
}

{
  machine_info
  tool_versions
  echo "A:           ${JAR_ARGS[0]} (sha256 ${SHA[A]}...)"
  echo "B:           ${JAR_ARGS[1]} (sha256 ${SHA[B]}...)"
  echo "proxies:     java ${WHARF_JVM_FLAGS[*]} -jar JAR --config FILE; A: ${PROXY_ARGS[A]:-no options}; B: ${PROXY_ARGS[B]:-no options}"
} >"$WORK/machine.txt"

# Both jars must take the config before minutes are spent on the other one.
for label in A B; do
  write_config "$WORK/check.yaml" "${PORTS[1]}"
  java -jar "$WORK/$label.jar" --config "$WORK/check.yaml" --check >"$WORK/check-$label.out" 2>&1 \
    || die "$label refuses the generated config: $(tail -5 "$WORK/check-$label.out")"
done

run_rounds A B

# --- report ---------------------------------------------------------------------------------

# summary_rows: one table row per scenario from RESULTS: medians, B/A, ranges, CPU medians, and
# whether B's median falls inside A's range. A ratio is only given when both jars completed
# every round without an error: a failing proxy can look fast.
summary_rows() {
  awk -F'\t' -v rounds="$ROUNDS" '
    function median(list,    n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
        t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
      }
      if (n == 0) return ""
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, value) { lists[key] = lists[key] (lists[key] == "" ? "" : " ") value }
    {
      key = $3 SUBSEP $4
      if ($1 == 1 && $4 == "A") order[++scenarios] = $3
      if ($5 == "-") { failed[key]++; next }
      add(key, $5)
      if ($9 != "-") add("cpu" SUBSEP key, $9)
      errors[key] += $7
      if (!(key in min) || $5 + 0 < min[key]) min[key] = $5 + 0
      if (!(key in max) || $5 + 0 > max[key]) max[key] = $5 + 0
    }
    END {
      name["http-small"] = "HTTP, 6-byte response (req/s)"
      name["http-1k"] = "HTTP, 1 KiB response (req/s)"
      name["ws-echo"] = "WebSocket echo, 64-byte messages (msg/s)"
      for (s = 1; s <= scenarios; s++) {
        sc = order[s]; a = sc SUBSEP "A"; b = sc SUBSEP "B"
        ma = median(lists[a]); mb = median(lists[b])
        clean = failed[a] + failed[b] + errors[a] + errors[b] == 0 && ma > 0 && mb > 0
        if (clean) {
          ratio = sprintf("%.3f", mb / ma)
          inside = mb >= min[a] && mb <= max[a] ? "yes" : "no"
        } else {
          ratio = sprintf("n/a: A %d, B %d errors or failed rounds", errors[a] + failed[a], errors[b] + failed[b])
          inside = "-"
        }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name[sc],
          ma == "" ? "-" : sprintf("%.0f", ma), mb == "" ? "-" : sprintf("%.0f", mb), ratio,
          a in min ? sprintf("%.0f-%.0f", min[a], max[a]) : "-",
          b in min ? sprintf("%.0f-%.0f", min[b], max[b]) : "-",
          lists["cpu" SUBSEP a] == "" ? "-" : sprintf("%.1f", median(lists["cpu" SUBSEP a])),
          lists["cpu" SUBSEP b] == "" ? "-" : sprintf("%.1f", median(lists["cpu" SUBSEP b])), inside
      }
    }' "$RESULTS"
}

BUSY=$(awk -F'\t' -v cores="$(nproc)" '$10 != "-" && $10 + 0 > cores { n++ } END { print n + 0 }' "$RESULTS")
if [ "$BUSY" -gt 0 ]; then
  NOTES+=("the load average exceeded the $(nproc) cores at $BUSY of $(wc -l <"$RESULTS") measurements: other work shared the machine, so expect wide ranges")
fi

mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/ab-latest.md"
{
  echo "## A/B: two data-plane builds, same machine, alternated"
  echo
  echo "- command: \`$COMMAND\`"
  echo "- rounds: $ROUNDS; in each, every scenario once per jar on a freshly started proxy JVM, A first in odd rounds and B first in even ones; ${WARMUP_SECONDS} s warm-up, then ${MEASURE_SECONDS} s measured"
  echo "- HTTP: \`wrk -t1 -c$CONNECTIONS -d${MEASURE_SECONDS}s --latency\` through a proxy route to nginx (one worker, \`return 200\` from memory), upstream keep-alive"
  if [ "$MODE" = full ]; then
    echo "- WebSocket: \`ws-load echo\`, $CONNECTIONS connections, $WS_MESSAGE_BYTES-byte messages, through a proxy route to the benchmark jar's backend"
  else
    echo "- WebSocket echo: not measured (--quick)"
  fi
  echo "- CPU per request: the proxy process's utime + stime (/proc/PID/stat) over the measured seconds, divided by the requests (WebSocket: messages, handshakes included)"
  echo "- the rounds took $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
  echo
  echo "| scenario | A median | B median | B/A | A range | B range | CPU µs/req A | CPU µs/req B | B median within A's range |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  summary_rows
  echo
  echo "B/A above 1: B served more. A difference means something only where it is larger than the"
  echo "ranges: a B median inside A's range is run-to-run noise."
  echo
  echo "### Each measurement"
  echo
  echo "| round | order | scenario | jar | rate /s | p99 ms | CPU µs/req | errors | load avg (1 min) |"
  echo "|---:|---:|---|---|---:|---:|---:|---:|---:|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $9, $7, $10 }' "$RESULTS"
  echo
  report_machine_and_notes "$WORK/machine.txt" "${NOTES[@]}"
} >"$REPORT"
cp "$RESULTS" "$RESULTS_DIR/ab-latest.tsv"
echo
cat "$REPORT"
echo
log "written to $REPORT (raw numbers: $RESULTS_DIR/ab-latest.tsv)"
