#!/usr/bin/env bash
# CI smoke test for the training pipeline, so it cannot silently rot: a tiny Qwen3 trained for a
# few steps on 32 examples (train/testdata/smoke.jsonl), exported, reloaded with transformers, and
# then loaded and run by this engine (`tiny-reasoner run`).
#   train/smoke_test.sh [DATA.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$(scripts/setup-python.sh)}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
args=(--smoke --threads "${THREADS:-2}" --out "$OUT")
[ $# -ge 1 ] && args+=(--data "$1")
timeout 300 "$PY" train/train.py "${args[@]}"

echo "== the exported smoke model in tiny-reasoner"
cargo run --release --quiet -- run --backend cpu --model "$OUT" --json --max-tokens 8 "What is 2 + 3?" > "$OUT/run.jsonl"
head -c 300 "$OUT/run.jsonl"; echo
grep -q '"event":"done"' "$OUT/run.jsonl"
echo "smoke test: exported model loads and generates in the engine"
