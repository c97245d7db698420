"""Checkpoints of a training run, so that a run stopped part-way (a machine or a session that
ends, Ctrl-C, `--stop-after-steps`) resumes where it stopped and ends with the weights an
unstopped run would have had, bit for bit.

A run's batch plan is built up front from its seed, and the only random numbers a step draws are
attention dropout's (`--attention-dropout`, off by default), from torch's generator, so the state to
keep is the weights, the optimizer's moments, the step reached, that generator's state, the
tokenizer (when trained, rather than reused, it is kept as trained, not trained again), and the
bookkeeping that `training.json` reports (loss history, periodic evals, timings). It goes in one
file, `OUT/checkpoint.pt`, written to a temporary name and renamed, so a run killed while writing
leaves the previous checkpoint intact.

A checkpoint resumes only the run that wrote it: the arguments that decide the weights and the
data's SHA-256 are stored with it and compared on `--resume`, and a mismatch is an error that names
each difference.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

FILE_NAME = "checkpoint.pt"
FORMAT = 2  # 2: the torch generator's state is kept

# Arguments that do not change the weights a run ends with, so a resumed run may change them.
# The data's paths are among them because their SHA-256 is compared instead.
FREE_ARGS = {"resume", "stop_after_steps", "checkpoint_every", "threads", "log_every", "out", "data", "eval_data"}


def path_in(out: Path) -> Path:
    return out / FILE_NAME


def run_identity(args, data_sha256: str, eval_sha256: str | None) -> dict:
    """What a resumed run must share with the one that wrote the checkpoint."""
    ident = {k: v for k, v in sorted(vars(args).items()) if k not in FREE_ARGS}
    ident["data_sha256"] = data_sha256
    ident["eval_data_sha256"] = eval_sha256
    return ident


def save(out: Path, *, identity: dict, step: int, model, opt, tokenizer_json: str, state: dict) -> Path:
    """Write the checkpoint after `step` steps; returns its path."""
    out.mkdir(parents=True, exist_ok=True)
    target = path_in(out)
    tmp = target.with_name(target.name + ".tmp")
    torch.save({"format": FORMAT, "identity": identity, "step": step, "model": model.state_dict(),
                "optimizer": opt.state_dict(), "torch_rng_state": torch.get_rng_state(),
                "tokenizer_json": tokenizer_json, "state": state}, tmp)
    os.replace(tmp, target)
    return target


def load(out: Path, identity: dict) -> dict:
    """Read `OUT/checkpoint.pt` for `--resume`; exits with a message naming what is wrong."""
    target = path_in(out)
    if not target.is_file():
        raise SystemExit(f"error: --resume: {target} does not exist (nothing to resume in {out})")
    try:
        ck = torch.load(target, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises several types for a truncated or foreign file
        raise SystemExit(f"error: --resume: {target} is not a checkpoint this script wrote "
                         f"(torch.load: {type(e).__name__})")
    if not isinstance(ck, dict) or ck.get("format") != FORMAT:
        raise SystemExit(f"error: --resume: {target} is not a checkpoint of format {FORMAT}")
    saved = ck["identity"]
    diffs = [f"{k}: checkpoint {saved.get(k)!r}, now {identity.get(k)!r}"
             for k in sorted(set(saved) | set(identity)) if saved.get(k) != identity.get(k)]
    if diffs:
        raise SystemExit(f"error: --resume: {target} was written by a different run; rerun it with the "
                         "same arguments and data. Differences:\n  " + "\n  ".join(diffs))
    return ck


def remove(out: Path) -> None:
    """Drop the checkpoint once the model is exported: the folder is the model's, and it is 3x larger."""
    path_in(out).unlink(missing_ok=True)
