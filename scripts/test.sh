#!/usr/bin/env bash
# Runs every check and test Switchboard has, on a fresh Debian/Ubuntu machine or a ready one:
#   setup → cargo fmt --check → clippy -D warnings → cargo build → cargo nextest (or cargo test)
#   → black-box suite (official pusher-js + pusher Node SDK, node --test) → python SDK suite
#   → UI: build + typecheck + Vitest in ui/, then the Playwright suite in tests/ui/ (Chromium)
#   → desktop: the app launched under Xvfb (tests/desktop/).
# Every step runs even when an earlier one failed (except that the black-box suites need a
# fresh build), then a summary is printed; the exit code is non-zero if anything failed.
#
# SWITCHBOARD_BIN=path/to/switchboard makes the black-box suites test that binary instead of
# target/debug/switchboard.
# SWITCHBOARD_DESKTOP_BIN=path/to/switchboard-desktop does the same for the desktop smoke test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_PROFILE_DEV_DEBUG=0
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

LOGS="$ROOT/tests/artifacts"
mkdir -p "$LOGS"

SUMMARY=()
FAILED=0
PASSED_TESTS=0
FAILED_TESTS=0

record() { # record STATUS NAME [DETAIL]
  SUMMARY+=("$(printf '%-5s %-20s %s' "$1" "$2" "${3:-}")")
  [[ "$1" == "FAIL" ]] && FAILED=1
  return 0
}

# check NAME CMD...: a pass/fail check (not a test suite); a failure counts as one failed test.
check() {
  local name="$1"
  shift
  if step "$name" "$@"; then
    record PASS "$name"
  else
    record FAIL "$name" "see tests/artifacts/$name.log"
    FAILED_TESTS=$((FAILED_TESTS + 1))
    return 1
  fi
}

sum() { awk '{ s += $1 } END { print s + 0 }'; }

# step NAME CMD...: runs CMD with its output shown and kept in tests/artifacts/NAME.log.
step() {
  local name="$1"
  shift
  printf '\n==> %s: %s\n' "$name" "$*"
  set +e
  "$@" 2>&1 | tee "$LOGS/$name.log"
  local status=${PIPESTATUS[0]}
  set -e
  return "$status"
}

# suite NAME STATUS PASSED FAILED: records a test suite; a failed run with no counted failure
# (a crash, a build error) still counts as one failed test.
suite() {
  local name="$1" status="$2" passed="${3:-0}" failed="${4:-0}"
  [[ -z "$passed" ]] && passed=0
  [[ -z "$failed" ]] && failed=0
  if [[ "$status" == "FAIL" && "$failed" -eq 0 ]]; then failed=1; fi
  PASSED_TESTS=$((PASSED_TESTS + passed))
  FAILED_TESTS=$((FAILED_TESTS + failed))
  record "$status" "$name" "$passed passed, $failed failed"
}

# node_suite LABEL NAME TIMEOUT_MS [PREFIX...] -- FILES...: runs FILES with `node --test` (one
# file at a time; spec to the log, TAP to tests/artifacts/NAME.tap), under PREFIX if given
# (e.g. xvfb-run), and records the suite from the TAP counts.
node_suite() {
  local label="$1" name="$2" timeout="$3" prefix=() status p f c
  shift 3
  while [[ $# -gt 0 && "$1" != "--" ]]; do prefix+=("$1"); shift; done
  shift
  local tap="$LOGS/$name.tap"
  rm -f "$tap"
  if step "$name" "${prefix[@]}" node --test --test-concurrency=1 --test-timeout="$timeout" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$@"; then
    status=PASS
  else
    status=FAIL
  fi
  [[ -f "$tap" ]] || : >"$tap"
  p="$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$tap" | tail -n1)"
  f="$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$tap" | tail -n1)"
  c="$(sed -nE 's/^# cancelled ([0-9]+)$/\1/p' "$tap" | tail -n1)"
  suite "$label" "$status" "${p:-0}" $(( ${f:-0} + ${c:-0} ))
}

# --- Rust --------------------------------------------------------------------------------------
check fmt cargo fmt --all --check || true
check clippy cargo clippy --workspace --all-targets -- -D warnings || true
BUILD_OK=1
check build cargo build --workspace || BUILD_OK=0

if cargo nextest --version >/dev/null 2>&1; then
  if step rust-tests cargo nextest run --workspace --no-tests=warn; then status=PASS; else status=FAIL; fi
  line="$(grep -E '^ *Summary \[' "$LOGS/rust-tests.log" | tail -n1 || true)"
  p="$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")"
  f="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")"
else
  if step rust-tests cargo test --workspace; then status=PASS; else status=FAIL; fi
  p="$(sed -nE 's/^test result: .* ([0-9]+) passed.*/\1/p' "$LOGS/rust-tests.log" | sum)"
  f="$(sed -nE 's/^test result: .* ([0-9]+) failed.*/\1/p' "$LOGS/rust-tests.log" | sum)"
fi
suite "rust tests" "$status" "$p" "$f"

# --- black-box suites ----------------------------------------------------------------------------
if [[ $BUILD_OK -eq 0 && -z "${SWITCHBOARD_BIN:-}" ]]; then
  record FAIL "black-box (node)" "not run: the build failed"
  record FAIL "black-box (python)" "not run: the build failed"
  FAILED_TESTS=$((FAILED_TESTS + 2))
else
  node_suite "black-box (node)" node-tests 60000 -- tests/server/*.test.mjs

  PY="$ROOT/tests/.venv/bin/python"
  if step python-tests "$PY" -m unittest discover -s tests/python -p 'test_*.py' -v; then
    status=PASS
  else
    status=FAIL
  fi
  ran="$(sed -nE 's/^Ran ([0-9]+) tests? .*/\1/p' "$LOGS/python-tests.log" | tail -n1)"
  fl="$(sed -nE 's/^FAILED \(.*failures=([0-9]+).*/\1/p' "$LOGS/python-tests.log" | tail -n1)"
  er="$(sed -nE 's/^FAILED \(.*errors=([0-9]+).*/\1/p' "$LOGS/python-tests.log" | tail -n1)"
  f=$(( ${fl:-0} + ${er:-0} ))
  p=$(( ${ran:-0} - f ))
  [[ $p -lt 0 ]] && p=0
  suite "black-box (python)" "$status" "$p" "$f"

  # Every `switchboard bench` scenario, briefly, against a fresh server: small N, no
  # thresholds, so the load generator cannot rot (the comparison is scripts/bench-compare.sh).
  check bench-smoke bash scripts/bench-smoke.sh || true
fi

# --- UI ------------------------------------------------------------------------------------------
# ui/: clean install, typecheck + build (ui/dist, embedded by the binary), Vitest.
ui_unit() { (cd ui && npm ci --no-audit --no-fund --loglevel=error && npm run build && NO_COLOR=1 npx vitest run); }
if step ui-unit ui_unit; then status=PASS; else status=FAIL; fi
line="$(sed -E 's/\x1b\[[0-9;]*m//g' "$LOGS/ui-unit.log" | grep -E '^ *Tests +[0-9]' | tail -n1 || true)"
p="$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")"
f="$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")"
suite "ui (vitest)" "$status" "${p:-0}" "${f:-0}"

if [[ $BUILD_OK -eq 0 && -z "${SWITCHBOARD_BIN:-}" ]]; then
  record FAIL "ui (playwright)" "not run: the build failed"
  FAILED_TESTS=$((FAILED_TESTS + 1))
else
  # Debug builds serve ui/dist from disk (release builds embed it), so the fresh build is used.
  node_suite "ui (playwright)" ui-tests 120000 -- tests/ui/specs/*.test.mjs
fi

# --- desktop app -------------------------------------------------------------------------------
# The debug build of src-tauri under Xvfb, in its own D-Bus session: the launch self-check, then
# a pusher-js client seen in the inspector API, a screenshot of the window (kept in
# tests/artifacts/), a second launch handing over to the first, and a clean quit on SIGTERM.
if [[ $BUILD_OK -eq 0 && -z "${SWITCHBOARD_DESKTOP_BIN:-}" ]]; then
  record FAIL "desktop (xvfb)" "not run: the build failed"
  FAILED_TESTS=$((FAILED_TESTS + 1))
else
  node_suite "desktop (xvfb)" desktop-tests 180000 \
    xvfb-run -a -s "-screen 0 1440x900x24" dbus-run-session -- tests/desktop/*.test.mjs
fi

printf '\n==> summary (logs in tests/artifacts/)\n'
printf '%s\n' "${SUMMARY[@]}"
printf 'total: %d passed, %d failed\n' "$PASSED_TESTS" "$FAILED_TESTS"
exit "$FAILED"
