#!/usr/bin/env bash
# Installs what building and testing tiny-reasoner needs on a fresh Debian machine with rustup.
# Safe to run again: each step is skipped when its tool is already there at the right version.
set -euo pipefail
cd "$(dirname "$0")/.."

# wasm-bindgen's CLI must match the wasm-bindgen crate exactly; the version is pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

step() { printf '\n== %s\n' "$*"; }

step "Rust target wasm32-unknown-unknown"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "Node.js (runs the wasm tests)"
if ! command -v node >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
node --version

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
wasm-bindgen --version
