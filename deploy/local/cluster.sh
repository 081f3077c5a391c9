#!/usr/bin/env bash
# A local Wharf cluster of real processes on 127.0.0.1: a 3-member etcd, 2 control-plane
# replicas, 3 data-plane nodes and 2 demo backends. One command brings it up, one brings it down.
#
#   bash deploy/local/cluster.sh up|down|status
#
# Environment:
#   WHARF_LOCAL_DIR        run directory: logs, etcd data, node state, pid files, the rendered
#                          config, the addresses file (default: deploy/local/.run)
#   WHARF_LOCAL_BASE_PORT  first port of the fixed layout below (default: 17000)
#   WHARF_LOCAL_PORTS      "auto": take free ports instead of the fixed layout (tests use it)
#   WHARF_LOCAL_TIMEOUT    seconds "up" waits for the whole cluster to serve (default: 60)
#   WHARF_JAVA_OPTS        JVM flags of every Java process (default: small, quick-starting JVMs)
#   WHARF_ETCD_BIN         the etcd binary (default: etcd on PATH, else /usr/bin/etcd)
#
# Fixed port layout, BASE = WHARF_LOCAL_BASE_PORT:
#   BASE+1..3   etcd client      BASE+11..13 etcd peer
#   BASE+21..22 replica gRPC     BASE+31..32 replica metrics
#   BASE+41..42 demo backends
#   BASE+81..83 node web         BASE+91..93 node admin
#
# Only processes this script started are ever signalled: by the pid in their pid file, and only
# while that pid still runs a command that names the run directory.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd -P)

CONTROL_PLANE_JAR=$REPO/control-plane/target/wharf-control-plane.jar
DATA_PLANE_JAR=$REPO/data-plane/target/wharf-data-plane.jar
BENCH_JAR=$REPO/benchmarks/target/wharf-benchmarks.jar
TEMPLATE=$SCRIPT_DIR/cluster.yaml

RUN_DIR=$(realpath -m -- "${WHARF_LOCAL_DIR:-$SCRIPT_DIR/.run}")
# Written into a new run directory; a non-empty directory without it is never cleaned.
RUN_MARK=$RUN_DIR/.wharf-local
PID_DIR=$RUN_DIR/pids
LOG_DIR=$RUN_DIR/logs
ADDRESSES=$RUN_DIR/addresses
CONFIG=$RUN_DIR/cluster.yaml
# Every Java process carries this flag, so its command line names the run directory.
JVM_MARK=-Dwharf.local.run=$RUN_DIR

ETCD_MEMBERS=(etcd1 etcd2 etcd3)
REPLICAS=(cp1 cp2)
NODES=(node1 node2 node3)
BACKENDS=(backend1 backend2)
# Start order; "down" stops in reverse, so nodes leave before the replicas they talk to, and
# the replicas before etcd.
PARTS=("${BACKENDS[@]}" "${ETCD_MEMBERS[@]}" "${REPLICAS[@]}" "${NODES[@]}")
STOP_TIMEOUT=15

usage() {
  cat <<'EOF'
usage: bash deploy/local/cluster.sh up|down|status

  up      start etcd (3 members), 2 control-plane replicas, 3 data-plane nodes and 2 demo
          backends on 127.0.0.1; print their addresses when every node serves
  down    stop every process "up" started (SIGTERM, then SIGKILL after 15 s); keeps the logs
  status  say which parts run, where, and which config version each node serves

Environment: WHARF_LOCAL_DIR (run directory, default deploy/local/.run),
WHARF_LOCAL_BASE_PORT (default 17000), WHARF_LOCAL_PORTS=auto (free ports instead),
WHARF_LOCAL_TIMEOUT (seconds, default 60), WHARF_JAVA_OPTS, WHARF_ETCD_BIN.
See deploy/local/README.md.
EOF
}

log() {
  echo "[$(date +%H:%M:%S)] $*"
}

die() { # STATUS MESSAGE
  echo "error: $2" >&2
  exit "$1"
}

# --- processes ------------------------------------------------------------------------------

pid_file() {
  echo "$PID_DIR/$1.pid"
}

log_file() {
  echo "$LOG_DIR/$1.log"
}

# is_ours PID: PID is running (not a zombie) a command that names the run directory, i.e. one
# this script started from here, and not an unrelated process that reuses a recycled pid.
is_ours() {
  local pid=$1 stat state arg
  [[ "$pid" =~ ^[1-9][0-9]*$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  # The state follows the command name, which may hold spaces and parentheses. A zombie has
  # exited; it only waits for init to reap it.
  state=${stat##*) }
  [ "${state:0:1}" != Z ] || return 1
  while IFS= read -r -d '' arg; do
    case "$arg" in
      "$JVM_MARK" | "$RUN_DIR"/*) return 0 ;;
    esac
  done 2>/dev/null <"/proc/$pid/cmdline"
  return 1
}

# running_pid PART: prints the pid of PART if it is running; false otherwise.
running_pid() {
  local file pid
  file=$(pid_file "$1")
  [ -f "$file" ] || return 1
  read -r pid <"$file" || return 1
  is_ours "$pid" || return 1
  echo "$pid"
}

# start_part PART COMMAND...: runs COMMAND in the background, detached from this script's
# terminal and output (so "up" can return while it runs), logging to logs/PART.log.
start_part() {
  local part=$1 pid
  shift
  (
    # The parts read WHARF_* and ETCD_* variables as defaults for their flags; a stray one in the
    # caller's environment (a TLS certificate, another etcd) must not change the local cluster.
    for var in $(compgen -e); do
      case "$var" in WHARF_* | ETCD_*) unset "$var" ;; esac
    done
    if [ "$(uname -m)" = aarch64 ]; then
      export ETCD_UNSUPPORTED_ARCH=arm64 # etcd 3.4 refuses arm64 without it
    fi
    exec nohup "$@" </dev/null >"$(log_file "$part")" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$(pid_file "$part")"
  STARTED+=("$part")
  # Until the subshell has exec'd, its command line is this script's, which is_ours does not
  # recognise: "up" would take it for exited, and "down" would leave it running.
  local deadline=$((SECONDS + 10))
  while ! is_ours "$pid" && [ -d "/proc/$pid" ] && [ $SECONDS -lt $deadline ]; do sleep 0.01; done
}

# stop_parts PART...: SIGTERM to each running one, SIGKILL to any still running after
# STOP_TIMEOUT seconds; removes their pid files. Parts are stopped in the order given, in groups
# of the same kind, so nodes are gone before the replicas and the replicas before etcd. etcd
# members go one at a time: stopped together, they pass the leadership back and forth and the
# last one waits for a quorum that is gone (7 s here); one by one, each takes a fraction of a
# second.
stop_parts() {
  local group=() part kind="" next
  for part in "$@" ""; do
    next=${part%%[0-9]*}
    if [ -n "$kind" ] && { [ "$next" != "$kind" ] || [ "$kind" = etcd ]; }; then
      stop_group "${group[@]}"
      group=()
    fi
    kind=$next
    [ -z "$part" ] || group+=("$part")
  done
}

stop_group() {
  local part pid pids=() names=() deadline i
  for part in "$@"; do
    if pid=$(running_pid "$part"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
      names+=("$part")
    fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  for i in "${!pids[@]}"; do
    while is_ours "${pids[$i]}" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if is_ours "${pids[$i]}"; then
      echo "${names[$i]} (pid ${pids[$i]}) did not stop within ${STOP_TIMEOUT} s: SIGKILL" >&2
      kill -KILL "${pids[$i]}" 2>/dev/null || true
      deadline=$((SECONDS + 10))
      while is_ours "${pids[$i]}" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
      if is_ours "${pids[$i]}"; then
        echo "${names[$i]} (pid ${pids[$i]}) is still there 10 s after SIGKILL" >&2
      fi
    fi
  done
  for part in "$@"; do
    rm -f "$(pid_file "$part")"
  done
}

reverse() {
  local i
  for ((i = $# ; i > 0 ; i--)); do echo "${!i}"; done
}

# --- checks ---------------------------------------------------------------------------------

http_status() { # URL: the status code, 000 when nothing answered
  curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" 2>/dev/null || true
}

http_body() { # URL
  curl -s --max-time 2 "$1" 2>/dev/null || true
}

etcd_healthy() { # CLIENT_PORT
  [[ "$(http_body "http://127.0.0.1:$1/health")" == *'"health":"true"'* ]]
}

backend_serves() { # PORT
  [ "$(http_body "http://127.0.0.1:$1/")" = hello ]
}

replica_ready() { # METRICS_PORT: it serves a config version
  [ "$(http_status "http://127.0.0.1:$1/readyz")" = 200 ]
}

node_serves() { # ADMIN_PORT WEB_PORT: a config is applied and /api/ reaches a backend
  [ "$(http_status "http://127.0.0.1:$1/readyz")" = 200 ] \
    && [ "$(http_status "http://127.0.0.1:$2/api/x")" = 200 ]
}

node_version() { # ADMIN_PORT
  http_body "http://127.0.0.1:$1/config/version" | sed -n 's/.*"version":\([0-9][0-9]*\).*/\1/p'
}

port_in_use() { # PORT: something accepts connections on it
  (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# fail PART MESSAGE: says what went wrong with the tail of PART's log; the EXIT trap of "up"
# then stops everything started so far.
fail() {
  local log
  log=$(log_file "$1")
  echo "error: $1: $2" >&2
  if [ -s "$log" ]; then
    echo "---- last 20 lines of $log" >&2
    tail -n 20 "$log" >&2
    echo "----" >&2
  fi
  exit 1
}

# await PART WHAT CHECK ARGS...: polls CHECK until it passes; fails when PART exits or the
# deadline of "up" passes first.
await() {
  local part=$1 what=$2 pid
  shift 2
  read -r pid <"$(pid_file "$part")"
  while ! "$@"; do
    if ! is_ours "$pid"; then
      fail "$part" "exited before it $what"
    fi
    if [ $SECONDS -ge "$DEADLINE" ]; then
      fail "$part" "has not $what within ${TIMEOUT} s of starting the cluster"
    fi
    sleep 0.2
  done
}

require_jars() {
  local jar missing=()
  for jar in "$CONTROL_PLANE_JAR" "$DATA_PLANE_JAR" "$BENCH_JAR"; do
    [ -f "$jar" ] || missing+=("${jar#"$REPO"/}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "error: missing ${missing[*]}" >&2
    echo "build the jars first, from $REPO: ./mvnw -B -DskipTests package" >&2
    exit 2
  fi
}

require_tools() {
  ETCD_BIN=${WHARF_ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}
  [ -x "$ETCD_BIN" ] || die 2 "etcd not found at $ETCD_BIN (Debian: apt-get install -y etcd-server;
  the package also starts a system etcd on port 2379, which this script never uses)"
  command -v java >/dev/null 2>&1 || die 2 "java not found (a JDK 17 or newer is needed)"
  command -v curl >/dev/null 2>&1 || die 2 "curl not found (Debian: apt-get install -y curl)"
}

# --- ports ----------------------------------------------------------------------------------

# Sets the port arrays, from the fixed layout or from free ports.
choose_ports() {
  local base ports=()
  if [ "${WHARF_LOCAL_PORTS:-}" = auto ]; then
    # Free now, bound seconds later. Linux hands out odd ports to bind(0) and even ones to
    # connect(), so the connections made while the cluster starts do not take them meanwhile.
    mapfile -t ports < <(java "${JAVA_OPTS[@]}" -jar "$BENCH_JAR" free-ports 18)
    [ ${#ports[@]} -eq 18 ] || die 1 "could not get 18 free ports from $BENCH_JAR free-ports"
  elif [ -n "${WHARF_LOCAL_PORTS:-}" ]; then
    die 2 "WHARF_LOCAL_PORTS: ${WHARF_LOCAL_PORTS} (expected: auto, or unset for the fixed layout)"
  else
    base=${WHARF_LOCAL_BASE_PORT:-17000}
    if ! [[ "$base" =~ ^[1-9][0-9]*$ ]] || [ "$base" -lt 1024 ] || [ "$base" -gt 65400 ]; then
      die 2 "WHARF_LOCAL_BASE_PORT: $base (expected: 1024 to 65400)"
    fi
    ports=($((base + 1)) $((base + 2)) $((base + 3)) $((base + 11)) $((base + 12)) $((base + 13))
      $((base + 21)) $((base + 22)) $((base + 31)) $((base + 32)) $((base + 41)) $((base + 42))
      $((base + 81)) $((base + 82)) $((base + 83)) $((base + 91)) $((base + 92)) $((base + 93)))
  fi
  ETCD_CLIENT=("${ports[@]:0:3}")
  ETCD_PEER=("${ports[@]:3:3}")
  CP_DISCOVERY=("${ports[@]:6:2}")
  CP_METRICS=("${ports[@]:8:2}")
  BACKEND_PORT=("${ports[@]:10:2}")
  NODE_WEB=("${ports[@]:12:3}")
  NODE_ADMIN=("${ports[@]:15:3}")
  local port
  for port in "${ports[@]}"; do
    if port_in_use "$port"; then
      die 1 "port $port is in use; another cluster or program has it (choose other ports with
  WHARF_LOCAL_BASE_PORT=N or WHARF_LOCAL_PORTS=auto)"
    fi
  done
}

write_addresses() {
  local i
  {
    echo "# Written by deploy/local/cluster.sh up: KEY=VALUE lines, safe to source."
    echo "ETCD_ENDPOINTS=$(etcd_endpoints)"
    for i in 0 1 2; do
      echo "ETCD$((i + 1))_CLIENT=127.0.0.1:${ETCD_CLIENT[$i]}"
      echo "ETCD$((i + 1))_PEER=127.0.0.1:${ETCD_PEER[$i]}"
    done
    echo "CONTROL_PLANE=127.0.0.1:${CP_DISCOVERY[0]},127.0.0.1:${CP_DISCOVERY[1]}"
    for i in 0 1; do
      echo "CP$((i + 1))_DISCOVERY=127.0.0.1:${CP_DISCOVERY[$i]}"
      echo "CP$((i + 1))_METRICS=127.0.0.1:${CP_METRICS[$i]}"
    done
    for i in 0 1 2; do
      echo "NODE$((i + 1))_WEB=127.0.0.1:${NODE_WEB[$i]}"
      echo "NODE$((i + 1))_ADMIN=127.0.0.1:${NODE_ADMIN[$i]}"
    done
    for i in 0 1; do
      echo "BACKEND$((i + 1))=127.0.0.1:${BACKEND_PORT[$i]}"
    done
  } >"$ADDRESSES.tmp"
  mv "$ADDRESSES.tmp" "$ADDRESSES"
}

etcd_endpoints() {
  echo "http://127.0.0.1:${ETCD_CLIENT[0]},http://127.0.0.1:${ETCD_CLIENT[1]},http://127.0.0.1:${ETCD_CLIENT[2]}"
}

# Reads the addresses file into ADDR[KEY]; false if there is none.
read_addresses() {
  local key value
  declare -gA ADDR=()
  [ -f "$ADDRESSES" ] || return 1
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^[A-Z0-9_]+$ ]] && ADDR[$key]=$value
  done <"$ADDRESSES"
}

# --- commands -------------------------------------------------------------------------------

cmd_up() {
  require_jars
  require_tools
  local start=$SECONDS
  read -r -a JAVA_OPTS <<<"${WHARF_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
  TIMEOUT=${WHARF_LOCAL_TIMEOUT:-60}
  [[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die 2 "WHARF_LOCAL_TIMEOUT: $TIMEOUT (expected: seconds > 0)"

  local part running=()
  if [ -d "$PID_DIR" ]; then
    for part in "${PARTS[@]}"; do
      running_pid "$part" >/dev/null && running+=("$part")
    done
  fi
  if [ ${#running[@]} -gt 0 ]; then
    die 1 "a cluster from $RUN_DIR is already up (${running[*]} running); stop it first: bash $0 down"
  fi
  if [ -d "$RUN_DIR" ] && [ ! -f "$RUN_MARK" ] && [ -n "$(ls -A "$RUN_DIR")" ]; then
    die 2 "$RUN_DIR is not empty and was not made by this script; choose another WHARF_LOCAL_DIR"
  fi
  # Every "up" is a new cluster: a fresh etcd gets the template committed at bootstrap.
  mkdir -p "$RUN_DIR"
  touch "$RUN_MARK"
  rm -rf "$PID_DIR" "$LOG_DIR" "$RUN_DIR/etcd" "$RUN_DIR/nodes" "$ADDRESSES" "$CONFIG"
  mkdir -p "$PID_DIR" "$LOG_DIR" "$RUN_DIR/etcd" "$RUN_DIR/nodes"

  choose_ports
  sed -e "s|@BACKEND1@|127.0.0.1:${BACKEND_PORT[0]}|" -e "s|@BACKEND2@|127.0.0.1:${BACKEND_PORT[1]}|" \
    -e "s|@WEB_PORT@|${NODE_WEB[0]}|" "$TEMPLATE" >"$CONFIG"

  STARTED=()
  DEADLINE=$((SECONDS + TIMEOUT))
  trap on_up_exit EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  log "starting a local Wharf cluster in $RUN_DIR"

  local i java=(java "${JAVA_OPTS[@]}" "$JVM_MARK" -jar)
  for i in 0 1; do
    start_part "${BACKENDS[$i]}" "${java[@]}" "$BENCH_JAR" backend "${BACKEND_PORT[$i]}"
  done

  local initial_cluster="" token
  for i in 0 1 2; do
    initial_cluster+="${initial_cluster:+,}${ETCD_MEMBERS[$i]}=http://127.0.0.1:${ETCD_PEER[$i]}"
  done
  token="wharf-local-$$-$(date +%s)"
  for i in 0 1 2; do
    start_part "${ETCD_MEMBERS[$i]}" "$ETCD_BIN" \
      --name "${ETCD_MEMBERS[$i]}" \
      --data-dir "$RUN_DIR/etcd/${ETCD_MEMBERS[$i]}" \
      --listen-client-urls "http://127.0.0.1:${ETCD_CLIENT[$i]}" \
      --advertise-client-urls "http://127.0.0.1:${ETCD_CLIENT[$i]}" \
      --listen-peer-urls "http://127.0.0.1:${ETCD_PEER[$i]}" \
      --initial-advertise-peer-urls "http://127.0.0.1:${ETCD_PEER[$i]}" \
      --initial-cluster "$initial_cluster" \
      --initial-cluster-state new \
      --initial-cluster-token "$token" \
      --logger zap --log-outputs stderr
  done
  for i in 0 1; do
    await "${BACKENDS[$i]}" "answered on 127.0.0.1:${BACKEND_PORT[$i]}" backend_serves "${BACKEND_PORT[$i]}"
  done
  for i in 0 1 2; do
    await "${ETCD_MEMBERS[$i]}" "was healthy on 127.0.0.1:${ETCD_CLIENT[$i]}" etcd_healthy "${ETCD_CLIENT[$i]}"
  done
  log "etcd is healthy; starting the control-plane replicas"

  for i in 0 1; do
    start_part "${REPLICAS[$i]}" "${java[@]}" "$CONTROL_PLANE_JAR" \
      --listen "127.0.0.1:${CP_DISCOVERY[$i]}" \
      --metrics "127.0.0.1:${CP_METRICS[$i]}" \
      --etcd "$(etcd_endpoints)" \
      --etcd-prefix /wharf \
      --replica-id "${REPLICAS[$i]}" \
      --bootstrap-config "$CONFIG"
  done
  for i in 0 1; do
    await "${REPLICAS[$i]}" "served a config version (GET /readyz on 127.0.0.1:${CP_METRICS[$i]})" \
      replica_ready "${CP_METRICS[$i]}"
  done
  log "the replicas serve a config; starting the nodes"

  local targets
  for i in 0 1 2; do
    # Each node tries the replicas in its own order, so the streams spread over both.
    if [ $((i % 2)) -eq 0 ]; then
      targets="127.0.0.1:${CP_DISCOVERY[0]},127.0.0.1:${CP_DISCOVERY[1]}"
    else
      targets="127.0.0.1:${CP_DISCOVERY[1]},127.0.0.1:${CP_DISCOVERY[0]}"
    fi
    mkdir -p "$RUN_DIR/nodes/${NODES[$i]}"
    start_part "${NODES[$i]}" "${java[@]}" "$DATA_PLANE_JAR" \
      --control-plane "$targets" \
      --node-id "${NODES[$i]}" \
      --state-dir "$RUN_DIR/nodes/${NODES[$i]}" \
      --admin "127.0.0.1:${NODE_ADMIN[$i]}" \
      --listener-port "web=${NODE_WEB[$i]}"
  done
  for i in 0 1 2; do
    await "${NODES[$i]}" "served /api/ from a backend (ready on 127.0.0.1:${NODE_ADMIN[$i]}, GET http://127.0.0.1:${NODE_WEB[$i]}/api/x)" \
      node_serves "${NODE_ADMIN[$i]}" "${NODE_WEB[$i]}"
  done

  write_addresses
  UP_OK=yes
  log "the cluster is up ($((SECONDS - start)) s)"
  echo
  print_table
}

on_up_exit() {
  local status=$?
  trap - EXIT INT TERM
  if [ "${UP_OK:-}" != yes ] && [ ${#STARTED[@]} -gt 0 ]; then
    echo "stopping what was started: ${STARTED[*]}" >&2
    mapfile -t STARTED < <(reverse "${STARTED[@]}")
    stop_parts "${STARTED[@]}"
    echo "logs kept in $LOG_DIR" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
}

print_table() {
  local i
  printf '  %-10s %-24s %s\n' PART ADDRESS ALSO
  for i in 0 1 2; do
    printf '  %-10s %-24s %s\n' "${ETCD_MEMBERS[$i]}" "127.0.0.1:${ETCD_CLIENT[$i]}" \
      "etcd client; peer 127.0.0.1:${ETCD_PEER[$i]}"
  done
  for i in 0 1; do
    printf '  %-10s %-24s %s\n' "${REPLICAS[$i]}" "127.0.0.1:${CP_DISCOVERY[$i]}" \
      "discovery (gRPC); metrics http://127.0.0.1:${CP_METRICS[$i]}/metrics"
  done
  for i in 0 1 2; do
    printf '  %-10s %-24s %s\n' "${NODES[$i]}" "http://127.0.0.1:${NODE_WEB[$i]}/" \
      "admin http://127.0.0.1:${NODE_ADMIN[$i]}/ (/readyz, /config, /metrics)"
  done
  for i in 0 1; do
    printf '  %-10s %-24s %s\n' "${BACKENDS[$i]}" "127.0.0.1:${BACKEND_PORT[$i]}" \
      "demo backend: 200 hello, WebSocket echo on /ws"
  done
  cat <<EOF

Try:        curl http://127.0.0.1:${NODE_WEB[0]}/api/hello
            curl http://127.0.0.1:${NODE_WEB[1]}/
Addresses:  $ADDRESSES (KEY=VALUE, for scripts)
Logs:       $LOG_DIR/
Stop:       ${WHARF_LOCAL_DIR:+WHARF_LOCAL_DIR=$WHARF_LOCAL_DIR }bash $0 down
EOF
}

cmd_down() {
  local part parts=() stale=()
  if [ ! -d "$PID_DIR" ]; then
    echo "no local cluster is running from $RUN_DIR (nothing to stop)"
    return 0
  fi
  for part in "${PARTS[@]}"; do
    if running_pid "$part" >/dev/null; then
      parts+=("$part")
    elif [ -f "$(pid_file "$part")" ]; then
      stale+=("$part")
      rm -f "$(pid_file "$part")"
    fi
  done
  if [ ${#parts[@]} -eq 0 ]; then
    echo "the local cluster in $RUN_DIR is already down${stale[*]:+ (removed stale pid files of ${stale[*]})}"
    return 0
  fi
  mapfile -t parts < <(reverse "${parts[@]}")
  log "stopping ${parts[*]}"
  stop_parts "${parts[@]}"
  log "the local cluster is down; logs kept in $LOG_DIR"
}

cmd_status() {
  local part pid state detail address up_count=0 version
  if ! read_addresses; then
    echo "no local cluster in $RUN_DIR (bash $0 up starts one)"
    return 3
  fi
  printf '%-10s %-8s %-8s %-22s %s\n' PART STATE PID ADDRESS DETAIL
  for part in "${PARTS[@]}"; do
    if pid=$(running_pid "$part"); then
      state=running
    else
      state=stopped
      pid=-
    fi
    detail=""
    case "$part" in
      etcd*)
        address=${ADDR[${part^^}_CLIENT]}
        if [ "$state" = running ]; then
          etcd_healthy "${address##*:}" && detail="healthy" || detail="not healthy"
        fi
        ;;
      cp*)
        address=${ADDR[${part^^}_DISCOVERY]}
        detail="metrics ${ADDR[${part^^}_METRICS]}"
        if [ "$state" = running ]; then
          replica_ready "${ADDR[${part^^}_METRICS]##*:}" && detail+=", ready" || detail+=", not ready"
        fi
        ;;
      node*)
        address=${ADDR[${part^^}_WEB]}
        detail="admin ${ADDR[${part^^}_ADMIN]}"
        if [ "$state" = running ]; then
          version=$(node_version "${ADDR[${part^^}_ADMIN]##*:}")
          detail+=", version ${version:-none}"
        fi
        ;;
      backend*)
        address=${ADDR[${part^^}]}
        ;;
    esac
    [ "$state" = stopped ] || up_count=$((up_count + 1))
    printf '%-10s %-8s %-8s %-22s %s\n' "$part" "$state" "$pid" "$address" "$detail"
  done
  echo "$up_count of ${#PARTS[@]} parts running (run dir $RUN_DIR)"
  [ "$up_count" -eq ${#PARTS[@]} ] || return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
