#!/usr/bin/env bash
# CI smoke test for the training pipeline, so it cannot silently rot: a tiny Qwen3 trained for a
# few steps on 32 examples (train/testdata/smoke.jsonl), exported, reloaded with transformers, and
# then loaded and run by this engine (`tiny-reasoner run`); and `--tokenizer-from`, which must
# write the shipped tokenizer back unchanged and name a missing or corrupt one.
#   train/smoke_test.sh [DATA.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$(scripts/setup-python.sh)}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
args=(--smoke --threads "${THREADS:-2}" --out "$OUT")
[ $# -ge 1 ] && args+=(--data "$1")
timeout 300 "$PY" train/train.py "${args[@]}"

echo "== --tokenizer-from: the shipped tokenizer reused as it is, a missing or corrupt one named"
timeout 300 "$PY" train/train.py --smoke --threads "${THREADS:-2}" --max-steps 2 --out "$OUT/reused" \
  --tokenizer-from models/tiny-reasoner
"$PY" - "$OUT/reused" models/tiny-reasoner <<'EOF'
import json, sys
exported, shipped = (json.load(open(f"{d}/tokenizer.json")) for d in sys.argv[1:])
for part in ["model", "added_tokens", "pre_tokenizer", "decoder"]:
    assert exported[part] == shipped[part], f"--tokenizer-from changed the tokenizer's {part}"
recorded = json.load(open(f"{sys.argv[1]}/training.json"))["tokenizer"]
assert recorded["reused"] == "models/tiny-reasoner/tokenizer.json", recorded
EOF
mkdir "$OUT/corrupt" && echo "not json" > "$OUT/corrupt/tokenizer.json"
for bad in "nowhere:no tokenizer.json" "corrupt:is not a tokenizer file"; do
  if "$PY" train/train.py --smoke --tokenizer-from "$OUT/${bad%%:*}" 2> "$OUT/err.txt"; then
    echo "--tokenizer-from $OUT/${bad%%:*} was accepted" >&2; exit 1
  fi
  grep -q "${bad#*:}" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
done

echo "== the exported smoke model in tiny-reasoner"
cargo run --release --quiet -- run --backend cpu --model "$OUT" --json --max-tokens 8 "What is 2 + 3?" > "$OUT/run.jsonl"
head -c 300 "$OUT/run.jsonl"; echo
grep -q '"event":"done"' "$OUT/run.jsonl"
echo "smoke test: exported model loads and generates in the engine"
