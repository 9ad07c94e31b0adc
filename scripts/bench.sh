#!/usr/bin/env bash
# `make bench`: prints the figures SPEC §15's targets are judged by.
# SQLite always; PostgreSQL when reachable (YORISOI_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
printf '\033[1;34m==>\033[0m %s\n' "Friend list at 1,000,000 friends (release build of the store; a few minutes)"
cargo bench -p store --bench friends
printf '\033[1;34m==>\033[0m %s\n' "The sequence scheduler's queue at 1,000,000 active enrolments"
cargo bench -p store --bench enrolments
printf '\033[1;34m==>\033[0m %s\n' "The scheduler's sustained dispatch rate: 5,000 steps due at once, LINE's limits on"
cargo bench -p engine --bench steps
printf '\033[1;34m==>\033[0m %s\n' "Segment counts over 100,000 and 1,000,000 friends (the in-memory index)"
cargo bench -p segments --bench count
printf '\033[1;34m==>\033[0m %s\n' "A 100,000-recipient send against the sandbox (limits off, then LINE's limits on)"
cargo bench -p engine --bench fanout
printf '\033[1;34m==>\033[0m %s\n' "The front door from outside: webhook ingest and pages rendered on the server (release binary)"
cargo bench -p server --bench front_door
printf '\033[1;34m==>\033[0m %s\n' "Bytes a first visit downloads, for /login and each area (release build, Chromium)"
bash scripts/ensure-tools.sh
bash scripts/build-release.sh
if [ ! -d end2end/node_modules/@playwright/test ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
(cd end2end && npx playwright test -c bench.config.ts --reporter=line)
