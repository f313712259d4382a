#!/usr/bin/env bash
# Benchmarks of the Rust stack against the official Python SDK on one local bp-sandbox.
# Usage: bash scripts/bench.sh [--quick] [more bp-bench options]; writes BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -p beproduct-sandbox -p bp-bench
[ -x .venv/bin/python ] || { echo "needs .venv/bin/python with the beproduct SDK installed" >&2; exit 1; }
exec "$target/release/bp-bench" --sandbox-bin "$target/release/bp-sandbox" \
  --python .venv/bin/python --benches benches --out BENCHMARKS.md "$@"
