"""Where each wrong sort of the model first left the reference working.

Reads the JSON lines of `tiny-reasoner eval --failures FILE` (family, prompt, reference_thinking,
thinking, ...) and counts, for every wrong compare/sort reply, the kind of the first line that
differs from the reference working (for a wrong new order, where in it; for a wrong walk step,
which number or reason of the step), with a few examples of each:

    python3 train/sort_first_errors.py /tmp/failures.jsonl [more failure files, counted together]

The kinds follow the insertion trace of `src/tasks/compare_sort.rs` (`Start with`, `Place x: <walk>.
Now <order>. To place: <left>.`); a comparison (no `Start with` in the reference) is counted as one.
"""
import argparse
import collections
import json
import re
import sys


def place_line_kind(ref: str, got: str) -> str:
    """Which part of a `Place` line went wrong first: the number, the walk, the order or the rest."""
    ref_head, _, ref_body = ref.partition(": ")
    got_head, _, got_body = got.partition(": ")
    if ref_head != got_head:
        return "place: which number"
    ref_walk = ref_body.partition(". Now ")[0]
    got_walk = got_body.partition(". Now ")[0]
    if ref_walk != got_walk:
        same_steps = walk_steps(ref) == walk_steps(got)
        return "place: where the walk stops" if same_steps else "place: a walk step"
    same_order = new_order(ref) == new_order(got)
    return "place: what is left" if same_order else "place: the new order"


LINE_KINDS = [
    (("Asked", "No order"), "the order asked"),
    (("Sort",), "the restated list"),
    (("Start",), "start and what is left"),
    (("So ",), "the final chain"),
    (("Check",), "the count check"),
]


def first_error(ref_lines: list[str], got_lines: list[str]) -> tuple[str, str, str]:
    for i, ref in enumerate(ref_lines):
        got = got_lines[i] if i < len(got_lines) else ""
        if ref == got:
            continue
        if ref.startswith("Place"):
            return place_line_kind(ref, got), ref, got
        kind = next((k for starts, k in LINE_KINDS if ref.startswith(starts)), "another line")
        return kind, ref, got
    return "the answer after a right working", "", ""


def new_order(place_line: str) -> str:
    """The `Now …` order of a `Place` line, without what is left to place."""
    return place_line.partition(". Now ")[2].partition(" To place: ")[0]


def chain_numbers(order: str) -> list[str]:
    """`7 > 5 = 5 > 0.` -> ['7', '5', '5', '0']"""
    return re.split(r" [<>=] ", order.rstrip("."))


def new_order_slip(ref: str, got: str) -> str:
    """Where a wrong new order (`Now …`) first differs, measured from the place of the number
    placed, and at that place, what the model wrote instead."""
    placed = ref.partition(":")[0].split()[-1]
    want = chain_numbers(new_order(ref))
    wrote = chain_numbers(new_order(got))
    # A number goes after the numbers equal to it, so its place is the last one it appears at.
    at = len(want) - 1 - want[::-1].index(placed)
    differ = (i for i, (w, g) in enumerate(zip(want, wrote)) if w != g)
    first = next(differ, min(len(want), len(wrote)))
    if first == len(want) == len(wrote):
        return "a relation sign"
    if first != at:
        return "before its place" if first < at else "after its place"
    if first == len(wrote):
        return "at its place: the order ends there"
    neighbours = want[at - 1 : at] + want[at + 1 : at + 2]
    if wrote[at] in neighbours:
        return "at its place: a neighbour"
    return "at its place: " + ("another number" if wrote[at] in want else "a number in no order")


def walk_steps(place_line: str) -> list[str]:
    """The steps of a `Place` line's walk: `Place 35: 35 vs -7: 35 > -7, 35 vs 16: 3 > 1, so 35 >
    16, goes …` -> ['35 vs -7: 35 > -7', '35 vs 16: 3 > 1, so 35 > 16']"""
    head, _, body = place_line.partition(": ")
    placed = head.split()[-1]
    steps = body.partition(". Now ")[0].rsplit(", goes", 1)[0]
    return re.split(rf", (?={re.escape(placed)} vs )", steps)


# One digit of each number and their relation: `3 < 5`, or with the pair first, `3 vs 5 <`.
ONE_DIGIT_FACT = re.compile(r"(\d) (?:([<=>]) (\d)|vs (\d) ([<=>]))")


def digit_pair(fact: re.Match) -> tuple[str, str]:
    """The two digits of a one-digit fact, in the order written."""
    return fact.group(1), fact.group(3) or fact.group(4)


def unsigned(text: str) -> str:
    """`text` without its minus signs: `-6791 vs 3595` and `-6791 vs -3595` read the same."""
    return text.replace("-", "")


def walk_step_slip(ref: str, got: str) -> str:
    """What the first wrong step of a walk got wrong: which number it compared with, or which of
    its reasons (the clauses after `x vs y:`) first differs."""
    want, wrote = walk_steps(ref), walk_steps(got)
    steps = range(max(len(want), len(wrote)))
    first = next(i for i in steps if want[i : i + 1] != wrote[i : i + 1])
    if first >= len(want):
        again = first > 0 and wrote[first].partition(":")[0] == want[first - 1].partition(":")[0]
        return "a step past the place" + (": the last number again" if again else "")
    if first >= len(wrote):
        return "a step left out: the walk stops early"
    want_vs, _, want_reasons = want[first].partition(": ")
    wrote_vs, _, wrote_reasons = wrote[first].partition(": ")
    if want_vs != wrote_vs:
        opponents = [step.partition(": ")[0] for step in want]
        if wrote_vs in opponents[:first]:
            return "compared with a number again"
        if wrote_vs in opponents:
            return "compared with a number skipped"
        if unsigned(wrote_vs) in map(unsigned, opponents):
            return "compared with a number of the order, a sign dropped or added"
        return "compared with a number in no order"
    want_clauses, wrote_clauses = want_reasons.split(", "), wrote_reasons.split(", ")
    at = next(
        (i for i, (w, g) in enumerate(zip(want_clauses, wrote_clauses)) if w != g),
        min(len(want_clauses), len(wrote_clauses)),
    )
    clause = want_clauses[at] if at < len(want_clauses) else wrote_clauses[at]
    other = wrote_clauses[at] if at < len(wrote_clauses) else ""
    if "digits" in clause or "digits" in other:
        return "a reason: the digit counts"
    if clause.startswith("so ") or other.startswith("so "):
        return "a reason: the conclusion"
    if len(want_clauses) == 1:
        return "a reason: the signs"
    want_fact, wrote_fact = ONE_DIGIT_FACT.fullmatch(clause), ONE_DIGIT_FACT.fullmatch(other)
    if want_fact is None:
        return "a reason: the sizes"
    if wrote_fact is not None and digit_pair(wrote_fact) == digit_pair(want_fact):
        return "a reason: a one-digit fact, both digits right and the relation wrong"
    return "a reason: a one-digit fact, a digit wrong"


def read_failures(paths: list[str]):
    """(family, reference working, model's working) of each failure of each file in turn; an
    unreadable or foreign file ends the script naming it."""
    for path in paths:
        try:
            with open(path, encoding="utf-8") as failures:
                for line in failures:
                    failure = json.loads(line)
                    yield failure["family"], failure["reference_thinking"], failure["thinking"]
        except OSError as e:
            sys.exit(f"cannot read {path}: {e.strerror}")
        except (json.JSONDecodeError, KeyError) as e:
            sys.exit(f"{path} is not the output of `tiny-reasoner eval --failures` ({e!r})")


def main(paths: list[str]) -> None:
    counts = collections.Counter()
    slips = collections.Counter()
    step_slips = collections.Counter()
    examples = collections.defaultdict(list)
    for family, ref, got in read_failures(paths):
        if family != "compare_sort":
            continue
        if "Start with" not in ref:
            counts["comparison"] += 1
            continue
        kind, ref_line, got_line = first_error(ref.split("\n"), got.split("\n"))
        counts[kind] += 1
        examples[kind].append((ref_line, got_line))
        if kind == "place: the new order":
            slips[new_order_slip(ref_line, got_line)] += 1
        if kind == "place: a walk step":
            step_slips[walk_step_slip(ref_line, got_line)] += 1
    for kind, n in counts.most_common():
        print(f"{n:4d}  {kind}")
    if slips:
        print("\nthe new order: where it first differs, from the place of the number placed")
        for where, n in slips.most_common():
            print(f"{n:4d}  {where}")
    if step_slips:
        print("\na walk step: what its first wrong step got wrong")
        for what, n in step_slips.most_common():
            print(f"{n:4d}  {what}")
    for kind, pairs in examples.items():
        print(f"\n== {kind}")
        for ref_line, got_line in pairs[:3]:
            print(f"  reference: {ref_line}\n  model:     {got_line}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("failures", nargs="+",
                        help="files written by `tiny-reasoner eval --failures`, counted together")
    main(parser.parse_args().failures)
