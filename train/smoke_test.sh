#!/usr/bin/env bash
# CI smoke test for the training pipeline, so it cannot silently rot: a tiny Qwen3 trained for a
# few steps on 32 examples (train/testdata/smoke.jsonl), exported, reloaded with transformers, and
# then loaded and run by this engine (`tiny-reasoner run`); `--tokenizer-from`, which must
# write the shipped tokenizer back unchanged and name a missing or corrupt one; and a run split by
# `--stop-after-steps` and `--resume`, which must end with the unsplit run's weights (both runs
# with attention dropout on, so the dropout masks' random stream must resume where it stopped);
# and a `--pretokenizer phrases` export, whose prompt ids in this engine must be Python's.
#   train/smoke_test.sh [DATA.jsonl]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$(scripts/setup-python.sh)}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
args=(--smoke --threads "${THREADS:-2}" --out "$OUT" --attention-dropout 0.1)
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

echo "== --pretokenizer with --tokenizer-from (whose tokenizer keeps its own cut) is refused, naming both"
if "$PY" train/train.py --smoke --tokenizer-from models/tiny-reasoner --pretokenizer phrases 2> "$OUT/err.txt"; then
  echo "--pretokenizer with --tokenizer-from was accepted" >&2; exit 1
fi
grep -q "pretokenizer phrases and --tokenizer-from" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }

echo "== an attention dropout of 1 or more (every weight dropped) is refused, naming the bound"
if "$PY" train/train.py --smoke --attention-dropout 1 2> "$OUT/err.txt"; then
  echo "--attention-dropout 1 was accepted" >&2; exit 1
fi
grep -q "must be at least 0 and below 1" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }

echo "== --kv-heads: a count that does not divide the query heads is refused; as many as the query heads exports"
if "$PY" train/train.py --smoke --kv-heads 3 2> "$OUT/err.txt"; then
  echo "--kv-heads 3 (of 4 query heads) was accepted" >&2; exit 1
fi
grep -q "must divide the tiny shape's 4 query heads" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
timeout 300 "$PY" train/train.py --smoke --threads "${THREADS:-2}" --max-steps 2 --kv-heads 4 --out "$OUT/mha"
"$PY" -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["num_key_value_heads"] == c["num_attention_heads"] == 4, c' \
  "$OUT/mha/config.json"

echo "== a run stopped part-way and resumed from its checkpoint ends with the same weights, bit for bit"
split=(--smoke --threads "${THREADS:-2}" --out "$OUT/split" --attention-dropout 0.1)
[ $# -ge 1 ] && split+=(--data "$1")
timeout 300 "$PY" train/train.py "${split[@]}" --stop-after-steps 3
test -f "$OUT/split/checkpoint.pt" && test ! -e "$OUT/split/model.safetensors"
if "$PY" train/train.py "${split[@]}" --resume --lr 1e-3 2> "$OUT/err.txt"; then
  echo "--resume with another --lr was accepted" >&2; exit 1
fi
grep -q "lr: checkpoint 0.002, now 0.001" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }
timeout 300 "$PY" train/train.py "${split[@]}" --resume
test ! -e "$OUT/split/checkpoint.pt"
"$PY" - "$OUT" "$OUT/split" <<'EOF'
import json, sys
from safetensors.torch import load_file
whole, split = (load_file(f"{d}/model.safetensors") for d in sys.argv[1:])
assert whole.keys() == split.keys()
differ = [k for k in whole if not (whole[k] == split[k]).all()]
assert not differ, f"the resumed run's weights differ from the unstopped run's: {differ}"
info = json.load(open(f"{sys.argv[2]}/training.json"))
assert info["resumed_at_steps"] == [3] and info["steps"] == 6, info
print(f"resumed at step 3: all {len(whole)} tensors equal to the unstopped run's")
EOF
if "$PY" train/train.py "${split[@]}" --resume 2> "$OUT/err.txt"; then
  echo "--resume without a checkpoint was accepted" >&2; exit 1
fi
grep -q "checkpoint.pt does not exist" "$OUT/err.txt" || { cat "$OUT/err.txt" >&2; exit 1; }

echo "== the exported smoke model in tiny-reasoner"
cargo run --release --quiet -- run --backend cpu --model "$OUT" --json --max-tokens 8 "What is 2 + 3?" > "$OUT/run.jsonl"
head -c 300 "$OUT/run.jsonl"; echo
grep -q '"event":"done"' "$OUT/run.jsonl"
cargo run --release --quiet -- run --backend cpu --model "$OUT/mha" --json --max-tokens 8 "What is 2 + 3?" > "$OUT/mha.jsonl"
grep -q '"event":"done"' "$OUT/mha.jsonl"
echo "== --pretokenizer phrases: the export's prompt in this engine has the Python tokenizers' ids"
timeout 300 "$PY" train/train.py --smoke --threads "${THREADS:-2}" --max-steps 2 --pretokenizer phrases \
  --out "$OUT/phrases"
PROMPT="What is 347 + 589? Then sort 5, -3, 12 and 0 (déjà vu ✓)."
cargo run --release --quiet -- run --backend cpu --model "$OUT/phrases" --json --max-tokens 1 "$PROMPT" \
  > "$OUT/phrases.jsonl"
"$PY" - "$OUT/phrases" "$OUT/phrases.jsonl" "$PROMPT" <<'EOF'
import json, sys
from transformers import AutoTokenizer
folder, events, prompt = sys.argv[1:]
tok = AutoTokenizer.from_pretrained(folder)
text = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=False)
want = tok(text, add_special_tokens=False)["input_ids"]
got = next(e for e in map(json.loads, open(events)) if e["event"] == "prompt")
assert got["text"] == text, (got["text"], text)
assert got["ids"] == want, (got["ids"], want)
pieces = tok.convert_ids_to_tokens(want)
# A piece with a space at both ends (" + ") cannot come from the Qwen2 regex: the phrases are in use.
assert any(len(p) > 2 and p[0] == p[-1] == "Ġ" for p in pieces), pieces
print(f"{len(want)} prompt ids equal to the engine's; pieces {pieces[3:16]}")
EOF
echo "smoke test: exported model loads and generates in the engine"
