#!/usr/bin/env bash
# Builds (release) and starts the headless Switchboard server on a fresh Debian/Ubuntu machine or
# a ready one. Extra arguments go to `switchboard serve`, e.g.:
#   bash scripts/run.sh --config switchboard.toml --port 6001
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh --rust-only
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --release -p switchboard -- serve "$@"
