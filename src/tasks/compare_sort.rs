//! (d) Comparing two numbers (which is larger / smaller) and sorting up to 6 numbers ascending or
//! descending; numbers may be negative and repeat.
//!
//! Comparison: signs first ("-7 is negative and 3 is not"), then the sizes column by column from
//! the units (see [`super::compare_columns`]); two negatives compare their sizes and flip.
//! Sorting: quote the order asked (`Asked: greatest to least, so largest first.`), then place the
//! numbers one at a time, in the order typed, into the order so far (insertion sort): each one is
//! compared with the order from its start until it goes before a number or last, each step saying
//! why in one-digit facts (`401 vs 230: 4 > 2, so 401 > 230`), then its new neighbours
//! (`goes before 812: 230 < 401 < 812`) and the new order; then state the chain
//! (`-3 < 0 < 5 = 5 < 12`) and check that no number was lost.

use rand::Rng;

use super::compare_columns;
use super::expr::Line;
use super::text::{exactly_two_numbers, last_integer, number_runs, numbers, tokenize, Tok, Token};
use super::util::{self, fill, pick, style, End};
use super::{Expected, Family, Problem};

const SORT_WORDS: &[&str] = &[
    "sort",
    "sorted",
    "order",
    "ordered",
    "arrange",
    "rank",
    "ascending",
    "descending",
    "increasing",
    "decreasing",
    "organize",
    "organise",
];
const DIR_SMALL: &[&str] = &[
    "smallest", "least", "lowest", "low", "small", "lesser", "min", "minimum", "smaller", "lower",
    "less",
];
const DIR_LARGE: &[&str] = &[
    "largest", "biggest", "greatest", "highest", "high", "big", "large", "max", "maximum",
    "bigger", "larger", "greater", "higher", "most", "more",
];
const CMP_SMALL: &[&str] = &[
    "smaller", "smallest", "less", "lesser", "least", "lower", "lowest", "min", "minimum", "fewer",
    "fewest",
];
/// Comparative words accepted in answers such as "54 is bigger than 45".
const ANS_LARGE: &[&str] = &["bigger", "larger", "greater", "higher", "more"];
const ANS_SMALL: &[&str] = &["smaller", "less", "lower", "fewer", "lesser"];

const LIMIT: i64 = 1_000_000_000;

// ---------------------------------------------------------------- generation

/// Templates for "which is {w}" questions; `{w}` is a predicate word (bigger, less, ...).
const PRED_TEMPLATES: &[(&str, End)] = &[
    ("Which is {w}, {a} or {b}", End::Question),
    ("Which number is {w}: {a} or {b}", End::Question),
    ("Which one is {w}, {a} or {b}", End::Question),
    ("Compare {a} and {b}. Which is {w}", End::Question),
    ("Between {a} and {b}, which is {w}", End::Question),
    ("Is {a} or {b} {w}", End::Question),
    ("{a} or {b}: which is {w}", End::Question),
    ("Tell me which is {w}, {a} or {b}", End::Command),
];
/// Templates where `{w}` is a comparative adjective (bigger, smaller, ...).
const ADJ_TEMPLATES: &[(&str, End)] = &[
    ("What is the {w} of {a} and {b}", End::Question),
    ("Pick the {w} number: {a} or {b}", End::Command),
    ("Find the {w} number: {a}, {b}", End::Command),
    ("Which of {a} and {b} is {w}", End::Question),
];
/// Templates where `{w}` is max/min.
const EXT_TEMPLATES: &[(&str, End)] = &[
    ("{w} of {a} and {b}", End::Bare),
    ("What's the {w} of {a} and {b}", End::Question),
];
/// Templates where `{w}` is a superlative.
const SUP_TEMPLATES: &[(&str, End)] = &[("Which is the {w}: {a} or {b}", End::Question)];

const SORT_ASC: &[(&str, End)] = &[
    ("Sort these numbers: {l} (smallest first)", End::Command),
    ("Sort {l} in ascending order", End::Command),
    (
        "Put these numbers in order from least to greatest: {l}",
        End::Command,
    ),
    ("Order {l} from smallest to largest", End::Command),
    ("List from smallest to largest: {l}", End::Command),
    ("sort: {l}", End::Bare),
    ("Sort in increasing order: {l}", End::Command),
    ("Arrange {l} from lowest to highest", End::Command),
    ("Can you sort {l} from smallest to biggest", End::Question),
    ("Sort {l}", End::Command),
];
const SORT_DESC: &[(&str, End)] = &[
    ("Sort these numbers: {l} (largest first)", End::Command),
    ("Sort {l} in descending order", End::Command),
    (
        "Put these numbers in order from greatest to least: {l}",
        End::Command,
    ),
    ("Order {l} from largest to smallest", End::Command),
    ("Arrange in descending order: {l}", End::Command),
    ("Arrange these from highest to lowest: {l}", End::Command),
    ("Rank {l} from biggest to smallest", End::Command),
    ("sort descending {l}", End::Bare),
    ("Can you sort {l} from biggest to smallest", End::Question),
    ("List from largest to smallest: {l}", End::Command),
];

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    if rng.random_bool(0.4) {
        generate_compare(rng)
    } else {
        generate_sort(rng)
    }
}

fn compare_pair<R: Rng + ?Sized>(rng: &mut R) -> (i64, i64) {
    let (a, b) = match rng.random_range(0..100) {
        0..=2 => {
            let d = rng.random_range(1..=4);
            let a = util::with_digits(rng, d);
            (a, a)
        }
        // Same length, one digit different (or two digits swapped): 3456 vs 3465.
        3..=44 => {
            let d = rng.random_range(2..=5u32);
            let a = util::with_digits(rng, d);
            let mut ds = util::digits(a);
            if rng.random_bool(0.3) {
                let k = rng.random_range(0..ds.len() - 1);
                ds.swap(k, k + 1);
            }
            let k = rng.random_range(0..ds.len());
            let lo = if k + 1 == ds.len() { 1 } else { 0 };
            ds[k] = rng.random_range(lo..=9);
            let b = ds.iter().rev().fold(0, |acc, d| acc * 10 + d);
            (a, if b == a { a + 1 } else { b })
        }
        // Different lengths.
        45..=64 => {
            let da = rng.random_range(1..=5u32);
            let db = loop {
                let d = rng.random_range(1..=5u32);
                if d != da {
                    break d;
                }
            };
            (util::with_digits(rng, da), util::with_digits(rng, db))
        }
        // Negatives: one or both.
        _ => {
            let d = rng.random_range(1..=4u32);
            let a = -util::with_digits(rng, d);
            let b = if rng.random_bool(0.5) {
                -(a.abs() + rng.random_range(-9..=9).max(1 - a.abs()))
            } else {
                rng.random_range(0..=999)
            };
            (a, b)
        }
    };
    if rng.random_bool(0.5) {
        (a, b)
    } else {
        (b, a)
    }
}

fn generate_compare<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let (a, b) = compare_pair(rng);
    let max = rng.random_bool(0.5);
    let (t, end, w) = match rng.random_range(0..100) {
        0..=54 => {
            let (t, e) = *pick(rng, PRED_TEMPLATES);
            let words: &[&str] = if max {
                &["bigger", "larger", "greater", "higher", "bigger", "larger"]
            } else {
                &["smaller", "less", "lower", "smaller"]
            };
            (t, e, *pick(rng, words))
        }
        55..=84 => {
            let (t, e) = *pick(rng, ADJ_TEMPLATES);
            (
                t,
                e,
                if max {
                    *pick(rng, &["bigger", "larger", "greater"])
                } else {
                    "smaller"
                },
            )
        }
        85..=93 => {
            let (t, e) = *pick(rng, EXT_TEMPLATES);
            (
                t,
                e,
                if max {
                    *pick(rng, &["max", "maximum"])
                } else {
                    *pick(rng, &["min", "minimum"])
                },
            )
        }
        _ => {
            let (t, e) = *pick(rng, SUP_TEMPLATES);
            (
                t,
                e,
                if max {
                    *pick(rng, &["largest", "biggest", "greatest"])
                } else {
                    "smallest"
                },
            )
        }
    };
    let prompt = style(
        rng,
        &fill(t, &a.to_string(), &b.to_string()).replace("{w}", w),
        end,
    );
    solve_compare(prompt, a, b, max, answer_word(w, max))
}

/// The word used in the answer ("The bigger number is 54.") for a word in the question.
fn answer_word(w: &str, max: bool) -> &'static str {
    match (w, max) {
        (_, false) => "smaller",
        ("bigger" | "biggest", _) => "bigger",
        ("greater" | "greatest", _) => "greater",
        _ => "larger",
    }
}

/// A sort in [`generate`]'s mix of lengths and magnitudes (no comparison): for `data` to train on
/// more sorts than the family's share (see `SORTS_FOR_PER_MILLE` there); `eval` keeps [`generate`].
pub fn generate_sort<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let n = match rng.random_range(0..100) {
        0..=4 => 2,
        5..=29 => 3,
        30..=54 => 4,
        55..=79 => 5,
        _ => 6,
    };
    let range = *pick(rng, &[20, 20, 100, 100, 100, 100, 999, 999, 9999]);
    let lo = if rng.random_bool(0.7) { -range } else { 0 };
    let mut nums: Vec<i64> = (0..n).map(|_| rng.random_range(lo..=range)).collect();
    if n >= 3 && rng.random_bool(0.15) {
        let i = rng.random_range(0..n);
        let j = (i + 1 + rng.random_range(0..n - 1)) % n;
        nums[j] = nums[i];
    }
    let asc = rng.random_bool(0.55);
    let list = render_list(rng, &nums);
    let (t, end) = *pick(rng, if asc { SORT_ASC } else { SORT_DESC });
    let prompt = style(rng, &t.replace("{l}", &list), end);
    solve_sort(prompt, &nums, asc)
}

fn render_list<R: Rng + ?Sized>(rng: &mut R, nums: &[i64]) -> String {
    let strs: Vec<String> = nums.iter().map(i64::to_string).collect();
    match rng.random_range(0..100) {
        0..=59 => strs.join(", "),
        60..=74 => strs.join(","),
        75..=89 => strs.join(" "),
        _ => {
            let (last, rest) = strs
                .split_last()
                .map(|(l, r)| (l.clone(), r.join(", ")))
                .unwrap_or_default();
            format!("{rest} and {last}")
        }
    }
}

// ---------------------------------------------------------------- solving

fn join(nums: &[i64]) -> String {
    join_with(nums, ", ")
}

fn join_with(nums: &[i64], sep: &str) -> String {
    nums.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// How the prompt separates its numbers: `","` (`73,51,69`), `" "` (`33 82 22`) or `", "` (also
/// for anything else, such as `2366 and 4417`). The trace writes its lists the same way, so that
/// restating the list is a copy of the same tokens: lists typed as `73,51,69` were restated wrongly
/// four times as often as `73, 51, 69` when the trace always wrote `, `.
fn list_separator(prompt: &str) -> &'static str {
    let c: Vec<char> = prompt.chars().collect();
    let starts_number = |i: usize| {
        c.get(i).is_some_and(char::is_ascii_digit)
            || (c.get(i) == Some(&'-') && c.get(i + 1).is_some_and(char::is_ascii_digit))
    };
    for i in 1..c.len() {
        if !c[i - 1].is_ascii_digit() {
            continue;
        }
        if c[i] == ',' && starts_number(i + 1) {
            return ",";
        }
        if c[i] == ' ' && starts_number(i + 1) {
            return " ";
        }
    }
    ", "
}

fn rel_char(a: i64, b: i64) -> char {
    compare_columns::rel_char(a.cmp(&b))
}

/// Which of `a` and `b` is larger (`max`) or smaller; `word` is used in the answer.
///
/// The trace names what is asked in its first line and answers it in its last (`So the greater is
/// 93945.`): without them the model compared right and then answered the other question ("The
/// smaller number is 7729." under "which is greater?"), the question word being far back in the
/// prompt.
pub fn solve_compare(prompt: String, a: i64, b: i64, max: bool, word: &str) -> Problem {
    let mut lines = vec![format!("Compare {a} and {b} to find the {word}.")];
    let r = rel_char(a, b);
    if a < 0 && b < 0 {
        let (x, y) = (-a, -b);
        lines.push(format!(
            "Both are negative, so compare {x} and {y}, then flip."
        ));
        lines.extend(compare_columns::compare_lines(x, y));
        lines.push(format!(
            "So {x} {} {y}, and flipped: {a} {r} {b}.",
            rel_char(x, y)
        ));
    } else if a < 0 || b < 0 {
        let (neg, other) = if a < 0 { (a, b) } else { (b, a) };
        lines.push(format!(
            "{neg} is negative and {other} is not, so {a} {r} {b}."
        ));
    } else {
        lines.extend(compare_columns::compare_lines(a, b));
        lines.push(format!("So {a} {r} {b}."));
    }
    let pick = if max { a.max(b) } else { a.min(b) };
    let answer = if a == b {
        lines.push("So they are equal.".to_string());
        format!("Both numbers are equal: {a}.")
    } else {
        lines.push(format!("So the {word} is {pick}."));
        format!("The {word} number is {pick}.")
    };
    Problem {
        family: Family::CompareSort,
        prompt,
        thinking: lines.join("\n"),
        answer,
        expected: Expected::Integer(pick),
    }
}

/// Why `a` and `b` compare as they do, ending in `so ` (or nothing where the relation is one fact):
/// - signs differ: nothing (`-9 vs 17: -9 < 17`), a negative is always smaller;
/// - lengths differ: the digit counts (`9 vs 11: 1 < 2 digits, so 9 < 11`);
/// - same length: the digits from the left up to the first that differs
///   (`73 vs 75: 7 = 7, 3 < 5, so 73 < 75`); one-digit positives need nothing (`7 vs 6: 7 > 6`);
/// - two negatives also state their sizes before the flipped relation
///   (`-40 vs -43: 4 = 4, 0 < 3, 40 < 43, so -40 > -43`).
fn step_reason(a: i64, b: i64) -> String {
    if (a < 0) != (b < 0) {
        return String::new();
    }
    let (x, y) = (a.abs(), b.abs());
    let (dx, dy) = (leading_digits(x), leading_digits(y));
    let mut facts = Vec::new();
    if dx.len() != dy.len() {
        let r = compare_columns::rel_char(dx.len().cmp(&dy.len()));
        facts.push(format!("{} {r} {} digits", dx.len(), dy.len()));
    } else if dx.len() > 1 || a < 0 {
        for (p, q) in dx.iter().zip(&dy) {
            facts.push(format!("{p} {} {q}", rel_char(*p, *q)));
            if p != q {
                break;
            }
        }
    }
    if a < 0 && (dx.len() > 1 || dy.len() > 1) {
        facts.push(format!("{x} {} {y}", rel_char(x, y)));
    }
    if facts.is_empty() {
        String::new()
    } else {
        format!("{}, so ", facts.join(", "))
    }
}

/// The digits of `n >= 0` from the left.
fn leading_digits(n: i64) -> Vec<i64> {
    let mut d = util::digits(n);
    d.reverse();
    d
}

/// The numbers a [`step_reason`] must name, worked out from the sizes of `a` and `b` (not from
/// the text it writes): the two digit counts, or the leading digits pairwise up to the first that
/// differs, then the two sizes for negatives.
fn reason_numbers(a: i64, b: i64) -> Vec<i64> {
    if (a < 0) != (b < 0) {
        return Vec::new();
    }
    let (x, y) = (a.abs(), b.abs());
    let (lx, ly) = (util::num_digits(x), util::num_digits(y));
    let mut out = Vec::new();
    if lx != ly {
        out.extend([lx as i64, ly as i64]);
    } else if lx > 1 || a < 0 {
        for (p, q) in leading_digits(x).into_iter().zip(leading_digits(y)) {
            out.extend([p, q]);
            if p != q {
                break;
            }
        }
    }
    if a < 0 && lx.max(ly) > 1 {
        out.extend([x, y]);
    }
    out
}

/// Sort by placing the numbers one at a time, in the order typed, into the order so far:
///
/// ```text
/// Start with 230. To place: 812, 148, 401.
/// Place 812: 812 vs 230: 8 > 2, so 812 > 230, goes last: 230 < 812. Now 230 < 812. To place: 148, 401.
/// Place 148: 148 vs 230: 1 < 2, so 148 < 230, goes before 230: 148 < 230. Now 148 < 230 < 812. To place: 401.
/// ```
///
/// Every number the model copies is on the line just above: the number to place is the first of
/// the last `To place:`, and the new order is the last `Now` with one number put in. The eighth
/// model picked the smallest (largest) of what was left, in lists split by sign; its 60 wrong sorts
/// went wrong first in gathering the final chain from the picks (17), copying what was left (15),
/// the split (12) and the walk (10). The trace first quotes the words that ask the direction
/// (`Asked: greatest to least, so largest first.`): deciding it in the middle of the restated list,
/// 15 of the seventh model's 68 wrong sorts restated the other direction; with the quote, 1 of the
/// eighth's 60 (an all-capitals prompt).
pub fn solve_sort(prompt: String, nums: &[i64], asc: bool) -> Problem {
    let dir = if asc {
        "from smallest to largest"
    } else {
        "from largest to smallest"
    };
    let sep = list_separator(&prompt);
    let mut lines = vec![
        asked_line(direction(&tokenize(&prompt)).1.as_deref(), asc),
        format!("Sort {} {dir}.", join_with(nums, sep)),
    ];
    // The order so far, in the direction asked.
    let mut order: Vec<i64> = nums.first().copied().into_iter().collect();
    let typed_after_first = nums.get(1..).unwrap_or_default();
    lines.push(format!(
        "Start with {}.{}",
        join(&order),
        to_place(typed_after_first, sep)
    ));
    for (i, &x) in typed_after_first.iter().enumerate() {
        let at = place_of(&order, x, asc);
        let steps = placing_steps(&order, x, at);
        order.insert(at, x);
        lines.push(format!(
            "Place {x}: {steps}. Now {}.{}",
            chain(&order),
            to_place(&typed_after_first[i + 1..], sep)
        ));
    }
    lines.push(format!("So {}.", chain(&order)));
    let n = nums.len();
    lines.push(format!("Check: {n} numbers in, {n} numbers out ✓"));
    let answer = format!(
        "{}: {}.",
        if asc {
            "Smallest to largest"
        } else {
            "Largest to smallest"
        },
        join(&order)
    );
    Problem {
        family: Family::CompareSort,
        prompt,
        thinking: lines.join("\n"),
        answer,
        expected: Expected::Sorted(order),
    }
}

/// ` To place: 148, 401.` (in the prompt's separator), or nothing once every number is placed.
fn to_place(left: &[i64], sep: &str) -> String {
    if left.is_empty() {
        String::new()
    } else {
        format!(" To place: {}.", join_with(left, sep))
    }
}

/// Where `x` goes in `order`: before the first number it must precede (strictly, so that equal
/// numbers keep the order typed), or last.
fn place_of(order: &[i64], x: i64, asc: bool) -> usize {
    order
        .iter()
        .position(|&y| if asc { x < y } else { x > y })
        .unwrap_or(order.len())
}

/// The walk that places `x` at `at` in `order`: one step per number up to and including the one it
/// goes before (`401 vs 812: 4 < 8, so 401 < 812, goes before 812: 401 < 812`), or past every
/// number (`…, goes last: 230 < 812`), with the neighbours of its place (see [`placing_end`]).
/// Each step names both numbers before its relation and says why in one-digit facts (see
/// [`step_reason`]): deciding a relation in one token was where the seventh model's walks failed
/// (`73 vs 75: 73 > 75`).
fn placing_steps(order: &[i64], x: i64, at: usize) -> String {
    let compared = &order[..order.len().min(at + 1)];
    let mut steps: Vec<String> = compared
        .iter()
        .map(|&y| {
            format!(
                "{x} vs {y}: {}{x} {} {y}",
                step_reason(x, y),
                rel_char(x, y)
            )
        })
        .collect();
    steps.push(placing_end(order, x, at));
    steps.join(", ")
}

/// How a walk ends: where `x` goes, then the new order around it, its neighbours before and after
/// (`goes before 230: 812 > 401 > 230`, `goes last: 230 > 148`); the new order (`Now …`) is then
/// the old one with this link put in. Of the wrong sorts whose first slip was the new order, most
/// slipped at the very place `x` goes (a number of mixed digits, a neighbour again, or the end of
/// the order): with the neighbours written just before, the nearest text that follows the number
/// before `x` is `x`.
fn placing_end(order: &[i64], x: i64, at: usize) -> String {
    let around = chain(&new_neighbours(order, x, at));
    match order.get(at) {
        Some(y) => format!("goes before {y}: {around}"),
        None => format!("goes last: {around}"),
    }
}

/// `x` between the numbers it lands between when placed at `at`: the one before its place (none
/// when it goes first) and the one after (none when it goes last).
fn new_neighbours(order: &[i64], x: i64, at: usize) -> Vec<i64> {
    let mut around = order[at.saturating_sub(1)..order.len().min(at + 1)].to_vec();
    around.insert(usize::from(at > 0), x);
    around
}

/// `148 < 230 = 230 < 812`: the numbers in order with the relation between each neighbour.
fn chain(order: &[i64]) -> String {
    let mut out = order.first().map(i64::to_string).unwrap_or_default();
    for w in order.windows(2) {
        out.push_str(&format!(" {} {}", rel_char(w[0], w[1]), w[1]));
    }
    out
}

/// `Asked: from least to greatest, so smallest first.`, or `No order asked, …` for a bare `sort`.
fn asked_line(phrase: Option<&str>, asc: bool) -> String {
    let first = if asc { "smallest" } else { "largest" };
    match phrase {
        Some(p) => format!("Asked: {p}, so {first} first."),
        None => format!("No order asked, so {first} first."),
    }
}

// ---------------------------------------------------------------- parsing

/// The direction a sorting prompt asks (true = ascending) and the words that ask it, lowercase as
/// the trace quotes them: `descending`, `largest first`, `greatest to least`, `smallest`. Without
/// any, ascending.
fn direction(toks: &[Token]) -> (bool, Option<String>) {
    let words: Vec<&str> = toks.iter().filter_map(Token::word).collect();
    let is_dir = |w: &str| DIR_SMALL.contains(&w) || DIR_LARGE.contains(&w);
    for (w, asc) in [
        ("descending", false),
        ("decreasing", false),
        ("ascending", true),
        ("increasing", true),
    ] {
        if words.contains(&w) {
            return (asc, Some(w.to_string()));
        }
    }
    if let Some(p) = words.iter().position(|w| *w == "first") {
        if p > 0 && is_dir(words[p - 1]) {
            return (
                DIR_SMALL.contains(&words[p - 1]),
                Some(format!("{} first", words[p - 1])),
            );
        }
    }
    let Some(i) = words.iter().position(|w| is_dir(w)) else {
        return (true, None);
    };
    let phrase = match (words.get(i + 1), words.get(i + 2)) {
        (Some(&"to"), Some(y)) if is_dir(y) => format!("{} to {y}", words[i]),
        _ => words[i].to_string(),
    };
    (DIR_SMALL.contains(&words[i]), Some(phrase))
}

/// The numbers to sort and the direction (true = ascending), if the prompt asks for sorting.
pub fn sort_input(toks: &[Token]) -> Option<(Vec<i64>, bool)> {
    let words: Vec<&str> = toks.iter().filter_map(Token::word).collect();
    let dir = |w: &&str| DIR_SMALL.contains(w) || DIR_LARGE.contains(w);
    let from_to = words
        .windows(3)
        .any(|w| dir(&w[0]) && w[1] == "to" && dir(&w[2]));
    if !words.iter().any(|w| SORT_WORDS.contains(w)) && !from_to {
        return None;
    }
    if toks.iter().any(|t| {
        matches!(
            t.tok,
            Tok::Dec(_) | Tok::Big | Tok::Op('+' | '-' | '*' | '/' | '=')
        )
    }) {
        return None;
    }
    let best = number_runs(toks)
        .into_iter()
        .fold(None, |acc: Option<Vec<i64>>, r| match acc {
            Some(a) if a.len() > r.len() => Some(a),
            _ => Some(r),
        })?;
    if best.len() < 2 || best.len() > 20 || best.iter().any(|v| v.abs() > LIMIT) {
        return None;
    }
    Some((best, direction(toks).0))
}

/// The two numbers, whether the larger is wanted, and the answer word, for a comparison prompt.
pub fn compare_input(toks: &[Token]) -> Option<(i64, i64, bool, &'static str)> {
    if toks.iter().any(|t| {
        matches!(
            t.tok,
            Tok::Dec(_) | Tok::Big | Tok::Op('+' | '-' | '*' | '/' | '=')
        )
    }) {
        return None;
    }
    if toks.iter().any(|t| {
        t.is_any_word(&[
            "plus",
            "minus",
            "times",
            "add",
            "subtract",
            "multiply",
            "x",
            "sum",
            "difference",
            "product",
        ])
    }) {
        return None;
    }
    let ((i, a), (j, b)) = exactly_two_numbers(toks)?;
    if a.abs() > LIMIT || b.abs() > LIMIT {
        return None;
    }
    // "5 more than 3" is arithmetic, unless asked as "is 5 more than 3" / "which ...".
    let between: Vec<&str> = toks[i + 1..j].iter().filter_map(Token::word).collect();
    let first = toks.first().and_then(Token::word);
    if between.contains(&"than")
        && between
            .iter()
            .any(|w| matches!(*w, "more" | "less" | "fewer"))
        && !matches!(first, Some("is" | "which" | "are"))
    {
        return None;
    }
    for w in toks.iter().filter_map(Token::word) {
        match w {
            "bigger" | "biggest" => return Some((a, b, true, "bigger")),
            "greater" | "greatest" => return Some((a, b, true, "greater")),
            "larger" | "largest" | "higher" | "highest" | "max" | "maximum" | "more" | "most" => {
                return Some((a, b, true, "larger"));
            }
            w if CMP_SMALL.contains(&w) => return Some((a, b, false, "smaller")),
            _ => {}
        }
    }
    if toks.iter().any(|t| t.is_word("compare")) {
        return Some((a, b, true, "larger"));
    }
    None
}

pub fn parse(prompt: &str, toks: &[Token]) -> Option<Problem> {
    if let Some((nums, asc)) = sort_input(toks) {
        return Some(solve_sort(prompt.to_string(), &nums, asc));
    }
    let (a, b, max, word) = compare_input(toks)?;
    Some(solve_compare(prompt.to_string(), a, b, max, word))
}

// ---------------------------------------------------------------- answers and traces

/// A comparison answer is right if it names the expected number last ("The bigger number is 54.")
/// or states a true comparison of the expected number with the other one ("54 is bigger than 45",
/// "45 < 54").
pub fn verify_compare(want: i64, text: &str) -> bool {
    let toks = tokenize(text);
    let mut found: Option<bool> = None;
    for i in 0..toks.len() {
        let Some(a) = toks[i].num() else { continue };
        let mut j = i + 1;
        if toks.get(j).is_some_and(|t| t.is_word("is")) {
            j += 1;
        }
        let than = toks.get(j + 1).is_some_and(|t| t.is_word("than"));
        let dir = match toks.get(j) {
            Some(t) if t.is_any_word(ANS_LARGE) && than => Some(('>', j + 2)),
            Some(t) if t.is_any_word(ANS_SMALL) && than => Some(('<', j + 2)),
            Some(t) if t.is_op('>') => Some(('>', j + 1)),
            Some(t) if t.is_op('<') => Some(('<', j + 1)),
            _ => None,
        };
        let b = dir.and_then(|(_, k)| toks.get(k).and_then(Token::num));
        if let (Some((d, _)), Some(b)) = (dir, b) {
            let truth = if d == '>' { a > b } else { a < b };
            found = Some(truth && (want == a || want == b));
        }
    }
    found.unwrap_or_else(|| last_integer(text) == Some(want))
}

/// Comparison: the last relation must compare the two numbers, and a number the last line names
/// must be the answer. Sorting: every number must be placed, in the order typed, where it belongs
/// in the order so far (see [`check_sort_trace`]), the final chain must be the expected order, and
/// the count check must match.
pub fn check_trace(p: &Problem, lines: &[Line]) -> Result<(), String> {
    let toks = tokenize(&p.prompt);
    match &p.expected {
        Expected::Integer(want) => {
            let (a, b, _, _) = compare_input(&toks).ok_or("not a comparison prompt")?;
            let last_line = lines.last().ok_or("empty trace")?;
            if let Some(named) = last_integer(&last_line.text) {
                if named != *want {
                    return Err(format!("`{}` names {named}, not {want}", last_line.text));
                }
            }
            let last = lines
                .iter()
                .flat_map(|l| l.rels.iter())
                .last()
                .ok_or("no comparison in the trace")?;
            let (l, r) = (last.lhs, last.rhs);
            if (l, r) == (a as i128, b as i128) || (l, r) == (b as i128, a as i128) {
                Ok(())
            } else {
                Err(format!(
                    "the last comparison is {l} {} {r}, not between {a} and {b}",
                    last.op
                ))
            }
        }
        Expected::Sorted(want) => check_sort_trace(&toks, want, lines),
        Expected::Text(_) => Err("unexpected text result".to_string()),
    }
}

/// Sorting: the direction quoted from the prompt, the first number typed to start with and the
/// rest to place, each placing in turn (see [`check_placing`]), the final chain in the expected
/// order and the count check.
fn check_sort_trace(toks: &[Token], want: &[i64], lines: &[Line]) -> Result<(), String> {
    let (input, asc) = sort_input(toks).ok_or("not a sorting prompt")?;
    let (_, phrase) = direction(toks);
    // The order so far and the numbers still to place, once `Start with` is read.
    let mut placing: Option<(Vec<i64>, &[i64])> = None;
    let (mut asked_ok, mut chain_ok, mut check_ok) = (false, false, false);
    for line in lines {
        match line.first_word() {
            Some("asked" | "no") => {
                if line.text != asked_line(phrase.as_deref(), asc) {
                    return Err(format!("`{}` does not quote the order asked", line.text));
                }
                asked_ok = true;
            }
            Some("start") => {
                let (first, rest) = input.split_first().ok_or("nothing to sort")?;
                let (start, left) = line
                    .text
                    .split_once(" To place: ")
                    .unwrap_or((&line.text, ""));
                if numbers(&tokenize(start)) != [*first] || numbers(&tokenize(left)) != rest {
                    return Err(format!(
                        "`{}` does not start with the first number typed and the rest to place",
                        line.text
                    ));
                }
                placing = Some((vec![*first], rest));
            }
            Some("place") => {
                let (order, left) = placing.as_mut().ok_or("a placing before `Start with`")?;
                check_placing(&line.text, order, left, asc)?;
            }
            Some("so") => {
                let mut chain: Vec<i128> =
                    line.rels.first().map(|r| vec![r.lhs]).unwrap_or_default();
                chain.extend(line.rels.iter().map(|r| r.rhs));
                if want.len() == 1 {
                    chain = numbers(&line.toks).into_iter().map(i128::from).collect();
                }
                if chain != want.iter().map(|v| *v as i128).collect::<Vec<_>>() {
                    return Err(format!(
                        "the chain `{}` is not the expected order",
                        line.text
                    ));
                }
                chain_ok = true;
            }
            _ if line.is_check() => {
                let n = numbers(&line.toks);
                if n.len() != 2 || n.iter().any(|c| *c as usize != input.len()) {
                    return Err(format!("wrong count in `{}`", line.text));
                }
                check_ok = true;
            }
            _ => {}
        }
    }
    match placing {
        None => return Err("sorting trace without `Start with`".to_string()),
        Some((_, left)) if !left.is_empty() => {
            return Err(format!("{} still to place", join(left)));
        }
        Some(_) => {}
    }
    if !asked_ok || !chain_ok || !check_ok {
        return Err(
            "sorting trace lacks the order asked, the final order or the count check".to_string(),
        );
    }
    Ok(())
}

/// One `Place x: <walk>. Now <order>. To place: <left>.` line: `x` must be the first of what is
/// left to place, the walk must compare it with the order so far from its start up to its place
/// (each step naming both numbers and its reasons' numbers, see [`reason_numbers`]) and end where
/// it goes, and the new order and what is left must follow. (The relations themselves are checked
/// with every other relation of the trace.)
fn check_placing(
    text: &str,
    order: &mut Vec<i64>,
    left: &mut &[i64],
    asc: bool,
) -> Result<(), String> {
    let (&x, later) = left
        .split_first()
        .ok_or_else(|| format!("`{text}` places a number when none is left"))?;
    let (head, body) = text.split_once(": ").ok_or("a placing without a colon")?;
    if numbers(&tokenize(head)) != [x] {
        return Err(format!("`{head}` but {x} is next to place"));
    }
    let (walk, after) = body
        .split_once(". Now ")
        .ok_or_else(|| format!("`{text}` lacks the new order"))?;
    let (now, to_place) = after.split_once(" To place: ").unwrap_or((after, ""));
    let at = place_of(order, x, asc);
    let mut want_walk = Vec::new();
    for &y in &order[..order.len().min(at + 1)] {
        want_walk.extend([x, y]);
        want_walk.extend(reason_numbers(x, y));
        want_walk.extend([x, y]);
    }
    let end = placing_end(order, x, at);
    want_walk.extend(numbers(&tokenize(&end)));
    if numbers(&tokenize(walk)) != want_walk || !walk.ends_with(&end) {
        return Err(format!("wrong walk for {x} in `{text}`"));
    }
    order.insert(at, x);
    if numbers(&tokenize(now)) != *order {
        return Err(format!("`{text}`: the order is now {}", join(order)));
    }
    if numbers(&tokenize(to_place)) != later {
        return Err(format!("`{text}`: {} is left to place", join(later)));
    }
    *left = later;
    Ok(())
}
