#!/usr/bin/env bash
# Per-request cost of kept-alive HTTP/1.1 proxying, for comparing data-plane jars on a loaded
# machine: an nginx origin (1 worker, a 6-byte and a 1 KiB body), a Wharf node with --workers 1
# and upstream keep-alive in front of it, wrk -t1 -c64. Jars are interleaved (A B A B ...), each
# run on a freshly started JVM after a warm-up. Reported per run: req/s, p99, CPU per request
# (utime+stime of the JVM from /proc/PID/stat over the measured interval) and bytes allocated
# per request (young collections x eden + eden growth, from jstat; Serial GC keeps eden fixed).
#
#   bash benchmarks/profile/requests.sh [--rounds N] [--seconds S] [--jvm "FLAGS"] \
#        [--profile cpu|alloc] [--args "WHARF ARGS"] VARIANT [VARIANT...]
#
# A VARIANT is a data-plane jar, or "JAR|JVM FLAGS" or "JAR|JVM FLAGS|WHARF ARGS" (to compare
# collectors, allocators or transports on one jar).
#
# --profile runs async-profiler (AP_LIB, default /work/tools/ap/linux-x64/libasyncProfiler.so)
# for the JVM's whole life and writes /tmp/perfreq-<event>-<jar index>.html; --paths "small"
# measures one body size only; --warmup S sets the warm-up load per path (default 4 s: more on
# a loaded machine, where the JIT needs longer); --tls terminates HTTPS at the node (a self-signed ECDSA P-256
# certificate, Wharf's TLS defaults) and points wrk at https:// (issue 16's keep-alive case).
# Measured interval only (after the warm-up), by environment: AP_ATTACH=cpu|alloc attaches
# async-profiler through jcmd and writes /tmp/perfreq-attach-<event>-<jar>-<round>-<path>.collapsed;
# STRACE=1 counts syscalls (strace -c -f) into /tmp/perfreq-strace-<jar>-<round>-<path>.txt with
# the request count in a last line (strace slows the node: read its counts, not its rate).
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=3
SECONDS_RUN=8
WARMUP=4
JVM_FLAGS="-Xms256m -Xmx256m -XX:+UseSerialGC"
PROFILE=""
WHARF_ARGS=""
PATHS="small 1k"
SCHEME=http
AP_LIB=${AP_LIB:-/work/tools/ap/linux-x64/libasyncProfiler.so}
JARS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --seconds) SECONDS_RUN=$2; shift ;;
    --jvm) JVM_FLAGS=$2; shift ;;
    --profile) PROFILE=$2; shift ;;
    --args) WHARF_ARGS=$2; shift ;;
    --paths) PATHS=$2; shift ;;
    --tls) SCHEME=https ;;
    --warmup) WARMUP=$2; shift ;;
    *) JARS+=("$1") ;;
  esac
  shift
done
[ ${#JARS[@]} -gt 0 ] || { echo "usage: $0 [options] JAR [JAR...]" >&2; exit 2; }

WORK=$(mktemp -d /tmp/perfreq-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

read -r ORIGIN_PORT WHARF_PORT < <(python3 - <<'EOF'
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
EOF
)
KIB=$(head -c 1024 /dev/zero | tr '\0' 'x')
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
$([ "$(id -u)" -eq 0 ] && echo "user $(id -un) $(id -gn);")
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx;
    proxy_temp_path $WORK/nginx;
    fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx;
    scgi_temp_path $WORK/nginx;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:$ORIGIN_PORT;
        location /small { return 200 "hello\n"; }
        location /1k { return 200 "$KIB"; }
    }
}
EOF
/usr/sbin/nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
PIDS+=($!)

TLS_CONFIG=""
if [ "$SCHEME" = https ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
    -out "$WORK/cert.pem" -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$WORK/openssl.out" 2>&1
  TLS_CONFIG="    tls:
      certificates:
        - certificate_file: $WORK/cert.pem
          key_file: $WORK/key.pem"
fi
cat >"$WORK/wharf.yaml" <<EOF
listeners:
  - name: bench
    address: 127.0.0.1
    port: $WHARF_PORT
$TLS_CONFIG
upstreams:
  - name: origin
    endpoints:
      - address: 127.0.0.1:$ORIGIN_PORT
    pool:
      max_idle_per_endpoint: 64
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

ticks() { local s f; s=$(cat "/proc/$1/stat"); read -r -a f <<<"${s##*) }"; echo $((f[11] + f[12])); }
# Bytes allocated so far (approximately): young collections x eden capacity + eden in use.
allocated() {
  jstat -gc "$1" | awk 'NR == 2 { printf "%.0f", ($5 * $13 + $6) * 1024 }'
}
HZ=$(getconf CLK_TCK)

measure_hooks() { # start|stop PID TAG [REQUESTS]
  local opts
  if [ -n "${AP_ATTACH:-}" ]; then
    # jcmd would read "event=cpu" as its own option: the agent's options go quoted.
    if [ "$1" = start ]; then opts="start,event=$AP_ATTACH,interval=${AP_INTERVAL:-1ms}"
    else opts="stop,file=/tmp/perfreq-attach-$AP_ATTACH-$3.collapsed"; fi
    jcmd "$2" JVMTI.agent_load "$AP_LIB" "\"$opts\"" >/dev/null
  fi
  if [ -n "${STRACE:-}" ] && [ "$1" = start ]; then
    strace -c -f -p "$2" -o "/tmp/perfreq-strace-$3.txt" 2>/dev/null &
    STRACE_PID=$!
    sleep 1 # strace attaches to every thread before the load starts
  elif [ -n "${STRACE:-}" ]; then
    kill -INT "$STRACE_PID"; wait "$STRACE_PID" 2>/dev/null || true
    echo "requests $4" >>"/tmp/perfreq-strace-$3.txt"
  fi
}

run_one() { # JAR INDEX ROUND
  local jar=$1 idx=$2 round=$3 pid out t0 t1 a0 a1 path agent="" flags=$JVM_FLAGS args=$WHARF_ARGS
  # A variant is JAR, or JAR|JVM FLAGS, or JAR|JVM FLAGS|WHARF ARGS.
  if [[ "$jar" == *"|"* ]]; then
    IFS='|' read -r jar flags args <<<"$jar"
    flags=${flags:-$JVM_FLAGS}
  fi
  if [ -n "$PROFILE" ]; then # the whole run, warm-up included
    agent="-agentpath:$AP_LIB=start,event=$PROFILE,interval=${AP_INTERVAL:-1ms},file=/tmp/perfreq-$PROFILE-$idx.${AP_EXT:-html}"
  fi
  # shellcheck disable=SC2086
  java $flags -XX:+UsePerfData $agent -jar "$jar" --config "$WORK/wharf.yaml" --workers 1 --admin 127.0.0.1:0 \
    --drain-grace 0s --drain-timeout 1s \
    $args >"$WORK/wharf.out" 2>"$WORK/wharf.err" &
  pid=$!
  for _ in $(seq 600); do
    grep -q '^listening: ' "$WORK/wharf.out" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q '^listening: ' "$WORK/wharf.out"; then
    echo "# jar $idx round $round: no 'listening:' line; stderr: $(tail -3 "$WORK/wharf.err")"
    kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
    return 0
  fi
  for path in $PATHS; do
    wrk -t1 -c64 -d"${WARMUP}s" "$SCHEME://127.0.0.1:$WHARF_PORT/$path" >/dev/null 2>&1
    t0=$(ticks "$pid"); a0=$(allocated "$pid")
    measure_hooks start "$pid" "$idx-$round-$path"
    out=$(wrk -t1 -c64 -d"${SECONDS_RUN}s" --latency "$SCHEME://127.0.0.1:$WHARF_PORT/$path")
    t1=$(ticks "$pid"); a1=$(allocated "$pid")
    measure_hooks stop "$pid" "$idx-$round-$path" "$(echo "$out" | awk '/requests in/ {print $1}')"
    echo "$out" | awk -v jar="$idx" -v round="$round" -v path="$path" -v dt=$((t1 - t0)) \
      -v da=$((a1 - a0)) -v hz="$HZ" -v load="$(cut -d' ' -f1 /proc/loadavg)" '
      /requests in/ { n = $1 }
      /^Requests\/sec:/ { rps = $2 }
      /^ +99%/ { p99 = $2 }
      /Non-2xx|Socket errors/ { err = err " " $0 }
      END { printf "%s\t%s\t%s\t%.0f\t%s\t%.1f\t%.0f\t%s\t%s\n", round, jar, path, rps, p99,
              dt / hz * 1e6 / n, da / n, load, err }'
  done
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

printf 'round\tjar\tpath\treq/s\tp99\tcpu_us/req\talloc_B/req\tload1\terrors\n'
for i in "${!JARS[@]}"; do echo "# jar $i = ${JARS[$i]}"; done
for round in $(seq "$ROUNDS"); do
  for i in "${!JARS[@]}"; do
    run_one "${JARS[$i]}" "$i" "$round"
  done
done
