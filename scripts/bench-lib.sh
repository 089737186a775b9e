# Shared by scripts/bench-smoke.sh and scripts/bench-compare.sh (sourced, not run):
# starting and stopping the servers under test on free loopback ports.
#
# Servers run in a fresh temporary directory with a scrubbed environment, so a developer's
# .env or SWITCHBOARD_* / SOCKUDO_* variables cannot change what is measured.

BENCH_TMP="${BENCH_TMP:-$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")}"
SERVER_PIDS=()

bench_log() { printf '[bench] %s\n' "$*" >&2; }

# clean_env DIR: sets CLEAN_ENV to an `env -i …` prefix whose HOME and data folder are DIR.
clean_env() {
  CLEAN_ENV=(env -i "PATH=$PATH" "HOME=$1" "XDG_DATA_HOME=$1/data" "NO_COLOR=1")
}

# start_switchboard NAME BIN [CPU] [serve args...]: starts `BIN serve --port 0` pinned to CPU
# (empty: not pinned); sets SERVER_PID and SERVER_PORT from the "listening on" line.
start_switchboard() {
  local name="$1" bin="$2" cpu="$3"
  shift 3
  local dir="$BENCH_TMP/$name"
  mkdir -p "$dir"
  local pin=()
  [[ -n "$cpu" ]] && pin=(taskset -c "$cpu")
  clean_env "$dir"
  (cd "$dir" && exec "${CLEAN_ENV[@]}" RUST_LOG=warn ${SWITCHBOARD_ENV:-} "${pin[@]}" "$bin" \
    serve --host 127.0.0.1 --port 0 "$@") >"$dir/stdout.log" 2>"$dir/stderr.log" &
  SERVER_PID=$!
  SERVER_PIDS+=("$SERVER_PID")
  SERVER_PORT=""
  local _
  for _ in $(seq 1 200); do
    SERVER_PORT="$(sed -nE 's#^Switchboard listening on http://[^ ]*:([0-9]+)$#\1#p' \
      "$dir/stdout.log" | head -n1)"
    [[ -n "$SERVER_PORT" ]] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.05
  done
  bench_log "$name did not start; its output:"
  cat "$dir/stdout.log" "$dir/stderr.log" >&2
  return 1
}

# A port that was free a moment ago (for servers that cannot be told to pick one).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT PID: until something accepts on 127.0.0.1:PORT (false if PID died).
wait_for_port() {
  local port="$1" pid="$2" _
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# stop_server PID: SIGTERM, then SIGKILL after 5 s.
stop_server() {
  local pid="$1" _
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_all_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do stop_server "$pid"; done
  SERVER_PIDS=()
}

bench_cleanup() {
  stop_all_servers
  rm -rf "$BENCH_TMP"
}
