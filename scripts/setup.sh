#!/usr/bin/env bash
# Idempotent set-up of everything the project needs on a Debian/Ubuntu machine:
# system packages, the Rust components, the Tauri CLI (npm), tauri-driver, and the Python venv
# used by the tests. On a machine where everything is present it only checks, quietly, in seconds.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

TAURI_DRIVER_VERSION="2.1.0"

# The packages from docs of a Tauri 2 build on Linux, plus what the tests use: Xvfb, a private
# D-Bus session with GNOME Keyring (keychain tests), WebKitWebDriver (end-to-end tests),
# xdotool and python3-gi (real drag-and-drop under Xvfb), ImageMagick (screenshots), xclip (a
# real X clipboard for paste) and exiftool (test files with embedded XMP/IPTC/EXIF); `gio` and
# shared-mime-info open a file with its default app (Open in editor) as a desktop would;
# python3-dev builds dbus-python for python-dbusmock (the notification tests' mock daemon).
APT_PACKAGES=(
  build-essential pkg-config libssl-dev file curl ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev libxdo-dev patchelf
  xvfb xauth dbus dbus-x11 webkit2gtk-driver gnome-keyring libsecret-1-dev libdbus-1-dev
  keyutils xdotool imagemagick
  xclip libimage-exiftool-perl libglib2.0-bin shared-mime-info
  python3 python3-venv python3-dev python3-gi gir1.2-gtk-3.0
)

install_system_packages() {
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    warn "this is not a Debian/Ubuntu system (no dpkg/apt-get), so system packages are not checked."
    warn "install the equivalents of these Debian packages yourself, then rerun:"
    warn "  ${APT_PACKAGES[*]} nodejs npm"
    return 0
  fi
  local wanted=("${APT_PACKAGES[@]}")
  # Node.js may come from elsewhere (nodesource, nvm); only ask apt for it when npm is absent.
  command -v npm >/dev/null 2>&1 || wanted+=(nodejs npm)

  local installed missing=()
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${wanted[@]}" 2>/dev/null || true)"
  local pkg
  for pkg in "${wanted[@]}"; do
    grep -qx "$pkg installed" <<<"$installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    say "system packages: all ${#wanted[@]} present"
    return 0
  fi
  say "system packages: installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_rust() {
  command -v cargo >/dev/null 2>&1 ||
    die "cargo not found. Install the Rust toolchain with rustup (https://rustup.rs), open a new shell, and rerun."
  local component
  for component in rustfmt clippy; do
    # The cargo subcommands are `cargo fmt` and `cargo clippy`.
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      command -v rustup >/dev/null 2>&1 ||
        die "cargo $component is missing and rustup is not installed; install the '$component' component of your toolchain"
      say "rust: adding component $component"
      rustup component add "$component"
    fi
  done
  say "rust: $(cargo --version | cut -d' ' -f1-2) with rustfmt and clippy"
}

install_tauri_cli() {
  command -v npm >/dev/null 2>&1 || die "npm not found; install Node.js 18 or newer with npm, then rerun"
  # Reinstall only when package-lock.json changed since the last install. The lock also brings
  # axe-core, which tests/e2e/test_accessibility.py injects into the app's window.
  local stamp=node_modules/.setup-lock.sha256 want
  want="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ -x node_modules/.bin/tauri ] && [ -f node_modules/axe-core/axe.min.js ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    say "tauri cli: $(node_modules/.bin/tauri --version)"
    return 0
  fi
  say "tauri cli: npm ci (package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  printf '%s\n' "$want" >"$stamp"
  say "tauri cli: $(node_modules/.bin/tauri --version)"
}

install_tauri_driver() {
  if command -v tauri-driver >/dev/null 2>&1; then
    say "tauri-driver: $(command -v tauri-driver)"
    return 0
  fi
  say "tauri-driver: cargo install tauri-driver@$TAURI_DRIVER_VERSION (about a minute)"
  # Its own temporary target dir: a CARGO_TARGET_DIR from the caller would pollute that build cache.
  env -u CARGO_TARGET_DIR cargo install tauri-driver --version "=$TAURI_DRIVER_VERSION" --locked --quiet
  command -v tauri-driver >/dev/null 2>&1 || die "tauri-driver was installed but is not on PATH; add $CARGO_BIN_DIR to PATH"
}

setup_python_venv() {
  command -v python3 >/dev/null 2>&1 || die "python3 not found; install Python 3.9 or newer"
  local stamp=.venv/.requirements.sha256 want
  # The stamp also covers the interpreter, so a Python upgrade rebuilds the venv's packages.
  want="$( (sha256sum tests/requirements.txt; python3 -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
  if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && .venv/bin/python -c '' 2>/dev/null; then
    say "python venv: .venv up to date with tests/requirements.txt"
    return 0
  fi
  if ! [ -x .venv/bin/python ] || ! .venv/bin/python -c '' 2>/dev/null; then
    say "python venv: creating .venv"
    rm -rf .venv
    python3 -m venv .venv || die "python3 -m venv failed; on Debian/Ubuntu install python3-venv"
  fi
  say "python venv: installing tests/requirements.txt"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input -r tests/requirements.txt
  printf '%s\n' "$want" >"$stamp"
}

started="$(now_s)"
install_system_packages
check_rust
install_tauri_cli
install_tauri_driver
setup_python_venv
say "setup: done in $(elapsed_since "$started") s"
