//! Reading two-number arithmetic prompts ("What is 347 + 589?", "subtract 5 from 12",
//! "multiply 12 by 34", "the product of 3 and 4"), shared by `add_sub` and `multiply`.

use super::text::{exactly_two_numbers, Tok, Token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
}

/// Largest operand accepted for addition and subtraction (11 digits).
const ADD_SUB_LIMIT: i64 = 99_999_999_999;
/// Largest factor accepted for multiplication (6 digits).
const MUL_LIMIT: i64 = 999_999;

const UNSUPPORTED: &[&str] = &[
    "divide",
    "divided",
    "quotient",
    "over",
    "per",
    "power",
    "squared",
    "cubed",
    "percent",
    "root",
    "half",
    "mod",
    "modulo",
    "remainder",
    "average",
    "mean",
];

/// Read an addition, subtraction or multiplication of two whole numbers.
/// Returns the operation and the operands in written order (`a OP b`).
pub fn parse(toks: &[Token]) -> Option<(ArithOp, i64, i64)> {
    use ArithOp::*;
    if toks.iter().any(|t| {
        matches!(t.tok, Tok::Dec(_) | Tok::Big) || t.is_op('/') || t.is_any_word(UNSUPPORTED)
    }) {
        return None;
    }
    let ((i, x), (j, y)) = exactly_two_numbers(toks)?;
    let before = &toks[..i];
    let between = &toks[i + 1..j];
    // Operators may only sit between the numbers (an `=` may follow: "3 + 4 = ?").
    if before.iter().any(|t| matches!(t.tok, Tok::Op(_)))
        || between.iter().any(|t| t.is_op('='))
        || between
            .iter()
            .filter(|t| matches!(t.tok, Tok::Op(_)))
            .count()
            > 1
        || toks[j + 1..]
            .iter()
            .any(|t| matches!(t.tok, Tok::Op(c) if c != '='))
    {
        return None;
    }
    let wb = |ws: &[&str]| between.iter().any(|t| t.is_any_word(ws));
    let wf = |ws: &[&str]| before.iter().any(|t| t.is_any_word(ws));
    let ob = |c: char| between.iter().any(|t| t.is_op(c));
    let raw = if ob('+') || wb(&["plus"]) {
        (Add, x, y)
    } else if ob('-') || wb(&["minus"]) {
        (Sub, x, y)
    } else if ob('*') || wb(&["x", "times", "multiplied"]) {
        (Mul, x, y)
    } else if between.is_empty() && y < 0 && toks[j].space_before {
        // "347 -589"
        (Sub, x, -y)
    } else if (wb(&["from"])
        && (wf(&[
            "subtract",
            "subtracting",
            "take",
            "deduct",
            "remove",
            "minus",
        ]) || wb(&["away"])))
        || (wb(&["than"]) && wb(&["less", "fewer"]))
    {
        // "subtract 5 from 12", "take 5 away from 12", "5 less than 12"
        (Sub, y, x)
    } else if (wb(&["than"]) && wb(&["more"]))
        || (wb(&["to"]) && (wf(&["add", "adding"]) || wb(&["added"])))
    {
        // "5 more than 12", "add 5 to 12"
        (Add, y, x)
    } else if wb(&["and", "by", "with"])
        || (!between.is_empty() && between.iter().all(|t| t.is_punct(',')))
    {
        if wf(&["add", "adding", "sum", "total", "plus"]) {
            (Add, x, y)
        } else if wf(&["multiply", "multiplying", "product", "times"]) {
            (Mul, x, y)
        } else if wf(&["difference"]) {
            (Sub, x.max(y), x.min(y))
        } else if wf(&["subtract", "subtracting"]) {
            (Sub, x, y)
        } else {
            return None;
        }
    } else {
        return None;
    };
    normalize(raw)
}

/// Fold signs into the operation (`5 + -3` is `5 - 3`) and apply the size limits.
fn normalize((op, x, y): (ArithOp, i64, i64)) -> Option<(ArithOp, i64, i64)> {
    use ArithOp::*;
    let r = match op {
        Add if x >= 0 && y >= 0 => (Add, x, y),
        Add if x >= 0 => (Sub, x, -y),
        Add if y >= 0 => (Sub, y, -x),
        Sub if x >= 0 && y >= 0 => (Sub, x, y),
        Sub if x >= 0 => (Add, x, -y),
        Mul if x >= 0 && y >= 0 => (Mul, x, y),
        _ => return None,
    };
    let lim = if r.0 == Mul { MUL_LIMIT } else { ADD_SUB_LIMIT };
    if r.1 > lim || r.2 > lim {
        None
    } else {
        Some(r)
    }
}
