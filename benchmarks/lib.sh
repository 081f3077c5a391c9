# Shell functions shared by the benchmark scripts (run.sh, ab.sh, fleet.sh). Sourced, not run:
# the caller has set -euo pipefail and changed to the repository's root first. Whatever a
# function starts it adds to PIDS, and cleanup (installed by install_cleanup) stops it by pid.

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

# start_nginx DIR: Debian's nginx (require_nginx_wrk_java first), one worker, no access log, its
# prefix, pid, logs and temp files in DIR, run as the invoking user with daemon off; the body of
# its http block is read from stdin. Sets NGINX_PID.
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
worker_processes 1;
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
