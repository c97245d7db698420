//! (a) Addition and subtraction of whole numbers 0..=99999, column by column.
//!
//! Addition writes each column's sum with its carry. Subtraction borrows: a column whose top digit
//! is too small says `4 < 8, borrow: 14 - 8 = 6`, and the next column takes the borrow away
//! (`8 - (4 + 1) = 3`). When the first number is smaller, the trace computes the reverse difference
//! and makes it negative. Each column line also names what is left of both numbers and the result
//! so far (see [`column_line`] for why). Every trace ends with `So ...` and a `Check:` by the
//! inverse operation.

use rand::Rng;

use super::expr::{self, Line};
use super::util::{self, fill, pick, spaced, style, End};
use super::{Expected, Family, Problem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
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
            lines.extend(add_columns(a, b));
            lines.push(format!("So {a} + {b} = {s}."));
            lines.push(format!("Check: {s} - {b} = {a} ✓"));
            (s, format!("{a} + {b} = {s}."))
        }
        Op::Sub => {
            let d = a - b;
            lines.push(format!("{a} - {b}"));
            if a >= b {
                lines.extend(sub_columns(a, b));
                lines.push(format!("So {a} - {b} = {d}."));
            } else {
                lines.push(format!(
                    "{b} > {a}, so compute {b} - {a} and make it negative."
                ));
                lines.extend(sub_columns(b, a));
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

/// One column line: `Tens of 34 and 58: 4 + 8 + 1 = 13, write 3, carry 1. So far 36.`
///
/// Why the line restates what is left of each number and what is written so far: a small model
/// reads digits far more reliably when the one it needs is the last digit of a number it has just
/// written (`34` ends in the tens digit of 347) than by counting places back from the end of a
/// number in the prompt, and `So far 36` builds the result as it goes, so the final answer is a
/// copy instead of the written digits re-read in reverse.
fn column_line(k: usize, rests: &[i64], body: &str, so_far: String) -> String {
    let rests: Vec<String> = rests.iter().map(i64::to_string).collect();
    format!(
        "{} of {}: {body} So far {so_far}.",
        util::place(k),
        rests.join(" and ")
    )
}

/// What is left of `n` at column `k` (its digits from the `k`-th on), if any.
fn rest(n: i64, k: usize) -> Option<i64> {
    (k < util::num_digits(n)).then(|| n / 10i64.pow(k as u32))
}

/// The last `k + 1` digits of `n`, leading zeros kept (the result written so far).
fn low_digits(n: i64, k: usize) -> String {
    format!("{:0width$}", n % 10i64.pow(k as u32 + 1), width = k + 1)
}

fn add_columns(a: i64, b: i64) -> Vec<String> {
    let (da, db) = (util::digits(a), util::digits(b));
    let n = da.len().max(db.len());
    let mut carry = 0;
    let mut out = Vec::new();
    for k in 0..n {
        let last = k + 1 == n;
        let (expr, sum) = match (da.get(k).copied(), db.get(k).copied()) {
            (Some(x), Some(y)) if carry > 0 => {
                (Some(format!("{x} + {y} + {carry}")), x + y + carry)
            }
            (Some(x), Some(y)) => (Some(format!("{x} + {y}")), x + y),
            (Some(v), None) | (None, Some(v)) if carry > 0 => {
                (Some(format!("{v} + {carry}")), v + carry)
            }
            (Some(v), None) | (None, Some(v)) => (None, v),
            (None, None) => (None, carry),
        };
        let body = match expr {
            None => format!("{sum}, write {sum}."),
            Some(e) if sum >= 10 && !last => {
                format!("{e} = {sum}, write {}, carry {}.", sum % 10, sum / 10)
            }
            Some(e) => format!("{e} = {sum}, write {sum}."),
        };
        carry = if sum >= 10 && !last { sum / 10 } else { 0 };
        let rests: Vec<i64> = [rest(a, k), rest(b, k)].into_iter().flatten().collect();
        let so_far = if last {
            (a + b).to_string()
        } else {
            low_digits(a + b, k)
        };
        out.push(column_line(k, &rests, &body, so_far));
    }
    out
}

/// Columns of `top - bot` for top >= bot >= 0.
fn sub_columns(top: i64, bot: i64) -> Vec<String> {
    let (dt, db) = (util::digits(top), util::digits(bot));
    let mut borrow = 0;
    let mut out = Vec::new();
    for (k, &t) in dt.iter().enumerate() {
        let (body, next) = match (db.get(k).copied(), borrow) {
            (Some(d), 0) if t >= d => (format!("{t} - {d} = {}, write {}.", t - d, t - d), 0),
            (Some(d), 0) => {
                let v = 10 + t - d;
                (
                    format!("{t} < {d}, borrow: {} - {d} = {v}, write {v}.", 10 + t),
                    1,
                )
            }
            (Some(d), _) if t > d => (
                format!("{t} - ({d} + 1) = {}, write {}.", t - d - 1, t - d - 1),
                0,
            ),
            (Some(d), _) => {
                let need = d + 1;
                let v = 10 + t - need;
                (
                    format!(
                        "{t} - ({d} + 1): {t} < {need}, borrow: {} - {need} = {v}, write {v}.",
                        10 + t
                    ),
                    1,
                )
            }
            (None, 0) => (format!("{t}, write {t}."), 0),
            (None, _) if t >= 1 => (format!("{t} - 1 = {}, write {}.", t - 1, t - 1), 0),
            (None, _) => ("0 < 1, borrow: 10 - 1 = 9, write 9.".to_string(), 1),
        };
        borrow = next;
        let rests: Vec<i64> = [rest(top, k), rest(bot, k)].into_iter().flatten().collect();
        out.push(column_line(k, &rests, &body, low_digits(top - bot, k)));
    }
    out
}

/// Column lines must run Units, Tens, ... with one `write` each, and the written digits must make
/// up the (absolute) result. Each line's `of` numbers are the operands with the finished columns
/// dropped, its first digits are their last digits, and `So far` is what the writes make up to
/// there.
pub fn check_trace(p: &Problem, lines: &[Line]) -> Result<(), String> {
    let Expected::Integer(want) = p.expected else {
        return Err("expected an integer".to_string());
    };
    let mut operands: Vec<i64> = lines
        .first()
        .map(|l| l.toks.iter().filter_map(|t| t.num()).map(i64::abs).collect())
        .unwrap_or_default();
    operands.sort_unstable();
    let mut total: i128 = 0;
    let mut k = 0usize;
    let mut rests: Vec<i64> = Vec::new();
    for line in lines {
        let Some(first) = line.first_word() else {
            continue;
        };
        if !util::is_place_word(first) {
            continue;
        }
        if !util::place(k).eq_ignore_ascii_case(first) {
            return Err(format!("column {} out of order in `{}`", k + 1, line.text));
        }
        let bad = |what: &str| format!("{what} in `{}`", line.text);
        let colon = line
            .toks
            .iter()
            .position(|t| t.is_punct(':'))
            .ok_or_else(|| bad("no colon"))?;
        let these: Vec<i64> = line.toks[..colon].iter().filter_map(|t| t.num()).collect();
        if k == 0 {
            let mut sorted = these.clone();
            sorted.sort_unstable();
            if sorted != operands {
                return Err(bad("the first column does not name both numbers"));
            }
        } else {
            let expected: Vec<i64> = rests.iter().map(|r| r / 10).filter(|&r| r > 0).collect();
            if these != expected {
                return Err(bad(&format!("expected what is left to be {expected:?}")));
            }
        }
        let digits: Vec<i64> = line.toks[colon..]
            .iter()
            .filter_map(|t| t.num())
            .take(these.len())
            .collect();
        let last_digits: Vec<i64> = these.iter().map(|r| r % 10).collect();
        if digits != last_digits {
            return Err(bad("the column's digits are not the last digits of what is left"));
        }
        rests = these;
        let ws = expr::writes(line)?;
        if ws.len() != 1 {
            return Err(bad("a column needs exactly one `write`"));
        }
        total += ws[0].digit as i128 * 10i128.pow(k as u32);
        let far = line.toks.iter().position(|t| t.is_word("far"));
        match far.and_then(|i| line.toks.get(i + 1)).and_then(|t| t.num()) {
            Some(v) if v as i128 == total => {}
            _ => return Err(bad(&format!("`So far` should say {total}"))),
        }
        k += 1;
    }
    if k == 0 {
        return Err("no column lines".to_string());
    }
    if total != (want as i128).abs() {
        return Err(format!("the columns give {total} but the result is {want}"));
    }
    Ok(())
}
