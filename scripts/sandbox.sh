#!/usr/bin/env bash
# Runs the local BeProduct sandbox (bp-sandbox); every argument is passed through.
#   bash scripts/sandbox.sh --help
#   bash scripts/sandbox.sh --listen 127.0.0.1:8765 --data /tmp/bp-sandbox --seed demo
#   bash scripts/sandbox.sh --upload-kbps 2000 --processing-ms 180000 --signed-urls   # a real-world day
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
# --workspace (not -p) keeps dependency features the same as every other build, so nothing is rebuilt.
cargo build --quiet --workspace --bin bp-sandbox
exec "$(cargo_target_dir)/debug/bp-sandbox" "$@"
