#!/usr/bin/env bash
# Benchmarks (not part of the test command); both write their section of BENCHMARKS.md.
#   bash scripts/bench.sh [--quick] [more bp-bench options]
#       the Rust stack against the official Python SDK on one local bp-sandbox (bp-bench)
#   bash scripts/bench.sh --app [more benches/app_bench.py options]
#       the real app under Xvfb: cold start to the first grid, responsiveness during a batch
#   bash scripts/bench.sh --scroll [--label NAME] [more benches/app_bench.py options]
#       the real app under Xvfb: a 10,000-image folder scrolled to the bottom and back (frames,
#       DOM nodes, web process memory). With --app-bin PATH (and --sandbox-bin PATH) those
#       binaries are used and nothing is built (e.g. a copy of an older build for a baseline).
#   bash scripts/bench.sh --bulk-edit [more bp-bench options]
#       bp-bench: a 1,000-image bulk edit, ours (image-library) vs the SDK's attributes_update loop
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
[ -x .venv/bin/python ] || die "needs .venv/bin/python with the beproduct SDK installed (run: bash scripts/setup.sh)"
target="$(cargo_target_dir)"

if [ "${1:-}" = "--app" ] || [ "${1:-}" = "--scroll" ]; then
  mode=()
  [ "$1" = "--scroll" ] && mode=(--scroll)
  shift
  # Binaries named on the command line are used as they are (later options win in app_bench.py).
  case " $* " in
    *" --app-bin "*) ;;
    *) cargo build --release -p beproduct-sandbox -p beproduct-images ;;
  esac
  start_xvfb
  trap stop_xvfb EXIT
  .venv/bin/python benches/app_bench.py --app-bin "$target/release/beproduct-images" \
    --sandbox-bin "$target/release/bp-sandbox" --out BENCHMARKS.md "${mode[@]}" "$@"
  exit 0
fi

cargo build --release -p beproduct-sandbox -p bp-bench
exec "$target/release/bp-bench" --sandbox-bin "$target/release/bp-sandbox" \
  --python .venv/bin/python --benches benches --out BENCHMARKS.md "$@"
