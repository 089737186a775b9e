#!/usr/bin/env bash
# Idempotent set-up of a Debian/Ubuntu machine for building, running and testing Switchboard.
#
#   bash scripts/setup.sh              everything: system packages, Rust (+ rustfmt, clippy,
#                                      cargo-nextest), Node 20+, tests/node_modules, ui/ and
#                                      tests/ui/ node_modules, Chromium, tests/.venv
#   bash scripts/setup.sh --rust-only  only what `cargo build -p switchboard` (headless) needs
#   bash scripts/setup.sh --headless   Rust, Node 20+ and the built UI (ui/dist): what the
#                                      headless server needs to show its inspector
#   bash scripts/setup.sh --desktop    what building and running the desktop app needs: Rust,
#                                      WebKitGTK and the tray library, Node 20+, ui/ and
#                                      src-tauri/ node_modules (the Tauri CLI)
#
# Works as root or through sudo. Installs only what is missing (apt-get update runs at most once,
# and only when a package must be installed), so a second run on a ready machine takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUST_ONLY=0
DESKTOP_ONLY=0
[[ "${1:-}" == "--rust-only" ]] && RUST_ONLY=1
[[ "${1:-}" == "--desktop" ]] && DESKTOP_ONLY=1
HEADLESS_ONLY=0
[[ "${1:-}" == "--headless" ]] && HEADLESS_ONLY=1

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  have sudo || die "not root and sudo is missing: run as root"
  SUDO="sudo"
fi

APT_UPDATED=0
# apt_install PKG...: installs the packages that `dpkg -s` does not report as installed.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  have apt-get || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# sha256 of a file, for "already installed from this lock file" stamps.
digest() { sha256sum "$1" | cut -d' ' -f1; }

# build_ui: builds ui/dist. It must exist before the Rust build: release builds embed it, and
# debug builds locate it once, at compile time, to read it from disk later.
build_ui() {
  log "building the inspector UI (ui/dist)"
  (cd "$ROOT/ui" && npm run build --silent >/dev/null)
}

# npm_ci_stamped DIR: `npm ci` in DIR unless its node_modules was installed from the same lock.
npm_ci_stamped() {
  local dir="$1" stamp="$1/node_modules/.switchboard-lock-sha256"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$(digest "$dir/package-lock.json")" ]]; then
    log "${dir#"$ROOT"/}/node_modules is up to date"
    return 0
  fi
  log "npm ci in ${dir#"$ROOT"/}/"
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  digest "$dir/package-lock.json" >"$stamp"
}

# --- system packages -------------------------------------------------------------------------
if have dpkg; then
  apt_install build-essential pkg-config libssl-dev ca-certificates
else
  log "not a dpkg-based system: make sure a C toolchain, pkg-config and OpenSSL headers exist"
fi

# --- Rust ------------------------------------------------------------------------------------
if ! have cargo && [[ -x "$HOME/.cargo/bin/cargo" ]]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! have cargo; then
  log "installing Rust with rustup"
  have dpkg && apt_install curl
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
    sh -s -- -y --profile minimal --component rustfmt --component clippy
  export PATH="$HOME/.cargo/bin:$PATH"
fi
have cargo || die "cargo is still missing after installing Rust"

if [[ $RUST_ONLY -eq 1 ]]; then
  log "Rust ready: $(cargo --version)"
  exit 0
fi

# --- desktop app (Tauri v2) --------------------------------------------------------------------
# WebKitGTK 4.1 pulls in every -dev package the app links (gtk3, soup3, javascriptcore, x11);
# the tray needs Ayatana's appindicator. Xvfb, xauth, x11-utils, ImageMagick and D-Bus run the
# launch smoke test (a window under Xvfb, a screenshot, one instance per session bus).
if [[ $HEADLESS_ONLY -eq 1 ]]; then
  : # the headless server needs no desktop libraries
elif have dpkg; then
  apt_install libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev file \
    xvfb xauth x11-utils imagemagick dbus
else
  log "not a dpkg-based system: install WebKitGTK 4.1 and libayatana-appindicator3 dev packages"
fi

if have rustup; then
  cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
  cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
fi
if [[ $DESKTOP_ONLY -eq 0 && $HEADLESS_ONLY -eq 0 ]] && ! cargo nextest --version >/dev/null 2>&1; then
  log "installing cargo-nextest (one-off, takes a few minutes)"
  cargo install cargo-nextest --locked
fi

# --- Node.js 20+ -----------------------------------------------------------------------------
if ! have node; then
  have dpkg || die "Node.js 20+ is missing: install it"
  apt_install nodejs npm
fi
have npm || apt_install npm
# node --test needs --test-timeout and multiple reporters: Node 20.11 or later.
node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)' ||
  die "Node.js 20.11+ is required, found $(node --version)"

if [[ $HEADLESS_ONLY -eq 1 ]]; then
  npm_ci_stamped "$ROOT/ui"
  build_ui
  log "ready for the headless server: $(cargo --version), node $(node --version)"
  exit 0
fi

if [[ $DESKTOP_ONLY -eq 1 ]]; then
  npm_ci_stamped "$ROOT/ui"
  build_ui
  npm_ci_stamped "$ROOT/src-tauri"
  log "ready for the desktop app: $(cargo --version), node $(node --version)"
  exit 0
fi

TESTS="$ROOT/tests"
LOCK_STAMP="$TESTS/node_modules/.switchboard-lock-sha256"
if [[ -f "$LOCK_STAMP" && "$(cat "$LOCK_STAMP")" == "$(digest "$TESTS/package-lock.json")" ]]; then
  log "tests/node_modules is up to date"
else
  log "npm ci in tests/"
  (cd "$TESTS" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
  digest "$TESTS/package-lock.json" >"$LOCK_STAMP"
fi

# --- UI: ui/node_modules, tests/ui/node_modules and Debian's Chromium for Playwright ----------
npm_ci_stamped "$ROOT/ui"
build_ui
npm_ci_stamped "$TESTS/ui"
npm_ci_stamped "$ROOT/src-tauri" # the Tauri CLI, for bundling (npx tauri build)
if have dpkg; then
  apt_install chromium
elif ! have chromium; then
  log "Chromium is missing: install it for the UI suite (or set CHROMIUM_BIN)"
fi

# --- Python venv for the python SDK tests ----------------------------------------------------
if ! have python3; then
  have dpkg || die "python3 is missing: install it"
  apt_install python3 python3-venv
fi
VENV="$TESTS/.venv"
if [[ ! -x "$VENV/bin/python" ]]; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    rm -rf "$VENV"
    have dpkg || die "python3 -m venv does not work: install the venv module"
    apt_install python3-venv
    python3 -m venv "$VENV"
  fi
fi
REQ_STAMP="$VENV/.switchboard-req-sha256"
if [[ -f "$REQ_STAMP" && "$(cat "$REQ_STAMP")" == "$(digest "$TESTS/python/requirements.txt")" ]]; then
  log "tests/.venv is up to date"
else
  log "pip install -r tests/python/requirements.txt"
  PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/pip" install --quiet -r "$TESTS/python/requirements.txt"
  digest "$TESTS/python/requirements.txt" >"$REQ_STAMP"
fi

log "ready: $(cargo --version), node $(node --version), $("$VENV/bin/python" --version)"
