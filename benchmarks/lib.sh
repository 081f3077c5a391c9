# Shell functions shared by the benchmark scripts (run.sh, ab.sh, fleet.sh, tls.sh, h2.sh).
# Sourced, not run: the caller has set -euo pipefail and changed to the repository's root
# first. Whatever a function starts it adds to PIDS, and cleanup (installed by install_cleanup)
# stops it by pid.

BENCH_JAR=benchmarks/target/wharf-benchmarks.jar
RESULTS_DIR=benchmarks/results
# The JVM flags every benchmark gives the data plane, so that results of different scripts
# compare: a fixed, small heap and a collector without background threads of its own.
WHARF_JVM_FLAGS=(-Xms256m -Xmx256m -XX:+UseSerialGC)
PIDS=()
NGINX_PID=""

die() {
  echo "error: $*" >&2
  exit 1
}

# Progress goes to stderr: stdout is the report.
log() {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

bench() {
  java -jar "$BENCH_JAR" "$@"
}

# require_nginx_wrk_java: sets NGINX_BIN, or stops with the packages to install.
require_nginx_wrk_java() {
  local missing=()
  NGINX_BIN=$(command -v nginx || true)
  if [ -z "$NGINX_BIN" ] && [ -x /usr/sbin/nginx ]; then
    NGINX_BIN=/usr/sbin/nginx # not on a non-root PATH on Debian
  fi
  [ -n "$NGINX_BIN" ] || missing+=(nginx)
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  if [ ${#missing[@]} -gt 0 ]; then
    die "${missing[*]} not found. Install Debian's packages: apt-get install -y ${missing[*]}
  (the nginx package may start a system nginx on port 80; this script never uses it and starts
  its own, so you can stop that one: systemctl disable --now nginx)"
  fi
  command -v java >/dev/null 2>&1 || die "java not found (a JDK 17 or newer is needed)"
}

# raise_nofile: the open-files limit up to the hard limit (65536 if unlimited); sets NOFILE.
raise_nofile() {
  local hard
  hard=$(ulimit -Hn)
  if [ "$hard" = unlimited ]; then
    ulimit -n 65536
  else
    ulimit -n "$hard"
  fi
  NOFILE=$(ulimit -n)
}

# machine_info: what a reader needs to judge a result from this machine, one "key: value" a
# line; callers add the tools they ran.
machine_info() {
  echo "date:        $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus:        $(nproc) ($(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo))"
  echo "memory:      $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel:      $(uname -srm)"
  echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) (at start; other work on the machine adds noise)"
  echo "java:        $(java -version 2>&1 | head -1) ($(java -version 2>&1 | sed -n 3p | sed "s/ (build.*//"))"
  echo "wharf:       $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
}

# --- processes ------------------------------------------------------------------------------

children_of() {
  local dir stat ppid
  for dir in /proc/[0-9]*; do
    stat=$(cat "$dir/stat" 2>/dev/null) || continue
    # Fields after the command name, which may itself hold spaces: state, ppid, ...
    read -r _ ppid _ <<<"${stat##*) }"
    [ "$ppid" != "$1" ] || echo "${dir#/proc/}"
  done
}

# cpu_ticks PID: user plus system CPU time the process has used, in clock ticks (getconf
# CLK_TCK a second), all its threads included.
cpu_ticks() {
  local stat fields
  stat=$(cat "/proc/$1/stat") || return 1
  # After the command name: state is field 3 of the stat line, utime and stime 14 and 15.
  read -r -a fields <<<"${stat##*) }"
  echo $((fields[11] + fields[12]))
}

# rss_kib PID...: the resident memory (VmRSS) of the processes together, in KiB.
rss_kib() {
  local pid kib total=0
  for pid in "$@"; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

JCMD="$(dirname "$(readlink -f "$(command -v java)")")/jcmd"
[ -x "$JCMD" ] || JCMD=""

# A JVM's heap is committed up front (-Xms) and its pages were touched by the throughput tests,
# so objects held by idle connections may not show in RSS at all. live_heap_kib PID runs a full
# GC and prints the heap in use, which is added to the RSS growth for Wharf (an upper bound: a
# heap page touched for the first time counts in both). Needs jcmd and a JVM started with
# -XX:+StartAttachListener.
live_heap_kib() {
  [ -n "$JCMD" ] || return 1
  "$JCMD" "$1" GC.run >/dev/null 2>&1 || return 1
  "$JCMD" "$1" GC.heap_info 2>/dev/null \
    | awk '/generation|[Hh]eap/ && /used/ {
        for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*$/, "", v); sum += v }
      } END { if (sum > 0) print sum; else exit 1 }'
}

# Stops each process in PIDS: TERM, up to 10 s, then KILL. nginx's workers are collected before
# their master goes, in case the master has to be killed. WORK is removed on success and kept
# (for its configs and logs) on failure.
cleanup() {
  local status=$? pid all=() deadline
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    if [ "$pid" = "$NGINX_PID" ]; then
      mapfile -t -O "${#all[@]}" all < <(children_of "$pid")
    fi
    all+=("$pid")
  done
  for pid in "${all[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  deadline=$((SECONDS + 10))
  for pid in "${all[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ "$status" -eq 0 ]; then
    rm -rf "$WORK"
  else
    echo "logs kept in $WORK" >&2
  fi
  exit "$status"
}

# install_cleanup: a fresh WORK directory (named after PREFIX), cleaned up on any exit.
install_cleanup() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

forget_pid() {
  local keep=() pid
  for pid in "${PIDS[@]}"; do
    [ "$pid" = "$1" ] || keep+=("$pid")
  done
  PIDS=("${keep[@]}")
}

# wait_for_line FILE REGEX SECONDS PID: true once FILE has a line matching REGEX; false if PID
# exits or SECONDS pass first.
wait_for_line() {
  local deadline=$((SECONDS + $3))
  while [ $SECONDS -lt $deadline ]; do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || { grep -qE "$2" "$1" 2>/dev/null; return; }
    sleep 0.1
  done
  return 1
}

# wait_for_exit PID SECONDS: reaps PID, killing it if it has not ended in time; its status.
wait_for_exit() {
  local deadline=$((SECONDS + $2)) status=0
  while kill -0 "$1" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" || status=$?
  forget_pid "$1"
  return "$status"
}

# start_wharf PREFIX JAR CONFIG ARGS...: the data plane JAR with WHARF_JVM_FLAGS on CONFIG and
# ARGS, its output in PREFIX.out and PREFIX.err; sets WHARF_PID. True once it says it listens,
# false if it exits or 30 s pass first.
start_wharf() {
  local prefix=$1 jar=$2 config=$3
  shift 3
  java "${WHARF_JVM_FLAGS[@]}" -jar "$jar" --config "$config" "$@" \
    >"$prefix.out" 2>"$prefix.err" &
  WHARF_PID=$!
  PIDS+=("$WHARF_PID")
  wait_for_line "$prefix.out" '^listening: ' 30 "$WHARF_PID"
}

# start_backend PREFIX: the benchmark jar's backend (HTTP 200 'hello', a /ws echo) on a free
# loopback port, output in PREFIX.out and PREFIX.err; sets BACKEND_PID and BACKEND_PORT.
start_backend() {
  java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$BENCH_JAR" backend 0 \
    >"$1.out" 2>"$1.err" &
  BACKEND_PID=$!
  PIDS+=("$BACKEND_PID")
  wait_for_line "$1.out" '^listening [0-9]+' 30 "$BACKEND_PID" \
    || die "the backend did not start: $(cat "$1.err")"
  BACKEND_PORT=$(awk '/^listening / {print $2; exit}' "$1.out")
}

# start_nginx DIR: Debian's nginx (require_nginx_wrk_java first), one worker (NGINX_WORKERS: N
# or auto), no access log, its prefix, pid, logs and temp files in DIR, run as the invoking user
# with daemon off; the body of its http block is read from stdin. Sets NGINX_PID.
start_nginx() {
  local dir=$1 user="" args
  mkdir -p "$dir/temp"
  if [ "$(id -u)" -eq 0 ]; then
    # As root, nginx would run its worker as nobody; the worker must run as the user it was
    # started by, like Wharf's JVM, and reach the temp dir.
    user="user $(id -un) $(id -gn);"
  fi
  {
    cat <<EOF
# Generated by $0.
worker_processes ${NGINX_WORKERS:-1};
$user
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_rlimit_nofile $(ulimit -n);

events {
    worker_connections $(($(ulimit -n) - 100));
}

http {
    access_log off;
    client_body_temp_path $dir/temp/client_body;
    proxy_temp_path $dir/temp/proxy;
    fastcgi_temp_path $dir/temp/fastcgi;
    uwsgi_temp_path $dir/temp/uwsgi;
    scgi_temp_path $dir/temp/scgi;

EOF
    cat
    echo "}"
  } >"$dir/nginx.conf"
  args=(-p "$dir/" -e "$dir/error.log" -c "$dir/nginx.conf")
  "$NGINX_BIN" "${args[@]}" -t -q || die "nginx rejected the generated config $dir/nginx.conf"
  "$NGINX_BIN" "${args[@]}" -g 'daemon off;' >"$dir/stdout" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
}

# --- load tools -----------------------------------------------------------------------------

# wrk_summary FILE: "REQUESTS_PER_S P99_MS ERRORS REQUESTS" from wrk --latency's output, where
# errors are socket errors plus non-2xx/3xx answers; nothing if wrk gave no result.
wrk_summary() {
  awk '
    /^ *[0-9]+ requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /^ +99%/ {
      v = $2
      if (v ~ /us$/) { sub(/us$/, "", v); p99 = v / 1000 }
      else if (v ~ /ms$/) { sub(/ms$/, "", v); p99 = v }
      else if (v ~ /m$/) { sub(/m$/, "", v); p99 = v * 60000 }
      else if (v ~ /s$/) { sub(/s$/, "", v); p99 = v * 1000 }
    }
    /Socket errors:/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errors += $5 }
    END { if (rps != "") printf "%s %s %d %d", rps, p99, errors, requests }' "$1"
}

result_field() { # FILE KEY: a key=value of ws-load's 'result' line
  awk -v key="$2" '/^result / { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == key) print kv[2] } }' "$1"
}

# report_machine_and_notes MACHINE_FILE NOTE...: a report's closing sections: the machine as
# machine_info described it at the start plus the load average now, then the notes, if any.
report_machine_and_notes() {
  local machine=$1 note
  shift
  echo "### Machine"
  echo
  echo '```'
  cat "$machine"
  echo "load avg end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo '```'
  if [ $# -gt 0 ]; then
    echo
    echo "### Notes"
    echo
    for note in "$@"; do echo "- $note"; done
  fi
}

tool_versions() { # the nginx and wrk lines of a report's machine section
  echo "nginx:       $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk:         $(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
}

# --- the proxy benchmarks against nginx (tls.sh, h2.sh) -------------------------------------
# Each measurement runs on a freshly started proxy. The caller defines:
#   nginx_proxy_config PORT   the nginx proxy's http block body, on stdout
#   wharf_config FILE PORT    the same in Wharf's form, written to FILE
#   proxy_probe PORT OUT      true once the proxy on PORT answers as it should (OUT: its answer)
#   load_run SCENARIO PORT SECONDS OUT, load_count SCENARIO OUT   (for warm_up)
# and sets WHARF_ARGS, CLK_TCK, WARMUP_SECONDS, WARMUP_MIN_CHUNKS and WARMUP_MAX_CHUNKS.

# nginx_bench_routes LISTEN KEEPALIVE WS_UPSTREAM WS_PORT ROOT_CONNECTION [UPGRADE]: the part of
# a proxy nginx's http block every proxy benchmark shares, on stdout: the upgrade map, the origin
# upstream (KEEPALIVE idle connections per worker, no request limit) and the WebSocket server's
# (WS_UPSTREAM at 127.0.0.1:WS_PORT), and one server listening on LISTEN (a listen directive's
# parameters) with "/" to the origin (Connection: ROOT_CONNECTION; with UPGRADE=upgrade the
# client's Upgrade is forwarded too) and "/ws" to the WebSocket server. The layout around it is
# the caller's, in these variables (each empty when unset):
#   BENCH_NGINX_TOP          lines before the map (with the blank line that ends them)
#   BENCH_NGINX_AFTER_MAP    lines right after the map
#   BENCH_NGINX_ORIGIN_MORE  more lines of the origin upstream
#   BENCH_NGINX_GAP          a blank line between the two upstreams when set to one
#   BENCH_NGINX_SERVER_MORE  lines after the listen line (certificates)
nginx_bench_routes() {
  local listen=$1 keepalive=$2 ws_upstream=$3 ws_port=$4 root_connection=$5 upgrade_line=""
  [ "${6:-}" != upgrade ] || upgrade_line='            proxy_set_header Upgrade $http_upgrade;'$'\n'
  printf '%s' "${BENCH_NGINX_TOP:-}"
  cat <<EOF2
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }
${BENCH_NGINX_AFTER_MAP:-}
    upstream origin {
        server 127.0.0.1:$ORIGIN_PORT;
        keepalive $keepalive;
        keepalive_requests 10000000;
${BENCH_NGINX_ORIGIN_MORE:-}    }
${BENCH_NGINX_GAP:-}    upstream $ws_upstream {
        server 127.0.0.1:$ws_port;
    }

    server {
        listen $listen;
${BENCH_NGINX_SERVER_MORE:-}
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
${upgrade_line}            proxy_set_header Connection $root_connection;
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }

        location /ws {
            proxy_pass http://$ws_upstream;
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
EOF2
}

# build_jars [JAR]: builds the data-plane and benchmark jars if missing or older than their
# sources (the scripts are not sources); with JAR (a data-plane jar to measure) only the
# benchmark jar.
jar_stale() {
  [ ! -f "$1" ] || [ -n "$(find pom.xml {proto,data-plane,benchmarks}/pom.xml \
    {proto,data-plane,benchmarks}/src -newer "$1" -type f -print -quit)" ]
}
build_jars() {
  if [ -n "${1:-}" ]; then
    jar_stale "$BENCH_JAR" || return 0
    log "building the benchmark jar"
    ./mvnw -B -q -DskipTests package -pl benchmarks -am
  elif jar_stale data-plane/target/wharf-data-plane.jar || jar_stale "$BENCH_JAR"; then
    log "building the data plane and benchmark jars"
    ./mvnw -B -q -DskipTests package -pl data-plane,benchmarks -am
  fi
}

# make_certificate DIR ecdsa|rsa: one self-signed certificate for localhost and 127.0.0.1 (the
# name the clients send as SNI) in DIR; sets CERT, KEY and KEY_DESCRIPTION.
make_certificate() {
  local key_args
  CERT="$1/cert.pem"
  KEY="$1/key.pem"
  if [ "$2" = ecdsa ]; then
    key_args=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    KEY_DESCRIPTION="ECDSA P-256"
  else
    key_args=(-newkey rsa:2048)
    KEY_DESCRIPTION="RSA 2048"
  fi
  openssl req -x509 "${key_args[@]}" -nodes -keyout "$KEY" -out "$CERT" -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    >"$1/openssl.out" 2>&1 || die "openssl could not make the certificate: $(cat "$1/openssl.out")"
}

# start_origin DIR PORT: the origin both proxies forward to: one nginx worker answering
# "hello\n" from memory, keeping the proxies' connections as long as the run (not a JVM
# competing for the cores). Sets ORIGIN_PID.
start_origin() {
  log "starting nginx (the origin) on 127.0.0.1:$2"
  start_nginx "$1" <<EOF2
    # The origin: answers from memory, and keeps the proxies' connections as long as the run.
    default_type text/plain;
    keepalive_requests 10000000;
    keepalive_timeout 600s;

    server {
        listen 127.0.0.1:$2;
        location / { return 200 "hello\\n"; }
    }
EOF2
  ORIGIN_PID=$NGINX_PID
}

# start_proxy PROXY PREFIX PORT: a fresh proxy; sets PROXY_PID (the process whose memory and
# CPU count: the JVM, or nginx's master, whose worker is PROXY_WORKER); true once proxy_probe
# succeeds, false if the proxy exits or 20 s pass first.
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
  until proxy_probe "$port" "$prefix.probe"; do
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

# wharf_engine PREFIX: the TLS engine the running Wharf reports in /metrics, with its log line.
wharf_engine() {
  local admin metric line
  admin=$(awk '/^admin: / {print $2; exit}' "$1.out")
  metric=$(curl -s --max-time 5 "http://$admin/metrics" | grep -m1 '^wharf_tls_engine_info' || true)
  line=$(grep -h -m1 -o 'TLS engine: .*' "$1.out" "$1.err" 2>/dev/null | head -1 || true)
  echo "${metric:-no wharf_tls_engine_info in /metrics}${line:+ (log: $line)}"
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
      NOTES+=("$scenario: warm-up chunk $chunk gave no result: $(tail -3 "$out.$chunk" 2>/dev/null | tr '\n' ' ')")
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

# warm_up_notes ROUND PROXY SCENARIO CPU: notes (appended to NOTES) when the last warm-up
# chunk was well above the measured CPU per request (still warming: pessimistic figures), or
# the longest warm-up was not steady.
warm_up_notes() {
  local last="${WARMUP_DETAIL##* }"
  if [ "$4" != "-" ] && awk -v m="$4" -v w="$last" 'BEGIN { exit !(w + 0 > 0 && m < w * 0.85) }'; then
    NOTES+=("round $1: $2 $3: CPU per request fell from $(awk -v w="$last" 'BEGIN { print w + 0 }') µs in the last warm-up chunk to $4 µs measured: it was still warming up, so its figures there are pessimistic")
  fi
  [[ "$WARMUP_DETAIL" != *"not steady"* ]] || NOTES+=("round $1: $2 $3: CPU per request was still changing after the longest warm-up ($WARMUP_DETAIL)")
}

# cpu_figures TICKS COUNT SECONDS: "CPU_US_EACH CORES" for a measured run.
cpu_figures() {
  awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" -v s="$3" \
    'BEGIN { printf "%.1f %.2f", t * 1e6 / hz / n, t / hz / s }'
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

# memory_before PROXY: the baseline of an idle-memory test, once the proxy's RSS is steady:
# MEM_RSS_BEFORE, and for Wharf MEM_HEAP_BEFORE (live heap after a full GC; empty if jcmd
# could not attach).
memory_before() {
  local pids
  mapfile -t pids < <(proxy_rss_pids)
  settle_rss "${pids[@]}"
  MEM_HEAP_BEFORE=""
  if [ "$1" = wharf ]; then
    MEM_HEAP_BEFORE=$(live_heap_kib "$PROXY_PID") || MEM_HEAP_BEFORE=""
    sleep 1
  fi
  MEM_RSS_BEFORE=$(rss_kib "${pids[@]}")
}

# memory_after ROUND PROXY N: with N connections open (2 s after they are), the memory per
# connection: MEM_PER (KiB: RSS growth, for Wharf plus live heap growth; "-" if N is 0) and
# MEM_DETAIL.
memory_after() {
  local pids after heap_after="" rss_per heap_per=0
  mapfile -t pids < <(proxy_rss_pids)
  sleep 2
  after=$(rss_kib "${pids[@]}")
  if [ -n "$MEM_HEAP_BEFORE" ]; then
    heap_after=$(live_heap_kib "$PROXY_PID") || heap_after=""
  fi
  MEM_PER="-"
  MEM_DETAIL="RSS $((MEM_RSS_BEFORE / 1024)) -> $((after / 1024)) MiB"
  [ "$3" -gt 0 ] || return 0
  rss_per=$(awk -v b="$MEM_RSS_BEFORE" -v a="$after" -v n="$3" 'BEGIN { printf "%.2f", (a - b) / n }')
  MEM_DETAIL="RSS $rss_per KiB/conn ($MEM_DETAIL)"
  if [ "$2" = wharf ]; then
    if [ -n "$heap_after" ]; then
      heap_per=$(awk -v b="$MEM_HEAP_BEFORE" -v a="$heap_after" -v n="$3" 'BEGIN { printf "%.2f", (a - b) / n }')
      MEM_DETAIL+=", live heap $heap_per KiB/conn ($((MEM_HEAP_BEFORE / 1024)) -> $((heap_after / 1024)) MiB)"
    else
      NOTES+=("round $1: wharf: live heap not measured (no jcmd, or it could not attach): idle memory is RSS growth only and may hide heap use")
    fi
  fi
  MEM_PER=$(awk -v r="$rss_per" -v h="$heap_per" 'BEGIN { printf "%.2f", r + h }')
}

# --- their results --------------------------------------------------------------------------
# One measurement a line of RESULTS, tab-separated:
#   ROUND SLOT SCENARIO PROXY VALUE P99_MS ERRORS COUNT CPU_US CORES LOAD1 DETAIL
# VALUE is a rate (per second) or, for an idle scenario, KiB per connection; "-" where none.

result() {
  local IFS=$'\t'
  echo "$*" >>"$RESULTS"
}

# summary_rows RESULTS SPEC: per scenario, the medians over the rounds, Wharf/nginx, the target
# and whether it is met, and each proxy's range of the rate. SPEC has a line per scenario,
# tab-separated: SCENARIO KIND LABEL UNIT TIMED EACH, KIND "load" (rows: rate in UNIT, p99 of
# TIMED, proxy CPU per EACH, cores) or "idle" (one row: KiB per connection). A ratio is only given when both
# proxies completed every round without an error: a failing proxy can look fast.
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
    function row(label, scenario, metric, higher, digits, target,    n, w, mn, mw, ratio, met, clean) {
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
    FNR == NR { kind[$1] = $2; label[$1] = $3; unit[$1] = $4; timed[$1] = $5; each[$1] = $6; order[++scenarios] = $1; next }
    {
      sc = $3; px = $4
      if ($5 == "-" || $7 != 0) failed[sc]++
      add(sc SUBSEP px SUBSEP "rate", $5); add(sc SUBSEP px SUBSEP "p99", $6)
      add(sc SUBSEP px SUBSEP "cpu", $9); add(sc SUBSEP px SUBSEP "cores", $10)
      if ($5 != "-") {
        k = sc SUBSEP px SUBSEP "rate"
        if (!(k in min) || $5 + 0 < min[k]) min[k] = $5 + 0
        if (!(k in max) || $5 + 0 > max[k]) max[k] = $5 + 0
      }
      measured[sc] = 1
    }
    END {
      for (s = 1; s <= scenarios; s++) {
        sc = order[s]
        if (!(sc in measured)) continue
        if (kind[sc] == "idle") {
          row(label[sc] ", KiB", sc, "rate", 0, 2, "<= 1")
          continue
        }
        row(label[sc] ": " unit[sc], sc, "rate", 1, 0, ">= 1")
        row(label[sc] ": " timed[sc] " p99, ms", sc, "p99", 0, 2, "<= 1")
        row(label[sc] ": proxy CPU per " each[sc] ", µs", sc, "cpu", 0, 1, "")
        row(label[sc] ": proxy CPU, cores", sc, "cores", 0, 2, "")
      }
    }' "$2" "$1"
}

# measurement_rows RESULTS: every measurement, a Markdown table row each.
measurement_rows() {
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }' "$1"
}

# result_notes RESULTS: adds to NOTES what a reader must know about the measurements: a load
# average above the cores, a proxy that used more than its one worker's core.
result_notes() {
  local busy round scenario proxy cores
  busy=$(awk -F'\t' -v cores="$(nproc)" '$11 != "-" && $11 + 0 > cores { n++ } END { print n + 0 }' "$1")
  if [ "$busy" -gt 0 ]; then
    NOTES+=("the load average exceeded the $(nproc) cores at $busy of $(wc -l <"$1") measurements: other work shared the machine, so expect wide ranges")
  fi
  while IFS=$'\t' read -r round scenario proxy cores; do
    NOTES+=("round $round: $proxy used $cores cores in $scenario: more than its one worker, so its rate there is not like for like")
  done < <(awk -F'\t' '$10 != "-" && $10 + 0 > 1.05 { print $1 "\t" $3 "\t" $4 "\t" $10 }' "$1")
}

# run_rounds FIRST SECOND: ROUNDS interleaved rounds of every scenario in SCENARIOS, FIRST going
# first in odd rounds and SECOND in even ones; `measure ROUND SLOT SCENARIO WHO` is the calling
# script's own. Notes when the rounds are too few, or odd. Sets ELAPSED (seconds).
run_rounds() {
  local first=$1 second=$2 round scenario started=$SECONDS
  local -a order
  if [ "$ROUNDS" -lt 3 ]; then
    NOTES+=("$ROUNDS round(s): too few for the ranges to show the noise; only a smoke run")
  elif [ $((ROUNDS % 2)) -eq 1 ]; then
    NOTES+=("an odd number of rounds: $first went first once more than $second")
  fi
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order=("$first" "$second"); else order=("$second" "$first"); fi
    log "round $round of $ROUNDS: ${order[0]} first"
    for scenario in "${SCENARIOS[@]}"; do
      measure "$round" 1 "$scenario" "${order[0]}"
      measure "$round" 2 "$scenario" "${order[1]}"
    done
  done
  ELAPSED=$((SECONDS - started))
}
