#!/usr/bin/env bash
# Builds the release binary and the WebAssembly site with cargo-leptos.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/.tools/node_modules/.bin:$PATH"
printf '\033[1;34m==>\033[0m %s\n' "Building the release (server and WebAssembly); the first build takes several minutes on 2 cores"
# --precompress writes .br and .gz beside every file under target/site/pkg;
# the server sends them to browsers that accept them (4 MB of WebAssembly
# is about 1 MB over the wire with Brotli).
cargo leptos build --release --precompress
