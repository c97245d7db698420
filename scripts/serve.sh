#!/usr/bin/env bash
# The main job from a fresh clone: installs what building the page needs (wasm target,
# wasm-bindgen-cli, npm's wasm-opt), builds the wasm engine, the page and the shipped model into
# dist/, and serves it on http://127.0.0.1:8080/ (`--port P` for another port, 0 for any free one).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh --page
exec cargo xtask serve "$@"
