#!/usr/bin/env bash
# The model card's data curve and its thinking-vs-no-thinking comparison at equal data: the shipped
# recipe (same model, seeds and epochs) on the first 1k, 2k and 4k of its 8k examples, and on all
# 8k with empty think blocks; each model is then evaluated by this engine, greedy, on fresh problems.
#   train/curve.sh [OUT_DIR]        (about an hour on the 2-core dev machine, nothing else running)
# The 8k point with thinking is the shipped model itself (models/tiny-reasoner).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-/tmp/tiny-reasoner-curve}"
EPOCHS="${EPOCHS:-10}"
EVAL_N="${EVAL_N:-100}"
EVAL_SEED="${EVAL_SEED:-77}"
mkdir -p "$OUT"
PY=$(scripts/setup-python.sh)
cargo build --release --quiet
TR=target/release/tiny-reasoner

# 30 held-out problems only for train.py's own dev check; the figures come from `eval` below.
$TR data --n 30 --seed 999 > "$OUT/heldout.jsonl"

train() { # name, data file
  "$PY" train/train.py --data "$2" --eval-data "$OUT/heldout.jsonl" --out "$OUT/$1" \
    --seed 1 --data-seed 1 --epochs "$EPOCHS" --max-minutes 0 --eval-every 1000000 --eval-n 30 \
    > "$OUT/$1.train.log" 2>&1
  tail -n 2 "$OUT/$1.train.log"
}

for n in 1000 2000 4000; do
  $TR data --n "$n" --seed 1 > "$OUT/train$n.jsonl"
  echo "== $n examples, thinking"
  train "think-$n" "$OUT/train$n.jsonl"
  $TR eval --model "$OUT/think-$n" --n "$EVAL_N" --seed "$EVAL_SEED" --backend cpu --json \
    > "$OUT/think-$n.eval.json"
done

$TR data --n 8000 --seed 1 --no-think > "$OUT/train8000-nothink.jsonl"
echo "== 8000 examples, no thinking"
train "nothink-8000" "$OUT/train8000-nothink.jsonl"
$TR eval --model "$OUT/nothink-8000" --n "$EVAL_N" --seed "$EVAL_SEED" --backend cpu --json --no-think \
  > "$OUT/nothink-8000.eval.json"
$TR eval --model models/tiny-reasoner --n "$EVAL_N" --seed "$EVAL_SEED" --backend cpu --json \
  > "$OUT/think-8000.eval.json"

echo "== accuracy (%), $EVAL_N problems per family, seed $EVAL_SEED"
"$PY" - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
runs = ["think-1000", "think-2000", "think-4000", "think-8000", "nothink-8000"]
reports = {r: json.load(open(f"{out}/{r}.eval.json")) for r in runs}
families = list(reports[runs[0]]["families"])
print("| family | " + " | ".join(runs) + " |")
print("|---" * (len(runs) + 1) + "|")
for f in families + ["overall"]:
    cells = []
    for r in runs:
        rep = reports[r]
        acc = rep["overall"]["accuracy"] if f == "overall" else rep["families"][f]["accuracy"]
        cells.append(f"{100 * acc:.1f}")
    print(f"| {f} | " + " | ".join(cells) + " |")
EOF
