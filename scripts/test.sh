#!/usr/bin/env bash
# Runs every test of the project, as CI does (.ci/run calls exactly this):
#   setup -> cargo fmt --check -> node --test (UI modules) -> clippy -D warnings -> one debug build -> cargo test
#   -> the .deb bundle (when scripts/bundle.sh exists) -> pytest over tests/ (official Python SDK
#   vs the sandbox, the app end to end via WebDriver, release checks)
# cargo test and pytest run under Xvfb, in a private D-Bus session with an unlocked GNOME Keyring
# and throwaway HOME/XDG folders (scripts/with-test-session.sh). Any failure stops the run with a
# non-zero exit status. Screenshots and reports land in tests/artifacts/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ARTIFACTS="$REPO_ROOT/tests/artifacts"
SUMMARY=()
STAGE_PID=""
RUN_STARTED="$(now_s)"

cleanup() {
  # Whatever a stage left behind (sandbox, tauri-driver, the app) lives in its process group.
  [ -n "$STAGE_PID" ] && kill -TERM -- "-$STAGE_PID" 2>/dev/null || true
  stop_xvfb
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

print_summary() {
  say ""
  say "==================== test.sh summary ===================="
  local line
  for line in "${SUMMARY[@]}"; do say "$line"; done
  say "total: $(elapsed_since "$RUN_STARTED") s"
}

# run_stage NAME TIME_LIMIT COMMAND...: banner, timing, bounded run time, fail fast.
run_stage() {
  local name="$1" limit="$2"
  shift 2
  say ""
  say "==> [$name] $*"
  local started rc=0
  started="$(now_s)"
  # timeout makes its own process group, so leftovers can be killed as a group afterwards.
  timeout --kill-after=30s "$limit" "$@" </dev/null &
  STAGE_PID=$!
  wait "$STAGE_PID" || rc=$?
  kill -TERM -- "-$STAGE_PID" 2>/dev/null || true
  STAGE_PID=""
  local took
  took="$(elapsed_since "$started")"
  if [ "$rc" -eq 0 ]; then
    SUMMARY+=("$(printf 'ok      %-10s %8s s' "$name" "$took")")
    say "<== [$name] ok in $took s"
    return 0
  fi
  local why="exit status $rc"
  [ "$rc" -eq 124 ] && why="timed out after $limit"
  [ "$name" = pytest ] && [ "$rc" -eq 5 ] && why="pytest collected no tests (exit 5), which counts as a failure"
  SUMMARY+=("$(printf 'FAILED  %-10s %8s s  (%s)' "$name" "$took" "$why")")
  say "<== [$name] FAILED: $why after $took s" >&2
  print_summary
  exit "$rc"
}

run_stage setup 20m bash scripts/setup.sh
run_stage fmt 5m cargo fmt --all --check
# The UI's modules (stores, field widgets, the import graph, the contract with Rust): no bundler.
run_stage node 5m node --test tests/js/*.test.mjs
run_stage clippy 30m cargo clippy --workspace --all-targets -- -D warnings
run_stage build 40m cargo build --workspace --all-targets

TARGET_DIR="$(cargo_target_dir)"
export BP_SANDBOX_BIN="$TARGET_DIR/debug/bp-sandbox"
export BP_APP_BIN="$TARGET_DIR/debug/beproduct-images"
for bin in "$BP_SANDBOX_BIN" "$BP_APP_BIN"; do
  [ -x "$bin" ] || die "the build succeeded but $bin is missing; check the [[bin]] names in the Cargo.toml files"
done
TAURI_DRIVER="$(command -v tauri-driver)" || die "tauri-driver not on PATH; run bash scripts/setup.sh"
export TAURI_DRIVER
export BP_ARTIFACTS="$ARTIFACTS"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
export RUST_BACKTRACE=1

start_xvfb
say ""
say "Xvfb on DISPLAY=$DISPLAY; BP_SANDBOX_BIN=$BP_SANDBOX_BIN BP_APP_BIN=$BP_APP_BIN TAURI_DRIVER=$TAURI_DRIVER"

# No DISPLAY for cargo test: no Rust test opens a window, and with a display GNOME Keyring would
# answer the locked-keychain test with a graphical unlock prompt that nobody can answer.
run_stage cargo-test 30m env -u DISPLAY bash scripts/with-test-session.sh cargo test --workspace
# The release smoke tests (tests/release/test_bundle.py) check the .deb that scripts/bundle.sh makes:
# of the debug build, which reuses the build stage's artifacts (a release build takes 7-14 min).
if [ -f scripts/bundle.sh ]; then
  run_stage bundle 40m bash scripts/bundle.sh --debug
fi
run_stage pytest 40m bash scripts/with-test-session.sh \
  "$REPO_ROOT/.venv/bin/python" -m pytest tests --junitxml="$ARTIFACTS/pytest-junit.xml"

print_summary
say "all stages passed"
