# Shared helpers for the project's scripts. Source it; do not run it.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# cargo and tauri-driver live here after rustup / `cargo install`; a fresh login shell may lack it.
CARGO_BIN_DIR="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$CARGO_BIN_DIR:"*) ;;
  *) [ -d "$CARGO_BIN_DIR" ] && PATH="$CARGO_BIN_DIR:$PATH" ;;
esac
export PATH

say()  { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Seconds since the epoch with milliseconds, for stage timings.
now_s() { date +%s.%N; }
elapsed_since() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run '$*' and sudo is not installed; run this script as root"
  fi
}

# Starts Xvfb on a free display (Xvfb picks it itself via -displayfd, so parallel runs never clash)
# and exports DISPLAY. Sets XVFB_PID; the caller must kill it (see stop_xvfb).
start_xvfb() {
  local fd_file
  fd_file="$(mktemp)"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$fd_file" >/dev/null 2>&1 &
  XVFB_PID=$!
  local deadline=$((SECONDS + 20))
  while [ ! -s "$fd_file" ]; do
    if ! kill -0 "$XVFB_PID" 2>/dev/null; then
      rm -f "$fd_file"
      die "Xvfb exited at start-up; is the 'xvfb' package installed? (run: bash scripts/setup.sh)"
    fi
    [ "$SECONDS" -lt "$deadline" ] || { rm -f "$fd_file"; die "Xvfb did not report a display within 20 s"; }
    sleep 0.1
  done
  DISPLAY=":$(tr -dc '0-9' <"$fd_file")"
  rm -f "$fd_file"
  export DISPLAY XVFB_PID
}

stop_xvfb() {
  if [ -n "${XVFB_PID:-}" ] && kill -0 "$XVFB_PID" 2>/dev/null; then
    kill "$XVFB_PID" 2>/dev/null || true
    wait "$XVFB_PID" 2>/dev/null || true
  fi
  XVFB_PID=""
}

# Where cargo puts binaries: honours CARGO_TARGET_DIR and .cargo/config, defaults to ./target.
cargo_target_dir() {
  cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
}

have_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
