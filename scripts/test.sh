#!/usr/bin/env bash
# Every test of tiny-reasoner, from a fresh clone: sets up what is missing, then runs
# the native tests, the wasm build, the wasm tests (in Node) and the page in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh

printf '\n== Native tests (unit, fixtures against transformers, bad input, generate loop, CLI,\n'
printf '   and the GPU backend on Vulkan: shaders, kernels, whole models against the CPU)\n'
cargo test

printf '\n== Library for wasm32-unknown-unknown (the web profile: the page build below reuses it)\n'
cargo build --profile web --target wasm32-unknown-unknown --lib

printf '\n== Wasm tests in Node (tokenizer and prompt ids, forward pass against transformers)\n'
cargo test --target wasm32-unknown-unknown --test wasm

printf '\n== Training pipeline smoke test (a few steps, export, reload in transformers and in this engine)\n'
train/smoke_test.sh

# ---- The page (issue #5) ---------------------------------------------------------------------
# Builds dist/ (wasm + page + model), serves it on a free port and drives Debian's chromium with
# playwright-core: once with WebGPU (SwiftShader), once without (the CPU fallback).
# Screenshots and timings: target/browser-screenshots/.
printf '\n== The page in Chromium (browser tests: with WebGPU and without it)\n'
cargo xtask test-web

printf '\nAll tests passed.\n'
