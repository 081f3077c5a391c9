#!/usr/bin/env bash
# Wharf against nginx over HTTP/2 on this machine, in one run (issue 17's benchmark). Both
# terminate TLS with the same certificate and key files, offer h2 through ALPN and proxy to the
# same origin over HTTP/1.1 with upstream keep-alive; the same rules as benchmarks/tls.sh:
#   - every measurement on a freshly started proxy, after a warm-up of its own with the same
#     load until the proxy's CPU per request is steady; rounds alternate which proxy goes first;
#   - one worker each (nginx worker_processes 1, Wharf --workers 1), the CPU each used read from
#     /proc and reported per request and in cores;
#   - Wharf with its HTTP/2 and TLS defaults; nginx with `listen ... ssl http2` and its HTTP/2
#     defaults, keep-alive limits raised (its keepalive_requests of 1,000 also ends an HTTP/2
#     connection, with a GOAWAY, after 1,000 streams);
#   - the origin is one nginx worker answering "hello\n" from memory, not a JVM.
# Scenarios (medians over the rounds, each proxy's range, Wharf/nginx ratios):
#   h2-streams-1    h2load over h2, CONNECTIONS_1 connections with 1 stream each at a time
#                   (-m 1): requests/s, p99
#   h2-streams-100  h2load over h2, CONNECTIONS_100 connections with 100 streams each (-m 100)
#   h2-idle         IDLE_CONNECTIONS idle HTTP/2 connections (TLS, preface and SETTINGS
#                   exchanged, no stream): proxy memory per connection (RSS growth, and for
#                   Wharf the growth of its live heap after a full GC)
# p99: h2load prints no percentiles, so every measured run writes h2load's --log-file (one row
# per request: start, status, microseconds to the end of the response) and the p99 is the
# nearest-rank 99th percentile of those durations over all requests of the run.
# Prints a Markdown report and writes it to benchmarks/results/h2-latest.md (not committed).
#
#   [ROUNDS=4] [DURATION=15] [WARMUP=5] [IDLE_CONNECTIONS=2000] bash benchmarks/h2.sh [--quick]
#       [--jar FILE]
#
# Needs a JDK 17+, nginx (with http_v2_module, as Debian's), h2load (nghttp2-client), python3,
# openssl and curl (Debian: apt-get install -y nginx nghttp2-client python3 openssl curl).
# Builds the data-plane and benchmark jars if they are missing or older than the sources.
# Everything binds 127.0.0.1 on ephemeral ports and is stopped by pid when the script exits.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: [VAR=VALUE...] bash benchmarks/h2.sh [--quick] [--jar FILE]

Settings, from the environment (seconds may be written 15 or 15s):
  ROUNDS=4                each round measures every scenario once per proxy, nginx first in
                          odd rounds and Wharf first in even ones
  DURATION=15             measured seconds per load scenario and proxy
  WARMUP=5                warm-up chunk, seconds: chunks run until CPU per request is steady
                          (WARMUP_MIN_CHUNKS=4 to WARMUP_MAX_CHUNKS=10 chunks)
  CONNECTIONS_1=50        h2load connections with 1 stream each
  CONNECTIONS_100=4       h2load connections with 100 streams each
  IDLE_CONNECTIONS=2000   idle HTTP/2 connections for the memory test
  KEY=ecdsa               the certificate's key: ecdsa (P-256) or rsa (2048)
  --quick                 ROUNDS=1 DURATION=5 WARMUP=2 (3 to 6 chunks) IDLE_CONNECTIONS=500
                          unless set: a smoke run of about 4 minutes (numbers mean little)
  --jar FILE              measure this wharf-data-plane.jar instead of building this checkout's
EOF
}

COMMAND="bash benchmarks/h2.sh $*"
JAR_ARG=""
QUICK=no
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=yes ;;
    --jar) JAR_ARG=${2:?--jar needs a file}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$QUICK" = yes ]; then
  : "${ROUNDS:=1}" "${DURATION:=5}" "${WARMUP:=2}" "${WARMUP_MIN_CHUNKS:=3}" \
    "${WARMUP_MAX_CHUNKS:=6}" "${IDLE_CONNECTIONS:=500}"
fi
ROUNDS=${ROUNDS:-4}
MEASURE_SECONDS=${DURATION:-15}
MEASURE_SECONDS=${MEASURE_SECONDS%s}
WARMUP_SECONDS=${WARMUP:-5}
WARMUP_SECONDS=${WARMUP_SECONDS%s}
WARMUP_MIN_CHUNKS=${WARMUP_MIN_CHUNKS:-4}
WARMUP_MAX_CHUNKS=${WARMUP_MAX_CHUNKS:-10}
CONNECTIONS_1=${CONNECTIONS_1:-50}
CONNECTIONS_100=${CONNECTIONS_100:-4}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-2000}
KEY_TYPE=${KEY:-ecdsa}
for setting in ROUNDS MEASURE_SECONDS WARMUP_SECONDS WARMUP_MIN_CHUNKS WARMUP_MAX_CHUNKS \
    CONNECTIONS_1 CONNECTIONS_100 IDLE_CONNECTIONS; do
  [[ "${!setting}" =~ ^[1-9][0-9]*$ ]] || { echo "$setting: ${!setting} (expected: a whole number >= 1)" >&2; exit 2; }
done
[[ "$KEY_TYPE" =~ ^(ecdsa|rsa)$ ]] || { echo "KEY: $KEY_TYPE (expected: ecdsa or rsa)" >&2; exit 2; }
if [ -n "$JAR_ARG" ]; then
  [ -f "$JAR_ARG" ] || { echo "--jar: not a file: $JAR_ARG" >&2; exit 2; }
  JAR_ARG=$(readlink -f "$JAR_ARG") # before changing directory: it may be relative
fi
COMMAND="ROUNDS=$ROUNDS DURATION=$MEASURE_SECONDS WARMUP=$WARMUP_SECONDS IDLE_CONNECTIONS=$IDLE_CONNECTIONS $COMMAND"

cd "$(dirname "$0")/.."
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

STREAMS=100
IDLE_WARMUP_CONNECTIONS=200
# Idle upstream connections kept by each proxy: enough for every stream in flight, so that
# neither proxy opens and closes origin connections in the 100-stream test.
UPSTREAM_KEEPALIVE=$((CONNECTIONS_100 * STREAMS + CONNECTIONS_1))
DATA_PLANE_JAR=data-plane/target/wharf-data-plane.jar
PROXIES=(nginx wharf)
SCENARIOS=(h2-streams-1 h2-streams-100 h2-idle)

# --- tools ----------------------------------------------------------------------------------

NGINX_BIN=$(command -v nginx || true)
[ -n "$NGINX_BIN" ] || [ ! -x /usr/sbin/nginx ] || NGINX_BIN=/usr/sbin/nginx
missing=()
[ -n "$NGINX_BIN" ] || missing+=(nginx)
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
for tool in python3 openssl curl java; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "${missing[*]} not found: apt-get install -y ${missing[*]} (java: a JDK 17+)"
"$NGINX_BIN" -V 2>&1 | grep -q http_v2_module || die "$NGINX_BIN has no http_v2_module"
CLK_TCK=$(getconf CLK_TCK)

# An idle HTTP/2 connection costs a socket in the client and one in the proxy.
raise_nofile
MAX_IDLE=$((NOFILE - 500))
NOTES=()
if [ "$IDLE_CONNECTIONS" -gt "$MAX_IDLE" ]; then
  NOTES+=("idle test reduced from $IDLE_CONNECTIONS to $MAX_IDLE connections: open files limit is $NOFILE")
  IDLE_CONNECTIONS=$MAX_IDLE
fi

# --- build, certificate, origin -------------------------------------------------------------

build_jars "$JAR_ARG"
[ -z "$JAR_ARG" ] || DATA_PLANE_JAR=$JAR_ARG
install_cleanup wharf-h2
# Copied, so that a rebuild during the run changes nothing.
cp "$DATA_PLANE_JAR" "$WORK/wharf-data-plane.jar"
DATA_PLANE_JAR="$WORK/wharf-data-plane.jar"

make_certificate "$WORK" "$KEY_TYPE"

# Ports: the origin, then a fresh one per proxy start (no TIME_WAIT from the previous proxy).
mapfile -t PORTS < <(bench free-ports $((1 + 2 * ROUNDS * ${#SCENARIOS[@]} + 1)))
ORIGIN_PORT=${PORTS[0]}
NEXT_PORT=1
start_origin "$WORK/origin" "$ORIGIN_PORT"

# --- proxies --------------------------------------------------------------------------------

nginx_proxy_config() {
  cat <<EOF
    # Generated by benchmarks/h2.sh. TLS as a typical HTTPS site sets it, HTTP/2 with nginx's
    # defaults (http2_max_concurrent_streams 128, 64k preread, 4k HPACK table); keepalive_requests
    # raised, since it also caps the streams of an HTTP/2 connection (default 1,000), and
    # keepalive_timeout, the idle timeout of an HTTP/2 connection, raised as Wharf's is, so that
    # no idle connection of the memory test is closed while it is measured.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;
    keepalive_requests 10000000;
    keepalive_timeout 600s;

    upstream origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive $UPSTREAM_KEEPALIVE;
        keepalive_requests 10000000;
    }

    server {
        listen 127.0.0.1:$1 ssl http2;
        ssl_certificate $CERT;
        ssl_certificate_key $KEY;

        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
EOF
}

wharf_config() {
  cat >"$1" <<EOF
# Generated by benchmarks/h2.sh: the nginx config beside it, in Wharf's form. TLS and HTTP/2
# settings are Wharf's defaults (h2 is offered through ALPN on a TLS listener by default).
listeners:
  - name: https
    address: 127.0.0.1
    port: $2
    keepalive_timeout: 600s # as nginx's above
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
EOF
}

# proxy_probe PORT OUT: true if GET / over HTTP/2 (ALPN h2, certificate checked) answers the
# origin's body.
proxy_probe() {
  local version
  version=$(curl -sS --http2 --max-time 5 --cacert "$CERT" -o "$2" -w '%{http_version}' \
    "https://127.0.0.1:$1/" 2>>"$2.err") && [ "$version" = 2 ] && [ "$(cat "$2")" = hello ]
}

WHARF_ARGS=(--workers 1 --admin 127.0.0.1:0 --drain-grace 0s --drain-timeout 2s)
# StartAttachListener: jcmd (live heap) attaches without a SIGQUIT handshake.
WHARF_JVM_FLAGS+=(-XX:+StartAttachListener)

# --- measurements ---------------------------------------------------------------------------

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
declare -A ENGINE NEGOTIATED

# load_run SCENARIO PORT SECONDS OUT: one h2load run (one thread, as wrk -t1 in tls.sh) against
# PORT, its per-request log in OUT.log. SNI and :authority are localhost.
load_run() {
  local connections=$CONNECTIONS_1 streams=1
  if [ "$1" = h2-streams-100 ]; then connections=$CONNECTIONS_100; streams=$STREAMS; fi
  timeout -k 5 $(($3 + 30)) h2load -t1 -c"$connections" -m"$streams" -D"$3" \
    --log-file="$4.log" --connect-to="127.0.0.1:$2" "https://localhost:$2/" >"$4" 2>&1 || true
}

# h2load_summary OUT: "REQUESTS_PER_S SUCCEEDED ERRORS MEAN_MS" from h2load's output, errors
# being failed (non-2xx/3xx answers and reset or errored streams) plus timed out requests, or
# one if the connection did not speak h2; nothing if h2load gave no result.
h2load_summary() {
  awk '
    /^finished in / { rps = $4 }
    /^Application protocol: / { proto = $3 }
    /^requests: / { gsub(",", ""); ok = $8; failed = $10; timeout = $14 }
    /^time for request: / {
      v = $6
      if (v ~ /us$/) { sub(/us$/, "", v); mean = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); mean = v }
      else if (v ~ /s$/) { sub(/s$/, "", v); mean = v * 1000 }
    }
    END {
      if (rps == "" || ok == "") exit
      printf "%s %d %d %.2f", rps, ok, failed + timeout + (proto == "h2" ? 0 : 1), mean
    }' "$1"
}

# log_p99_ms LOG: the nearest-rank 99th percentile, in ms, of the durations (third column, µs)
# in h2load's per-request log; "ROWS P99" (nothing if the log is empty).
log_p99_ms() {
  local rows
  rows=$(wc -l <"$1")
  [ "$rows" -gt 0 ] || return 0
  cut -f3 "$1" | sort -n | awk -v n="$rows" '
    BEGIN { rank = int((99 * n + 99) / 100) } NR == rank { printf "%d %.2f", n, $1 / 1000; exit }'
}

load_count() { # SCENARIO OUT: requests the run completed successfully (0 if none)
  local summary
  summary=$(h2load_summary "$2")
  echo "${summary:+$(cut -d' ' -f2 <<<"$summary")}" | sed 's/^$/0/'
  rm -f "$2.log" # warm-up logs are not needed
}

# measure_load ROUND SLOT SCENARIO PROXY PORT PREFIX: warm-up, then the measured run.
measure_load() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port=$5 out="$6.load" load1 before after
  local summary rate="-" p99="-" errors="-" count=0 cpu="-" cores="-" mean rows detail=""
  warm_up "$scenario" "$port" "$out.warmup"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  before=$(proxy_ticks)
  load_run "$scenario" "$port" "$MEASURE_SECONDS" "$out"
  after=$(proxy_ticks)
  summary=$(h2load_summary "$out")
  if [ -n "$summary" ]; then
    read -r rate count errors mean <<<"$summary"
    read -r rows p99 <<<"$(log_p99_ms "$out.log")"
    [ -n "$p99" ] || { p99="-"; NOTES+=("round $round: $proxy $scenario: h2load's log was empty"); }
    detail="h2load mean $mean ms; p99 over ${rows:-0} logged requests"
    NEGOTIATED[$proxy]="$(awk -F': ' '/^TLS Protocol:|^Cipher:|^Server Temp Key:|^Application protocol:/ { printf "%s%s", sep, $2; sep = ", " }' "$out")"
    grep -q '^Application protocol: h2' "$out" \
      || NOTES+=("round $round: $proxy $scenario: h2load did not negotiate h2: $(grep -m1 '^Application protocol' "$out" || echo 'no protocol line')")
    [ "$errors" -eq 0 ] || NOTES+=("round $round: $proxy $scenario: $errors errors: $(grep -m1 '^requests:' "$out"); $(grep -m1 '^status codes:' "$out")")
  else
    NOTES+=("round $round: $proxy $scenario: h2load gave no result: $(tail -2 "$out" | tr '\n' ' ')")
  fi
  rm -f "$out.log"
  if [ "$rate" != "-" ] && [ "$count" -gt 0 ]; then
    read -r cpu cores <<<"$(cpu_figures $((after - before)) "$count" "$MEASURE_SECONDS")"
  fi
  detail="${detail:+$detail; }$WARMUP_DETAIL"
  warm_up_notes "$round" "$proxy" "$scenario" "$cpu"
  result "$round" "$slot" "$scenario" "$proxy" "$rate" "$p99" "$errors" "$count" "$cpu" "$cores" "$load1" "$detail"
  log "round $round: $scenario: $proxy: $rate/s, p99 $p99 ms, $errors errors, CPU $cpu us per request ($cores cores); $detail"
}

# idle_load COUNT OUT HOLD PORT: benchmarks/h2-idle.py in the background; sets LOAD_PID.
idle_load() {
  local hold_args=()
  [ -z "$3" ] || hold_args=(--hold-file "$3" --max-hold 600)
  python3 benchmarks/h2-idle.py --port "$4" --connections "$1" "${hold_args[@]}" \
    --max-pending 50 --handshake-timeout 30 >"$2" 2>&1 </dev/null &
  LOAD_PID=$!
  PIDS+=("$LOAD_PID")
}

idle_field() { # FILE KEY: a key=value of h2-idle.py's 'result' line
  awk -v key="$2" '/^result / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' "$1"
}

# measure_idle ROUND SLOT PROXY PORT PREFIX: memory per idle HTTP/2 connection.
measure_idle() {
  local round=$1 slot=$2 proxy=$3 port=$4 out="$5.idle" hold="$5.hold" load1 opened=0 failures
  # Warm-up: the HTTP/2 request path compiled and IDLE_WARMUP_CONNECTIONS connections opened
  # and closed before the baseline, so the growth is the connections' and not the JIT's code
  # and metadata or first-use buffers.
  warm_up h2-streams-1 "$port" "$out.warmup-requests"
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
    result "$round" "$slot" h2-idle "$proxy" - - - 0 - - "$load1" ""
    return
  fi
  opened=$(awk '/^ready / {print $2; exit}' "$out")
  memory_after "$round" "$proxy" "$opened"
  rm -f "$hold"
  wait_for_exit "$LOAD_PID" 60 || true
  if [ -n "$(idle_field "$out" failures)" ]; then
    failures=$(( $(idle_field "$out" failures) + $(idle_field "$out" closed) ))
  else
    failures=1
    NOTES+=("round $round: $proxy: h2-idle.py ended without a result: $(tail -2 "$out" | tr '\n' ' ')")
  fi
  grep -q '^first problem' "$out" && NOTES+=("round $round: $proxy h2-idle: $(grep -m1 '^first problem' "$out")")
  result "$round" "$slot" h2-idle "$proxy" "$MEM_PER" - "$failures" "$opened" - - "$load1" "$MEM_DETAIL; $(grep -m1 -o 'ready .*' "$out"); requests $WARMUP_DETAIL"
  log "round $round: h2-idle: $proxy: $opened connections, $MEM_PER KiB each ($MEM_DETAIL), $failures failures"
}

# measure ROUND SLOT SCENARIO PROXY: one measurement on a proxy started for it.
measure() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port prefix
  port=${PORTS[NEXT_PORT]}
  NEXT_PORT=$((NEXT_PORT + 1))
  prefix="$WORK/r$round-$scenario-$proxy"
  if ! start_proxy "$proxy" "$prefix" "$port"; then
    NOTES+=("round $round: $proxy did not start or did not answer GET / over h2 for $scenario: $(cat "$prefix.probe.err" "$prefix/error.log" 2>/dev/null | tail -3 | tr '\n' ' ')$(tail -3 "$prefix.err" 2>/dev/null | tr '\n' ' ')")
    if [ -n "$PROXY_PID" ] && kill -0 "$PROXY_PID" 2>/dev/null; then stop_proxy; fi
    result "$round" "$slot" "$scenario" "$proxy" - - - 0 - - - ""
    return
  fi
  [ "$proxy" = nginx ] || [ -n "${ENGINE[wharf]:-}" ] || ENGINE[wharf]=$(wharf_engine "$prefix")
  if [ "$scenario" = h2-idle ]; then
    measure_idle "$round" "$slot" "$proxy" "$port" "$prefix"
  else
    measure_load "$round" "$slot" "$scenario" "$proxy" "$port" "$prefix"
  fi
  stop_proxy
}

ENGINE[nginx]="$("$NGINX_BIN" -V 2>&1 | grep -m1 -o 'running with OpenSSL [^ ]*' || "$NGINX_BIN" -V 2>&1 | grep -m1 -o 'built with OpenSSL [^ ]*')"
{
  machine_info
  echo "nginx:       $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //') (${ENGINE[nginx]})"
  echo "h2load:      $(h2load --version | head -1)"
  echo "python3:     $(python3 --version 2>&1) (idle client), $(python3 -c 'import ssl; print(ssl.OPENSSL_VERSION)')"
  echo "open files:  $NOFILE"
  echo "certificate: $KEY_DESCRIPTION, self-signed, the same files for both proxies"
  echo "wharf jar:   ${JAR_ARG:-data-plane/target/wharf-data-plane.jar} (sha256 $(sha256sum "$DATA_PLANE_JAR" | cut -c1-12)...)"
  echo "proxies:     nginx: worker_processes 1; Wharf: java ${WHARF_JVM_FLAGS[*]} -jar wharf-data-plane.jar ${WHARF_ARGS[*]}"
} >"$WORK/machine.txt"

run_rounds nginx wharf

# --- report ---------------------------------------------------------------------------------

printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
  h2-streams-1 load "h2, $CONNECTIONS_1 connections x 1 stream" requests/s request request \
  h2-streams-100 load "h2, $CONNECTIONS_100 connections x $STREAMS streams" requests/s request request \
  h2-idle idle "idle HTTP/2 connection memory" - - - >"$WORK/summary.spec"
result_notes "$RESULTS"

mkdir -p "$RESULTS_DIR"
REPORT="$RESULTS_DIR/h2-latest.md"
{
  echo "## HTTP/2: Wharf against nginx, same certificate, same machine, interleaved"
  echo
  echo "- command: \`$COMMAND\`"
  echo "- rounds: $ROUNDS; in each, every scenario once per proxy on a freshly started proxy, nginx first in odd rounds and Wharf first in even ones; a warm-up with the same load in ${WARMUP_SECONDS} s chunks until the proxy's CPU per request moved by less than 5% from one chunk to the next ($WARMUP_MIN_CHUNKS to $WARMUP_MAX_CHUNKS chunks; the detail column shows them), then ${MEASURE_SECONDS} s measured; the rounds took $((ELAPSED / 60)) min $((ELAPSED % 60)) s"
  echo "- certificate: $KEY_DESCRIPTION; TLS engines: nginx: ${ENGINE[nginx]}; Wharf: ${ENGINE[wharf]:-not known (Wharf did not start)}"
  for key in "${!NEGOTIATED[@]}"; do
    echo "- negotiated by h2load with $key (its last measured run): ${NEGOTIATED[$key]}"
  done | sort
  echo "- origin: one nginx worker answering \`hello\\n\` (6 bytes) from memory, over HTTP/1.1 upstream keep-alive from both proxies ($UPSTREAM_KEEPALIVE idle connections kept, no request limit)"
  echo "- load: \`h2load -t1 -c$CONNECTIONS_1 -m1 -D$MEASURE_SECONDS\` and \`h2load -t1 -c$CONNECTIONS_100 -m$STREAMS -D$MEASURE_SECONDS\` against \`https://localhost:PORT/\` (ALPN h2); p99: nearest rank over every request of h2load's \`--log-file\` (h2load prints no percentiles); errors: h2load's failed plus timed-out requests"
  echo "- idle: $IDLE_CONNECTIONS HTTP/2 connections (benchmarks/h2-idle.py: TLS with ALPN h2, preface and SETTINGS both ways, no stream) after a warm-up of requests (as above) and $IDLE_WARMUP_CONNECTIONS such connections opened and closed; per connection: growth of the proxy's RSS (nginx: master and worker), for Wharf plus the growth of its live heap after a full GC"
  echo "- CPU: the proxy's utime + stime (/proc/PID/stat) over the measured seconds, per request, and in cores (CPU seconds per second)"
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
cp "$RESULTS" "$RESULTS_DIR/h2-latest.tsv"
echo
cat "$REPORT"
echo
log "written to $REPORT (raw numbers: $RESULTS_DIR/h2-latest.tsv)"
