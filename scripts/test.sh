#!/usr/bin/env bash
# `make test`: installs what is missing, then runs every test:
#   1. the Rust tests on SQLite,
#   2. the same tests on PostgreSQL (YORISOI_TEST_DATABASE_URL),
#   3. the Playwright journeys against the release binary in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PWD/.tools/node_modules/.bin:$PATH"

bash scripts/ensure-tools.sh

if ! command -v chromium >/dev/null 2>&1; then
  say "Installing Chromium from Debian (for the browser tests)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d end2end/node_modules/@playwright/test ]; then
  say "Installing the browser-test packages (npm; no browser is downloaded)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

say "Rust tests on SQLite"
YORISOI_TEST_BACKEND=sqlite cargo test --workspace --exclude frontend

PG_URL="${YORISOI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
hostport=$(printf '%s' "$PG_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#')
host=${hostport%:*}; port=${hostport##*:}; [ "$port" = "$hostport" ] && port=5432
if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
  say "Rust tests on PostgreSQL ($host:$port)"
  YORISOI_TEST_BACKEND=postgres YORISOI_TEST_DATABASE_URL="$PG_URL" cargo test --workspace --exclude frontend
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL is not reachable at $host:$port, and CI requires the PostgreSQL suite." >&2
  exit 1
else
  printf '\033[1;33m!!! PostgreSQL is not reachable at %s:%s: the PostgreSQL suite was SKIPPED.\033[0m\n' "$host" "$port"
fi

bash scripts/build-release.sh
say "Browser journeys (Playwright, Debian Chromium)"
(cd end2end && npx playwright test)
