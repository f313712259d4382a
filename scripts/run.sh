#!/usr/bin/env bash
# Builds and starts the BeProduct Images desktop app.
#
#   bash scripts/run.sh                 # on a desktop (X11 or Wayland)
#   bash scripts/run.sh --headless      # no screen: runs the app inside a private Xvfb display
#   bash scripts/run.sh --release       # optimised build (slower to compile, ~3 GB more in target/)
#   bash scripts/run.sh -- ARGS...      # anything after -- goes to the app
#
# Without a saved BeProduct account the app starts its own embedded sandbox, so it works offline.
# The default is a debug build: scripts/test.sh builds the same one, so nothing compiles twice,
# and the workspace compiles dependencies (image decoding, SQLite) optimised even in debug.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

headless=0
profile=debug
app_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --headless) headless=1 ;;
    --release) profile=release ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; app_args=("$@"); break ;;
    *) die "unknown option '$1' (try --help)" ;;
  esac
  shift
done

if [ "$headless" -eq 0 ] && ! have_display; then
  cat >&2 <<MSG
error: no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the app's window has nowhere to go.
  On a desktop, run this from a terminal inside your graphical session.
  On a server or over SSH, run it inside a virtual display instead:
      bash scripts/run.sh --headless
  (it starts Xvfb and tells you how to take a screenshot of the window).
MSG
  exit 2
fi

bash scripts/setup.sh
say "==> cargo build -p beproduct-images ($profile)"
if [ "$profile" = release ]; then
  cargo build -p beproduct-images --release
else
  cargo build -p beproduct-images
fi
app="$(cargo_target_dir)/$profile/beproduct-images"
[ -x "$app" ] || die "build finished but $app is missing"

if [ "$headless" -eq 1 ]; then
  start_xvfb
  trap stop_xvfb EXIT
  say "==> running $app under Xvfb on DISPLAY=$DISPLAY (Ctrl-C stops it)"
  say "    screenshot: DISPLAY=$DISPLAY /usr/bin/import -window root screenshot.png"
  "$app" "${app_args[@]}"
else
  say "==> running $app"
  exec "$app" "${app_args[@]}"
fi
