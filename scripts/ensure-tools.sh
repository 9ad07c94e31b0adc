#!/usr/bin/env bash
# Installs, only when missing, the build tools the product needs.
# Safe to run again: every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PWD/.tools/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (first time only; about 15 minutes on 2 cores)"
  cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (first time only; a few minutes)"
  # Not --locked: the locked tree names a crate version the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x .tools/node_modules/.bin/wasm-opt ]; then
  say "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
  mkdir -p .tools
  (cd .tools && [ -f package.json ] || echo '{"private":true}' > package.json)
  (cd .tools && npm install --no-audit --no-fund "binaryen@$BINARYEN_VERSION")
fi
