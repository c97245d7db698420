//! A tiny expression evaluator and the equation scanner used by `verify_trace`.
//!
//! Expressions are integers with `+ - × ÷`, parentheses, unary minus and an optional variable `x`
//! (with implicit products such as `3x`). Values are kept as `a·x + b` so the same evaluator reads
//! linear equations in prompts (`x` symbolic) and checks traces (`x` replaced by the solution).
//! Division must be exact.
//!
//! The scanner looks at every relation sign (`= < > ≤ ≥`) in a line, takes the longest run of
//! expression tokens on each side (words and punctuation end a run), evaluates both sides and
//! fails when the relation is false. A side that is empty (e.g. `x = ?`) means "not an equation".

use super::text::{tokenize, Tok, Token};

const BOUND: i128 = 1_000_000_000_000_000_000;
const MAX_TOKENS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lin {
    pub a: i128,
    pub b: i128,
}

impl Lin {
    pub fn konst(b: i128) -> Lin {
        Lin { a: 0, b }
    }
    fn bounded(self) -> Result<Lin, String> {
        if self.a.abs() > BOUND || self.b.abs() > BOUND {
            Err("number too large".to_string())
        } else {
            Ok(self)
        }
    }
    fn add(self, o: Lin) -> Result<Lin, String> {
        Lin {
            a: self.a + o.a,
            b: self.b + o.b,
        }
        .bounded()
    }
    fn sub(self, o: Lin) -> Result<Lin, String> {
        Lin {
            a: self.a - o.a,
            b: self.b - o.b,
        }
        .bounded()
    }
    fn neg(self) -> Lin {
        Lin {
            a: -self.a,
            b: -self.b,
        }
    }
    fn mul(self, o: Lin) -> Result<Lin, String> {
        if self.a != 0 && o.a != 0 {
            return Err("x times x".to_string());
        }
        Lin {
            a: self.a * o.b + o.a * self.b,
            b: self.b * o.b,
        }
        .bounded()
    }
    fn div(self, o: Lin) -> Result<Lin, String> {
        if o.a != 0 {
            return Err("division by x".to_string());
        }
        if o.b == 0 {
            return Err("division by zero".to_string());
        }
        if self.a % o.b != 0 || self.b % o.b != 0 {
            return Err("inexact division".to_string());
        }
        Ok(Lin {
            a: self.a / o.b,
            b: self.b / o.b,
        })
    }
}

/// What the letter `x` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Var {
    /// Not a variable: `x` ends an expression.
    Absent,
    /// Replaced by this value (checking a linear-equation trace).
    Value(i64),
    /// Kept symbolic (reading an equation from a prompt).
    Symbol,
}

pub fn is_expr_token(t: &Token, var: Var) -> bool {
    match &t.tok {
        Tok::Num(_) => true,
        Tok::Op(c) => matches!(c, '+' | '-' | '*' | '/' | '(' | ')'),
        Tok::Word(w) => w == "x" && var != Var::Absent,
        _ => false,
    }
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    var: Var,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn expr(&mut self) -> Result<Lin, String> {
        let mut v = self.term()?;
        loop {
            match self.peek().map(|t| (&t.tok, t.space_before)) {
                Some((Tok::Op('+'), _)) => {
                    self.pos += 1;
                    let r = self.term()?;
                    v = v.add(r)?;
                }
                Some((Tok::Op('-'), _)) => {
                    self.pos += 1;
                    let r = self.term()?;
                    v = v.sub(r)?;
                }
                // `3x -5`: a signed number after a term adds it.
                Some((Tok::Num(n), true)) if *n < 0 => {
                    let r = self.term()?;
                    v = v.add(r)?;
                }
                _ => break,
            }
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<Lin, String> {
        let mut v = self.unary()?;
        loop {
            match self.peek().map(|t| &t.tok) {
                Some(Tok::Op('*')) => {
                    self.pos += 1;
                    let r = self.unary()?;
                    v = v.mul(r)?;
                }
                Some(Tok::Op('/')) => {
                    self.pos += 1;
                    let r = self.unary()?;
                    v = v.div(r)?;
                }
                // Implicit products: `3x`, `2(x + 1)`.
                Some(Tok::Word(w)) if w == "x" && self.var != Var::Absent => {
                    let r = self.unary()?;
                    v = v.mul(r)?;
                }
                Some(Tok::Op('(')) => {
                    let r = self.unary()?;
                    v = v.mul(r)?;
                }
                _ => break,
            }
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<Lin, String> {
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Op('-')) => {
                self.pos += 1;
                Ok(self.unary()?.neg())
            }
            Some(Tok::Op('+')) => {
                self.pos += 1;
                self.unary()
            }
            _ => self.atom(),
        }
    }

    fn atom(&mut self) -> Result<Lin, String> {
        let t = self.peek().ok_or("missing number")?;
        match &t.tok {
            Tok::Num(n) => {
                self.pos += 1;
                Ok(Lin::konst(*n as i128))
            }
            Tok::Word(w) if w == "x" => {
                self.pos += 1;
                match self.var {
                    Var::Value(v) => Ok(Lin::konst(v as i128)),
                    Var::Symbol => Ok(Lin { a: 1, b: 0 }),
                    Var::Absent => Err("unknown x".to_string()),
                }
            }
            Tok::Op('(') => {
                self.pos += 1;
                let v = self.expr()?;
                match self.peek() {
                    Some(t) if t.is_op(')') => {
                        self.pos += 1;
                        Ok(v)
                    }
                    _ => Err("missing )".to_string()),
                }
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Evaluate a whole token slice as one expression.
pub fn eval(toks: &[Token], var: Var) -> Result<Lin, String> {
    if toks.is_empty() || toks.len() > MAX_TOKENS {
        return Err("bad expression length".to_string());
    }
    let mut p = Parser { toks, pos: 0, var };
    let v = p.expr()?;
    if p.pos != toks.len() {
        return Err("unexpected text after expression".to_string());
    }
    Ok(v)
}

/// The expression runs on either side of the relation token at `i` (token ranges), if both are non-empty.
pub fn sides(
    toks: &[Token],
    i: usize,
    var: Var,
) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut s = i;
    while s > 0 && is_expr_token(&toks[s - 1], var) {
        s -= 1;
    }
    let mut e = i + 1;
    while e < toks.len() && is_expr_token(&toks[e], var) {
        e += 1;
    }
    if s == i || e == i + 1 {
        None
    } else {
        Some((s..i, i + 1..e))
    }
}

/// One checked relation in a trace line.
#[derive(Clone, Debug)]
pub struct Rel {
    pub op: char,
    pub lhs: i128,
    pub rhs: i128,
    /// Token index of the relation sign.
    pub at: usize,
    /// One past the last token of the right-hand side.
    pub rhs_end: usize,
}

/// A scanned trace line: its tokens and its (true) relations.
#[derive(Clone, Debug)]
pub struct Line {
    pub text: String,
    pub toks: Vec<Token>,
    pub rels: Vec<Rel>,
}

impl Line {
    pub fn first_word(&self) -> Option<&str> {
        self.toks.first().and_then(Token::word)
    }
    pub fn is_check(&self) -> bool {
        self.first_word() == Some("check")
    }
}

fn holds(op: char, l: i128, r: i128) -> bool {
    match op {
        '=' => l == r,
        '<' => l < r,
        '>' => l > r,
        '≤' => l <= r,
        '≥' => l >= r,
        _ => false,
    }
}

/// Scan one line; fails if any relation in it is false or unreadable.
pub fn scan_line(text: &str, var: Var) -> Result<Line, String> {
    let toks = tokenize(text);
    let mut rels = Vec::new();
    for i in 0..toks.len() {
        let op = match toks[i].tok {
            Tok::Op(c) if matches!(c, '=' | '<' | '>' | '≤' | '≥') => c,
            _ => continue,
        };
        let Some((l, r)) = sides(&toks, i, var) else {
            continue;
        };
        let rhs_end = r.end;
        let l = eval(&toks[l], var).map_err(|m| format!("{m} in `{text}`"))?;
        let r = eval(&toks[r], var).map_err(|m| format!("{m} in `{text}`"))?;
        if l.a != 0 || r.a != 0 {
            return Err(format!("unknown x in `{text}`"));
        }
        if !holds(op, l.b, r.b) {
            return Err(format!("false: {} {op} {} in `{text}`", l.b, r.b));
        }
        rels.push(Rel {
            op,
            lhs: l.b,
            rhs: r.b,
            at: i,
            rhs_end,
        });
    }
    Ok(Line {
        text: text.to_string(),
        toks,
        rels,
    })
}

/// Scan every non-empty line of a trace.
pub fn scan_trace(thinking: &str, var: Var) -> Result<Vec<Line>, String> {
    thinking
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| scan_line(l, var))
        .collect()
}

/// There is a `Check:` line with at least one (true) relation.
pub fn require_check(lines: &[Line]) -> Result<(), String> {
    if lines.iter().any(|l| l.is_check() && !l.rels.is_empty()) {
        Ok(())
    } else {
        Err("no `Check:` line with an equation".to_string())
    }
}

/// The last equation before the check gives the expected result.
pub fn require_result(lines: &[Line], want: i64) -> Result<(), String> {
    let rel = lines
        .iter()
        .filter(|l| !l.is_check())
        .flat_map(|l| l.rels.iter())
        .rfind(|r| r.op == '=')
        .ok_or("no equation in the trace")?;
    if rel.rhs == want as i128 {
        Ok(())
    } else {
        Err(format!(
            "the trace ends with {} but the expected result is {want}",
            rel.rhs
        ))
    }
}

/// A `write D` (optionally `carry C`) step in a column or digit-by-digit line.
#[derive(Clone, Debug)]
pub struct Write {
    pub at: usize,
    pub digit: i64,
}

/// Find the `write` steps of a line and check each against the value it writes down: the right side
/// of the last equation before it, or for `Thousands: 5, write 5.` the number after the colon.
/// With `carry C`: D is the last digit and C the rest; without: D is the whole value.
pub fn writes(line: &Line) -> Result<Vec<Write>, String> {
    let t = &line.toks;
    let mut out = Vec::new();
    for i in 0..t.len() {
        if !t[i].is_word("write") {
            continue;
        }
        let bad = |what: &str| format!("{what} in `{}`", line.text);
        let digit = t
            .get(i + 1)
            .and_then(Token::num)
            .ok_or_else(|| bad("`write` without a number"))?;
        let value: i128 = match line.rels.iter().rfind(|r| r.op == '=' && r.rhs_end <= i) {
            Some(r) => r.rhs,
            None => {
                let colon = t[..i]
                    .iter()
                    .position(|x| x.is_punct(':'))
                    .ok_or_else(|| bad("nothing to write"))?;
                t[colon + 1..i]
                    .iter()
                    .find_map(Token::num)
                    .ok_or_else(|| bad("nothing to write"))? as i128
            }
        };
        let mut j = i + 2;
        if t.get(j).is_some_and(|x| x.is_punct(',')) {
            j += 1;
        }
        let carry = if t.get(j).is_some_and(|x| x.is_word("carry")) {
            Some(
                t.get(j + 1)
                    .and_then(Token::num)
                    .ok_or_else(|| bad("`carry` without a number"))?,
            )
        } else {
            None
        };
        let ok = match carry {
            Some(c) => value >= 10 && digit as i128 == value % 10 && c as i128 == value / 10,
            None => digit as i128 == value,
        };
        if !ok {
            return Err(bad(&format!("write {digit} does not match {value}")));
        }
        out.push(Write { at: i, digit });
    }
    Ok(out)
}
