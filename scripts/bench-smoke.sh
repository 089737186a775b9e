#!/usr/bin/env bash
# Runs every `switchboard bench` scenario briefly against a Switchboard started on port 0, so
# the load generator cannot rot. Small N, no thresholds: each scenario must finish, print
# valid JSON, and have moved some traffic. Not a benchmark (see scripts/bench-compare.sh).
#
#   bash scripts/bench-smoke.sh                 uses target/debug/switchboard
#   SWITCHBOARD_BIN=path bash scripts/bench-smoke.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
trap bench_cleanup EXIT

BIN="${SWITCHBOARD_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/switchboard}"
[[ -x "$BIN" ]] || { bench_log "no binary at $BIN: run cargo build -p switchboard"; exit 1; }

start_switchboard smoke "$BIN" ""
URL="ws://127.0.0.1:$SERVER_PORT"
bench_log "switchboard pid $SERVER_PID on $URL"

FAILED=0
# scenario NAME CHECK ARGS...: runs `bench ARGS --json`; CHECK is a Python expression over the
# report `r` (a dict) that must be true.
scenario() {
  local name="$1" check="$2"
  shift 2
  local out="$BENCH_TMP/$name.json"
  printf '==> bench %s\n' "$*"
  if ! timeout 120 "$BIN" bench --url "$URL" --pid "$SERVER_PID" --json \
    --warmup 200ms --duration 1s "$@" >"$out"; then
    bench_log "FAIL $name: the bench exited non-zero"
    FAILED=1
    return 0
  fi
  cat "$out"
  if ! python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$out" "$check"; then
    bench_log "FAIL $name: the report does not satisfy: $check"
    FAILED=1
  fi
}

scenario fanout-flat 'r["deliveries_received"] > 0 and r["subscribers"] == 20' \
  fanout --subscribers 20 --payload 200
scenario fanout-rate 'r["deliveries_received"] > 0 and r["mode"] == "rate"' \
  fanout --subscribers 20 --rate 50
scenario idle 'r["connect"]["connected"] == 50 and r["memory"]["connected_kib"] > 0' \
  idle --connections 50 --hold 200ms
scenario client-events 'r["answered"] > 0 and r["errors"] == 0' \
  client-events --pairs 4 --rate 5
scenario churn 'r["cycles"] > 0 and r["failures"] == 0' \
  churn --workers 4

if [[ $FAILED -ne 0 ]]; then
  bench_log "server log:"
  cat "$BENCH_TMP/smoke/stderr.log" >&2 || true
fi
exit "$FAILED"
