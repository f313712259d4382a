#!/usr/bin/env bash
# Builds the bundles that can be built on this Linux machine (.deb and .rpm) and prints where they
# are and how big they are. macOS, Windows and AppImage bundles are built by
# .github/workflows/release.yml (AppImage bundling downloads AppRun, so it needs the internet).
#
# Usage: bash scripts/bundle.sh [--debug | --record] [extra tauri build args, e.g. --config '{...}']
#   (none)    release build, as the release workflow makes it; bundles in <target>/release/bundle/
#   --debug   package the debug build instead (the test command's bundle stage): it reuses what
#             `cargo build --workspace --all-targets` compiled; bundles in <target>/debug/bundle/
#   --record  release build, then write the bundle sizes and the build time into BENCHMARKS.md
#             (the section between <!-- bundle:release --> and <!-- /bundle:release -->)
# Honours CARGO_TARGET_DIR (default <repo>/target).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

BUNDLES="deb,rpm"
PROFILE=release
RECORD=0
case "${1:-}" in
  --debug) PROFILE=debug; shift ;;
  --record) RECORD=1; shift ;;
esac

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

bundle_files() {
  local bundle_dir="$1" version="$2"
  find "$bundle_dir/deb" "$bundle_dir/rpm" -maxdepth 1 -type f \
    \( -name "*_${version}_*.deb" -o -name "*-${version}-*.rpm" \) 2>/dev/null | sort
}

report_bundles() {
  local bundle_dir="$1" version="$2" file files
  files="$(bundle_files "$bundle_dir" "$version")"
  [ -n "$files" ] || die "tauri build finished but no .deb/.rpm of version $version is in $bundle_dir"
  say "bundles ($PROFILE, version $version):"
  while IFS= read -r file; do
    printf '  %-90s %8s KiB\n' "$file" "$(( $(stat -c %s "$file") / 1024 ))"
  done <<<"$files"
}

mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# Rewrites the bundle:release section of BENCHMARKS.md (appends it the first time).
record_benchmarks() {
  local bundle_dir="$1" version="$2" took="$3" deb rpm binary installed_kib section
  deb="$(bundle_files "$bundle_dir" "$version" | grep '\.deb$')"
  rpm="$(bundle_files "$bundle_dir" "$version" | grep '\.rpm$')"
  binary="$(dirname "$bundle_dir")/beproduct-images"
  installed_kib="$(dpkg-deb -f "$deb" Installed-Size)"
  section="$(mktemp)"
  cat >"$section" <<EOF
<!-- bundle:release -->
## Release bundles (\`bash scripts/bundle.sh --record\`)

$(date -u +%Y-%m-%d), $(nproc) cores, load average at the end $(cut -d' ' -f1-3 /proc/loadavg); $(node_modules/.bin/tauri --version), $(rustc --version | cut -d' ' -f1-2). The test command packages the debug build instead (\`bash scripts/bundle.sh --debug\`), so these release numbers come from this command, run by hand before a release.

| what | size |
|---|---|
| \`.deb\` ($(basename "$deb")) | $(mib "$(stat -c %s "$deb")") MiB |
| installed size of the \`.deb\` | $(mib "$((installed_kib * 1024))") MiB |
| \`.rpm\` | $(mib "$(stat -c %s "$rpm")") MiB |
| the app binary (\`target/release/beproduct-images\`) | $(mib "$(stat -c %s "$binary")") MiB |
| time of this run (release build + bundling; mostly what cargo had to compile) | $took s |

<!-- /bundle:release -->
EOF
  if grep -q '^<!-- bundle:release -->$' BENCHMARKS.md; then
    awk -v section="$section" '
      $0 == "<!-- bundle:release -->" { while ((getline line < section) > 0) print line; skip = 1; next }
      $0 == "<!-- /bundle:release -->" { skip = 0; next }
      !skip { print }
    ' BENCHMARKS.md >BENCHMARKS.md.new
    mv BENCHMARKS.md.new BENCHMARKS.md
  else
    { printf '\n'; cat "$section"; } >>BENCHMARKS.md
  fi
  rm -f "$section"
  say "BENCHMARKS.md: bundle:release section written"
}

started="$(now_s)"
ensure_tauri_cli
version="$(workspace_version)"
[ -n "$version" ] || die "could not read [workspace.package] version from Cargo.toml"

target_dir="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
profile_args=()
cargo_args=()
if [ "$PROFILE" = debug ]; then
  profile_args=(--debug)
  # tauri build runs `cargo build --bins --features tauri/custom-protocol` for the app alone,
  # which resolves its dependencies' features differently from the workspace build and so
  # recompiles about 40 of them (gtk, webkit2gtk, reqwest, image, ...). Selecting the same
  # packages and targets as the test build leaves only tauri, tauri-macros and the app to compile.
  cargo_args=(-- --workspace --all-targets)
fi
say "building $PROFILE bundles ($BUNDLES) of BeProduct Images $version into $target_dir"
# Updater bundles are signed with TAURI_SIGNING_PRIVATE_KEY (the release workflow's secret, never in
# the repo); without it a local build makes the bundles alone, unsigned for the updater.
updater_args=()
if [ -z "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  updater_args=(--config '{"bundle":{"createUpdaterArtifacts":false}}')
  say "TAURI_SIGNING_PRIVATE_KEY is not set: no updater artifacts (.sig) in this build"
fi
# The CLI finds src-tauri/tauri.conf.json itself; --ci skips interactive prompts.
node_modules/.bin/tauri build "${profile_args[@]}" --ci --bundles "$BUNDLES" "${updater_args[@]}" "$@" "${cargo_args[@]}"

report_bundles "$target_dir/$PROFILE/bundle" "$version"
took="$(elapsed_since "$started")"
if [ "$RECORD" -eq 1 ]; then record_benchmarks "$target_dir/$PROFILE/bundle" "$version" "$took"; fi
say "bundle: done in $took s"
