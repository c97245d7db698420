//! (a) Addition and subtraction of whole numbers 0..=99999, column by column.
//!
//! Addition writes each column's sum with its carry. Subtraction borrows: a column whose top digit
//! is too small says `4 < 8, borrow: 14 - 8 = 6`, and the next column takes the borrow away
//! (`8 - (4 + 1) = 3`). A subtraction first compares the two numbers (column by column, see
//! [`super::compare_columns`]); when the first is smaller, the trace computes the reverse
//! difference and makes it negative. Each column line also names what is left of both numbers and
//! the result so far; [`super::columns`] writes the columns (for the other families too) and says
//! why. Every trace ends with `So ...` and a `Check:` by the inverse operation.

use rand::Rng;

use super::expr::Line;
use super::util::{self, fill, pick, spaced, style, End};
use super::{columns, compare_columns};
use super::{Expected, Family, Problem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
}

impl Op {
    /// How a trace writes it: `+` or `-`.
    pub fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Sub => '-',
        }
    }

    pub fn apply(self, a: i64, b: i64) -> i64 {
        match self {
            Op::Add => a + b,
            Op::Sub => a - b,
        }
    }
}

const ADD_TEMPLATES: &[(&str, End)] = &[
    ("What is {e}", End::Question),
    ("{e}", End::Bare),
    ("{e} =", End::Bare),
    ("{e} = ?", End::Bare),
    ("add {a} and {b}", End::Command),
    ("Calculate {a} plus {b}", End::Command),
    ("what's {a} plus {b}", End::Question),
    ("How much is {e}", End::Question),
    ("What is the sum of {a} and {b}", End::Question),
    ("Add {b} to {a}", End::Command),
    ("Compute {e}", End::Command),
    ("{a} plus {b}", End::Question),
    ("Find the total of {a} and {b}", End::Command),
    ("What do you get when you add {a} and {b}", End::Question),
    ("Work out {e}", End::Command),
    ("What is {b} more than {a}", End::Question),
    ("Please calculate {e}", End::Command),
    ("Can you add {a} and {b}", End::Question),
];

const SUB_TEMPLATES: &[(&str, End)] = &[
    ("What is {e}", End::Question),
    ("{e}", End::Bare),
    ("{e} =", End::Bare),
    ("{e} = ?", End::Bare),
    ("subtract {b} from {a}", End::Command),
    ("Calculate {a} minus {b}", End::Command),
    ("what's {a} minus {b}", End::Question),
    ("How much is {e}", End::Question),
    ("Take {b} away from {a}", End::Command),
    ("What is {b} less than {a}", End::Question),
    ("Compute {e}", End::Command),
    ("{a} minus {b}", End::Question),
    ("Work out {e}", End::Command),
    (
        "What do you get if you subtract {b} from {a}",
        End::Question,
    ),
    ("Please calculate {e}", End::Command),
    ("Find {e}", End::Command),
];

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let op = if rng.random_bool(0.5) {
        Op::Add
    } else {
        Op::Sub
    };
    let (a, b) = operands(rng, op);
    let expr = match op {
        Op::Add => spaced(rng, a, "+", b),
        Op::Sub if rng.random_bool(0.05) => format!("{a} − {b}"),
        Op::Sub => spaced(rng, a, "-", b),
    };
    let templates = if op == Op::Add {
        ADD_TEMPLATES
    } else {
        SUB_TEMPLATES
    };
    let (t, end) = *pick(rng, templates);
    let prompt = style(
        rng,
        &fill(t, &a.to_string(), &b.to_string()).replace("{e}", &expr),
        end,
    );
    solve(prompt, op, a, b)
}

fn random_digit_count<R: Rng + ?Sized>(rng: &mut R) -> u32 {
    match rng.random_range(0..100) {
        0..=7 => 1,
        8..=27 => 2,
        28..=57 => 3,
        58..=79 => 4,
        _ => 5,
    }
}

fn operands<R: Rng + ?Sized>(rng: &mut R, op: Op) -> (i64, i64) {
    let (a, b) = match rng.random_range(0..100) {
        // Borrows across zeros (10000 - 1) and long carry chains (9999 + 1).
        0..=5 => {
            let k = rng.random_range(1..=4u32);
            let p = 10i64.pow(k);
            match op {
                Op::Sub => (
                    p * rng.random_range(1..=9),
                    rng.random_range(1..=p.min(999)),
                ),
                Op::Add => (p * 10 - 1, rng.random_range(1..=99)),
            }
        }
        // Five digits each: sums with six digits.
        6..=10 => (
            rng.random_range(50000..=99999),
            rng.random_range(40000..=99999),
        ),
        // Equal operands and zeros.
        11..=12 => {
            let d = random_digit_count(rng);
            let a = util::with_digits(rng, d);
            match rng.random_range(0..3) {
                0 => (a, a),
                1 => (a, 0),
                _ => (0, a),
            }
        }
        _ => {
            let (da, db) = (random_digit_count(rng), random_digit_count(rng));
            (util::with_digits(rng, da), util::with_digits(rng, db))
        }
    };
    if rng.random_bool(0.5) {
        (a, b)
    } else {
        (b, a)
    }
}

/// Solve `a + b` or `a - b` (a, b >= 0) with a column-by-column trace.
pub fn solve(prompt: String, op: Op, a: i64, b: i64) -> Problem {
    let mut lines = Vec::new();
    let (result, answer) = match op {
        Op::Add => {
            let s = a + b;
            lines.push(format!("{a} + {b}"));
            lines.extend(columns::columns(a, Op::Add, b));
            lines.push(format!("So {a} + {b} = {s}."));
            lines.push(format!("Check: {s} - {b} = {a} ✓"));
            (s, format!("{a} + {b} = {s}."))
        }
        Op::Sub => {
            let d = a - b;
            lines.push(format!("{a} - {b}"));
            // Which is larger decides the sign; past one digit that is worked out in columns
            // too, and always written, so the model never has to decide it silently.
            let compared = columns::needs_columns(a, b);
            if compared {
                lines.extend(compare_columns::compare_lines(a, b));
            }
            if a >= b {
                if compared {
                    let rel = compare_columns::rel_char(a.cmp(&b));
                    lines.push(format!("So {a} {rel} {b}, subtract as it is."));
                }
                lines.extend(columns::columns(a, Op::Sub, b));
                lines.push(format!("So {a} - {b} = {d}."));
            } else {
                lines.push(if compared {
                    format!("So {a} < {b}, compute {b} - {a} and make it negative.")
                } else {
                    format!("{b} > {a}, so compute {b} - {a} and make it negative.")
                });
                lines.extend(columns::columns(b, Op::Sub, a));
                lines.push(format!("{b} - {a} = {}, so {a} - {b} = {d}.", -d));
            }
            lines.push(format!("Check: {d} + {b} = {a} ✓"));
            (d, format!("{a} - {b} = {d}."))
        }
    };
    Problem {
        family: Family::AddSub,
        prompt,
        thinking: lines.join("\n"),
        answer,
        expected: Expected::Integer(result),
    }
}

/// One column block (see [`columns::check_blocks`]) that names both numbers and whose digits
/// make up the (absolute) result.
pub fn check_trace(p: &Problem, lines: &[Line]) -> Result<(), String> {
    let Expected::Integer(want) = p.expected else {
        return Err("expected an integer".to_string());
    };
    let mut operands: Vec<i64> = lines
        .first()
        .map(|l| {
            l.toks
                .iter()
                .filter_map(|t| t.num())
                .map(i64::abs)
                .collect()
        })
        .unwrap_or_default();
    operands.sort_unstable();
    let blocks = columns::check_blocks(lines)?;
    let [block] = blocks.as_slice() else {
        return Err(format!("expected one column block, found {}", blocks.len()));
    };
    let mut named = block.operands.clone();
    named.sort_unstable();
    if named != operands {
        return Err("the first column does not name both numbers".to_string());
    }
    if block.result != (want as i128).abs() {
        return Err(format!(
            "the columns give {} but the result is {want}",
            block.result
        ));
    }
    columns::require_block_results(lines, &blocks)
}
