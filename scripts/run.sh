#!/usr/bin/env bash
# `make run`: installs what is missing, builds the release, migrates and seeds
# the SQLite database under ./data, and serves on 127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-tools.sh
bash scripts/build-release.sh

export YORISOI_DATA_DIR="${YORISOI_DATA_DIR:-./data}"
export YORISOI_SITE_ROOT="${YORISOI_SITE_ROOT:-target/site}"
export YORISOI_ADDR="${YORISOI_ADDR:-127.0.0.1:3000}"
# The demo: seed the clinic when the database is empty, and let its 300
# simulated patients follow it through the LINE sandbox.
export YORISOI_SEED_DEMO="${YORISOI_SEED_DEMO:-true}"
mkdir -p "$YORISOI_DATA_DIR"

./target/release/yorisoi migrate
./target/release/yorisoi seed-demo
echo
printf '\033[1;32mYorisoi is starting at %s\033[0m  (Ctrl+C stops it)\n' "${YORISOI_PUBLIC_URL:-http://$YORISOI_ADDR}"
echo
exec ./target/release/yorisoi serve
