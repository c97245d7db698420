//! (e) Linear equations `a·x + b = c` with an integer solution (negative ones included), a ≠ 0.
//!
//! Prompts write the equation in several shapes ("3x + 5 = 20", "4*x - 7 = -19", "5 + 3x = 20",
//! "20 = 3x + 5", "-x + 3 = 5"). The trace restates it as `ax + b = c`, moves b across
//! ("Subtract 5 from both sides: 3x = 20 - 5 = 15."; numbers past 9 in columns, signs settled
//! first, see [`signed_steps`]), divides by a, and checks by substituting.

use rand::Rng;

use super::add_sub::Op;
use super::expr::{self, Line, Var};
use super::text::{last_integer, tokenize, Token};
use super::util::{pick, style, End};
use super::{columns, compare_columns, division};
use super::{Expected, Family, Problem};

const LIMIT: i128 = 1_000_000_000;

const TEMPLATES: &[(&str, End)] = &[
    ("{eq}", End::Bare),
    ("Solve {eq}", End::Command),
    ("solve for x: {eq}", End::Command),
    ("Solve {eq} for x", End::Command),
    ("Find x if {eq}", End::Command),
    ("What is x if {eq}", End::Question),
    ("If {eq}, what is x", End::Question),
    ("{eq}, x = ?", End::Bare),
    ("what's x in {eq}", End::Question),
    ("Solve the equation {eq}", End::Command),
    ("Find the value of x: {eq}", End::Command),
    ("{eq}. Find x", End::Command),
    ("x? {eq}", End::Bare),
    ("Work out x when {eq}", End::Command),
    ("Can you solve {eq}", End::Question),
];

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let a: i64 = if rng.random_bool(0.12) {
        if rng.random_bool(0.5) {
            1
        } else {
            -1
        }
    } else {
        rng.random_range(2..=12) * if rng.random_bool(0.3) { -1 } else { 1 }
    };
    let x = rng.random_range(-15..=15);
    let b = if a.abs() != 1 && rng.random_bool(0.15) {
        0
    } else {
        loop {
            let b = rng.random_range(-40..=40);
            if b != 0 {
                break b;
            }
        }
    };
    let c = a * x + b;
    let (eq, sides, terms) = render_eq(rng, a, b, c);
    let (t, end) = *pick(rng, TEMPLATES);
    let prompt = style(rng, &t.replace("{eq}", &eq), end);
    solve(prompt, a, b, c, sides, terms)
}

/// Which side of the prompt's equation has x: `3x + 5 = 20` or `20 = 3x + 5`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sides {
    XLeft,
    XRight,
}

/// Which term the prompt's x side writes first: `3x + 5` or `5 + 3x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terms {
    XFirst,
    ConstantFirst,
}

/// The equation as a person might type it.
fn render_eq<R: Rng + ?Sized>(rng: &mut R, a: i64, b: i64, c: i64) -> (String, Sides, Terms) {
    let term = match a {
        1 => "x".to_string(),
        -1 => "-x".to_string(),
        _ => match rng.random_range(0..10) {
            0..=5 => format!("{a}x"),
            6..=7 => format!("{a}*x"),
            8 => format!("{a}·x"),
            _ => format!("{a} * x"),
        },
    };
    let tight = rng.random_bool(0.25);
    let (plus, minus, eq) = if tight {
        ("+", "-", "=")
    } else {
        (" + ", " - ", " = ")
    };
    let (side, terms) = if b == 0 {
        (term, Terms::XFirst)
    } else if rng.random_bool(0.2) {
        (constant_first(b, &term, plus, minus), Terms::ConstantFirst)
    } else if b > 0 {
        (format!("{term}{plus}{b}"), Terms::XFirst)
    } else {
        (format!("{term}{minus}{}", -b), Terms::XFirst)
    };
    if rng.random_bool(0.12) {
        (format!("{c}{eq}{side}"), Sides::XRight, terms)
    } else {
        (format!("{side}{eq}{c}"), Sides::XLeft, terms)
    }
}

/// The x side with its constant first: "5 + 3x", "9 - 2x".
fn constant_first(b: i64, term: &str, plus: &str, minus: &str) -> String {
    match term.strip_prefix('-') {
        Some(pos) => format!("{b}{minus}{pos}"),
        None => format!("{b}{plus}{term}"),
    }
}

fn ax(a: i64) -> String {
    match a {
        1 => "x".to_string(),
        -1 => "-x".to_string(),
        _ => format!("{a}x"),
    }
}

fn paren(v: i64) -> String {
    if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

fn with_b(head: String, b: i64) -> String {
    match b.signum() {
        1 => format!("{head} + {b}"),
        -1 => format!("{head} - {}", -b),
        _ => head,
    }
}

/// `moved` (`Add 24 to both sides: -6x = -78 + 24`) worked out: `c + m` or `c - m` (m > 0, c ≠ 0
/// of any sign) as a sum or difference of two non-negative numbers, its sign settled first and in
/// writing. One-digit numbers take one line (`-6x = -9 - 6 = -(9 + 6) = -15.`). Larger ones are
/// worked in columns; where the sign depends on which number is larger, the two are compared in
/// columns first (`So 78 > 24 and -78 + 24 = -(78 - 24).`). The last line is
/// `So 78 - 24 = 54 and -6x = -54.` where `lhs` is the side with x.
fn signed_steps(moved: String, c: i64, op: Op, m: i64, lhs: &str) -> Vec<String> {
    let (r, sign, n) = (op.apply(c, m), op.symbol(), c.abs());
    // (x, op, y) with x, y >= 0 and x >= y for a difference; `negate`: r = -(x op y).
    let (x, col_op, y, negate) = match (c > 0, op) {
        (true, Op::Add) => (c, Op::Add, m, false),
        (true, Op::Sub) if c >= m => (c, Op::Sub, m, false),
        (true, Op::Sub) => (m, Op::Sub, c, true),
        (false, Op::Sub) => (n, Op::Add, m, true),
        (false, Op::Add) if n >= m => (n, Op::Sub, m, true),
        (false, Op::Add) => (m, Op::Sub, n, false),
    };
    let col = col_op.symbol();
    let minus = if negate { "-" } else { "" };
    let settled = (c < 0 || negate).then(|| format!("{minus}({x} {col} {y})"));
    if !columns::needs_columns(n, m) {
        return vec![match settled {
            Some(s) => format!("{moved} = {s} = {r}."),
            None => format!("{moved} = {r}."),
        }];
    }
    let mut lines = vec![format!("{moved}.")];
    let sign_depends_on_size = matches!((c > 0, op), (true, Op::Sub) | (false, Op::Add));
    if sign_depends_on_size {
        lines.extend(compare_columns::compare_lines(n, m));
        let rel = compare_columns::rel_char(n.cmp(&m));
        lines.push(match &settled {
            Some(s) => format!("So {n} {rel} {m} and {c} {sign} {m} = {s}."),
            None => format!("So {n} {rel} {m}."),
        });
    } else if let Some(s) = &settled {
        lines.push(format!("{c} {sign} {m} = {s}."));
    }
    lines.extend(columns::columns(x, col_op, y));
    lines.push(format!(
        "So {x} {col} {y} = {} and {lhs} = {r}.",
        col_op.apply(x, y)
    ));
    lines
}

/// The two lines that divide `r` by `a` (|a| ≥ 2), ending with `x = r / a`. The sign is settled
/// first (`x = 120 ÷ (-8) = -(120 ÷ 8).`), then the size in writing (see [`division`]):
///
/// ```text
/// 10 × 8 = 80 and 120 > 80, so 120 ÷ 8 = (80 + 40) ÷ 8 = 10 + 5 = 15 and x = -15.
/// ```
fn division_lines(r: i64, a: i64) -> Vec<String> {
    let (big_r, big_a) = (r.abs(), a.abs());
    let x = r / a;
    let negative = (r < 0) != (a < 0) && r != 0;
    let mut first = format!("Divide both sides by {a}: x = {r} ÷ {}", paren(a));
    if r < 0 || a < 0 {
        first.push_str(&if negative {
            format!(" = -({big_r} ÷ {big_a})")
        } else {
            format!(" = {big_r} ÷ {big_a}")
        });
    }
    vec![
        format!("{first}."),
        format!("{} and x = {x}.", division::in_writing(big_r, big_a)),
    ]
}

/// Solve `a·x + b = c`; the caller guarantees a ≠ 0 and that a divides c - b.
///
/// The trace first restates the equation as `ax + b = c`. Where the prompt has x on the right
/// (`-55 = 4x - 39`), it is first written in that order and then its sides are swapped: restating
/// it as `4x - 39 = -55` in one line was 7 of the 10 wrong restatements, for 12% of the prompts.
/// Likewise a constant written first (`-21+x=-18`) is first copied in that order, then reordered
/// (`Reorder: x - 21 = -18.`): 5 of the 14 wrong restatements left were such prompts (`-x - 21`).
pub fn solve(prompt: String, a: i64, b: i64, c: i64, sides: Sides, terms: Terms) -> Problem {
    let r = c - b;
    let x = if a != 0 { r / a } else { 0 };
    let with_x = with_b(ax(a), b);
    let typed = match terms {
        Terms::ConstantFirst if b != 0 => constant_first(b, &ax(a), " + ", " - "),
        _ => with_x.clone(),
    };
    let mut lines = match sides {
        Sides::XLeft => vec![format!("{typed} = {c}")],
        Sides::XRight => vec![
            format!("{c} = {typed}"),
            format!("Swap sides: {typed} = {c}."),
        ],
    };
    if typed != with_x {
        lines.push(format!("Reorder: {with_x} = {c}."));
    }
    if b != 0 {
        let (verb, op, m) = if b > 0 {
            (format!("Subtract {b} from"), Op::Sub, b)
        } else {
            (format!("Add {} to", -b), Op::Add, -b)
        };
        let moved = format!("{verb} both sides: {} = {c} {} {m}", ax(a), op.symbol());
        if c == 0 {
            lines.push(format!("{moved} = {r}."));
        } else {
            lines.extend(signed_steps(moved, c, op, m, &ax(a)));
        }
    }
    if a == -1 {
        lines.push(format!("Multiply both sides by -1: x = {x}."));
    } else if a != 1 {
        lines.extend(division_lines(r, a));
    } else if b == 0 {
        lines.push(format!("x is already alone: x = {x}."));
    }
    let sub = match a {
        1 => x.to_string(),
        _ => format!("{a}·{}", paren(x)),
    };
    lines.push(format!("Check: {} = {c} ✓", with_b(sub, b)));
    Problem {
        family: Family::LinearEquation,
        prompt,
        thinking: lines.join("\n"),
        answer: format!("x = {x}"),
        expected: Expected::Integer(x),
    }
}

/// Find an equation in x in the prompt. `None`: there is none. `Some(None)`: there is one, but its
/// solution is not a whole number (or it is too large), so no family can take the prompt.
pub fn parse(prompt: &str, toks: &[Token]) -> Option<Option<Problem>> {
    for i in 0..toks.len() {
        if !toks[i].is_op('=') {
            continue;
        }
        let Some((l, r)) = expr::sides(toks, i, Var::Symbol) else {
            continue;
        };
        let (left_terms, right_terms) = (terms_of(&toks[l.clone()]), terms_of(&toks[r.clone()]));
        let (Ok(l), Ok(r)) = (
            expr::eval(&toks[l], Var::Symbol),
            expr::eval(&toks[r], Var::Symbol),
        ) else {
            continue;
        };
        // a1·x + b1 = a2·x + b2  →  (a1 - a2)·x + b1 = b2, keeping the x side on the left.
        let (a, b, c, sides, terms) = if r.a == 0 {
            (l.a, l.b, r.b, Sides::XLeft, left_terms)
        } else if l.a == 0 {
            (r.a, r.b, l.b, Sides::XRight, right_terms)
        } else {
            (l.a - r.a, l.b, r.b, Sides::XLeft, Terms::XFirst)
        };
        if a == 0 {
            continue;
        }
        if a.abs() > LIMIT || b.abs() > LIMIT || c.abs() > LIMIT || (c - b) % a != 0 {
            return Some(None);
        }
        return Some(Some(solve(
            prompt.to_string(),
            a as i64,
            b as i64,
            c as i64,
            sides,
            terms,
        )));
    }
    None
}

/// Which term an x side of the prompt writes first: a number followed by `+` or `-` is the
/// constant (`5 + 3x`, `-21+x`); anything else starts with x (`3x + 5`, `3 * x`, `-x + 2`).
fn terms_of(side: &[Token]) -> Terms {
    let sum_follows = side.get(1).is_some_and(|t| t.is_op('+') || t.is_op('-'));
    if side.first().and_then(Token::num).is_some() && sum_follows {
        Terms::ConstantFirst
    } else {
        Terms::XFirst
    }
}

/// The value an answer gives for x: the last `x = N`, else the last number.
pub fn answer_value(text: &str) -> Option<i64> {
    let toks = tokenize(text);
    let mut found = None;
    for w in toks.windows(3) {
        if w[0].is_word("x") && w[1].is_op('=') && w[2].num().is_some() {
            found = w[2].num();
        }
    }
    found.or_else(|| last_integer(text))
}

/// The equation lines are already checked with x replaced by the solution; require that the trace
/// states the equation and reaches `x = ...`.
pub fn check_trace(lines: &[Line]) -> Result<(), String> {
    let blocks = columns::check_blocks(lines)?;
    columns::require_block_results(lines, &blocks)?;
    let first = lines.first().ok_or("empty trace")?;
    if !first.rels.iter().any(|r| r.op == '=') {
        return Err("the trace does not start with the equation".to_string());
    }
    let solved = lines.iter().filter(|l| !l.is_check()).any(|l| {
        l.toks
            .windows(2)
            .any(|w| w[0].is_word("x") && w[1].is_op('='))
    });
    if !solved {
        return Err("the trace never reaches `x = ...`".to_string());
    }
    Ok(())
}
