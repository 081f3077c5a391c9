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
#                          [--key ecdsa|rsa] [--tls12] [--jar FILE]
#
# Needs a JDK 17+, nginx, wrk, openssl, curl and a C compiler with OpenSSL's headers (Debian:
# apt-get install -y nginx wrk openssl curl gcc libssl-dev). Builds the data-plane and benchmark
# jars if they are missing or older than the sources. Everything binds 127.0.0.1 on ephemeral
# ports and is stopped by pid when the script exits.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bash benchmarks/tls.sh [--quick] [--rounds N] [--seconds S] [--idle-connections N]
                              [--key ecdsa|rsa] [--tls12] [--jar FILE]

  --quick               2 rounds of 3 s after warm-ups in 2 s chunks, 500 idle connections:
                        a smoke run of about 5 minutes (numbers mean little)
  --rounds N            rounds (default 4); each measures every scenario once per proxy,
                        nginx first in odd rounds and Wharf first in even ones
  --seconds S           measured seconds per scenario and proxy (default 15), after a warm-up
                        in 5 s chunks until CPU per request is steady (4 to 10 chunks)
  --idle-connections N  idle wss:// connections for the memory test (default 5000)
  --key ecdsa|rsa       the certificate's key: ECDSA P-256 (default) or RSA 2048
  --tls12               also measure full and resumed handshakes with TLS 1.2 clients
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

# A jar is stale if a pom or a source of what it is built from is newer (the scripts are not).
stale() {
  [ ! -f "$1" ] || [ -n "$(find pom.xml {proto,data-plane,benchmarks}/pom.xml \
    {proto,data-plane,benchmarks}/src -newer "$1" -type f -print -quit)" ]
}
if [ -n "$JAR_ARG" ]; then
  DATA_PLANE_JAR=$JAR_ARG
  if stale "$BENCH_JAR"; then
    log "building the benchmark jar"
    ./mvnw -B -q -DskipTests package -pl benchmarks -am
  fi
elif stale "$DATA_PLANE_JAR" || stale "$BENCH_JAR"; then
  log "building the data plane and benchmark jars"
  ./mvnw -B -q -DskipTests package -pl data-plane,benchmarks -am
fi

install_cleanup wharf-tls
# Copied, so that a rebuild during the run changes nothing.
cp "$DATA_PLANE_JAR" "$WORK/wharf-data-plane.jar"
DATA_PLANE_JAR="$WORK/wharf-data-plane.jar"

TLS_CLIENT="$WORK/tls-handshakes"
cc -O2 -pthread -o "$TLS_CLIENT" benchmarks/tls-handshakes.c -lssl -lcrypto 2>"$WORK/cc.err" \
  || die "benchmarks/tls-handshakes.c did not compile (OpenSSL's headers: apt-get install -y libssl-dev):
$(head -5 "$WORK/cc.err")"

# --- certificate ----------------------------------------------------------------------------

# One certificate for both proxies, for 127.0.0.1 and localhost (the name the clients send as
# SNI), self-signed: the clients that verify trust this very certificate.
CERT="$WORK/cert.pem"
KEY="$WORK/key.pem"
if [ "$KEY_TYPE" = ecdsa ]; then
  KEY_ARGS=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
  KEY_DESCRIPTION="ECDSA P-256"
else
  KEY_ARGS=(-newkey rsa:2048)
  KEY_DESCRIPTION="RSA 2048"
fi
openssl req -x509 "${KEY_ARGS[@]}" -nodes -keyout "$KEY" -out "$CERT" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  >"$WORK/openssl.out" 2>&1 || die "openssl could not make the certificate: $(cat "$WORK/openssl.out")"

# --- origin and WebSocket backend -----------------------------------------------------------

# Ports: the origin, then a fresh one per proxy start, so no socket left in TIME_WAIT by the
# previous proxy can refuse the bind.
mapfile -t PORTS < <(bench free-ports $((1 + 2 * ROUNDS * ${#SCENARIOS[@]} + 1)))
ORIGIN_PORT=${PORTS[0]}
NEXT_PORT=1

log "starting nginx (the origin) on 127.0.0.1:$ORIGIN_PORT"
start_nginx "$WORK/origin" <<EOF
    # The origin: answers from memory, and keeps the proxies' connections as long as the run.
    default_type text/plain;
    keepalive_requests 10000000;
    keepalive_timeout 600s;

    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        location / { return 200 "hello\\n"; }
    }
EOF
ORIGIN_PID=$NGINX_PID

# The wss:// test needs a WebSocket echo server; it only takes traffic in that test.
log "starting the WebSocket backend"
start_backend "$WORK/backend"

# --- proxies --------------------------------------------------------------------------------

# nginx_proxy_config PORT: the nginx proxy's http block body.
nginx_proxy_config() {
  cat <<EOF
    # Generated by benchmarks/tls.sh. TLS as a typical HTTPS site sets it; everything else is
    # nginx's default but for the keep-alive limits, raised so that wrk's connections are never
    # closed (and re-handshaken) during the keep-alive test.
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:10m;
    ssl_session_tickets on;
    keepalive_requests 10000000;

    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }

    upstream origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive 32;
        keepalive_requests 10000000;
    }

    upstream ws_backend {
        server 127.0.0.1:$BACKEND_PORT;
    }

    server {
        listen 127.0.0.1:$1 ssl;
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

        location /ws {
            proxy_pass http://ws_backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
    }
EOF
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
      max_idle_per_endpoint: 32
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

# start_proxy PROXY PREFIX PORT: a fresh proxy; sets PROXY_PID (the process whose memory and
# CPU count: the JVM, or nginx's master, whose worker is PROXY_WORKER) and true once it answers
# GET / over HTTPS with the origin's body, checked against the certificate.
start_proxy() {
  local proxy=$1 prefix=$2 port=$3 deadline
  PROXY_WORKER=""
  PROXY_PID=""
  if [ "$proxy" = nginx ]; then
    start_nginx "$prefix" < <(nginx_proxy_config "$port")
    PROXY_PID=$NGINX_PID
  else
    wharf_config "$prefix.yaml" "$port"
    start_wharf "$prefix" "$DATA_PLANE_JAR" "$prefix.yaml" "${WHARF_ARGS[@]}" \
      || { PROXY_PID=$WHARF_PID; return 1; }
    PROXY_PID=$WHARF_PID
  fi
  deadline=$((SECONDS + 20))
  until curl -sS --max-time 5 --cacert "$CERT" "https://127.0.0.1:$port/" >"$prefix.probe" 2>&1 \
      && [ "$(cat "$prefix.probe")" = hello ]; do
    [ $SECONDS -lt $deadline ] && kill -0 "$PROXY_PID" 2>/dev/null || return 1
    sleep 0.2
  done
  if [ "$proxy" = nginx ]; then
    PROXY_WORKER=$(children_of "$PROXY_PID" | head -1)
  fi
}

stop_proxy() {
  kill -TERM "$PROXY_PID" 2>/dev/null || true
  wait_for_exit "$PROXY_PID" 15 || true
  NGINX_PID=$ORIGIN_PID
}

proxy_ticks() { # CPU ticks of the running proxy: the JVM, or nginx's master and worker
  local total
  total=$(cpu_ticks "$PROXY_PID")
  [ -z "$PROXY_WORKER" ] || total=$((total + $(cpu_ticks "$PROXY_WORKER")))
  echo "$total"
}

proxy_rss_pids() {
  echo "$PROXY_PID"
  [ -z "$PROXY_WORKER" ] || echo "$PROXY_WORKER"
}

# --- measurements ---------------------------------------------------------------------------

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
declare -A ENGINE NEGOTIATED

# result ROUND SLOT SCENARIO PROXY VALUE P99_MS ERRORS COUNT CPU_US CORES LOAD1 DETAIL
result() {
  local IFS=$'\t'
  echo "$*" >>"$RESULTS"
}

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

# warm_up SCENARIO PORT OUT: runs the load in WARMUP_SECONDS chunks until the proxy's CPU per
# request (or connection) is steady: within 5% of the chunk before, after at least
# WARMUP_MIN_CHUNKS (a JIT goes in steps, and two chunks can match on a step) and at most
# WARMUP_MAX_CHUNKS chunks. A JVM compiles its hot paths while it serves, and how long
# that takes depends on how busy the machine is, so a fixed warm-up would measure Wharf half
# compiled on a busy machine. Sets WARMUP_DETAIL.
warm_up() {
  local scenario=$1 port=$2 out=$3 chunk before after count cpu previous="" cpus=""
  for chunk in $(seq 1 "$WARMUP_MAX_CHUNKS"); do
    before=$(proxy_ticks)
    load_run "$scenario" "$port" "$WARMUP_SECONDS" "$out.$chunk"
    after=$(proxy_ticks)
    count=$(load_count "$scenario" "$out.$chunk")
    if [ "$count" -eq 0 ]; then
      WARMUP_DETAIL="warm-up: $chunk x ${WARMUP_SECONDS} s, the last without a result"
      return
    fi
    cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$count" 'BEGIN { printf "%.0f", t * 1e6 / hz / n }')
    cpus+="${cpus:+ }$cpu"
    WARMUP_DETAIL="warm-up: $chunk x ${WARMUP_SECONDS} s, CPU µs each: $cpus"
    if [ -n "$previous" ] && [ "$chunk" -ge "$WARMUP_MIN_CHUNKS" ] \
        && awk -v a="$previous" -v b="$cpu" 'BEGIN { exit !(b <= a * 1.05 && b >= a * 0.95) }'; then
      return
    fi
    previous=$cpu
  done
  WARMUP_DETAIL+=" (not steady)"
}

# measure_load ROUND SLOT SCENARIO PROXY PORT PREFIX: warm-up, then the measured run.
measure_load() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port=$5 prefix=$6 out="$6.load" load1
  local before after summary rate="-" p99="-" errors="-" count=0 cpu="-" cores="-" detail=""
  warm_up "$scenario" "$port" "$out.warmup"
  load1=$(cut -d' ' -f1 /proc/loadavg)
  before=$(proxy_ticks)
  load_run "$scenario" "$port" "$MEASURE_SECONDS" "$out"
  after=$(proxy_ticks)
  if [ "$scenario" = https-keepalive ]; then
    summary=$(wrk_summary "$out")
    if [ -n "$summary" ]; then
      read -r rate p99 errors count <<<"$summary"
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
    cpu=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$count" 'BEGIN { printf "%.1f", t * 1e6 / hz / n }')
    cores=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v s="$MEASURE_SECONDS" 'BEGIN { printf "%.2f", t / hz / s }')
  fi
  detail="${detail:+$detail; }$WARMUP_DETAIL"
  if [ "$cpu" != "-" ] && awk -v m="$cpu" -v w="${WARMUP_DETAIL##* }" 'BEGIN { exit !(w + 0 > 0 && m < w * 0.85) }'; then
    NOTES+=("round $round: $proxy $scenario: CPU per request fell from $(awk -v w="${WARMUP_DETAIL##* }" 'BEGIN { print w + 0 }') µs in the last warm-up chunk to $cpu µs measured: it was still warming up, so its figures there are pessimistic")
  fi
  [[ "$WARMUP_DETAIL" != *"not steady"* ]] || NOTES+=("round $round: $proxy $scenario: CPU per request was still changing after the longest warm-up ($WARMUP_DETAIL)")
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

# settle_rss PID...: waits (2 to 20 s) until the processes' RSS moved by less than 256 KiB in a
# second: a JVM's compiler threads free their memory some time after the warm-up, which would
# otherwise be subtracted from the connections' growth.
settle_rss() {
  local previous current deadline=$((SECONDS + 20))
  sleep 1
  previous=$(rss_kib "$@")
  while [ $SECONDS -lt $deadline ]; do
    sleep 1
    current=$(rss_kib "$@")
    [ $((current - previous)) -gt 256 ] || [ $((previous - current)) -gt 256 ] || return 0
    previous=$current
  done
}

# measure_idle ROUND SLOT PROXY PORT PREFIX: memory per idle wss:// connection.
measure_idle() {
  local round=$1 slot=$2 proxy=$3 port=$4 prefix=$5 out="$5.idle" hold="$5.hold" load1
  local before after heap_before="" heap_after="" opened=0 failures=0 per="-" rss_per heap_per=0
  local detail pids
  # Warm-up: the handshake and WebSocket paths loaded and compiled before the baseline, so the
  # growth is the connections' and not the JIT's code and metadata.
  warm_up handshake-full "$port" "$out.warmup-handshakes"
  idle_load "$IDLE_WARMUP_CONNECTIONS" "$out.warmup" "" "$port"
  wait_for_exit "$LOAD_PID" 120 || NOTES+=("round $round: $proxy: the idle warm-up did not end cleanly: $(tail -2 "$out.warmup" | tr '\n' ' ')")
  load1=$(cut -d' ' -f1 /proc/loadavg)
  mapfile -t pids < <(proxy_rss_pids)
  settle_rss "${pids[@]}"
  if [ "$proxy" = wharf ]; then
    heap_before=$(live_heap_kib "$PROXY_PID") || heap_before=""
    sleep 1
  fi
  before=$(rss_kib "${pids[@]}")
  : >"$hold"
  idle_load "$IDLE_CONNECTIONS" "$out" "$hold" "$port"
  if ! wait_for_line "$out" '^ready [0-9]+' 300 "$LOAD_PID"; then
    rm -f "$hold"
    wait_for_exit "$LOAD_PID" 30 || true
    NOTES+=("round $round: $proxy: idle connections did not open: $(tail -3 "$out" | tr '\n' ' ')")
    result "$round" "$slot" wss-idle "$proxy" - - - 0 - - "$load1" ""
    return
  fi
  sleep 2
  after=$(rss_kib "${pids[@]}")
  if [ -n "$heap_before" ]; then
    heap_after=$(live_heap_kib "$PROXY_PID") || heap_after=""
  fi
  opened=$(awk '/^ready / {print $2; exit}' "$out")
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
  detail="RSS $((before / 1024)) -> $((after / 1024)) MiB"
  if [ "$opened" -gt 0 ]; then
    rss_per=$(awk -v b="$before" -v a="$after" -v n="$opened" 'BEGIN { printf "%.2f", (a - b) / n }')
    detail="RSS $rss_per KiB/conn ($detail)"
    if [ "$proxy" = wharf ]; then
      if [ -n "$heap_after" ]; then
        heap_per=$(awk -v b="$heap_before" -v a="$heap_after" -v n="$opened" 'BEGIN { printf "%.2f", (a - b) / n }')
        detail+=", live heap $heap_per KiB/conn ($((heap_before / 1024)) -> $((heap_after / 1024)) MiB)"
      else
        NOTES+=("round $round: wharf: live heap not measured (no jcmd, or it could not attach): idle memory is RSS growth only and may hide heap use")
      fi
    fi
    per=$(awk -v r="$rss_per" -v h="$heap_per" 'BEGIN { printf "%.2f", r + h }')
  fi
  result "$round" "$slot" wss-idle "$proxy" "$per" - "$failures" "$opened" - - "$load1" "$detail; handshake $WARMUP_DETAIL"
  log "round $round: wss-idle: $proxy: $opened connections, $per KiB each ($detail), $failures failures"
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

# wharf_engine PREFIX: the TLS engine the running Wharf reports in /metrics, with its log line.
wharf_engine() {
  local admin metric line
  admin=$(awk '/^admin: / {print $2; exit}' "$1.out")
  metric=$(curl -s --max-time 5 "http://$admin/metrics" | grep -m1 '^wharf_tls_engine_info' || true)
  line=$(grep -h -m1 -o 'TLS engine: .*' "$1.out" "$1.err" 2>/dev/null | head -1 || true)
  echo "${metric:-no wharf_tls_engine_info in /metrics}${line:+ (log: $line)}"
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

if [ "$ROUNDS" -lt 3 ]; then
  NOTES+=("$ROUNDS round(s): too few for the ranges to show the noise; only a smoke run")
elif [ $((ROUNDS % 2)) -eq 1 ]; then
  NOTES+=("an odd number of rounds: nginx went first once more than Wharf")
fi

STARTED=$SECONDS
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order=(nginx wharf); else order=(wharf nginx); fi
  log "round $round of $ROUNDS: ${order[0]} first"
  for scenario in "${SCENARIOS[@]}"; do
    measure "$round" 1 "$scenario" "${order[0]}"
    measure "$round" 2 "$scenario" "${order[1]}"
  done
done
ELAPSED=$((SECONDS - STARTED))

# --- report ---------------------------------------------------------------------------------

# summary_rows: per scenario, the medians of rate (or memory), p99 and CPU, Wharf/nginx and
# whether the target is met. A ratio is only given when both proxies completed every round
# without an error: a failing proxy can look fast.
summary_rows() {
  awk -F'\t' '
    function median(list,    n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
        t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
      }
      if (n == 0) return ""
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function add(key, value) { if (value != "-") lists[key] = lists[key] (lists[key] == "" ? "" : " ") value }
    function fmt(v, digits) { return v == "" ? "-" : sprintf("%." digits "f", v) }
    function range(k, digits) { return k in min ? sprintf("%." digits "f-%." digits "f", min[k], max[k]) : "-" }
    # row NAME METRIC_KEY HIGHER_IS_BETTER DIGITS
    function row(label, scenario, metric, higher, digits, target,    n, w, mn, mw, ratio, met) {
      n = scenario SUBSEP "nginx" SUBSEP metric; w = scenario SUBSEP "wharf" SUBSEP metric
      mn = median(lists[n]); mw = median(lists[w])
      clean = failed[scenario] == 0 && mn != "" && mw != "" && mn + 0 > 0
      if (clean) {
        ratio = sprintf("%.2f", mw / mn)
        if (target == "") met = "-"
        else met = (higher ? mw >= mn : mw <= mn) ? "yes" : "**no**"
      } else {
        ratio = "n/a: errors or failed measurements"; met = "-"
      }
      printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, higher ? "higher" : "lower",
        fmt(mn, digits), fmt(mw, digits), ratio, target == "" ? "-" : target, met,
        range(n, digits) " / " range(w, digits)
    }
    {
      sc = $3; px = $4
      if (!(sc in seen)) { seen[sc] = 1; order[++scenarios] = sc }
      if ($5 == "-" || $7 != 0) failed[sc]++
      add(sc SUBSEP px SUBSEP "rate", $5); add(sc SUBSEP px SUBSEP "p99", $6)
      add(sc SUBSEP px SUBSEP "cpu", $9); add(sc SUBSEP px SUBSEP "cores", $10)
      if ($5 != "-") {
        k = sc SUBSEP px SUBSEP "rate"
        if (!(k in min) || $5 + 0 < min[k]) min[k] = $5 + 0
        if (!(k in max) || $5 + 0 > max[k]) max[k] = $5 + 0
      }
    }
    END {
      name["https-keepalive"] = "HTTPS keep-alive"
      name["handshake-full"] = "new connections, full TLS 1.3 handshake"
      name["handshake-resumed"] = "new connections, resumed TLS 1.3 handshake"
      name["handshake-full-tls12"] = "new connections, full TLS 1.2 handshake"
      name["handshake-resumed-tls12"] = "new connections, resumed TLS 1.2 handshake"
      for (s = 1; s <= scenarios; s++) {
        sc = order[s]
        if (sc == "wss-idle") {
          row("idle wss:// memory per connection, KiB", sc, "rate", 0, 2, "<= 1")
          continue
        }
        unit = sc == "https-keepalive" ? "requests/s" : "connections/s"
        what = sc == "https-keepalive" ? "request" : "handshake"
        row(name[sc] ": " unit, sc, "rate", 1, 0, ">= 1")
        row(name[sc] ": " what " p99, ms", sc, "p99", 0, 2, "<= 1")
        row(name[sc] ": proxy CPU per " (sc == "https-keepalive" ? "request" : "connection") ", µs", sc, "cpu", 0, 1, "")
        row(name[sc] ": proxy CPU, cores", sc, "cores", 0, 2, "")
      }
    }' "$RESULTS"
}

BUSY=$(awk -F'\t' -v cores="$(nproc)" '$11 != "-" && $11 + 0 > cores { n++ } END { print n + 0 }' "$RESULTS")
if [ "$BUSY" -gt 0 ]; then
  NOTES+=("the load average exceeded the $(nproc) cores at $BUSY of $(wc -l <"$RESULTS") measurements: other work shared the machine, so expect wide ranges")
fi
# One worker each: a proxy that used more than one core had more than the other could.
while IFS=$'\t' read -r round scenario proxy cores; do
  NOTES+=("round $round: $proxy used $cores cores in $scenario: more than its one worker, so its rate there is not like for like")
done < <(awk -F'\t' '$10 != "-" && $10 + 0 > 1.05 { print $1 "\t" $3 "\t" $4 "\t" $10 }' "$RESULTS")
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
  echo "- certificate: $KEY_DESCRIPTION; origin: one nginx worker answering \`hello\\n\` from memory, over upstream keep-alive from both proxies"
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
  summary_rows
  echo
  echo "Medians over the rounds. A ratio means something only where it is larger than the ranges."
  echo
  echo "### Each measurement"
  echo
  echo "| round | order | scenario | proxy | rate /s (idle: KiB/conn) | p99 ms | errors | count | CPU µs each | cores | load avg (1 min) | detail |"
  echo "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$RESULTS"
  echo
  report_machine_and_notes "$WORK/machine.txt" "${NOTES[@]}"
} >"$REPORT"
cp "$RESULTS" "$RESULTS_DIR/tls-latest.tsv"
echo
cat "$REPORT"
echo
log "written to $REPORT (raw numbers: $RESULTS_DIR/tls-latest.tsv)"
