#!/usr/bin/env bash
# Wharf against nginx over HTTPS on this machine, in one run (issue 16's benchmark). Both
# terminate TLS with the same certificate and key files in front of the same origin; neither is
# flattered:
#   - every measurement on a freshly started proxy (a new JVM, a new nginx master and worker),
#     after a warm-up of its own with the same load, until the proxy's CPU per request is
#     steady (a JVM compiles its hot paths while it serves);
#   - rounds alternate which proxy goes first (nginx Wharf, Wharf nginx, ...);
#   - one worker each: nginx worker_processes 1, Wharf --workers 1; the CPU each used is read
#     from /proc and reported per request and in cores, so a proxy that took more than one core
#     shows;
#   - Wharf as a user runs it: the TLS defaults and the engine it picks itself, which the report
#     names; nginx with the settings of a typical HTTPS site (TLS 1.2 and 1.3, a shared session
#     cache, tickets on) and keep-alive limits raised so that the keep-alive test has no
#     handshakes in it;
#   - the origin is one nginx worker answering from memory, not a JVM competing for the cores.
# Scenarios (medians over the rounds, each proxy's range, Wharf/nginx ratios):
#   https-keepalive    wrk -t1 -c50 --latency over HTTPS keep-alive: requests/s, p99
#   handshake-full     tls-handshakes --mode full: a new connection, a full TLS 1.3 handshake and
#                      one request each, 16 at a time: connections/s, handshake p99
#   handshake-resumed  the same, each client offering the session of its previous connection;
#                      the report says how many the proxy really resumed
#   wss-idle           5,000 idle wss:// WebSockets: proxy memory per connection (RSS growth, and
#                      for Wharf the growth of its live heap after a full GC)
# Prints a Markdown report and writes it to benchmarks/results/tls-latest.md (not committed).
#
#   bash benchmarks/tls.sh [--quick] [--rounds N] [--seconds S] [--idle-connections N]
#                          [--key ecdsa|rsa] [--tls12] [--upstream-keepalive N] [--jar FILE]
#
# Needs a JDK 17+, nginx, wrk, openssl, curl and a C compiler with OpenSSL's headers (Debian:
# apt-get install -y nginx wrk openssl curl gcc libssl-dev). Builds the data-plane and benchmark
# jars if they are missing or older than the sources. Everything binds 127.0.0.1 on ephemeral
# ports and is stopped by pid when the script exits.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash benchmarks/tls.sh [--quick] [--rounds N] [--seconds S] [--idle-connections N]
                              [--key ecdsa|rsa] [--tls12] [--upstream-keepalive N]
                              [--jar FILE]

  --quick               2 rounds of 3 s after warm-ups in 2 s chunks, 500 idle connections:
                        a smoke run of about 5 minutes (numbers mean little)
  --rounds N            rounds (default 4); each measures every scenario once per proxy,
                        nginx first in odd rounds and Wharf first in even ones
  --seconds S           measured seconds per scenario and proxy (default 15), after a warm-up
                        in 5 s chunks until CPU per request is steady (4 to 10 chunks)
  --idle-connections N  idle wss:// connections for the memory test (default 5000)
  --key ecdsa|rsa       the certificate's key: ECDSA P-256 (default) or RSA 2048
  --tls12               also measure full and resumed handshakes with TLS 1.2 clients
  --upstream-keepalive N
                        idle connections to the origin each proxy keeps (nginx keepalive,
                        Wharf max_idle_per_endpoint; default 32, a typical site's). Below the
                        keep-alive test's 50 clients, both proxies open and close origin
                        connections during it (the report counts them); 64 measures requests
                        alone
  --jar FILE            measure this wharf-data-plane.jar instead of building this checkout's
EOF
}

COMMAND="bash benchmarks/tls.sh $*"
ROUNDS=4
MEASURE_SECONDS=15
WARMUP_SECONDS=5
WARMUP_MIN_CHUNKS=4
WARMUP_MAX_CHUNKS=10
IDLE_CONNECTIONS=5000
UPSTREAM_KEEPALIVE=32
KEY_TYPE=ecdsa
TLS12=no
JAR_ARG=""
MODE=full
while [ $# -gt 0 ]; do
  case "$1" in
    --quick)
      MODE=quick; ROUNDS=2; MEASURE_SECONDS=3; WARMUP_SECONDS=2; WARMUP_MIN_CHUNKS=3
      WARMUP_MAX_CHUNKS=6
      IDLE_CONNECTIONS=500 ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --seconds) MEASURE_SECONDS=${2:?--seconds needs a number}; shift ;;
    --idle-connections) IDLE_CONNECTIONS=${2:?--idle-connections needs a number}; shift ;;
    --key) KEY_TYPE=${2:?--key needs ecdsa or rsa}; shift ;;
    --tls12) TLS12=yes ;;
    --upstream-keepalive) UPSTREAM_KEEPALIVE=${2:?--upstream-keepalive needs a number}; shift ;;
    --jar) JAR_ARG=${2:?--jar needs a file}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: $ROUNDS (expected: >= 1)" >&2; exit 2; }
[[ "$MEASURE_SECONDS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--seconds: $MEASURE_SECONDS (expected: >= 1)" >&2; exit 2; }
[[ "$IDLE_CONNECTIONS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--idle-connections: $IDLE_CONNECTIONS (expected: >= 1)" >&2; exit 2; }
[[ "$UPSTREAM_KEEPALIVE" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--upstream-keepalive: $UPSTREAM_KEEPALIVE (expected: >= 1)" >&2; exit 2; }
[[ "$KEY_TYPE" =~ ^(ecdsa|rsa)$ ]] || { echo "--key: $KEY_TYPE (expected: ecdsa or rsa)" >&2; exit 2; }
if [ -n "$JAR_ARG" ]; then
  [ -f "$JAR_ARG" ] || { echo "--jar: not a file: $JAR_ARG" >&2; exit 2; }
  JAR_ARG=$(readlink -f "$JAR_ARG") # before changing directory: it may be relative
fi

cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

HTTP_CONNECTIONS=50
HANDSHAKE_CONNECTIONS=16
IDLE_WARMUP_CONNECTIONS=200
DATA_PLANE_JAR=data-plane/target/wharf-data-plane.jar
PROXIES=(nginx wharf)
SCENARIOS=(https-keepalive handshake-full handshake-resumed)
[ "$TLS12" = no ] || SCENARIOS+=(handshake-full-tls12 handshake-resumed-tls12)
SCENARIOS+=(wss-idle)

# --- tools ----------------------------------------------------------------------------------

require_nginx_wrk_java
missing=()
for tool in openssl curl cc; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "${missing[*]} not found: apt-get install -y openssl curl gcc libssl-dev"
CLK_TCK=$(getconf CLK_TCK)

# Idle WebSockets cost a socket in the client and the backend and two in the proxy.
raise_nofile
MAX_IDLE=$(( (NOFILE - 500) / 2 ))
NOTES=()
if [ "$IDLE_CONNECTIONS" -gt "$MAX_IDLE" ]; then
  NOTES+=("idle test reduced from $IDLE_CONNECTIONS to $MAX_IDLE connections: open files limit is $NOFILE")
  IDLE_CONNECTIONS=$MAX_IDLE
fi

# --- build ----------------------------------------------------------------------------------

build_jars "$JAR_ARG"
[ -z "$JAR_ARG" ] || DATA_PLANE_JAR=$JAR_ARG

install_cleanup wharf-tls
# Copied, so that a rebuild during the run changes nothing.
cp "$DATA_PLANE_JAR" "$WORK/wharf-data-plane.jar"
DATA_PLANE_JAR="$WORK/wharf-data-plane.jar"

TLS_CLIENT="$WORK/tls-handshakes"
cc -O2 -pthread -o "$TLS_CLIENT" benchmarks/tls-handshakes.c -lssl -lcrypto 2>"$WORK/cc.err" \
  || die "benchmarks/tls-handshakes.c did not compile (OpenSSL's headers: apt-get install -y libssl-dev):
$(head -5 "$WORK/cc.err")"

# --- certificate ----------------------------------------------------------------------------

# One certificate for both proxies, self-signed: the clients that verify trust this very
# certificate.
make_certificate "$WORK" "$KEY_TYPE"

# --- origin and WebSocket backend -----------------------------------------------------------

# Ports: the origin, then a fresh one per proxy start, so no socket left in TIME_WAIT by the
# previous proxy can refuse the bind.
mapfile -t PORTS < <(bench free-ports $((1 + 2 * ROUNDS * ${#SCENARIOS[@]} + 1)))
ORIGIN_PORT=${PORTS[0]}
NEXT_PORT=1

start_origin "$WORK/origin" "$ORIGIN_PORT"

# The wss:// test needs a WebSocket echo server; it only takes traffic in that test.
log "starting the WebSocket backend"
start_backend "$WORK/backend"

# --- proxies --------------------------------------------------------------------------------

# nginx_proxy_config PORT: the nginx proxy's http block body.
nginx_proxy_config() {
  BENCH_NGINX_TOP="    # Generated by benchmarks/tls.sh. TLS as a typical HTTPS site sets it; everything else is
    # nginx's default but for the keep-alive limits, raised so that wrk's connections are never
    # closed (and re-handshaken) during the keep-alive test.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;
    keepalive_requests 10000000;

" BENCH_NGINX_GAP=$'\n' BENCH_NGINX_SERVER_MORE="        ssl_certificate $CERT;
        ssl_certificate_key $KEY;
" nginx_bench_routes "127.0.0.1:$1 ssl" "$UPSTREAM_KEEPALIVE" ws_backend "$BACKEND_PORT" '""'
}

# wharf_config FILE PORT: the same in Wharf's form, with Wharf's TLS defaults.
wharf_config() {
  cat >"$1" <<EOF
# Generated by benchmarks/tls.sh: the nginx config beside it, in Wharf's form. TLS settings
# are Wharf's defaults (protocols, ciphers, session cache and tickets); only the files are given.
listeners:
  - name: https
    address: 127.0.0.1
    port: $2
    tls:
      certificates:
        - certificate_file: $CERT
          key_file: $KEY

upstreams:
  - name: origin
    endpoints:
      - address: 127.0.0.1:$ORIGIN_PORT
    pool:
      max_idle_per_endpoint: $UPSTREAM_KEEPALIVE
      max_requests_per_connection: 0 # no limit, as nginx's keepalive_requests above
  - name: ws_backend
    endpoints:
      - address: 127.0.0.1:$BACKEND_PORT

routes:
  - name: root
    match:
      path: {prefix: /}
    proxy:
      upstream: origin
    request_headers:
      set:
        - {name: Host, value: \$host}
        - {name: X-Real-IP, value: \$remote_addr}
        - {name: X-Forwarded-For, value: \$proxy_add_x_forwarded_for}

  - name: ws
    match:
      path: {prefix: /ws}
    proxy:
      upstream: ws_backend
      read_timeout: 3600s
      send_timeout: 3600s
      websocket: {idle_timeout: 1h}
    request_headers:
      set:
        - {name: Host, value: \$host}
        - {name: X-Real-IP, value: \$remote_addr}
        - {name: X-Forwarded-For, value: \$proxy_add_x_forwarded_for}
EOF
}

WHARF_ARGS=(--workers 1 --admin 127.0.0.1:0 --drain-grace 0s --drain-timeout 2s)
# StartAttachListener: jcmd (live heap) attaches without a SIGQUIT handshake, which a JVM
# started in the background of a script may not answer.
WHARF_JVM_FLAGS+=(-XX:+StartAttachListener)

# proxy_probe PORT OUT: true if GET / over HTTPS, checked against the certificate, answers the
# origin's body.
proxy_probe() {
  curl -sS --max-time 5 --cacert "$CERT" "https://127.0.0.1:$1/" >"$2" 2>&1 \
    && [ "$(cat "$2")" = hello ]
}

# --- measurements ---------------------------------------------------------------------------

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
declare -A ENGINE NEGOTIATED

# load_run SCENARIO PORT SECONDS OUT: one run of the scenario's load against PORT.
load_run() {
  local scenario=$1 port=$2 seconds=$3 out=$4 args=()
  case "$scenario" in
    https-keepalive)
      timeout -k 5 $((seconds + 30)) wrk -t1 -c"$HTTP_CONNECTIONS" -d"${seconds}s" --latency \
        "https://127.0.0.1:$port/" >"$out" 2>&1 || true
      return ;;
    handshake-full*) args=(--mode full) ;;
    handshake-resumed*) args=(--mode resumed) ;;
  esac
  [[ "$scenario" != *-tls12 ]] || args+=(--tls12)
  timeout -k 5 $((seconds + 30)) "$TLS_CLIENT" --port "$port" --sni localhost \
    --connections "$HANDSHAKE_CONNECTIONS" --seconds "$seconds" "${args[@]}" >"$out" 2>&1 || true
}

# load_count SCENARIO OUT: the requests or connections a load run completed (0 if none).
load_count() {
  local summary
  if [ "$1" = https-keepalive ]; then
    summary=$(wrk_summary "$2")
    echo "${summary:+$(cut -d' ' -f4 <<<"$summary")}" | sed 's/^$/0/'
  else
    result_field "$2" handshakes | sed 's/^$/0/'
  fi
}

# active_opens: TCP connections this machine has opened (connect calls), from /proc/net/snmp.
active_opens() {
  awk '/^Tcp:/ { n++; if (n == 1) for (i = 1; i <= NF; i++) col[$i] = i; else print $(col["ActiveOpens"]) }' /proc/net/snmp
}

# measure_load ROUND SLOT SCENARIO PROXY PORT PREFIX: warm-up, then the measured run.
measure_load() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port=$5 prefix=$6 out="$6.load" load1
  local before after summary rate="-" p99="-" errors="-" count=0 cpu="-" cores="-" detail=""
  local opens_before opens_after
  warm_up "$scenario" "$port" "$out.warmup"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  opens_before=$(active_opens)
  before=$(proxy_ticks)
  load_run "$scenario" "$port" "$MEASURE_SECONDS" "$out"
  after=$(proxy_ticks)
  opens_after=$(active_opens)
  if [ "$scenario" = https-keepalive ]; then
    summary=$(wrk_summary "$out")
    if [ -n "$summary" ]; then
      read -r rate p99 errors count <<<"$summary"
      # Only wrk's clients and the proxy connect during this run: what is not wrk's is the
      # proxy opening origin connections (its idle ones were fewer than the requests in flight).
      detail="origin connections opened $((opens_after - opens_before - HTTP_CONNECTIONS))"
    else
      NOTES+=("round $round: $proxy: wrk gave no result: $(tail -2 "$out" | tr '\n' ' ')")
    fi
  else
    rate=$(result_field "$out" rate)
    if [ -n "$rate" ]; then
      p99=$(awk -v us="$(result_field "$out" p99_us)" 'BEGIN { printf "%.2f", us / 1000 }')
      errors=$(result_field "$out" errors)
      count=$(result_field "$out" handshakes)
      detail="resumed $(result_field "$out" resumed) of $count; connection p99 $(awk -v us="$(result_field "$out" total_p99_us)" 'BEGIN { printf "%.2f", us / 1000 }') ms"
      [[ "$scenario" != handshake-full* ]] \
        || NEGOTIATED["$proxy, $scenario"]="$(result_field "$out" protocol) $(result_field "$out" cipher) $(result_field "$out" group)"
      grep -q '^first problem' "$out" && NOTES+=("round $round: $proxy $scenario: $(grep -m1 '^first problem' "$out")")
    else
      rate="-"
      NOTES+=("round $round: $proxy: tls-handshakes gave no result: $(tail -2 "$out" | tr '\n' ' ')")
    fi
  fi
  if [ "$rate" != "-" ] && [ "$count" -gt 0 ]; then
    read -r cpu cores <<<"$(cpu_figures $((after - before)) "$count" "$MEASURE_SECONDS")"
  fi
  detail="${detail:+$detail; }$WARMUP_DETAIL"
  warm_up_notes "$round" "$proxy" "$scenario" "$cpu"
  result "$round" "$slot" "$scenario" "$proxy" "$rate" "$p99" "$errors" "$count" "$cpu" "$cores" "$load1" "$detail"
  log "round $round: $scenario: $proxy: $rate/s, p99 $p99 ms, $errors errors, CPU $cpu us per connection or request ($cores cores)${detail:+; $detail}"
}

# idle_load COUNT OUT HOLD PORT: ws-load idle over wss:// in the background; sets LOAD_PID.
# Fewer handshakes in flight and a longer timeout than ws-load's defaults: the JDK's TLS client
# is slow to start, and a busy machine must not turn that into failed connections.
idle_load() {
  local hold_args=()
  [ -z "$3" ] || hold_args=(--hold-file "$3" --max-hold 10m)
  java -Xms512m -Xmx512m -XX:+UseSerialGC -jar "$BENCH_JAR" ws-load idle \
    --url "wss://127.0.0.1:$4/ws" --trust "$CERT" --connections "$1" "${hold_args[@]}" \
    --max-pending 50 --handshake-timeout 30s \
    >"$2" 2>&1 </dev/null &
  LOAD_PID=$!
  PIDS+=("$LOAD_PID")
}

# measure_idle ROUND SLOT PROXY PORT PREFIX: memory per idle wss:// connection.
measure_idle() {
  local round=$1 slot=$2 proxy=$3 port=$4 prefix=$5 out="$5.idle" hold="$5.hold" load1
  local opened=0 failures=0
  # Warm-up: the handshake and WebSocket paths loaded and compiled before the baseline, so the
  # growth is the connections' and not the JIT's code and metadata.
  warm_up handshake-full "$port" "$out.warmup-handshakes"
  idle_load "$IDLE_WARMUP_CONNECTIONS" "$out.warmup" "" "$port"
  wait_for_exit "$LOAD_PID" 120 || NOTES+=("round $round: $proxy: the idle warm-up did not end cleanly: $(tail -2 "$out.warmup" | tr '\n' ' ')")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  memory_before "$proxy"
  : >"$hold"
  idle_load "$IDLE_CONNECTIONS" "$out" "$hold" "$port"
  if ! wait_for_line "$out" '^ready [0-9]+' 300 "$LOAD_PID"; then
    rm -f "$hold"
    wait_for_exit "$LOAD_PID" 30 || true
    NOTES+=("round $round: $proxy: idle connections did not open: $(tail -3 "$out" | tr '\n' ' ')")
    result "$round" "$slot" wss-idle "$proxy" - - - 0 - - "$load1" ""
    return
  fi
  opened=$(awk '/^ready / {print $2; exit}' "$out")
  memory_after "$round" "$proxy" "$opened"
  rm -f "$hold"
  wait_for_exit "$LOAD_PID" 60 || true
  if [ -n "$(result_field "$out" errors)" ]; then
    failures=$(( $(result_field "$out" handshake_failures) + $(result_field "$out" abnormal_closes) \
      + $(result_field "$out" errors) ))
  else
    failures=1
    NOTES+=("round $round: $proxy: ws-load idle ended without a result: $(tail -2 "$out" | tr '\n' ' ')")
  fi
  grep -q '^first problem' "$out" && NOTES+=("round $round: $proxy wss-idle: $(grep -m1 '^first problem' "$out")")
  result "$round" "$slot" wss-idle "$proxy" "$MEM_PER" - "$failures" "$opened" - - "$load1" "$MEM_DETAIL; handshake $WARMUP_DETAIL"
  log "round $round: wss-idle: $proxy: $opened connections, $MEM_PER KiB each ($MEM_DETAIL), $failures failures"
}

# measure ROUND SLOT SCENARIO PROXY: one measurement on a proxy started for it.
measure() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port prefix
  port=${PORTS[NEXT_PORT]}
  NEXT_PORT=$((NEXT_PORT + 1))
  prefix="$WORK/r$round-$scenario-$proxy"
  if ! start_proxy "$proxy" "$prefix" "$port"; then
    NOTES+=("round $round: $proxy did not start or did not answer GET / over HTTPS for $scenario: $(cat "$prefix.probe" "$prefix/error.log" 2>/dev/null | tail -3 | tr '\n' ' ')$(tail -3 "$prefix.err" 2>/dev/null | tr '\n' ' ')")
    if [ -n "$PROXY_PID" ] && kill -0 "$PROXY_PID" 2>/dev/null; then stop_proxy; fi
    result "$round" "$slot" "$scenario" "$proxy" - - - 0 - - - ""
    return
  fi
  [ "$proxy" = nginx ] || [ -n "${ENGINE[wharf]:-}" ] || ENGINE[wharf]=$(wharf_engine "$prefix")
  if [ "$scenario" = wss-idle ]; then
    measure_idle "$round" "$slot" "$proxy" "$port" "$prefix"
  else
    measure_load "$round" "$slot" "$scenario" "$proxy" "$port" "$prefix"
  fi
  stop_proxy
}

ENGINE[nginx]="$("$NGINX_BIN" -V 2>&1 | grep -m1 -o 'running with OpenSSL [^ ]*' || "$NGINX_BIN" -V 2>&1 | grep -m1 -o 'built with OpenSSL [^ ]*')"

{
  machine_info
  tool_versions
  echo "openssl:     $(openssl version)"
  echo "cc:          $(cc --version | head -1)"
  echo "open files:  $NOFILE"
  echo "certificate: $KEY_DESCRIPTION, self-signed, the same files for both proxies"
  echo "wharf jar:   ${JAR_ARG:-data-plane/target/wharf-data-plane.jar} (sha256 $(sha256sum "$DATA_PLANE_JAR" | cut -c1-12)...)"
  echo "proxies:     nginx: worker_processes 1; Wharf: java ${WHARF_JVM_FLAGS[*]} -jar wharf-data-plane.jar ${WHARF_ARGS[*]}"
} >"$WORK/machine.txt"

run_rounds nginx wharf

# --- report ---------------------------------------------------------------------------------

# The report's rows: see summary_rows in lib.sh.
printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
  https-keepalive load "HTTPS keep-alive" requests/s request request \
  handshake-full load "new connections, full TLS 1.3 handshake" connections/s handshake connection \
  handshake-resumed load "new connections, resumed TLS 1.3 handshake" connections/s handshake connection \
  handshake-full-tls12 load "new connections, full TLS 1.2 handshake" connections/s handshake connection \
  handshake-resumed-tls12 load "new connections, resumed TLS 1.2 handshake" connections/s handshake connection \
  wss-idle idle "idle wss:// memory per connection" - - - >"$WORK/summary.spec"

result_notes "$RESULTS"
# Resumption as the proxies did it, not as the client asked.
while IFS=$'\t' read -r proxy scenario resumed total; do
  if [ "$total" -gt 0 ] && [ $((resumed * 100)) -lt $((total * 90)) ]; then
    NOTES+=("$proxy resumed only $resumed of $total handshakes in $scenario: its figure there is mostly full handshakes")
  fi
done < <(awk -F'\t' '$3 ~ /^handshake-resumed/ && $12 ~ /^resumed / {
    split($12, w, " "); r[$4 "\t" $3] += w[2]; t[$4 "\t" $3] += w[4]
  } END { for (k in r) print k "\t" r[k] "\t" t[k] }' "$RESULTS")

mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/tls-latest.md"
{
  echo "## HTTPS: Wharf against nginx, same certificate, same machine, interleaved"
  echo
  echo "- command: \`$COMMAND\`"
  echo "- rounds: $ROUNDS; in each, every scenario once per proxy on a freshly started proxy, nginx first in odd rounds and Wharf first in even ones; a warm-up with the same load in ${WARMUP_SECONDS} s chunks until the proxy's CPU per request or connection moved by less than 5% from one chunk to the next ($WARMUP_MIN_CHUNKS to $WARMUP_MAX_CHUNKS chunks; the detail column shows them), then ${MEASURE_SECONDS} s measured; the rounds took $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
  echo "- certificate: $KEY_DESCRIPTION; origin: one nginx worker answering \`hello\\n\` from memory, over upstream keep-alive from both proxies, at most $UPSTREAM_KEEPALIVE idle origin connections each (nginx \`keepalive\`, Wharf \`max_idle_per_endpoint\`)"
  echo "- TLS engines: nginx: ${ENGINE[nginx]}; Wharf: ${ENGINE[wharf]:-not known (Wharf did not start)}"
  for key in "${!NEGOTIATED[@]}"; do
    echo "- negotiated with $key (first connection of tls-handshakes): ${NEGOTIATED[$key]}"
  done | sort
  echo "- HTTPS keep-alive: \`wrk -t1 -c$HTTP_CONNECTIONS -d${MEASURE_SECONDS}s --latency https://127.0.0.1:PORT/\` (OpenSSL client, no handshakes after the first $HTTP_CONNECTIONS)"
  echo "- new connections: \`tls-handshakes --connections $HANDSHAKE_CONNECTIONS --seconds $MEASURE_SECONDS --mode full|resumed\` (benchmarks/tls-handshakes.c, OpenSSL client, no certificate verification): TCP connect, TLS handshake, one GET / with \`Connection: close\`, read to the end; p99 is of connect plus handshake"
  echo "- idle wss://: $IDLE_CONNECTIONS WebSockets through the proxy after a warm-up of full handshakes (as above) and $IDLE_WARMUP_CONNECTIONS WebSockets opened and closed (\`ws-load idle\`, JDK TLS client); per connection: growth of the proxy's RSS (nginx: master and worker), for Wharf plus the growth of its live heap after a full GC"
  echo "- CPU: the proxy's utime + stime (/proc/PID/stat) over the measured seconds, per request or per new connection, and in cores (CPU seconds per second)"
  echo
  echo "| figure | better | nginx | Wharf | Wharf / nginx | target | met | range over rounds, nginx / Wharf (rates) |"
  echo "|---|---|---:|---:|---:|---|---|---|"
  summary_rows "$RESULTS" "$WORK/summary.spec"
  echo
  echo "Medians over the rounds. A ratio means something only where it is larger than the ranges."
  echo
  echo "### Each measurement"
  echo
  echo "| round | order | scenario | proxy | rate /s (idle: KiB/conn) | p99 ms | errors | count | CPU µs each | cores | load avg (1 min) | detail |"
  echo "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  measurement_rows "$RESULTS"
  echo
  report_machine_and_notes "$WORK/machine.txt" "${NOTES[@]}"
} >"$REPORT"
cp "$RESULTS" "$RESULTS_DIR/tls-latest.tsv"
echo
cat "$REPORT"
echo
log "written to $REPORT (raw numbers: $RESULTS_DIR/tls-latest.tsv)"
