#!/usr/bin/env bash
# Runs a command the way the tests need it on a headless machine:
#  - a private D-Bus session with an unlocked GNOME Keyring, so OS-keychain code works for real;
#  - a throwaway HOME and XDG_* folders, so tests never read or write the user's data or keychain.
# Usage: scripts/with-test-session.sh COMMAND [ARGS...]   (exit status is the command's)
set -euo pipefail

session_root="$(mktemp -d "${TMPDIR:-/tmp}/bp-test-session.XXXXXX")"
trap 'rm -rf "$session_root"' EXIT

# Keep cargo/rustup working: they default to folders under the real HOME.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$session_root/home"
export XDG_DATA_HOME="$session_root/data"
export XDG_CONFIG_HOME="$session_root/config"
export XDG_CACHE_HOME="$session_root/cache"
export XDG_STATE_HOME="$session_root/state"
export XDG_RUNTIME_DIR="$session_root/runtime"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS
# GTK would otherwise look for an accessibility bus and warn on every start.
export NO_AT_BRIDGE=1

status=0
# The keyring password only protects this throwaway keyring.
dbus-run-session -- bash -c '
  printf "test-session" | gnome-keyring-daemon --unlock --components=secrets >/dev/null ||
    { echo "error: gnome-keyring-daemon could not start an unlocked keyring" >&2; exit 1; }
  exec "$@"' with-test-session "$@" || status=$?
exit "$status"
