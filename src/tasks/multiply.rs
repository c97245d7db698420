//! (b) Multiplication up to 3-digit × 3-digit (1- and 2-digit factors included).
//!
//! The longer factor is multiplied by each non-zero digit of the shorter one (the second factor
//! when they are equally long), digit by digit with carries (`4 × 9 = 36, 36 + 6 = 42, write 2
//! carry 4`), then shifted (`347 × 80 = 27760`) and the partial products are added in columns
//! (see [`super::columns`]). The check divides back.

use rand::Rng;

use super::add_sub::Op;
use super::columns;
use super::expr::{self, Line};
use super::util::{self, fill, pick, style, End};
use super::{Expected, Family, Problem};

const TEMPLATES: &[(&str, End)] = &[
    ("What is {e}", End::Question),
    ("{e}", End::Bare),
    ("{e} =", End::Bare),
    ("multiply {a} by {b}", End::Command),
    ("Multiply {a} and {b}", End::Command),
    ("How much is {e}", End::Question),
    ("what's {a} times {b}", End::Question),
    ("Calculate {e}", End::Command),
    ("What is the product of {a} and {b}", End::Question),
    ("{a} times {b}", End::Question),
    ("Compute {e}", End::Command),
    ("What is {a} multiplied by {b}", End::Question),
    ("Find {a} times {b}", End::Command),
    ("Work out {e}", End::Command),
    ("{e} = ?", End::Bare),
    (
        "What do you get when you multiply {a} by {b}",
        End::Question,
    ),
];

const SYMBOLS: &[&str] = &["×", "×", "x", "x", "*", "*", "X"];

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let (a, b) = operands(rng);
    let sym = *pick(rng, SYMBOLS);
    let expr = if rng.random_bool(0.25) {
        format!("{a}{sym}{b}")
    } else {
        format!("{a} {sym} {b}")
    };
    let (t, end) = *pick(rng, TEMPLATES);
    let prompt = style(
        rng,
        &fill(t, &a.to_string(), &b.to_string()).replace("{e}", &expr),
        end,
    );
    solve(prompt, a, b)
}

fn operands<R: Rng + ?Sized>(rng: &mut R) -> (i64, i64) {
    let (a, b) = match rng.random_range(0..100) {
        // Times tables.
        0..=11 => (rng.random_range(2..=9), rng.random_range(2..=9)),
        // Multiplying by 0, 1, 10 or 100.
        12..=17 => {
            let d = rng.random_range(1..=3);
            (
                util::with_digits(rng, d),
                *pick(rng, &[0, 1, 10, 100, 0, 1]),
            )
        }
        // Factors with zero digits (305, 40).
        18..=23 => {
            let a = util::with_digits(rng, 3);
            let e = rng.random_range(1..=2u32);
            let b = rng.random_range(1..=9) * 10i64.pow(e);
            (
                a,
                b + if rng.random_bool(0.5) {
                    rng.random_range(0..=9)
                } else {
                    0
                },
            )
        }
        _ => {
            let (da, db) = *pick(
                rng,
                &[
                    (2, 1),
                    (3, 1),
                    (2, 2),
                    (3, 2),
                    (2, 2),
                    (3, 2),
                    (3, 3),
                    (3, 3),
                    (2, 3),
                ],
            );
            (util::with_digits(rng, da), util::with_digits(rng, db))
        }
    };
    if rng.random_bool(0.5) {
        (a, b)
    } else {
        (b, a)
    }
}

/// `top × d` digit by digit: `7 × 9 = 63, write 3 carry 6; 4 × 9 = 36, 36 + 6 = 42, ...`.
fn digit_steps(top: i64, d: i64) -> String {
    let td = util::digits(top);
    let mut carry = 0;
    let mut parts = Vec::new();
    for (k, &x) in td.iter().enumerate() {
        let v = x * d + carry;
        // The carry is added in a step of its own: `x × d + c` in one step was where the model
        // slipped most (`2 × 9 + 6 = 26`), one multiplication fact and one small sum are not.
        let e = if carry > 0 {
            format!("{x} × {d} = {p}, {p} + {carry}", p = x * d)
        } else {
            format!("{x} × {d}")
        };
        if k + 1 < td.len() && v >= 10 {
            parts.push(format!("{e} = {v}, write {} carry {}", v % 10, v / 10));
            carry = v / 10;
        } else {
            parts.push(format!("{e} = {v}, write {v}"));
            carry = 0;
        }
    }
    parts.join("; ")
}

/// Solve `a × b` (a, b >= 0).
pub fn solve(prompt: String, a: i64, b: i64) -> Problem {
    let p = a * b;
    let mut lines = vec![format!("{a} × {b}")];
    let so = format!("So {a} × {b} = {p}.");
    if a == 0 || b == 0 {
        lines.push("Anything times 0 is 0.".to_string());
        lines.push(so);
        lines.push(if a == 0 && b == 0 {
            "Check: 0 × 0 = 0 ✓".to_string()
        } else {
            format!("Check: 0 ÷ {} = 0 ✓", a.max(b))
        });
    } else if a == 1 || b == 1 {
        lines.push("Times 1 keeps the number the same.".to_string());
        lines.push(so);
        lines.push(format!("Check: {p} ÷ {b} = {a} ✓"));
    } else if a < 10 && b < 10 {
        lines.push(so);
        lines.push(format!("Check: {p} ÷ {b} = {a} ✓"));
    } else {
        let (top, bot) = if util::num_digits(b) > util::num_digits(a) {
            (b, a)
        } else {
            (a, b)
        };
        let parts: Vec<(u32, i64)> = util::digits(bot)
            .into_iter()
            .enumerate()
            .filter(|(_, d)| *d != 0)
            .map(|(k, d)| (k as u32, d))
            .collect();
        if parts.len() > 1 {
            let terms: Vec<String> = parts
                .iter()
                .rev()
                .map(|(k, d)| (d * 10i64.pow(*k)).to_string())
                .collect();
            lines.push(format!("Split {bot} = {}.", terms.join(" + ")));
        }
        let mut partials = Vec::new();
        for &(k, d) in &parts {
            let scale = 10i64.pow(k);
            let q = top * d;
            let full = q * scale;
            lines.push(match (d, k) {
                (1, 0) => format!("{top} × 1 = {top}."),
                (1, _) => format!("{top} × {scale} = {full}."),
                (_, 0) => format!(
                    "{top} × {d}: {}; so {top} × {d} = {q}.",
                    digit_steps(top, d)
                ),
                // The header names the part (`× 80`, not `× 8`) so whether the line ends with
                // the shift is decided by what the line starts with.
                _ => format!(
                    "{top} × {part}: {}; so {top} × {d} = {q} and {top} × {part} = {full}.",
                    digit_steps(top, d),
                    part = d * scale
                ),
            });
            partials.push(full);
        }
        // The partial products are added in columns, one pair at a time.
        if let Some((&first, rest)) = partials.split_first() {
            let mut sum = first;
            for &x in rest {
                lines.push(format!("Add {sum} + {x}."));
                lines.extend(columns::worked(sum, Op::Add, x));
                sum += x;
            }
        }
        lines.push(so);
        lines.push(format!("Check: {p} ÷ {b} = {a} ✓"));
    }
    Problem {
        family: Family::Multiply,
        prompt,
        thinking: lines.join("\n"),
        answer: format!("{a} × {b} = {p}."),
        expected: Expected::Integer(p),
    }
}

/// In each digit-by-digit line the written digits must make up the product stated right after them;
/// the column blocks that add the partial products pass [`columns::check_blocks`].
pub fn check_trace(lines: &[Line]) -> Result<(), String> {
    let blocks = columns::check_blocks(lines)?;
    columns::require_block_results(lines, &blocks)?;
    for line in lines {
        if line.first_word().is_some_and(util::is_place_word) {
            continue;
        }
        let ws = expr::writes(line)?;
        let Some(last) = ws.last() else { continue };
        let mut assembled: i128 = 0;
        for (i, w) in ws.iter().enumerate() {
            assembled += w.digit as i128 * 10i128.pow(i as u32);
        }
        let rel = line
            .rels
            .iter()
            .find(|r| r.op == '=' && r.at > last.at)
            .ok_or_else(|| format!("no product after the digits in `{}`", line.text))?;
        if rel.rhs != assembled {
            return Err(format!(
                "the digits give {assembled}, not {} in `{}`",
                rel.rhs, line.text
            ));
        }
    }
    Ok(())
}
