#!/usr/bin/env bash
# The release binary on a fresh SQLite database seeded with the demo clinic.
set -euo pipefail
cd "$(dirname "$0")"
data=$(mktemp -d -t yorisoi-e2e-XXXXXX)
export YORISOI_DATA_DIR="$data"
export YORISOI_SITE_ROOT=../target/site
export YORISOI_SEED_DEMO=true
export YORISOI_SANDBOX_ADDR=127.0.0.1:3110
# The sandbox controls the journeys use need its token.
export YORISOI_SANDBOX_TOKEN=e2e-sandbox-token
exec ../target/release/yorisoi serve
