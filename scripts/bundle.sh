#!/usr/bin/env bash
# Builds the release bundles that can be built on this Linux machine (.deb and .rpm) and prints
# where they are and how big they are. macOS, Windows and AppImage bundles are built by
# .github/workflows/release.yml (AppImage bundling downloads AppRun, so it needs the internet).
#
# Usage: bash scripts/bundle.sh [extra tauri build args, e.g. --config '{"bundle":{...}}']
#        Honours CARGO_TARGET_DIR (default <repo>/target).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BUNDLES="deb,rpm"

ensure_tauri_cli() {
  command -v npm >/dev/null 2>&1 || die "npm not found; run: bash scripts/setup.sh"
  if [ ! -x node_modules/.bin/tauri ]; then
    say "tauri cli: not installed, running npm ci (pinned in package-lock.json)"
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
  fi
  say "tauri cli: $(node_modules/.bin/tauri --version)"
}

# Version of the workspace ([workspace.package] version in the root Cargo.toml): the bundles
# are named after it, so only files of this version are reported.
workspace_version() {
  awk '
    /^\[/ { in_pkg = ($0 == "[workspace.package]") ; next }
    in_pkg && /^version[[:space:]]*=/ { gsub(/.*=[[:space:]]*"|".*/, ""); print; exit }
  ' Cargo.toml
}

report_bundles() {
  local bundle_dir="$1" version="$2" found=0 file
  say "bundles (version $version):"
  while IFS= read -r file; do
    found=1
    printf '  %-90s %8s KiB\n' "$file" "$(( $(stat -c %s "$file") / 1024 ))"
  done < <(find "$bundle_dir/deb" "$bundle_dir/rpm" -maxdepth 1 -type f \
             \( -name "*_${version}_*.deb" -o -name "*-${version}-*.rpm" \) 2>/dev/null | sort)
  [ "$found" -eq 1 ] || die "tauri build finished but no .deb/.rpm of version $version is in $bundle_dir"
}

started="$(now_s)"
ensure_tauri_cli
version="$(workspace_version)"
[ -n "$version" ] || die "could not read [workspace.package] version from Cargo.toml"

target_dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
say "building release bundles ($BUNDLES) of BeProduct Images $version into $target_dir"
# The CLI finds src-tauri/tauri.conf.json itself; --ci skips interactive prompts.
node_modules/.bin/tauri build --ci --bundles "$BUNDLES" "$@"

report_bundles "$target_dir/release/bundle" "$version"
say "bundle: done in $(elapsed_since "$started") s"
