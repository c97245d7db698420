#!/usr/bin/env python3
"""Train tiny-reasoner from scratch on CPU: a small Qwen3 (transformers'
Qwen3ForCausalLM) on step-by-step examples, exported as a Hugging Face folder
the Rust engine loads.

    python train/train.py --data train.jsonl --eval-data heldout.jsonl \\
        --out models/tiny-reasoner --seed 1 --epochs 6 --max-minutes 35

Data: JSONL, one {"family": ..., "messages": [{"role": "user", ...},
{"role": "assistant", "content": "<think>\\nTRACE\\n</think>\\n\\nANSWER"}]}
per line (made by `tiny-reasoner data`). This script never generates
problems. Without --eval-data the last --holdout examples of --data are held
out for the dev-time accuracy check and not trained on.

Each example is rendered with the Qwen3 chat template exactly as inference
sees it; the loss covers only the assistant reply (from <think> to the closing
<|im_end|>).

A run stopped part-way (SIGTERM, Ctrl-C, `--stop-after-steps`) continues with the
same command and `--resume`, from OUT/checkpoint.pt (see checkpoint.py).

`python train/train.py --smoke` runs a few steps of a tiny model on 32
examples, exports, and reloads the export with AutoModelForCausalLM /
AutoTokenizer (what CI runs; < 1 minute).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# OpenMP threads that sleep instead of spinning while waiting: on a small,
# shared machine (2 cores, other jobs running) spinning threads made training
# up to 10x slower; passive waiting costs nothing measurable when idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402

transformers.utils.logging.disable_progress_bar()
from transformers import (  # noqa: E402
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    Qwen3Config,
    Qwen3ForCausalLM,
)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import checkpoint  # noqa: E402
import tokenizer as tokmod  # noqa: E402

# Model sizes. "small" is the shipped model; "tiny" is for the smoke test.
CONFIGS = {
    "small": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                  head_dim=64, intermediate_size=768),
    "tiny": dict(hidden_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                 head_dim=16, intermediate_size=128),
}

SMOKE_DATA = HERE / "testdata" / "smoke.jsonl"


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def reference_answer(messages: list[dict]) -> str:
    return messages[-1]["content"].split("</think>")[-1].strip()


class Encoded:
    __slots__ = ("ids", "n_prompt", "family", "answer", "prompt_ids", "messages")

    def __init__(self, ids, n_prompt, family, answer, messages):
        self.ids = ids  # prompt + reply, ending with <|im_end|>
        self.n_prompt = n_prompt
        self.family = family
        self.answer = answer
        self.messages = messages


def encode_examples(examples, raw_tok, hf_tok, max_len: int, check_all: bool = True):
    """Render every example with the chat template and tokenize it.

    Checks, per example: the rendered conversation starts with exactly the
    generation prompt inference uses (apply_chat_template(prompt messages,
    add_generation_prompt=True), thinking enabled); the prompt's token ids
    are a prefix of the conversation's; the reply is the assistant content
    followed by <|im_end|>. The template's trailing "\\n" after <|im_end|> is
    dropped: generation stops at <|im_end|>.
    """
    im_end = raw_tok.token_to_id(tokmod.EOS_TOKEN)
    out, dropped, reformatted = [], 0, 0
    for i, ex in enumerate(examples):
        msgs = ex["messages"]
        assert msgs[-1]["role"] == "assistant", f"example {i}: last message must be the assistant's"
        full = hf_tok.apply_chat_template(msgs, tokenize=False)
        prompt = hf_tok.apply_chat_template(msgs[:-1], tokenize=False, add_generation_prompt=True)
        if not full.startswith(prompt):
            raise AssertionError(f"example {i}: prompt render is not a prefix of the conversation:\n"
                                 f"{prompt!r}\n{full!r}")
        reply = full[len(prompt):]
        assert reply.endswith("<|im_end|>\n"), repr(reply[-40:])
        if reply[: -len("<|im_end|>\n")] != msgs[-1]["content"]:
            reformatted += 1  # template normalized the think block's newlines
        ids_p = raw_tok.encode(prompt, add_special_tokens=False).ids
        ids = raw_tok.encode(full, add_special_tokens=False).ids
        if check_all or i < 50:
            assert ids[: len(ids_p)] == ids_p, f"example {i}: prompt tokens are not a prefix"
        assert ids[-2] == im_end and raw_tok.id_to_token(ids[-1]) == "Ċ", ids[-3:]
        ids = ids[:-1]
        if len(ids) > max_len:
            dropped += 1
            continue
        out.append(Encoded(ids, len(ids_p), ex.get("family", "?"), reference_answer(msgs), msgs))
    return out, dropped, reformatted


def make_batches(n_items: int, lengths, batch_tokens: int, max_batch: int, rng: random.Random):
    """One epoch of batches: shuffle, sort by length inside chunks of ~50
    batches, cut batches under a padded-token budget, shuffle batch order."""
    idx = list(range(n_items))
    rng.shuffle(idx)
    avg = max(1, sum(lengths) // max(1, n_items))
    chunk = max(1, 50 * max(1, batch_tokens // avg))
    batches = []
    for c in range(0, n_items, chunk):
        part = sorted(idx[c: c + chunk], key=lambda j: lengths[j])
        cur, cur_max = [], 0
        for j in part:
            m = max(cur_max, lengths[j])
            if cur and (m * (len(cur) + 1) > batch_tokens or len(cur) >= max_batch):
                batches.append(cur)
                cur, m = [], lengths[j]
            cur.append(j)
            cur_max = m
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(items: list[Encoded], pad_id: int):
    """Right-padded input ids and labels (-100 on prompt and padding). Right
    padding under a causal mask never changes the real tokens' outputs, so no
    attention mask is needed."""
    L = max(len(e.ids) for e in items)
    inp = torch.full((len(items), L), pad_id, dtype=torch.long)
    lab = torch.full((len(items), L), -100, dtype=torch.long)
    for r, e in enumerate(items):
        t = torch.tensor(e.ids, dtype=torch.long)
        inp[r, : len(e.ids)] = t
        lab[r, e.n_prompt: len(e.ids)] = t[e.n_prompt:]
    return inp, lab


# ---------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------


def build_model(name: str, vocab_size: int, max_pos: int, ids: dict, overrides: dict) -> Qwen3ForCausalLM:
    kw = dict(CONFIGS[name])
    kw.update({k: v for k, v in overrides.items() if v is not None})
    cfg = Qwen3Config(
        vocab_size=vocab_size,
        max_position_embeddings=max_pos,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        hidden_act="silu",
        tie_word_embeddings=True,
        attention_bias=False,
        use_sliding_window=False,
        bos_token_id=ids["eot"],
        eos_token_id=ids["im_end"],
        pad_token_id=ids["eot"],
        **kw,
    )
    # transformers 5 keeps rope_theta in rope_parameters; make sure it took.
    rp = getattr(cfg, "rope_parameters", None)
    if isinstance(rp, dict):
        assert float(rp.get("rope_theta", 0)) == 10000.0, rp
    model = Qwen3ForCausalLM(cfg)
    assert model.get_input_embeddings().weight is model.get_output_embeddings().weight, "embeddings not tied"
    return model


def param_groups(model, weight_decay: float):
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (decay if p.dim() >= 2 and "embed_tokens" not in n else no_decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def lr_at(step: int, warmup: int, progress: float, peak: float, min_ratio: float) -> float:
    """Linear warmup over `warmup` steps, then cosine decay to
    peak * min_ratio as `progress` goes from 0 to 1."""
    if step < warmup:
        return peak * (step + 1) / warmup
    t = min(1.0, max(0.0, progress))
    return peak * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * t)))


# ---------------------------------------------------------------------------
# Dev-time evaluation: greedy decode, exact answer after </think>
# ---------------------------------------------------------------------------


@torch.no_grad()
def evaluate(model, hf_tok, items: list[Encoded], ids: dict, max_new: int, batch_size: int = 100,
             show: int = 0):
    """Greedy-decode each held-out prompt with the HF model (left-padded
    batches) and compare the text after </think> with the reference answer."""
    was_training = model.training
    model.eval()
    per = defaultdict(lambda: [0, 0])
    fmt_ok = 0
    shown = 0
    # Batches of similar reference length: generation per batch is capped
    # near its longest reference reply, so rambling outputs stop early.
    order = sorted(range(len(items)), key=lambda i: len(items[i].ids) - items[i].n_prompt)
    for b in range(0, len(order), batch_size):
        chunk = [items[i] for i in order[b: b + batch_size]]
        L = max(e.n_prompt for e in chunk)
        inp = torch.full((len(chunk), L), ids["eot"], dtype=torch.long)
        att = torch.zeros((len(chunk), L), dtype=torch.long)
        for r, e in enumerate(chunk):
            inp[r, L - e.n_prompt:] = torch.tensor(e.ids[: e.n_prompt])
            att[r, L - e.n_prompt:] = 1
        longest = max(len(e.ids) - e.n_prompt for e in chunk)
        out = model.generate(
            input_ids=inp,
            attention_mask=att,
            max_new_tokens=min(max_new, longest + longest // 4 + 16),
            do_sample=False,
            eos_token_id=[ids["im_end"], ids["eot"]],
            pad_token_id=ids["eot"],
        )
        for r, e in enumerate(chunk):
            gen = out[r, L:].tolist()
            ended = ids["im_end"] in gen
            if ended:
                gen = gen[: gen.index(ids["im_end"])]
            text = hf_tok.decode(gen, skip_special_tokens=True)
            has_think = text.startswith("<think>") and "</think>" in text
            got = text.split("</think>")[-1].strip() if "</think>" in text else None
            ok = got == e.answer
            fmt_ok += int(ended and has_think)
            per[e.family][0] += int(ok)
            per[e.family][1] += 1
            if show and shown < show and not ok:
                shown += 1
                log(f"  [wrong {e.family}] prompt={e.messages[0]['content'][:120]!r}\n"
                    f"    want={e.answer!r} got={got!r}\n    gen={text[:400]!r}")
    if was_training:
        model.train()
    total_ok = sum(v[0] for v in per.values())
    total = sum(v[1] for v in per.values())
    res = {
        "accuracy": total_ok / max(1, total),
        "n": total,
        "format_ok": fmt_ok / max(1, total),
        "per_family": {k: {"correct": v[0], "n": v[1], "accuracy": v[0] / v[1]} for k, v in sorted(per.items())},
    }
    return res


def fmt_eval(res) -> str:
    fam = " ".join(f"{k}={v['correct']}/{v['n']}" for k, v in res["per_family"].items())
    return f"acc {res['accuracy']:.3f} ({res['n']}) format_ok {res['format_ok']:.2f} | {fam}"


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------


def add_legacy_rope_theta(folder: Path, theta: float) -> None:
    """transformers 5 writes rope_parameters {rope_theta, rope_type};
    transformers 4 (and many other loaders) read a top-level rope_theta. Write
    both; transformers 5 reads this file back to the same model (checked)."""
    path = folder / "config.json"
    cfg = json.loads(path.read_text())
    rp = cfg.get("rope_parameters")
    if isinstance(rp, dict):
        assert rp.get("rope_type", "default") == "default", rp
        assert float(rp["rope_theta"]) == theta, rp
    cfg["rope_theta"] = theta
    cfg.setdefault("rope_scaling", None)
    if "dtype" in cfg:
        cfg.setdefault("torch_dtype", cfg["dtype"])  # the transformers 4 name
    path.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")


def export(model, raw_tok, out: Path, ids: dict, dtype: torch.dtype, max_len: int):
    out.mkdir(parents=True, exist_ok=True)
    for f in out.glob("*.safetensors"):
        f.unlink()
    model.generation_config = GenerationConfig(
        bos_token_id=ids["eot"],
        eos_token_id=[ids["im_end"], ids["eot"]],
        pad_token_id=ids["eot"],
        do_sample=False,
    )
    m = model if dtype == torch.float32 else _copy_as(model, dtype)
    m.save_pretrained(out)
    for f in out.glob("*.safetensors"):
        f.chmod(0o644)
    add_legacy_rope_theta(out, float(model.config.rope_parameters["rope_theta"])
                          if isinstance(getattr(model.config, "rope_parameters", None), dict)
                          else float(model.config.rope_theta))
    tokmod.save_tokenizer(raw_tok, out, model_max_length=max_len)


def _copy_as(model, dtype):
    import copy

    return copy.deepcopy(model).to(dtype)


@torch.no_grad()
def verify_export(model, out: Path, raw_tok, sample_messages, dtype: torch.dtype) -> dict:
    """Reload the folder the way users will and check it matches."""
    tok = AutoTokenizer.from_pretrained(out)
    m2 = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    assert type(m2).__name__ == "Qwen3ForCausalLM", type(m2)
    assert m2.config.tie_word_embeddings
    prompt = tok.apply_chat_template(sample_messages[:-1], tokenize=False, add_generation_prompt=True)
    ids = tok(prompt, add_special_tokens=False)["input_ids"]
    assert ids == raw_tok.encode(prompt, add_special_tokens=False).ids, "reloaded tokenizer differs"
    tokmod.check_tokenizer(raw_tok, tok, [tok.apply_chat_template(sample_messages, tokenize=False)])
    x = torch.tensor([ids])
    was = model.training
    model.eval()
    ref = model(x).logits.float()
    model.train(was)
    got = m2(x).logits
    diff = (ref - got).abs().max().item()
    tol = 1e-4 if dtype == torch.float32 else 0.25
    assert diff <= tol, f"reloaded model logits differ by {diff}"
    gc = json.loads((out / "generation_config.json").read_text())
    cfg = json.loads((out / "config.json").read_text())
    assert "rope_theta" in cfg
    return {"max_abs_logit_diff": diff, "generation_config": gc}


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def sha256(path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="training JSONL")
    ap.add_argument("--eval-data", help="held-out JSONL for the dev-time accuracy check")
    ap.add_argument("--holdout", type=int, default=200,
                    help="without --eval-data: hold out the last K examples of --data (default 200)")
    ap.add_argument("--out", help="output folder (Hugging Face layout)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--data-seed", type=int, default=None, help="seed the data was generated with (recorded only)")
    ap.add_argument("--epochs", type=float, default=6.0)
    ap.add_argument("--max-minutes", type=float, default=35.0,
                    help="wall-clock budget for the training steps (periodic evals not counted); the cosine LR "
                         "schedule is compressed to end on time if the planned epochs would not fit (0: no limit)")
    ap.add_argument("--config", choices=sorted(CONFIGS), default="small")
    ap.add_argument("--layers", type=int, help="override num_hidden_layers")
    ap.add_argument("--hidden", type=int, help="override hidden_size")
    ap.add_argument("--intermediate", type=int, help="override intermediate_size")
    ap.add_argument("--kv-heads", type=int,
                    help="override num_key_value_heads (the query heads share keys and values in groups; "
                         "equal to the query heads, every head has its own)")
    ap.add_argument("--vocab-size", type=int, default=1024, help="BPE vocabulary incl. 256 bytes")
    ap.add_argument("--pretokenizer", choices=sorted(tokmod.PRETOKENIZERS), default=None,
                    help="how texts are cut before BPE: 'words' (the Qwen2 regex, the default) or 'phrases' "
                         "(all between two digits one piece: stock phrases become single tokens, fewer tokens "
                         "per trace); not with --tokenizer-from, whose tokenizer keeps its own")
    ap.add_argument("--tokenizer-from", metavar="DIR",
                    help="reuse DIR/tokenizer.json (e.g. models/tiny-reasoner) instead of training one on --data: "
                         "a trace change then leaves every other family's tokens as they were")
    ap.add_argument("--max-len", type=int, default=1024, help="max tokens per example (longer ones are dropped)")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=100, help="warmup steps")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--attention-dropout", type=float, default=0.0, metavar="P",
                    help="dropout on the attention weights while training (the one dropout Qwen3 has); "
                         "0 turns it off")
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--batch-tokens", type=int, default=4096, help="padded tokens per batch")
    ap.add_argument("--max-batch", type=int, default=64, help="max sequences per batch")
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--eval-every", type=int, default=0, help="steps between dev evals (0: once per epoch)")
    ap.add_argument("--eval-n", type=int, default=60, help="held-out examples in periodic evals (all at the end)")
    ap.add_argument("--max-new-tokens", type=int, default=768)
    ap.add_argument("--dtype", choices=["float32", "bfloat16"], default="float32", help="weights in model.safetensors")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--bench", action="store_true", help="only measure training tokens/s and exit")
    ap.add_argument("--checkpoint-every", type=int, default=250, metavar="STEPS",
                    help="write OUT/checkpoint.pt every STEPS steps (0: never), so a run stopped part-way "
                         "can --resume; it is also written on SIGTERM / Ctrl-C and removed after the export")
    ap.add_argument("--resume", action="store_true",
                    help="continue the run in OUT from OUT/checkpoint.pt (same arguments and data); it ends "
                         "with the weights the run would have had unstopped")
    ap.add_argument("--stop-after-steps", type=int, default=0, metavar="STEPS",
                    help="stop after STEPS steps as if interrupted: write the checkpoint and exit, to "
                         "split a run (finish it with --resume)")
    ap.add_argument("--smoke", action="store_true",
                    help="CI check: tiny model, 32 examples, a few steps, export to a temp dir, reload")
    args = ap.parse_args(argv)
    if args.smoke:
        args.data = args.data or str(SMOKE_DATA)
        args.config = "tiny"
        args.vocab_size = min(args.vocab_size, 512)
        args.max_steps = args.max_steps or 6
        args.epochs = 1000
        args.holdout = 8 if not args.eval_data else args.holdout
        args.eval_n = 8
        args.warmup = 2
        args.log_every = 2
        args.eval_every = 1_000_000
        args.max_new_tokens = 48
        args.batch_tokens = 2048
    if not 0.0 <= args.attention_dropout < 1.0:
        ap.error(f"--attention-dropout {args.attention_dropout}: must be at least 0 and below 1")
    heads = CONFIGS[args.config]["num_attention_heads"]
    if args.kv_heads is not None and (args.kv_heads < 1 or heads % args.kv_heads):
        ap.error(f"--kv-heads {args.kv_heads}: must divide the {args.config} shape's {heads} query heads")
    if not args.data:
        ap.error("--data is required")
    if not args.out and not args.smoke and not args.bench:
        ap.error("--out is required")
    if not args.out and (args.resume or args.stop_after_steps):
        ap.error("--resume and --stop-after-steps need --out (the checkpoint is kept there)")
    if args.tokenizer_from and not (Path(args.tokenizer_from) / "tokenizer.json").is_file():
        ap.error(f"--tokenizer-from {args.tokenizer_from}: that folder has no tokenizer.json")
    if args.tokenizer_from and args.pretokenizer:
        # Silently ignoring it would train with a tokenizer other than the one asked for.
        ap.error(f"--pretokenizer {args.pretokenizer} and --tokenizer-from: a reused tokenizer keeps the "
                 "pretokenizer it was trained with; give one or the other")
    args.pretokenizer = args.pretokenizer or "words"
    return args


def main(argv=None):
    args = parse_args(argv)
    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    examples = tokmod.read_jsonl(args.data)
    if args.eval_data:
        train_ex, eval_ex = examples, tokmod.read_jsonl(args.eval_data)
    else:
        k = min(args.holdout, len(examples) // 5)
        train_ex, eval_ex = examples[: len(examples) - k], examples[len(examples) - k:]
    if args.smoke:
        train_ex = train_ex[:32]
    log(f"data {args.data}: {len(train_ex)} train, {len(eval_ex)} held out"
        f"{' (' + args.eval_data + ')' if args.eval_data else ' (last of --data)'}")

    if args.out or args.bench:
        out = Path(args.out) if args.out else None
    else:
        out = Path(tempfile.mkdtemp(prefix="tiny-reasoner-smoke-"))
    identity = checkpoint.run_identity(args, sha256(args.data), sha256(args.eval_data) if args.eval_data else None)
    resumed = checkpoint.load(out, identity) if args.resume else None

    # Tokenizer: trained on the training texts only, unless --tokenizer-from names one to reuse;
    # a resumed run takes the one its checkpoint kept.
    if resumed:
        raw_tok = tokmod.Tokenizer.from_str(resumed["tokenizer_json"])
        tok_source = resumed["state"]["tok_source"]
    elif args.tokenizer_from:
        tok_file = Path(args.tokenizer_from) / "tokenizer.json"
        try:
            raw_tok = tokmod.Tokenizer.from_file(str(tok_file))
        except Exception as e:  # tokenizers raises a bare Exception on a corrupt file
            sys.exit(f"error: --tokenizer-from {tok_file} is not a tokenizer file: {e}")
        tok_source = {"reused": str(tok_file), "sha256": sha256(tok_file)}
        missing = [t for t in ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]
                   if raw_tok.token_to_id(t) is None]
        if missing:
            sys.exit(f"error: --tokenizer-from {tok_file} lacks the tokens {', '.join(missing)} "
                     "that the chat template and the traces need")
    else:
        raw_tok = tokmod.build_tokenizer(tokmod.corpus_texts(train_ex), args.vocab_size,
                                         pretokenizer=args.pretokenizer)
        tok_source = {"trained_on": "--data", "vocab_size": args.vocab_size, "pretokenizer": args.pretokenizer}
    tok_dir = Path(tempfile.mkdtemp(prefix="tiny-reasoner-tok-"))
    hf_tok = tokmod.save_tokenizer(raw_tok, tok_dir, model_max_length=args.max_len)
    tokmod.check_tokenizer(raw_tok, hf_tok, [hf_tok.apply_chat_template(e["messages"], tokenize=False)
                                             for e in train_ex[:100]])
    ids = {"eot": raw_tok.token_to_id("<|endoftext|>"), "im_end": raw_tok.token_to_id("<|im_end|>"),
           "im_start": raw_tok.token_to_id("<|im_start|>")}
    n_vocab = raw_tok.get_vocab_size()
    model_vocab = (n_vocab + 63) // 64 * 64
    log(f"tokenizer: {n_vocab} tokens (model vocab {model_vocab}); eos <|im_end|>={ids['im_end']} "
        f"pad <|endoftext|>={ids['eot']}")

    train_items, dropped, reformatted = encode_examples(train_ex, raw_tok, hf_tok, args.max_len)
    eval_items, dropped_eval, _ = encode_examples(eval_ex, raw_tok, hf_tok, args.max_len)
    lengths = [len(e.ids) for e in train_items]
    reply_tokens = sum(len(e.ids) - e.n_prompt for e in train_items)
    fams = defaultdict(int)
    for e in train_items:
        fams[e.family] += 1
    log(f"encoded: {len(train_items)} train examples ({dropped} dropped > {args.max_len} tokens, "
        f"{reformatted} re-rendered by the template), {sum(lengths)} tokens/epoch, {reply_tokens} "
        f"trained-on reply tokens; length mean {np.mean(lengths):.0f} p50 {int(np.median(lengths))} "
        f"p95 {int(np.percentile(lengths, 95))} max {max(lengths)}; families {dict(sorted(fams.items()))}")
    if dropped_eval:
        log(f"warning: {dropped_eval} held-out examples dropped (> {args.max_len} tokens)")

    model = build_model(args.config, model_vocab, args.max_len, ids,
                        {"num_hidden_layers": args.layers, "hidden_size": args.hidden,
                         "intermediate_size": args.intermediate,
                         "num_key_value_heads": args.kv_heads,
                         "attention_dropout": args.attention_dropout})
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: Qwen3ForCausalLM {args.config} {json.dumps({k: getattr(model.config, k) for k in CONFIGS['small']})}"
        f" -> {n_params:,} params ({n_params * 4 / 1e6:.1f} MB f32)")
    model.train()

    # Batches for all epochs up front: a fixed, seeded plan.
    rng = random.Random(args.seed)
    full_epochs = math.ceil(args.epochs)
    plan = []
    for ep in range(full_epochs):
        bs = make_batches(len(train_items), lengths, args.batch_tokens, args.max_batch, rng)
        if ep + 1 > args.epochs:  # fractional last epoch
            bs = bs[: int(len(bs) * (args.epochs - ep))]
        plan.extend((ep, b) for b in bs)
    total_steps = len(plan)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    steps_per_epoch = len(plan) / max(args.epochs, 1e-9)
    pad_frac = 1 - sum(lengths) * args.epochs / max(1, sum(len(b) * max(lengths[j] for j in b) for _, b in plan))
    log(f"plan: {total_steps} steps (~{steps_per_epoch:.0f}/epoch, {args.epochs} epochs), "
        f"batch <= {args.batch_tokens} padded tokens, padding {pad_frac:.1%}")

    opt = torch.optim.AdamW(param_groups(model, args.weight_decay), lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    eval_every = args.eval_every or max(1, round(steps_per_epoch))

    history = []
    evals = []
    t_train = time.time()
    win_loss, win_tok, win_real, win_steps, t_win = 0.0, 0, 0, 0, time.time()
    tokens_seen = 0
    losses_tail = []
    stopped = "plan finished"
    eval_seconds = 0.0
    budget_s = args.max_minutes * 60 if args.max_minutes > 0 else float("inf")
    warm_end = min(args.warmup, total_steps - 1)
    progress = 0.0
    # The clock the schedule compares with the steps starts when warmup ends and leaves out the
    # dev-time evals, as the step fraction does: a clock that counted the warmup (and evals) led
    # the steps for a few hundred steps on a slow machine and lowered the rate there, so a run that
    # fits its budget was not purely step-determined.
    t_warm_end, evals_at_warm_end = None, 0.0
    resumed_at = []  # steps at which this run was resumed
    start_step = 0
    if resumed:
        # Times are kept as offsets from the start of training, so the schedule's clock and the
        # reported minutes leave out the time the run spent stopped.
        st = resumed["state"]
        model.load_state_dict(resumed["model"])
        opt.load_state_dict(resumed["optimizer"])
        # Attention dropout draws from torch's generator: continue its stream, not a reseeded one.
        torch.set_rng_state(resumed["torch_rng_state"])
        start_step = resumed["step"]
        history, evals, losses_tail = st["history"], st["evals"], st["losses_tail"]
        tokens_seen, eval_seconds, evals_at_warm_end = st["tokens_seen"], st["eval_seconds"], st["evals_at_warm_end"]
        t_train = time.time() - st["train_seconds"]
        # The stopped run's setup, not this one's: redoing it on resume is not part of the run.
        t_start = t_train - st["setup_seconds"]
        if st["warm_end_offset"] is not None:
            t_warm_end = t_train + st["warm_end_offset"]
        resumed_at = st["resumed_at"] + [start_step]
        log(f"resumed from {checkpoint.path_in(out)} after step {start_step} of {total_steps}")

    def save_checkpoint(steps_done: int) -> Path:
        state = {"history": history, "evals": evals, "losses_tail": losses_tail, "tokens_seen": tokens_seen,
                 "eval_seconds": eval_seconds, "evals_at_warm_end": evals_at_warm_end,
                 "train_seconds": time.time() - t_train, "setup_seconds": t_train - t_start,
                 "warm_end_offset": None if t_warm_end is None else t_warm_end - t_train,
                 "resumed_at": resumed_at, "tok_source": tok_source}
        return checkpoint.save(out, identity=identity, step=steps_done, model=model, opt=opt,
                               tokenizer_json=raw_tok.to_str(), state=state)

    # SIGTERM (a machine shutting down) and Ctrl-C end the run after the current step, with a checkpoint.
    interrupted = []
    previous_handlers = {sig: signal.signal(sig, lambda signum, _frame: interrupted.append(signum))
                         for sig in (signal.SIGTERM, signal.SIGINT)}
    step = start_step - 1
    for step in range(start_step, total_steps):
        ep, b = plan[step]
        if step == warm_end:
            t_warm_end, evals_at_warm_end = time.time(), eval_seconds
        # Schedule progress: the fraction of planned steps after warmup, or
        # of the rest of the wall-clock budget, whichever is further along. On
        # a slow or busy machine the cosine is compressed to end (decayed) on time.
        step_frac = (step - warm_end) / max(1, total_steps - 1 - warm_end)
        time_frac = 0.0
        if t_warm_end is not None:
            clock = time.time() - t_warm_end - (eval_seconds - evals_at_warm_end)
            time_frac = clock / max(1.0, budget_s - (t_warm_end - t_train))
        progress = max(step_frac, time_frac)
        if progress >= 1.0 and step > warm_end and step_frac < 1.0:
            stopped = f"max-minutes {args.max_minutes} reached"
            step -= 1
            break
        lr = lr_at(step, args.warmup, progress, args.lr, args.min_lr_ratio)
        for g in opt.param_groups:
            g["lr"] = lr
        inp, lab = collate([train_items[j] for j in b], ids["eot"])
        logits = model(input_ids=inp, use_cache=False).logits
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.size(-1)).float(), lab[:, 1:].reshape(-1),
                               ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip).item()
        opt.step()

        lv = loss.item()
        if not math.isfinite(lv):
            raise RuntimeError(f"loss is {lv} at step {step}")
        win_loss += lv
        win_steps += 1
        win_tok += inp.numel()
        win_real += sum(len(train_items[j].ids) for j in b)
        tokens_seen += inp.numel()
        losses_tail.append(lv)
        losses_tail = losses_tail[-50:]
        if args.bench and step == 4:  # skip warm-up steps
            win_loss, win_tok, win_real, win_steps, t_win = 0.0, 0, 0, 0, time.time()
        if (step + 1) % args.log_every == 0 or step + 1 == total_steps:
            dt = time.time() - t_win
            elapsed = (time.time() - t_train) / 60
            rec = {"step": step + 1, "epoch": round((step + 1) / steps_per_epoch, 3), "loss": win_loss / win_steps,
                   "lr": lr, "grad_norm": gnorm, "tok_s": win_tok / dt, "real_tok_s": win_real / dt,
                   "minutes": elapsed}
            history.append(rec)
            log(f"step {step + 1}/{total_steps} ep {rec['epoch']:.2f} loss {rec['loss']:.4f} lr {lr:.2e} "
                f"gnorm {gnorm:.2f} | {rec['tok_s']:.0f} tok/s ({rec['real_tok_s']:.0f} real) | {elapsed:.1f} min")
            win_loss, win_tok, win_real, win_steps, t_win = 0.0, 0, 0, 0, time.time()
            if args.bench:
                break
        if (step + 1) % eval_every == 0 and step + 1 < total_steps and eval_items and not args.bench:
            te = time.time()
            res = evaluate(model, hf_tok, eval_items[: args.eval_n], ids, args.max_new_tokens)
            eval_seconds += time.time() - te
            res.update(step=step + 1, epoch=round((step + 1) / steps_per_epoch, 3))
            evals.append(res)
            log(f"eval @ step {step + 1}: {fmt_eval(res)} ({time.time() - te:.0f}s)")
            t_win = time.time()
        if args.bench:
            continue
        # The last step is kept too, so a run killed in its final eval or export loses no training.
        last = step + 1 == total_steps
        stop_here = not last and (interrupted or step + 1 == args.stop_after_steps)
        periodic = args.checkpoint_every and (last or (step + 1) % args.checkpoint_every == 0)
        if stop_here or periodic:
            path = save_checkpoint(step + 1)
            if stop_here:
                why = f"signal {interrupted[0]}" if interrupted else f"--stop-after-steps {args.stop_after_steps}"
                log(f"stopped by {why} after step {step + 1} of {total_steps}: checkpoint {path}; "
                    "finish the run with the same command and --resume")
                shutil.rmtree(tok_dir, ignore_errors=True)
                sys.exit(128 + interrupted[0] if interrupted else 0)
    for sig, handler in previous_handlers.items():
        signal.signal(sig, handler)
    if args.bench:
        return
    steps_done = step + 1
    train_minutes = (time.time() - t_train) / 60
    epochs_done = steps_done / steps_per_epoch
    final_loss = float(np.mean(losses_tail[-20:]))
    log(f"training stopped ({stopped}) after {steps_done} steps, {epochs_done:.2f} epochs, "
        f"{train_minutes:.1f} min, final loss {final_loss:.4f}")

    te = time.time()
    final = evaluate(model, hf_tok, eval_items, ids, args.max_new_tokens, show=8)
    final_eval_s = time.time() - te
    log(f"final held-out eval: {fmt_eval(final)} ({final_eval_s:.0f}s)")

    # Export.
    dtype = torch.float32 if args.dtype == "float32" else torch.bfloat16
    export(model, raw_tok, out, ids, dtype, args.max_len)
    check = verify_export(model, out, raw_tok, eval_ex[0]["messages"] if eval_ex else train_ex[0]["messages"], dtype)
    st_size = sum(f.stat().st_size for f in out.glob("*.safetensors"))
    info = {
        "model": "Qwen3ForCausalLM",
        "config": args.config,
        "params": n_params,
        "vocab_size": n_vocab,
        "model_vocab_size": model_vocab,
        "dtype": args.dtype,
        "safetensors_bytes": st_size,
        "examples": len(train_items),
        "examples_dropped_too_long": dropped,
        "eval_examples": len(eval_items),
        "data": os.path.basename(args.data),
        "data_sha256": identity["data_sha256"],
        "eval_data": os.path.basename(args.eval_data) if args.eval_data else None,
        "eval_data_sha256": identity["eval_data_sha256"],
        "families": dict(sorted(fams.items())),
        "tokens_per_epoch": sum(lengths),
        "reply_tokens_per_epoch": reply_tokens,
        "seed": args.seed,
        "data_seed": args.data_seed,
        "epochs": round(epochs_done, 3),
        "epochs_planned": args.epochs,
        "steps": steps_done,
        "steps_planned": total_steps,
        "stopped": stopped,
        "resumed_at_steps": resumed_at,
        "lr_schedule": "linear warmup, then cosine to min-lr-ratio over max(step fraction, wall-clock fraction); "
                       "the clock starts after warmup and leaves out evals",
        "final_loss": final_loss,
        "train_minutes": round(train_minutes, 2),
        "periodic_eval_minutes": round(eval_seconds / 60, 2),
        "total_minutes": round((time.time() - t_start) / 60, 2),
        "tokens_per_s": round(tokens_seen / max(1e-9, train_minutes * 60 - eval_seconds)),
        "tokenizer": tok_source,
        "hyperparameters": {k: getattr(args, k.replace("-", "_")) for k in
                            ["lr", "min-lr-ratio", "warmup", "weight-decay", "attention-dropout", "clip",
                             "batch-tokens", "max-batch", "max-len", "vocab-size", "layers", "hidden",
                             "intermediate", "kv-heads"]},
        "heldout_eval": final,
        "periodic_evals": evals,
        "loss_history": history,
        "export_check": check,
        "command": "python " + " ".join([os.path.relpath(__file__)] + (argv if argv is not None else sys.argv[1:])),
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "tokenizers": __import__("tokenizers").__version__,
                     "safetensors": __import__("safetensors").__version__, "numpy": np.__version__},
        "machine": {"nproc": os.cpu_count(), "cpu_model": cpu_model(), "torch_threads": torch.get_num_threads(),
                    "platform": platform.platform()},
    }
    info["total_minutes"] = round((time.time() - t_start) / 60, 2)
    (out / "training.json").write_text(json.dumps(info, indent=2) + "\n")
    checkpoint.remove(out)
    shutil.rmtree(tok_dir, ignore_errors=True)
    log(f"exported to {out}: model.safetensors {st_size / 1e6:.2f} MB ({args.dtype}), params {n_params:,}, "
        f"max |logit diff| after reload {check['max_abs_logit_diff']:.2e}, total {info['total_minutes']:.1f} min")
    if args.smoke:
        smoke_reload(out)
        if not args.out:
            shutil.rmtree(out, ignore_errors=True)
        log("smoke test OK")


def smoke_reload(out: Path) -> None:
    """What CI checks: the export loads with the Auto classes and generates."""
    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    gc = json.loads((out / "generation_config.json").read_text())
    assert gc["eos_token_id"] == [tok.convert_tokens_to_ids("<|im_end|>"), tok.convert_tokens_to_ids("<|endoftext|>")]
    assert gc.get("do_sample") is False
    assert tok.eos_token == "<|im_end|>" and tok.pad_token == "<|endoftext|>" and tok.bos_token is None
    for f in ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
              "tokenizer_config.json", "training.json"]:
        assert (out / f).exists(), f
    msgs = [{"role": "user", "content": "What is 2 + 3?"}]
    enc = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        g = model.generate(**enc, max_new_tokens=8, do_sample=False)
    assert g.shape[1] > enc["input_ids"].shape[1]


if __name__ == "__main__":
    main()
