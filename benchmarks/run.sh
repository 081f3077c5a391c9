#!/usr/bin/env bash
# Wharf against nginx and HAProxy on this machine, in one run, measured as a user would compare
# them (issue 22, "The benchmark must not flatter"):
#   - proxies: nginx tuned for upstream keep-alive (the yardstick), nginx as the seeds configure
#     it (Connection: close upstream; HTTP only, a second labelled row), HAProxy where installed
#     (http-reuse always), and Wharf: one or more builds (--jar). One worker each, or --workers;
#   - origin: not a JVM: one nginx worker answering from memory (HTTP) and ws-echo.c (a small C
#     WebSocket echo server), its own processes, their CPU reported;
#   - scenarios (run-loads.sh): HTTP small and 1 KiB (wrk -t1 -c64), HTTP with a new connection
#     per request, WebSocket echo (200 connections, 64-byte messages), idle WebSockets (RSS
#     growth, and the opening rate), WebSocket open+close cycles, and the resting RSS;
#   - method: every measurement on a freshly started proxy after a warm-up, the proxies
#     interleaved in every scenario (the order rotating from round to round), medians of
#     --rounds; the proxy's CPU per request, the origin's, the client's and the rest of the
#     machine's, and the load average, for every measurement; errors counted and shown.
# Writes a Markdown report to benchmarks/results/latest.md and the rows to latest.tsv (neither is
# committed). Run with --help for the options.
#
# Needs a JDK 17+, nginx, wrk, gcc and OpenSSL's headers (apt-get install -y nginx wrk gcc
# libssl-dev curl), haproxy optionally. Everything it starts binds 127.0.0.1 on ephemeral ports
# and is stopped by pid when it exits.
set -euo pipefail

# The JVM flags Wharf runs with, as deploy/ runs it; one place to change them.
WHARF_JVM="${WHARF_JVM:--Xms256m -Xmx256m -XX:+UseSerialGC}"

usage() {
  cat <<'EOF2'
usage: bash benchmarks/run.sh [--quick] [--rounds N] [--workers N|auto] [--jar LABEL=PATH]...
                              [--scenarios LIST] [--proxies LIST] [--seconds S]
                              [--idle-connections N] [--cycles N]

  --quick               1 round, 2 s per load and warm-up, 500 idle connections, 300 cycles:
                        a smoke run of the whole harness (a few minutes), not a result
  --rounds N            rounds (default 3); medians over them are reported
  --workers N|auto      workers of every proxy (default 1): nginx worker_processes, HAProxy
                        nbthread, Wharf --workers; auto: nginx's auto, and the cores for the others
  --jar LABEL=PATH      a data-plane jar to measure, named LABEL in the report (repeatable: the
                        builds are interleaved like the other proxies, and compared with the
                        first); default: wharf=data-plane/target/wharf-data-plane.jar, built
                        if missing or older than its sources
  --scenarios LIST      comma-separated subset of: http-small,http-1k,http-close,ws-echo,
                        ws-idle,ws-cycles,rest (default: all)
  --proxies LIST        comma-separated subset of: nginx,nginx-seeds,haproxy and the jars'
                        labels (default: all; haproxy only where installed)
  --seconds S           measured seconds of each HTTP and echo load (default 8)
  --idle-connections N  idle WebSockets (default 5000)
  --cycles N            WebSocket open+close cycles, 50 in flight (default 2000)

Wharf's JVM flags: the WHARF_JVM environment variable (default: -Xms256m -Xmx256m -XX:+UseSerialGC).
EOF2
}

COMMAND="bash benchmarks/run.sh $*"
ROUNDS=3
HTTP_SECONDS=8
IDLE_CONNECTIONS=5000
CYCLES=2000
WORKERS_ARG=1
SCENARIO_ARG=http-small,http-1k,http-close,ws-echo,ws-idle,ws-cycles,rest
PROXY_ARG=""
MODE=full
JAR_SPECS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --workers) WORKERS_ARG=${2:?--workers needs N or auto}; shift ;;
    --jar) JAR_SPECS+=("${2:?--jar needs LABEL=PATH}"); shift ;;
    --scenarios) SCENARIO_ARG=${2:?--scenarios needs a list}; shift ;;
    --proxies) PROXY_ARG=${2:?--proxies needs a list}; shift ;;
    --seconds) HTTP_SECONDS=${2:?--seconds needs a number}; shift ;;
    --idle-connections) IDLE_CONNECTIONS=${2:?--idle-connections needs a number}; shift ;;
    --cycles) CYCLES=${2:?--cycles needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
number() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1: $2 (expected: a number >= 1)" >&2; exit 2; }; }
if [ "$MODE" = quick ]; then
  ROUNDS=1 HTTP_SECONDS=2 IDLE_CONNECTIONS=500 CYCLES=300
fi
number --rounds "$ROUNDS"
number --seconds "$HTTP_SECONDS"
number --idle-connections "$IDLE_CONNECTIONS"
number --cycles "$CYCLES"
WS_SECONDS=$HTTP_SECONDS
if [ "$MODE" = quick ]; then
  WARM_SECONDS=2 WARM_CYCLES=100 WARM_MIN_CHUNKS=1 WARM_MAX_CHUNKS=1
else
  WARM_SECONDS=3 WARM_CYCLES=500 WARM_MIN_CHUNKS=2 WARM_MAX_CHUNKS=6
fi
if [ "$WORKERS_ARG" = auto ]; then
  WORKERS=$(nproc)
else
  number --workers "$WORKERS_ARG"
  WORKERS=$WORKERS_ARG
fi
IFS=, read -r -a SCENARIOS <<<"$SCENARIO_ARG"
for scenario in "${SCENARIOS[@]}"; do
  case "$scenario" in
    http-small|http-1k|http-close|ws-echo|ws-idle|ws-cycles|rest) ;;
    *) echo "--scenarios: unknown scenario $scenario" >&2; usage >&2; exit 2 ;;
  esac
done
# Jar paths are resolved before changing directory: they may be relative to the caller's.
declare -A JAR_PATHS=()
JAR_LABELS=()
for spec in "${JAR_SPECS[@]}"; do
  label=${spec%%=*} path=${spec#*=}
  [[ "$spec" == *=* && "$label" =~ ^[a-z][a-z0-9._-]*$ ]] \
    || { echo "--jar: $spec (expected: LABEL=PATH, a lower-case label)" >&2; exit 2; }
  case "$label" in nginx|nginx-seeds|haproxy) echo "--jar: $label is a baseline's name" >&2; exit 2 ;; esac
  [ -z "${JAR_PATHS[$label]:-}" ] || { echo "--jar: label $label given twice" >&2; exit 2; }
  [ -f "$path" ] || { echo "--jar: not a file: $path" >&2; exit 2; }
  JAR_PATHS[$label]=$(readlink -f "$path")
  JAR_LABELS+=("$label")
done

cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh
# shellcheck source=benchmarks/run-proxies.sh
source benchmarks/run-proxies.sh
# shellcheck source=benchmarks/run-loads.sh
source benchmarks/run-loads.sh
read -r -a WHARF_JVM_FLAGS <<<"$WHARF_JVM"

require_nginx_wrk_java
command -v gcc >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 \
  || die "gcc and curl are needed: apt-get install -y gcc libssl-dev curl"
HAPROXY_BIN=$(command -v haproxy || true)
[ -n "$HAPROXY_BIN" ] || [ ! -x /usr/sbin/haproxy ] || HAPROXY_BIN=/usr/sbin/haproxy
CLK_TCK=$(getconf CLK_TCK)
NOTES=()

# Idle WebSockets cost a socket in the client and the origin and two in the proxy.
raise_nofile
MAX_IDLE=$(( (NOFILE - 500) / 2 ))
if [ "$IDLE_CONNECTIONS" -gt "$MAX_IDLE" ]; then
  NOTES+=("idle test reduced from $IDLE_CONNECTIONS to $MAX_IDLE connections: open files limit is $NOFILE")
  IDLE_CONNECTIONS=$MAX_IDLE
fi

# --- jars and tools -------------------------------------------------------------------------

if [ ${#JAR_LABELS[@]} -eq 0 ]; then
  build_jars
  JAR_PATHS[wharf]=$(readlink -f data-plane/target/wharf-data-plane.jar)
  JAR_LABELS=(wharf)
else
  build_jars "${JAR_PATHS[${JAR_LABELS[0]}]}"
fi
[ -f "$BENCH_JAR" ] || die "$BENCH_JAR not found: ./mvnw -B -DskipTests package -pl benchmarks -am"
install_cleanup wharf-bench

# Copies: a rebuild during the run changes nothing.
cp "$BENCH_JAR" "$WORK/wharf-benchmarks.jar"
BENCH_JAR="$WORK/wharf-benchmarks.jar"
declare -A WHARF_JARS=() WHARF_ARGS=()
for label in "${JAR_LABELS[@]}"; do
  cp "${JAR_PATHS[$label]}" "$WORK/$label.jar"
  WHARF_JARS[$label]="$WORK/$label.jar"
  WHARF_ARGS[$label]=$(wharf_args "$WORK/$label.jar")
done

PROXIES=(nginx nginx-seeds)
if [ -n "$HAPROXY_BIN" ]; then
  PROXIES+=(haproxy)
else
  NOTES+=("HAProxy is not installed: not measured (apt-get install -y haproxy)")
fi
PROXIES+=("${JAR_LABELS[@]}")
if [ -n "$PROXY_ARG" ]; then
  IFS=, read -r -a wanted <<<"$PROXY_ARG"
  for proxy in "${wanted[@]}"; do
    [[ " ${PROXIES[*]} " == *" $proxy "* ]] || die "--proxies: $proxy is not one of: ${PROXIES[*]}"
  done
  PROXIES=("${wanted[@]}")
fi

ECHO_BIN="$WORK/ws-echo"
gcc -O2 -o "$ECHO_BIN" benchmarks/ws-echo.c -lcrypto 2>"$WORK/cc.err" \
  || die "benchmarks/ws-echo.c did not compile (OpenSSL's headers: apt-get install -y libssl-dev): $(cat "$WORK/cc.err")"

# --- the origin -----------------------------------------------------------------------------

mapfile -t PORTS < <(bench free-ports $((2 + ROUNDS * ${#SCENARIOS[@]} * ${#PROXIES[@]})))
ORIGIN_PORT=${PORTS[0]}
NEXT_PORT=2

log "starting the origin: nginx on 127.0.0.1:$ORIGIN_PORT and ws-echo"
start_nginx "$WORK/origin" <<EOF
    # The origin: answers from memory, and keeps the proxies' connections as long as the run.
    default_type text/plain;
    keepalive_requests 10000000;
    keepalive_timeout 600s;

    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        location = /small { return 200 "hello\\n"; }
        location = /1k { return 200 "$(head -c 1024 /dev/zero | tr '\0' 'x')"; }
    }
EOF
ORIGIN_PID=$NGINX_PID
"$ECHO_BIN" 0 >"$WORK/ws-echo.out" 2>"$WORK/ws-echo.err" &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
wait_for_line "$WORK/ws-echo.out" '^listening [0-9]+' 10 "$ECHO_PID" \
  || die "ws-echo did not start: $(cat "$WORK/ws-echo.err")"
ECHO_PORT=$(awk '/^listening / {print $2; exit}' "$WORK/ws-echo.out")
for _ in $(seq 1 50); do
  [ "$(curl -s --max-time 2 "http://127.0.0.1:$ORIGIN_PORT/small")" = hello ] && break
  sleep 0.1
done
[ "$(curl -s --max-time 2 "http://127.0.0.1:$ORIGIN_PORT/1k" | wc -c)" = 1024 ] \
  || die "the origin nginx does not answer as configured: $(cat "$WORK/origin/error.log")"
mapfile -t ORIGIN_PIDS < <(echo "$ORIGIN_PID"; children_of "$ORIGIN_PID"; echo "$ECHO_PID")

# Every Wharf build must take the config before minutes are spent on the others.
for label in "${JAR_LABELS[@]}"; do
  wharf_config "${PORTS[1]}" >"$WORK/check.yaml"
  java -jar "${WHARF_JARS[$label]}" --config "$WORK/check.yaml" --check >"$WORK/check-$label.out" 2>&1 \
    || die "$label refuses the generated config: $(tail -5 "$WORK/check-$label.out")"
done

# --- the run --------------------------------------------------------------------------------

RESULTS="$WORK/results.tsv"
echo "# round slot scenario proxy value p99_ms errors count proxy_cpu_us proxy_cores origin_cores client_cores others_cores load1 detail" \
  | tr ' ' '\t' >"$RESULTS"
{
  machine_info
  tool_versions
  [ -z "$HAPROXY_BIN" ] || echo "haproxy:     $("$HAPROXY_BIN" -v 2>&1 | head -1)"
  for label in "${JAR_LABELS[@]}"; do
    echo "jar $label: ${JAR_PATHS[$label]} (sha256 $(sha256sum "${WHARF_JARS[$label]}" | cut -c1-12)...)"
  done
  echo "open files:  $NOFILE"
} >"$WORK/machine.txt"

# applies SCENARIO PROXY: nginx as the seeds configure it differs from nginx on plain HTTP only.
applies() {
  [ "$2" != nginx-seeds ] || [[ "$1" == http-* ]]
}

STARTED=$SECONDS
for round in $(seq 1 "$ROUNDS"); do
  # The proxies in turn within every scenario, the first one moving on each round.
  shift_by=$(( (round - 1) % ${#PROXIES[@]} ))
  order=("${PROXIES[@]:shift_by}" "${PROXIES[@]:0:shift_by}")
  log "round $round of $ROUNDS: ${order[*]}"
  for scenario in "${SCENARIOS[@]}"; do
    slot=0
    for proxy in "${order[@]}"; do
      applies "$scenario" "$proxy" || continue
      slot=$((slot + 1))
      measure "$round" "$slot" "$scenario" "$proxy"
    done
  done
done
ELAPSED=$((SECONDS - STARTED))

# --- report ---------------------------------------------------------------------------------

rows=$(grep -vc '^#' "$RESULTS")
busy=$(awk -F'\t' -v cores="$(nproc)" '!/^#/ && $14 != "-" && $14 + 0 > cores { n++ } END { print n + 0 }' "$RESULTS")
[ "$busy" -eq 0 ] || NOTES+=("the load average exceeded the $(nproc) cores at $busy of $rows measurements: other work shared the machine, so expect wide ranges")
disturbed=$(awk -F'\t' '!/^#/ && $13 != "-" && $13 + 0 > 0.25 { n++ } END { print n + 0 }' "$RESULTS")
[ "$disturbed" -eq 0 ] || NOTES+=("other processes used more than a quarter of a core during $disturbed of $rows measurements (column 'others cores'): those are disturbed")
[ "$ROUNDS" -ge 3 ] || NOTES+=("$ROUNDS round(s): too few for the medians to mean much; a smoke run")
{
  printf 'info\tcommand\t`%s`\n' "$COMMAND"
  printf 'info\trounds\t%s; in each scenario the proxies in turn, each on a freshly started process after a warm-up, the first proxy moving on each round; the rounds took %s min %s s\n' \
    "$ROUNDS" $((ELAPSED / 60)) $((ELAPSED % 60))
  printf 'info\tproxies\t%s; workers %s (nginx worker_processes %s, HAProxy nbthread %s, Wharf --workers %s)\n' \
    "${PROXIES[*]}" "$WORKERS_ARG" "$WORKERS_ARG" "$WORKERS" "$WORKERS"
  for label in "${JAR_LABELS[@]}"; do
    printf 'info\t%s\t`java %s -jar %s.jar --config FILE %s`\n' "$label" "$WHARF_JVM" "$label" "${WHARF_ARGS[$label]}"
  done
  printf 'info\torigin\tnginx, 1 worker, `return 200` from memory (/small: 6 bytes, /1k: 1 KiB); benchmarks/ws-echo.c (C, epoll, one thread) for WebSockets\n'
  printf 'info\tHTTP\t`wrk -t1 -c%s -d%ss --latency`; http-close adds `-H "Connection: close"`\n' "$HTTP_CONNECTIONS" "$HTTP_SECONDS"
  printf 'info\tWebSocket\techo: ws-load echo, %s connections, closed loop, %s-byte messages, %s s; idle: %s connections (%s handshakes in flight while opening); cycles: %s open+close cycles, %s in flight\n' \
    "$WS_CONNECTIONS" "$WS_MESSAGE_BYTES" "$WS_SECONDS" "$IDLE_CONNECTIONS" "$CYCLES_IN_FLIGHT" "$CYCLES" "$CYCLES_IN_FLIGHT"
  printf 'info\twarm-up\tthe same load in chunks of %s s (WebSocket opens: %s cycles) until the proxy CPU per unit is within 10%% of the chunk before, %s to %s chunks\n' \
    "$WARM_SECONDS" "$WARM_CYCLES" "$WARM_MIN_CHUNKS" "$WARM_MAX_CHUNKS"
  for note in "${NOTES[@]}"; do printf 'note\t%s\n' "$note"; done
} >>"$RESULTS"

mkdir -p "$RESULTS_DIR"
bench report "$RESULTS" "$WORK/machine.txt" >"$RESULTS_DIR/latest.md"
cp "$RESULTS" "$RESULTS_DIR/latest.tsv"
echo
cat "$RESULTS_DIR/latest.md"
echo
log "written to $RESULTS_DIR/latest.md (rows: $RESULTS_DIR/latest.tsv) after $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
