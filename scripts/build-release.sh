#!/usr/bin/env bash
# Builds the release binary and the WebAssembly site with cargo-leptos.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/.tools/node_modules/.bin:$PATH"
printf '\033[1;34m==>\033[0m %s\n' "Building the release (server and WebAssembly); the first build takes several minutes on 2 cores"
# --split cuts the WebAssembly at every lazy route (app/src/routes.rs): the
# first download holds the login, the shell and the dashboard, and each area
# is fetched when first opened. The split build is the only one that runs:
# a lazy route's code imports its chunk, which only --split writes.
# --precompress writes .br and .gz beside every file under target/site/pkg;
# the server sends them to browsers that accept them.
cargo leptos build --release --split --precompress
