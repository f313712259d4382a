#!/usr/bin/env bash
# Runs the local BeProduct sandbox (bp-sandbox); every argument is passed through.
#   bash scripts/sandbox.sh --help
#   bash scripts/sandbox.sh --listen 127.0.0.1:8765 --data /tmp/bp-sandbox --seed demo
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"
exec cargo run --quiet -p beproduct-sandbox --bin bp-sandbox -- "$@"
