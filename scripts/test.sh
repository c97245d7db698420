#!/usr/bin/env bash
# Every test of tiny-reasoner, from a fresh clone: sets up what is missing, then runs
# the native tests, the wasm build, and the wasm tests (in Node).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh

printf '\n== Native tests (unit, fixtures against transformers, bad input, generate loop, CLI)\n'
cargo test

printf '\n== Library for wasm32-unknown-unknown\n'
cargo build --release --target wasm32-unknown-unknown --lib

printf '\n== Wasm tests in Node (tokenizer, chat template, forward pass against transformers)\n'
cargo test --target wasm32-unknown-unknown --test wasm

printf '\nAll tests passed.\n'
