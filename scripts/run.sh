#!/usr/bin/env bash
# Builds (release) and launches Switchboard's desktop app — the server and the inspector in a
# native window — on a fresh Debian/Ubuntu machine or a ready one (setup installs only what is
# missing: WebKitGTK, the tray library, Node, the UI's and the Tauri CLI's packages).
#
# Without a display ($DISPLAY and $WAYLAND_DISPLAY unset, e.g. over SSH) it starts the headless
# server instead, says so, and passes its arguments to `switchboard serve`:
#   bash scripts/run.sh                                 the desktop app
#   SWITCHBOARD_HEADLESS=1 bash scripts/run.sh --port 6002   the headless server, by choice
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ "${SWITCHBOARD_HEADLESS:-}" == "1" || (-z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}") ]]; then
  if [[ "${SWITCHBOARD_HEADLESS:-}" != "1" ]]; then
    echo "[run] no display (DISPLAY and WAYLAND_DISPLAY are unset): starting the headless server;" \
      "open http://127.0.0.1:6001/ in a browser for the inspector" >&2
  fi
  bash scripts/setup.sh --headless
  export PATH="$HOME/.cargo/bin:$PATH"
  exec cargo run --release -p switchboard -- serve "$@"
fi

bash scripts/setup.sh --desktop
export PATH="$HOME/.cargo/bin:$PATH"
echo "[run] building the desktop app (release; the first build takes several minutes)" >&2
(cd src-tauri && npx tauri build --no-bundle)
exec "${CARGO_TARGET_DIR:-$ROOT/target}/release/switchboard-desktop"
