# The scenarios of benchmarks/run.sh and how one measurement is taken. Sourced by run.sh after
# lib.sh and run-proxies.sh; uses its settings (HTTP_SECONDS, WS_SECONDS, WARM_*, IDLE_CONNECTIONS,
# CYCLES, CLK_TCK, ORIGIN_PIDS, WORK, RESULTS, NOTES).

HTTP_CONNECTIONS=64
WS_CONNECTIONS=200
WS_MESSAGE_BYTES=64
CYCLES_IN_FLIGHT=50
CLIENT_JVM=(java -Xms256m -Xmx256m -XX:+UseSerialGC)

# --- CPU accounting, without forking (a fork would count as the client's CPU) ---------------

# proc_ticks PID...: TICKS = their utime + stime (clock ticks), all threads; a gone pid counts 0.
proc_ticks() {
  local pid stat fields
  TICKS=0
  for pid in "$@"; do
    { read -r stat </proc/"$pid"/stat; } 2>/dev/null || continue
    read -r -a fields <<<"${stat##*) }"
    TICKS=$((TICKS + fields[11] + fields[12]))
  done
}

# children_ticks: CHILD_TICKS = the CPU of this shell's finished children (the load tools).
children_ticks() {
  local user sys
  times >"$WORK/times"
  { read -r _; read -r user sys; } <"$WORK/times"
  CHILD_TICKS=$(( ($(time_ms "$user") + $(time_ms "$sys")) * CLK_TCK / 1000 ))
}
time_ms() { # 1m2.345s -> 62345
  local minutes=${1%%m*} seconds=${1#*m}
  seconds=${seconds%s}
  echo $((10#$minutes * 60000 + 10#${seconds%.*} * 1000 + 10#${seconds#*.}))
}

# snapshot NAME: the array NAME = (proxy origin machine-busy client wall-µs) counters now.
snapshot() {
  local -n into=$1
  local user nice system idle iowait irq softirq steal
  proc_ticks "${PROXY_PIDS[@]}"
  into=("$TICKS")
  proc_ticks "${ORIGIN_PIDS[@]}"
  into+=("$TICKS")
  read -r _ user nice system idle iowait irq softirq steal _ </proc/stat
  into+=($((user + nice + system + irq + softirq + steal)))
  children_ticks
  into+=("$CHILD_TICKS" "${EPOCHREALTIME/./}")
}

# window_figures BEFORE AFTER COUNT [SECONDS]: from two snapshots, F_CPU (proxy CPU µs per unit
# of COUNT) and the cores each used: F_PROXY and F_ORIGIN over SECONDS (the client's own measured
# window, where it reports one; the wall time otherwise), F_CLIENT and F_OTHERS over the wall time.
window_figures() {
  local -n b=$1 a=$2
  local wall_us=$((a[4] - b[4]))
  read -r F_CPU F_PROXY F_ORIGIN F_CLIENT F_OTHERS < <(awk -v p=$((a[0] - b[0])) \
    -v o=$((a[1] - b[1])) -v m=$((a[2] - b[2])) -v c=$((a[3] - b[3])) -v n="$3" \
    -v s="${4:-}" -v w="$wall_us" -v hz="$CLK_TCK" 'BEGIN {
      wall = w / 1e6; if (s == "" || s <= 0) s = wall
      others = (m - p - o - c) / hz / wall; if (others < 0) others = 0
      cpu = n > 0 ? sprintf("%.1f", p * 1e6 / hz / n) : "-"
      printf "%s %.2f %.2f %.2f %.2f\n", cpu,
        p / hz / s, o / hz / s, c / hz / wall, others }')
}

# --- load tools -----------------------------------------------------------------------------

ws_result_errors() { # OUT: failed handshakes + abnormal closes + errors of a ws-load result
  local hf ac er
  hf=$(result_field "$1" handshake_failures)
  ac=$(result_field "$1" abnormal_closes)
  er=$(result_field "$1" errors)
  [ -n "$er" ] || { echo 1; return; }
  echo $((hf + ac + er))
}

# load_once SCENARIO PORT SECONDS OUT: one run of the scenario's load through the proxy on PORT
# (ws-idle: its warm-up load, cycles). Sets L_COUNT (0: no result), L_RATE, L_P99, L_ERRORS and
# L_WINDOW (the client's measured seconds, or empty).
load_once() {
  local scenario=$1 port=$2 seconds=$3 out=$4 summary url="ws://127.0.0.1:$2/ws" p99_us
  L_COUNT=0 L_RATE="-" L_P99="-" L_ERRORS=0 L_WINDOW=""
  case "$scenario" in
    http-*)
      local path=/small headers=()
      [ "$scenario" != http-1k ] || path=/1k
      [ "$scenario" != http-close ] || headers=(-H "Connection: close")
      timeout -k 5 $((seconds + 30)) wrk -t1 -c"$HTTP_CONNECTIONS" -d"${seconds}s" --latency \
        "${headers[@]}" "http://127.0.0.1:$port$path" >"$out" 2>&1 || true
      summary=$(wrk_summary "$out")
      [ -n "$summary" ] || return 0
      read -r L_RATE L_P99 L_ERRORS L_COUNT <<<"$summary"
      return 0
      ;;
    ws-echo)
      timeout -k 5 $((seconds + 120)) "${CLIENT_JVM[@]}" -jar "$BENCH_JAR" ws-load echo \
        --url "$url" --connections "$WS_CONNECTIONS" --duration "${seconds}s" \
        --size "$WS_MESSAGE_BYTES" >"$out" 2>&1 || true
      L_COUNT=$(result_field "$out" messages)
      ;;
    ws-cycles|ws-idle)
      # seconds is a number of cycles here.
      timeout -k 5 300 "${CLIENT_JVM[@]}" -jar "$BENCH_JAR" ws-load cycles --url "$url" \
        --connections "$seconds" --max-pending "$CYCLES_IN_FLIGHT" >"$out" 2>&1 || true
      L_COUNT=$(result_field "$out" opened)
      ;;
  esac
  L_RATE=$(result_field "$out" rate)
  if [ -z "$L_RATE" ]; then
    L_COUNT=0 L_RATE="-"
    return 0
  fi
  L_WINDOW=$(result_field "$out" seconds)
  p99_us=$(result_field "$out" p99_us)
  L_P99=$(awk -v us="$p99_us" 'BEGIN { printf "%.2f", us / 1000 }')
  L_ERRORS=$(ws_result_errors "$out")
}

# warm SCENARIO PORT PREFIX: the scenario's load in chunks until the proxy's CPU per unit is
# steady (within 10% of the chunk before), after WARM_MIN_CHUNKS and at most WARM_MAX_CHUNKS:
# a JIT compiles in steps, and how long it takes depends on how busy the machine is. Sets
# WARM_DETAIL; false if a chunk gave no result (the proxy does not serve the scenario).
warm() {
  local scenario=$1 port=$2 prefix=$3 chunk=0 chunks=0 empty=0 amount=$WARM_SECONDS cpu
  local previous="" list=""
  local -a before after
  [[ "$scenario" != ws-* ]] || [ "$scenario" = ws-echo ] || amount=$WARM_CYCLES
  # A just-started JVM may not answer within a chunk on a busy machine: one request first, with
  # time to spare, and up to two empty chunks more before the proxy counts as not serving.
  curl -s -o /dev/null --max-time 30 "http://127.0.0.1:$port/small" || true
  while [ "$chunks" -lt "$WARM_MAX_CHUNKS" ]; do
    chunk=$((chunk + 1))
    snapshot before
    load_once "$scenario" "$port" "$amount" "$prefix.warm$chunk"
    snapshot after
    if [ "$L_COUNT" = 0 ]; then
      WARM_DETAIL="warm-up chunk $chunk: no result: $(grep -E '^first problem|Socket errors|requests in' "$prefix.warm$chunk" | head -2 | tr '\n' ' ')"
      empty=$((empty + 1))
      [ "$empty" -le 2 ] || return 1
      continue
    fi
    chunks=$((chunks + 1))
    window_figures before after "$L_COUNT"
    cpu=$F_CPU
    list+="${list:+ }$cpu"
    WARM_DETAIL="warm-up $chunks x $amount$([ "$empty" = 0 ] || echo " (and $empty empty)"), CPU µs each: $list"
    if [ "$chunks" -ge "$WARM_MIN_CHUNKS" ] && { [ "$WARM_MIN_CHUNKS" -le 1 ] || awk -v a="$previous" \
        -v b="$cpu" 'BEGIN { exit !(a != "" && b <= a * 1.1 && b >= a * 0.9) }'; }; then
      return 0
    fi
    previous=$cpu
  done
  [ "$chunks" -gt 0 ] || return 1
  [ "$WARM_MAX_CHUNKS" -le 1 ] || WARM_DETAIL+=" (not steady)"
}

# --- one measurement ------------------------------------------------------------------------

record() { # the fields of a Measurement line (benchmarks/src/main/java/dev/wharf/bench/Measurement.java)
  local IFS=$'\t'
  echo "$*" >>"$RESULTS"
}

# measure ROUND SLOT SCENARIO PROXY: SCENARIO on a freshly started PROXY, after a warm-up.
measure() {
  local round=$1 slot=$2 scenario=$3 proxy=$4 port prefix load1
  local -a before after
  port=${PORTS[NEXT_PORT]}
  NEXT_PORT=$((NEXT_PORT + 1))
  prefix="$WORK/r$round-$scenario-$proxy"
  read -r load1 _ </proc/loadavg
  if ! start_bench_proxy "$proxy" "$prefix" "$port"; then
    NOTES+=("round $round: $proxy did not start for $scenario: $(proxy_log_tail "$prefix")")
    record "$round" "$slot" "$scenario" "$proxy" - - 0 0 - - - - - "$load1" "did not start"
    stop_bench_proxy
    return
  fi
  case "$scenario" in
    rest) measure_rest "$@" "$load1" ;;
    ws-idle) measure_idle "$@" "$port" "$prefix" "$load1" ;;
    *)
      if ! warm "$scenario" "$port" "$prefix"; then
        NOTES+=("round $round: $proxy: $scenario: $WARM_DETAIL")
        record "$round" "$slot" "$scenario" "$proxy" - - "$L_ERRORS" 0 - - - - - "$load1" "$WARM_DETAIL"
      else
        local amount=$HTTP_SECONDS
        [ "$scenario" != ws-echo ] || amount=$WS_SECONDS
        [ "$scenario" != ws-cycles ] || amount=$CYCLES
        snapshot before
        load_once "$scenario" "$port" "$amount" "$prefix.load"
        snapshot after
        window_figures before after "$L_COUNT" "$L_WINDOW"
        [ "$L_COUNT" != 0 ] || NOTES+=("round $round: $proxy: $scenario gave no result: $(tail -2 "$prefix.load" | tr '\n' ' ')")
        grep -q '^first problem' "$prefix.load" 2>/dev/null \
          && NOTES+=("round $round: $proxy $scenario: $(grep -m1 '^first problem' "$prefix.load")")
        record "$round" "$slot" "$scenario" "$proxy" "$L_RATE" "$L_P99" "$L_ERRORS" "$L_COUNT" \
          "$F_CPU" "$F_PROXY" "$F_ORIGIN" "$F_CLIENT" "$F_OTHERS" "$load1" "$WARM_DETAIL"
        log "round $round: $scenario: $proxy: $L_RATE/s, p99 $L_P99 ms, $L_ERRORS errors, CPU $F_CPU µs each ($F_PROXY cores; origin $F_ORIGIN, others $F_OTHERS), load $load1"
      fi
      ;;
  esac
  stop_bench_proxy
}

# measure_rest ROUND SLOT SCENARIO PROXY LOAD1: the proxy's RSS once steady, before any connection.
measure_rest() {
  local rss
  settle_rss "${PROXY_PIDS[@]}"
  rss=$(rss_kib "${PROXY_PIDS[@]}")
  record "$1" "$2" "$3" "$4" "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" - 0 0 - - - - - "$5" \
    "processes: ${#PROXY_PIDS[@]}"
  log "round $1: rest: $4: RSS $((rss / 1024)) MiB before the first connection"
}

# measure_idle ROUND SLOT SCENARIO PROXY PORT PREFIX LOAD1: opens IDLE_CONNECTIONS WebSockets
# and holds them; records ws-open (the opening rate and the proxy's CPU per connection while
# they open) and ws-idle (the growth of the proxy's RSS per connection, once steady).
measure_idle() {
  local round=$1 slot=$2 proxy=$4 port=$5 prefix=$6 load1=$7 out hold client rss_before rss_after
  local opened rate errors open_s kib detail
  local -a before after
  if ! warm ws-idle "$port" "$prefix"; then
    NOTES+=("round $round: $proxy: ws-idle: $WARM_DETAIL")
    record "$round" "$slot" ws-open "$proxy" - - "$L_ERRORS" 0 - - - - - "$load1" "$WARM_DETAIL"
    record "$round" "$slot" ws-idle "$proxy" - - "$L_ERRORS" 0 - - - - - "$load1" "$WARM_DETAIL"
    return
  fi
  settle_rss "${PROXY_PIDS[@]}"
  rss_before=$(rss_kib "${PROXY_PIDS[@]}")
  out="$prefix.idle"
  hold="$prefix.hold"
  : >"$hold"
  snapshot before
  java -Xms512m -Xmx512m -XX:+UseSerialGC -jar "$BENCH_JAR" ws-load idle --url "ws://127.0.0.1:$port/ws" \
    --connections "$IDLE_CONNECTIONS" --max-pending "$CYCLES_IN_FLIGHT" --hold-file "$hold" \
    --max-hold 10m >"$out" 2>&1 &
  client=$!
  PIDS+=("$client")
  if ! wait_for_line "$out" '^ready [0-9]+' 300 "$client"; then
    rm -f "$hold"
    wait_for_exit "$client" 30 || true
    NOTES+=("round $round: $proxy: idle connections did not open: $(tail -3 "$out" | tr '\n' ' ')")
    record "$round" "$slot" ws-open "$proxy" - - 1 0 - - - - - "$load1" "did not open"
    record "$round" "$slot" ws-idle "$proxy" - - 1 0 - - - - - "$load1" "did not open"
    return
  fi
  snapshot after
  settle_rss "${PROXY_PIDS[@]}"
  rss_after=$(rss_kib "${PROXY_PIDS[@]}")
  rm -f "$hold"
  wait_for_exit "$client" 60 || true
  opened=$(result_field "$out" opened)
  rate=$(result_field "$out" open_rate)
  open_s=$(result_field "$out" open_s)
  errors=$(ws_result_errors "$out")
  grep -q '^first problem' "$out" && NOTES+=("round $round: $proxy idle: $(grep -m1 '^first problem' "$out")")
  if [ -z "$opened" ] || [ "$opened" = 0 ]; then
    NOTES+=("round $round: $proxy: ws-load idle gave no result: $(tail -2 "$out" | tr '\n' ' ')")
    record "$round" "$slot" ws-open "$proxy" - - "$errors" 0 - - - - - "$load1" "no result"
    record "$round" "$slot" ws-idle "$proxy" - - "$errors" 0 - - - - - "$load1" "no result"
    return
  fi
  # The client JVM's start is in the wall time, not in open_s: the proxy's cores are over open_s.
  window_figures before after "$opened" "$open_s"
  record "$round" "$slot" ws-open "$proxy" "$rate" - "$errors" "$opened" "$F_CPU" "$F_PROXY" \
    "$F_ORIGIN" "$F_CLIENT" "$F_OTHERS" "$load1" "$opened opened in $open_s s; $WARM_DETAIL"
  kib=$(awk -v b="$rss_before" -v a="$rss_after" -v n="$opened" 'BEGIN { printf "%.2f", (a - b) / n }')
  detail="RSS $((rss_before / 1024)) -> $((rss_after / 1024)) MiB with $opened open"
  record "$round" "$slot" ws-idle "$proxy" "$kib" - "$errors" "$opened" - - - - - "$load1" "$detail"
  log "round $round: idle: $proxy: $rate opens/s, CPU $F_CPU µs each; $kib KiB each ($detail), $errors errors"
}
