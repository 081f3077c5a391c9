#!/usr/bin/env bash
# Wharf against nginx on this machine, in one run: the same backend behind each proxy, one worker
# thread each, measured in turn (nginx, then Wharf) for R rounds:
#   - HTTP:       wrk -t1 -c50 --latency on a 6-byte response: requests/s, p99
#   - WebSocket:  ws-load echo, 50 connections, closed loop, 64-byte messages: messages/s, p99
#   - idle:       RSS of the proxy before and after 5,000 idle WebSockets: KiB per connection
# Prints a Markdown report and writes it to benchmarks/results/latest.md (not committed).
#
#   bash benchmarks/run.sh [--quick] [--rounds N] [--idle-connections N]
#
# Needs a JDK 17+, nginx and wrk (Debian: apt-get install -y nginx wrk). Everything it starts
# binds 127.0.0.1 on ephemeral ports and is stopped by pid when it exits.
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
# shellcheck source=benchmarks/lib.sh
source benchmarks/lib.sh

usage() {
  cat <<'EOF'
usage: bash benchmarks/run.sh [--quick] [--rounds N] [--idle-connections N]

  --quick               1 round, 5 s per throughput test (a smoke run, about a minute)
  --rounds N            rounds of every test (default 3; medians are reported)
  --idle-connections N  idle WebSockets for the memory test (default 5000)
EOF
}

ROUNDS=3
HTTP_SECONDS=15
WS_SECONDS=15
WARMUP_SECONDS=5
IDLE_CONNECTIONS=5000
MODE=full
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick; ROUNDS=1; HTTP_SECONDS=5; WS_SECONDS=5; WARMUP_SECONDS=2 ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --idle-connections) IDLE_CONNECTIONS=${2:?--idle-connections needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "--rounds: $ROUNDS (expected: >= 1)" >&2; exit 2; }
[[ "$IDLE_CONNECTIONS" =~ ^[1-9][0-9]*$ ]] \
  || { echo "--idle-connections: $IDLE_CONNECTIONS (expected: >= 1)" >&2; exit 2; }

HTTP_CONNECTIONS=50
WS_CONNECTIONS=50
WS_MESSAGE_BYTES=64
DATA_PLANE_JAR=data-plane/target/wharf-data-plane.jar

# --- tools ----------------------------------------------------------------------------------

require_nginx_wrk_java

# Idle WebSockets cost a socket in the client and the backend and two in the proxy.
raise_nofile
MAX_IDLE=$(( (NOFILE - 500) / 2 ))
IDLE_NOTE=""
if [ "$IDLE_CONNECTIONS" -gt "$MAX_IDLE" ]; then
  IDLE_NOTE="idle test reduced from $IDLE_CONNECTIONS to $MAX_IDLE connections: open files limit is $NOFILE"
  IDLE_CONNECTIONS=$MAX_IDLE
fi

# --- build ----------------------------------------------------------------------------------

stale() {
  [ ! -f "$1" ] || [ -n "$(find pom.xml proto data-plane benchmarks \
    \( -path '*/target' -o -path benchmarks/results \) -prune -o -newer "$1" -type f -print -quit)" ]
}
if stale "$DATA_PLANE_JAR" || stale "$BENCH_JAR"; then
  log "building the data plane and benchmark jars"
  ./mvnw -B -q -DskipTests package -pl data-plane,benchmarks -am
fi

# --- processes ------------------------------------------------------------------------------

install_cleanup wharf-bench

mapfile -t PORTS < <(bench free-ports 2)
NGINX_PORT=${PORTS[0]}
WHARF_PORT=${PORTS[1]}

log "starting the backend"
start_backend "$WORK/backend"

# --- nginx ----------------------------------------------------------------------------------

log "starting nginx on 127.0.0.1:$NGINX_PORT"
start_nginx "$WORK/nginx" <<EOF
    # The seeds' WebSocket reverse proxy.
    map \$http_upgrade \$connection_upgrade {
        default upgrade;
        ''      close;
    }

    upstream backend {
        server 127.0.0.1:$BACKEND_PORT;
        keepalive 32;
    }

    server {
        listen 127.0.0.1:$NGINX_PORT;

        # As the seeds write it: the upgrade headers on every proxied location. A plain request
        # has no Upgrade header, so Connection becomes "close" and upstream keep-alive is off.
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }

        # Not in the seeds: nginx as its documentation tunes it for upstream keep-alive, so
        # Wharf is also compared with nginx at its best on plain HTTP.
        location /keepalive/ {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }

        location /ws {
            proxy_pass http://backend;
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
bench probe "http://127.0.0.1:$NGINX_PORT/" 15 >"$WORK/nginx/probe" \
  || die "nginx does not proxy to the backend: $(cat "$WORK/nginx/probe" "$WORK/nginx/error.log")"

# --- Wharf ----------------------------------------------------------------------------------

cat >"$WORK/wharf.yaml" <<EOF
# Generated by benchmarks/run.sh: the nginx config beside it, in Wharf's form. Wharf forwards
# upgrades on every proxy route and keeps upstream keep-alive for plain requests, so the seeds'
# map and Upgrade/Connection headers have no counterpart here.
listeners:
  - name: bench
    address: 127.0.0.1
    port: $WHARF_PORT

upstreams:
  - name: backend
    endpoints:
      - address: 127.0.0.1:$BACKEND_PORT
    pool:
      max_idle_per_endpoint: 32

routes:
  - name: root
    match:
      path: {prefix: /}
    proxy:
      upstream: backend
    request_headers:
      set:
        - {name: Host, value: \$host}
        - {name: X-Real-IP, value: \$remote_addr}
        - {name: X-Forwarded-For, value: \$proxy_add_x_forwarded_for}

  - name: ws
    match:
      path: {prefix: /ws}
    proxy:
      upstream: backend
      read_timeout: 3600s
      send_timeout: 3600s
      websocket: {idle_timeout: 1h}
    request_headers:
      set:
        - {name: Host, value: \$host}
        - {name: X-Real-IP, value: \$remote_addr}
        - {name: X-Forwarded-For, value: \$proxy_add_x_forwarded_for}
EOF

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
note() {
  log "$1"
  printf 'note\t%s\n' "$1" >>"$RESULTS"
}
record() { # ROUND PROXY METRIC VALUE
  printf '%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
}
[ -z "$IDLE_NOTE" ] || note "$IDLE_NOTE"

WHARF_PID=""
WHARF_HTTP=no
WHARF_WS=no
if ! java -jar "$DATA_PLANE_JAR" --config "$WORK/wharf.yaml" --check >"$WORK/wharf-check.out" 2>&1; then
  note "wharf: not measured: the generated config was refused: $(tr '\n' ' ' <"$WORK/wharf-check.out")"
else
  log "starting Wharf on 127.0.0.1:$WHARF_PORT"
  # StartAttachListener: jcmd (live heap, see run_idle) attaches without a SIGQUIT handshake,
  # which a JVM started in the background of a script may not answer.
  WHARF_JVM_FLAGS+=(-XX:+StartAttachListener)
  if ! start_wharf "$WORK/wharf" "$DATA_PLANE_JAR" "$WORK/wharf.yaml" --workers 1 \
      --admin 127.0.0.1:0; then
    note "wharf: not measured: it did not start: $(tail -5 "$WORK/wharf.err" | tr '\n' ' ')"
  else
    if bench probe "http://127.0.0.1:$WHARF_PORT/" 5 >"$WORK/wharf-probe.out"; then
      WHARF_HTTP=yes
    else
      note "wharf: proxy not available in this build (GET / answered $(cat "$WORK/wharf-probe.out")); HTTP not measured"
    fi
    if timeout -k 5 60 java -jar "$BENCH_JAR" ws-load echo --url "ws://127.0.0.1:$WHARF_PORT/ws" \
        --connections 1 --duration 1s >"$WORK/wharf-ws-probe.out" 2>&1; then
      WHARF_WS=yes
    else
      note "wharf: WebSocket proxy not available in this build ($(grep -m1 '^first problem' "$WORK/wharf-ws-probe.out" || tail -1 "$WORK/wharf-ws-probe.out")); WebSocket tests not measured"
    fi
  fi
fi
if [ "$WHARF_HTTP" = no ] && [ "$WHARF_WS" = no ]; then
  log "wharf: proxy not available in this build: only nginx is measured"
fi

# --- machine --------------------------------------------------------------------------------

{
  machine_info
  tool_versions
  echo "open files:  $NOFILE"
} >"$WORK/machine.txt"
{
  printf 'info\tcommand\t`bash benchmarks/run.sh%s`\n' "$([ "$MODE" = quick ] && echo ' --quick')"
  printf 'info\trounds\t%s (nginx, then Wharf, in each round)\n' "$ROUNDS"
  printf 'info\tHTTP\twrk -t1 -c%s -d%ss --latency, GET / (6-byte body)\n' "$HTTP_CONNECTIONS" "$HTTP_SECONDS"
  printf 'info\tWebSocket echo\t%s connections, closed loop, %s-byte text messages, %s s\n' \
    "$WS_CONNECTIONS" "$WS_MESSAGE_BYTES" "$WS_SECONDS"
  printf 'info\tidle WebSockets\t%s; per connection: growth of the proxy'"'"'s RSS (nginx: master and a fresh worker), for Wharf plus the growth of its live heap after a full GC\n' "$IDLE_CONNECTIONS"
  printf 'info\tproxies\tnginx: worker_processes 1; Wharf: --workers 1, %s\n' "${WHARF_JVM_FLAGS[*]}"
} >>"$RESULTS"

# --- measurements ---------------------------------------------------------------------------

# run_wrk ROUND PROXY PREFIX URL SECONDS: records PREFIX_rps, PREFIX_p99_ms, PREFIX_errors.
run_wrk() {
  local round=$1 proxy=$2 prefix=$3 url=$4 seconds=$5 out parsed
  out="$WORK/wrk-$round-$proxy-$prefix.txt"
  timeout -k 5 $((seconds + 30)) wrk -t1 -c"$HTTP_CONNECTIONS" -d"${seconds}s" --latency "$url" \
    >"$out" 2>&1 || true
  parsed=$(wrk_summary "$out")
  if [ -z "$parsed" ]; then
    note "round $round: $proxy: wrk on $url gave no result: $(tail -3 "$out" | tr '\n' ' ')"
    return
  fi
  read -r rps p99 errors _ <<<"$parsed"
  [ "$round" = warmup ] && return
  record "$round" "$proxy" "${prefix}_rps" "$rps"
  record "$round" "$proxy" "${prefix}_p99_ms" "$p99"
  record "$round" "$proxy" "${prefix}_errors" "$errors"
  log "round $round: $proxy $url: $rps req/s, p99 $p99 ms, $errors errors"
}

# run_echo ROUND PROXY URL SECONDS: records ws_mps, ws_p99_ms, ws_errors.
run_echo() {
  local round=$1 proxy=$2 url=$3 seconds=$4 out rate p99_us failures
  out="$WORK/echo-$round-$proxy.txt"
  timeout -k 5 $((seconds + 90)) java -Xms256m -Xmx256m -XX:+UseSerialGC -jar "$BENCH_JAR" \
    ws-load echo --url "$url" --connections "$WS_CONNECTIONS" --duration "${seconds}s" \
    --size "$WS_MESSAGE_BYTES" >"$out" 2>&1 || true
  rate=$(result_field "$out" rate)
  if [ -z "$rate" ]; then
    note "round $round: $proxy: ws-load echo gave no result: $(tail -3 "$out" | tr '\n' ' ')"
    return
  fi
  [ "$round" = warmup ] && return
  p99_us=$(result_field "$out" p99_us)
  failures=$(( $(result_field "$out" handshake_failures) + $(result_field "$out" abnormal_closes) \
    + $(result_field "$out" errors) ))
  record "$round" "$proxy" ws_mps "$rate"
  record "$round" "$proxy" ws_p99_ms "$(awk -v us="$p99_us" 'BEGIN { printf "%.3f", us / 1000 }')"
  record "$round" "$proxy" ws_errors "$failures"
  grep -q '^first problem' "$out" && note "round $round: $proxy echo: $(grep -m1 '^first problem' "$out")"
  log "round $round: $proxy WebSocket echo: $rate msg/s, p99 ${p99_us} us, $failures failures"
}

# Replaces nginx's worker (SIGHUP starts a new one, the old one exits) so that memory freed by an
# earlier round cannot be reused and hide what the idle connections cost.
fresh_nginx_worker() {
  local old new deadline
  old=$(children_of "$NGINX_PID" | tr '\n' ' ')
  kill -HUP "$NGINX_PID"
  deadline=$((SECONDS + 20))
  while [ $SECONDS -lt $deadline ]; do
    new=$(children_of "$NGINX_PID" | tr '\n' ' ')
    if [ -n "$new" ] && [ "$new" != "$old" ] && [ "$(wc -w <<<"$new")" -eq 1 ]; then
      return 0
    fi
    sleep 0.2
  done
  note "nginx: the worker was not replaced within 20 s; idle memory measured on the old one"
}

# run_idle ROUND PROXY URL JVM PID...: opens the idle WebSockets through the proxy whose processes
# are PID...; records idle_kib (per connection: RSS growth, plus live heap growth if JVM is yes),
# the RSS around it and idle_errors.
run_idle() {
  local round=$1 proxy=$2 url=$3 jvm=$4 pids before after heap_before="" heap_after="" opened
  local hold out load status=0 failures rss_kib_per heap_kib_per=0
  shift 4
  pids=("$@")
  out="$WORK/idle-$round-$proxy.txt"
  hold="$WORK/hold-$round-$proxy"
  sleep 2
  if [ "$jvm" = yes ] && [ -n "$JCMD" ]; then
    heap_before=$(live_heap_kib "${pids[0]}") || heap_before=""
    sleep 1
  fi
  before=$(rss_kib "${pids[@]}")
  : >"$hold"
  java -Xms512m -Xmx512m -XX:+UseSerialGC -jar "$BENCH_JAR" ws-load idle --url "$url" \
    --connections "$IDLE_CONNECTIONS" --hold-file "$hold" --max-hold 10m >"$out" 2>&1 &
  load=$!
  PIDS+=("$load")
  if ! wait_for_line "$out" '^ready [0-9]+' 300 "$load"; then
    rm -f "$hold"
    wait_for_exit "$load" 30 || true
    note "round $round: $proxy: idle connections did not open: $(tail -3 "$out" | tr '\n' ' ')"
    return
  fi
  sleep 2
  after=$(rss_kib "${pids[@]}")
  if [ -n "$heap_before" ]; then
    heap_after=$(live_heap_kib "${pids[0]}") || heap_after=""
  fi
  opened=$(awk '/^ready / {print $2; exit}' "$out")
  rm -f "$hold"
  wait_for_exit "$load" 60 || status=$?
  if [ -n "$(result_field "$out" errors)" ]; then
    failures=$(( $(result_field "$out" handshake_failures) + $(result_field "$out" abnormal_closes) \
      + $(result_field "$out" errors) ))
  else
    failures=1
    note "round $round: $proxy: ws-load idle ended with status $status and no result: $(tail -2 "$out" | tr '\n' ' ')"
  fi
  if [ "$opened" -gt 0 ]; then
    rss_kib_per=$(awk -v b="$before" -v a="$after" -v n="$opened" 'BEGIN { printf "%.2f", (a - b) / n }')
    record "$round" "$proxy" idle_rss_kib "$rss_kib_per"
    if [ "$jvm" = yes ]; then
      if [ -n "$heap_after" ]; then
        heap_kib_per=$(awk -v b="$heap_before" -v a="$heap_after" -v n="$opened" \
          'BEGIN { printf "%.2f", (a - b) / n }')
        record "$round" "$proxy" idle_heap_kib "$heap_kib_per"
      else
        note "round $round: $proxy: live heap not measured (no jcmd, or it could not attach): idle memory is RSS growth only and may hide heap use"
      fi
    fi
    record "$round" "$proxy" idle_kib "$(awk -v r="$rss_kib_per" -v h="$heap_kib_per" 'BEGIN { printf "%.2f", r + h }')"
  fi
  record "$round" "$proxy" idle_rss_before_mib "$(awk -v k="$before" 'BEGIN { printf "%.1f", k / 1024 }')"
  record "$round" "$proxy" idle_rss_after_mib "$(awk -v k="$after" 'BEGIN { printf "%.1f", k / 1024 }')"
  record "$round" "$proxy" idle_errors "$failures"
  grep -q '^first problem' "$out" && note "round $round: $proxy idle: $(grep -m1 '^first problem' "$out")"
  log "round $round: $proxy idle: $opened WebSockets, RSS $((before / 1024)) -> $((after / 1024)) MiB${heap_after:+, live heap $((heap_before / 1024)) -> $((heap_after / 1024)) MiB}, $failures failures"
}

NGINX_HTTP="http://127.0.0.1:$NGINX_PORT"
WHARF_HTTP_URL="http://127.0.0.1:$WHARF_PORT"
NGINX_WS="ws://127.0.0.1:$NGINX_PORT/ws"
WHARF_WS_URL="ws://127.0.0.1:$WHARF_PORT/ws"

log "warming up both proxies (${WARMUP_SECONDS} s each test)"
run_wrk warmup nginx http "$NGINX_HTTP/" "$WARMUP_SECONDS"
run_wrk warmup nginx http_ka "$NGINX_HTTP/keepalive/" "$WARMUP_SECONDS"
[ "$WHARF_HTTP" = no ] || run_wrk warmup wharf http "$WHARF_HTTP_URL/" "$WARMUP_SECONDS"
run_echo warmup nginx "$NGINX_WS" "$WARMUP_SECONDS"
[ "$WHARF_WS" = no ] || run_echo warmup wharf "$WHARF_WS_URL" "$WARMUP_SECONDS"

for round in $(seq 1 "$ROUNDS"); do
  log "round $round of $ROUNDS"
  run_wrk "$round" nginx http "$NGINX_HTTP/" "$HTTP_SECONDS"
  run_wrk "$round" nginx http_ka "$NGINX_HTTP/keepalive/" "$HTTP_SECONDS"
  [ "$WHARF_HTTP" = no ] || run_wrk "$round" wharf http "$WHARF_HTTP_URL/" "$HTTP_SECONDS"
  run_echo "$round" nginx "$NGINX_WS" "$WS_SECONDS"
  [ "$WHARF_WS" = no ] || run_echo "$round" wharf "$WHARF_WS_URL" "$WS_SECONDS"
  fresh_nginx_worker
  mapfile -t nginx_pids < <(echo "$NGINX_PID"; children_of "$NGINX_PID")
  run_idle "$round" nginx "$NGINX_WS" no "${nginx_pids[@]}"
  [ "$WHARF_WS" = no ] || run_idle "$round" wharf "$WHARF_WS_URL" yes "$WHARF_PID"
done

# --- report ---------------------------------------------------------------------------------

mkdir -p "$RESULTS_DIR"
cp "$RESULTS" "$RESULTS_DIR/latest.tsv"
bench report "$RESULTS" "$WORK/machine.txt" >"$RESULTS_DIR/latest.md"
echo
cat "$RESULTS_DIR/latest.md"
echo
log "written to $RESULTS_DIR/latest.md (raw numbers: $RESULTS_DIR/latest.tsv)"
