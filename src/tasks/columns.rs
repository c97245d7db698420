//! Column-by-column addition and subtraction, written the same way wherever a trace adds or
//! subtracts numbers that are not single digits: in `add_sub` itself, in the partial products of
//! `multiply`, in the steps of word problems and in moving a term across a linear equation.
//!
//! One shared way to add means a small model learns it once and practises it in every family;
//! sums written in one step (`224 + 2800 = 3024`) were where the first models failed most.

use super::add_sub::Op;
use super::expr::{self, Line};
use super::util;

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

/// The column lines of `x + y` or `x - y`; the caller guarantees `x, y >= 0` and, for `-`, `x >= y`.
pub fn columns(x: i64, op: Op, y: i64) -> Vec<String> {
    match op {
        Op::Add => add_columns(x, y),
        Op::Sub => sub_columns(x, y),
    }
}

/// The column lines of `x op y` followed by `So x op y = r.`, which names the result the next
/// step uses (and which [`check_blocks`]'s caller ties to the columns).
pub fn worked(x: i64, op: Op, y: i64) -> Vec<String> {
    let mut lines = columns(x, op, y);
    lines.push(format!("So {x} {} {y} = {}.", op.symbol(), op.apply(x, y)));
    lines
}

/// Whether `x op y` is worth columns: one-digit sums and differences are facts a model knows.
pub fn needs_columns(x: i64, y: i64) -> bool {
    x.max(y) >= 10
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

/// A run of column lines in a trace: one addition or subtraction.
#[derive(Debug)]
pub struct Block {
    /// The numbers the `Units` line names.
    pub operands: Vec<i64>,
    /// What the written digits make up.
    pub result: i128,
    /// Index (in the trace's lines) of the block's last column line.
    pub last_line: usize,
}

/// Find the column blocks of a trace (a `Units of ...` line starts one) and check each line:
/// columns run Units, Tens, ... with one `write` each; each line's `of` numbers are the previous
/// line's with their last digit dropped, its first digits are their last digits, and `So far` is
/// what the writes make up to there. The arithmetic of each column is checked by the equation
/// scanner like any other relation.
pub fn check_blocks(lines: &[Line]) -> Result<Vec<Block>, String> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut k = 0usize;
    let mut rests: Vec<i64> = Vec::new();
    for (index, line) in lines.iter().enumerate() {
        let Some(first) = line.first_word() else {
            continue;
        };
        if !util::is_place_word(first) {
            continue;
        }
        let bad = |what: &str| format!("{what} in `{}`", line.text);
        let continues = blocks.last().is_some_and(|b| b.last_line + 1 == index);
        if util::place(0).eq_ignore_ascii_case(first) {
            k = 0;
        } else if !continues || !util::place(k).eq_ignore_ascii_case(first) {
            return Err(format!("column {} out of order in `{}`", k + 1, line.text));
        }
        let colon = line
            .toks
            .iter()
            .position(|t| t.is_punct(':'))
            .ok_or_else(|| bad("no colon"))?;
        let these: Vec<i64> = line.toks[..colon].iter().filter_map(|t| t.num()).collect();
        if these.is_empty() {
            return Err(bad("a column names no numbers"));
        }
        if k > 0 {
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
            return Err(bad(
                "the column's digits are not the last digits of what is left",
            ));
        }
        let ws = expr::writes(line)?;
        if ws.len() != 1 {
            return Err(bad("a column needs exactly one `write`"));
        }
        let so_far = if k == 0 {
            blocks.push(Block {
                operands: these.clone(),
                result: 0,
                last_line: index,
            });
            ws[0].digit as i128
        } else {
            let block = blocks.last().map_or(0, |b| b.result);
            block + ws[0].digit as i128 * 10i128.pow(k as u32)
        };
        let far = line.toks.iter().position(|t| t.is_word("far"));
        match far.and_then(|i| line.toks.get(i + 1)).and_then(|t| t.num()) {
            Some(v) if v as i128 == so_far => {}
            _ => return Err(bad(&format!("`So far` should say {so_far}"))),
        }
        if let Some(block) = blocks.last_mut() {
            block.result = so_far;
            block.last_line = index;
        }
        rests = these;
        k += 1;
    }
    Ok(blocks)
}

/// Every block's result must be carried on: the line right after it names that number
/// (`So 42 - 23 = 19.`), so the columns are what the trace goes on with.
pub fn require_block_results(lines: &[Line], blocks: &[Block]) -> Result<(), String> {
    for block in blocks {
        let next = lines
            .get(block.last_line + 1)
            .ok_or("the trace ends inside a column block")?;
        if !next
            .toks
            .iter()
            .any(|t| t.num().is_some_and(|v| v as i128 == block.result))
        {
            return Err(format!(
                "the columns give {} but `{}` does not use it",
                block.result, next.text
            ));
        }
    }
    Ok(())
}
