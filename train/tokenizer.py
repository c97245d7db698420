#!/usr/bin/env python3
"""Train the tiny-reasoner tokenizer: a Qwen2/Qwen3-style byte-level BPE.

Pipeline (the same shape as Qwen2/Qwen3 tokenizer.json files, so the Rust
engine's tokenizer handles it):

* normalizer: NFC
* pre-tokenizer: Split on a regex, then ByteLevel(add_prefix_space=False,
  use_regex=False). Two regexes (`PRETOKENIZERS`), both one digit per token:
  "words", the Qwen2 regex (a word, a run of punctuation or a space is a piece),
  and "phrases" (everything between two digits is one piece, so BPE can merge
  the trace's stock phrases, `, write ` or `. So far `, into single tokens).
* model: BPE trained on the example texts, all 256 byte symbols included
* decoder: ByteLevel
* added tokens after the BPE vocabulary: <|endoftext|>, <|im_start|>,
  <|im_end|> (special) and <think>, </think> (not special, as in Qwen3)

Saved through transformers so tokenizer_config.json looks like a real one:
bos_token null, eos_token <|im_end|>, pad_token <|endoftext|>, and the Qwen3
chat template (train/chat_template.jinja) under "chat_template".

Usage (standalone):
    python train/tokenizer.py --data train.jsonl --out DIR [--vocab-size 1024]
train.py calls build_tokenizer()/save_tokenizer() itself.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from tokenizers import (  # noqa: E402
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
    trainers,
)

HERE = Path(__file__).resolve().parent
CHAT_TEMPLATE_PATH = HERE / "chat_template.jinja"

QWEN2_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
    r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Every digit is a piece of its own; all else between two digits is one piece.
PHRASES_REGEX = r"\p{N}|[^\p{N}]+"

PRETOKENIZERS = {"words": QWEN2_REGEX, "phrases": PHRASES_REGEX}

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
THINK_TOKENS = ["<think>", "</think>"]
EOS_TOKEN = "<|im_end|>"
PAD_TOKEN = "<|endoftext|>"


def load_chat_template() -> str:
    return CHAT_TEMPLATE_PATH.read_text()


def read_jsonl(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def corpus_texts(examples: list[dict]):
    """Texts the BPE is trained on: every message content with the think tags
    removed (those become added tokens), plus the role names the template puts
    after <|im_start|>."""
    for ex in examples:
        for m in ex["messages"]:
            text = m["content"]
            for t in THINK_TOKENS:
                text = text.replace(t, "\n")
            yield text
        # role names once per chat, so BPE merges them like real text
        yield "user\nassistant\n"


def build_tokenizer(texts, vocab_size: int = 1024, min_frequency: int = 2,
                    pretokenizer: str = "words") -> Tokenizer:
    """Train the byte-level BPE. `vocab_size` counts the 256 byte symbols and
    the BPE merges, not the 5 added tokens that go after them; `pretokenizer`
    names the regex of PRETOKENIZERS that cuts texts into pieces before BPE."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZERS[pretokenizer]), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(texts, trainer=trainer)
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS])
    tok.add_tokens([AddedToken(t, special=False, normalized=False) for t in THINK_TOKENS])
    return tok


def split_regex(tok: Tokenizer) -> str | None:
    """The regex of the tokenizer's Split pre-tokenizer (None without one)."""
    pre = json.loads(tok.to_str()).get("pre_tokenizer") or {}
    for step in pre.get("pretokenizers", [pre]):
        if step.get("type") == "Split":
            return step["pattern"].get("Regex")
    return None


def save_tokenizer(tok: Tokenizer, out: str | Path, model_max_length: int = 1024):
    """Write tokenizer.json + tokenizer_config.json (chat template inside).
    Returns the transformers tokenizer loaded back from `out`."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    template = load_chat_template()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token=EOS_TOKEN,
        pad_token=PAD_TOKEN,
        model_max_length=model_max_length,
        clean_up_tokenization_spaces=False,
    )
    fast.chat_template = template
    fast.save_pretrained(out)
    # tokenizer.json straight from the `tokenizers` object: exactly the
    # pipeline built above.
    tok.save(str(out / "tokenizer.json"), pretty=True)

    # Keep the template inside tokenizer_config.json (read by transformers 4
    # and 5 and by the Rust engine); no separate chat_template.jinja.
    cfg_path = out / "tokenizer_config.json"
    cfg = json.loads(cfg_path.read_text())
    cfg["chat_template"] = template
    cfg["bos_token"] = None
    cfg["eos_token"] = EOS_TOKEN
    cfg["pad_token"] = PAD_TOKEN
    # The transformers-4 shape most Qwen checkpoints have: loads in
    # transformers 4 and 5 (v5 maps Qwen2Tokenizer to the same tokenizers
    # pipeline; check_tokenizer() verifies the ids match). v5 builds a
    # Qwen2Tokenizer's pipeline with the Qwen2 regex whatever tokenizer.json
    # says, so another regex takes the generic class, which reads the file.
    cfg.pop("backend", None)
    qwen2_split = split_regex(tok) == QWEN2_REGEX
    cfg["tokenizer_class"] = "Qwen2Tokenizer" if qwen2_split else "PreTrainedTokenizerFast"
    cfg["add_prefix_space"] = False
    cfg["errors"] = "replace"
    cfg["split_special_tokens"] = False
    cfg["unk_token"] = None
    cfg["added_tokens_decoder"] = {
        str(i): {
            "content": t.content,
            "lstrip": t.lstrip,
            "normalized": t.normalized,
            "rstrip": t.rstrip,
            "single_word": t.single_word,
            "special": t.special,
        }
        for i, t in sorted(tok.get_added_tokens_decoder().items())
    }
    cfg_path.write_text(json.dumps(cfg, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    jinja = out / "chat_template.jinja"
    if jinja.exists():
        jinja.unlink()
    return AutoTokenizer.from_pretrained(out)


def check_tokenizer(tok: Tokenizer, hf, texts) -> None:
    """The saved tokenizer, loaded by transformers, must give exactly the ids
    of the `tokenizers` pipeline (and decode back to the NFC text)."""
    import unicodedata

    for t in texts:
        ids = tok.encode(t, add_special_tokens=False).ids
        got = hf(t, add_special_tokens=False)["input_ids"]
        if ids != got:
            raise AssertionError(f"transformers tokenizer differs on {t[:80]!r}")
        if tok.decode(ids, skip_special_tokens=False) != unicodedata.normalize("NFC", t):
            raise AssertionError(f"decode does not round-trip {t[:80]!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="training JSONL (one {family, messages} per line)")
    ap.add_argument("--out", required=True, help="folder for tokenizer.json + tokenizer_config.json")
    ap.add_argument("--vocab-size", type=int, default=1024)
    ap.add_argument("--pretokenizer", choices=sorted(PRETOKENIZERS), default="words")
    args = ap.parse_args()
    examples = read_jsonl(args.data)
    tok = build_tokenizer(corpus_texts(examples), args.vocab_size, pretokenizer=args.pretokenizer)
    hf = save_tokenizer(tok, args.out)
    check_tokenizer(tok, hf, [hf.apply_chat_template(ex["messages"], tokenize=False) for ex in examples[:200]])
    n_tok = sum(len(hf.apply_chat_template(ex["messages"], tokenize=False)) for ex in examples[:200])
    print(f"vocab {tok.get_vocab_size()} (BPE {tok.get_vocab_size() - 5} + 5 added) -> {args.out}; "
          f"eos {hf.eos_token}={hf.eos_token_id} pad {hf.pad_token}={hf.pad_token_id}; "
          f"{n_tok} chars in first 200 chats")


if __name__ == "__main__":
    main()
