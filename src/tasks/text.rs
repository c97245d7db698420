//! Shared text helpers: one small tokenizer used for prompts, answers and thinking traces, plus
//! number extraction for answer parsing.
//!
//! Symbols are normalised while tokenizing: `× * · ⋅` are multiplication, `÷ /` division, the
//! Unicode minus and dashes are `-`, `<=`/`>=` become `≤`/`≥`. A `-` directly in front of a digit is
//! read as a sign when it starts the text, follows an operator or punctuation, or has a space before
//! it (`5, -3`, `= -8`, `5 -3`); `7-3` and `7 - 3` are subtractions.

#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// An integer, with its sign folded in when the `-` reads as a sign.
    Num(i64),
    /// A decimal number such as 2.5.
    Dec(f64),
    /// An integer too long for i64.
    Big,
    /// A lowercase word: letters, with inner apostrophes and hyphens (`what's`, `ten-thousands`).
    Word(String),
    /// An operator or relation: `+ - * / = < > ≤ ≥ ( )`.
    Op(char),
    /// Any other visible character.
    Punct(char),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub tok: Tok,
    /// Whether whitespace came right before this token.
    pub space_before: bool,
}

impl Token {
    pub fn num(&self) -> Option<i64> {
        match self.tok {
            Tok::Num(v) => Some(v),
            _ => None,
        }
    }
    pub fn word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word(w) => Some(w.as_str()),
            _ => None,
        }
    }
    pub fn is_word(&self, w: &str) -> bool {
        self.word() == Some(w)
    }
    pub fn is_any_word(&self, ws: &[&str]) -> bool {
        self.word().is_some_and(|w| ws.contains(&w))
    }
    pub fn is_op(&self, c: char) -> bool {
        self.tok == Tok::Op(c)
    }
    pub fn is_punct(&self, c: char) -> bool {
        self.tok == Tok::Punct(c)
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self.tok, Tok::Num(_) | Tok::Dec(_) | Tok::Big)
    }
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '−' | '–' | '—' | '‐' | '‑' | '﹣' | '－')
}

fn op_char(c: char) -> Option<char> {
    match c {
        '+' | '＋' => Some('+'),
        '*' | '×' | '✕' | '✖' | '·' | '⋅' | '∙' => Some('*'),
        '/' | '÷' | '∕' => Some('/'),
        '=' | '(' | ')' | '<' | '>' | '≤' | '≥' => Some(c),
        c if is_minus(c) => Some('-'),
        _ => None,
    }
}

fn sign_allowed(prev: Option<&Token>, space_before: bool) -> bool {
    match prev {
        None => true,
        Some(t) => match t.tok {
            Tok::Op(')') => space_before,
            Tok::Op(_) | Tok::Punct(_) => true,
            _ => space_before,
        },
    }
}

/// Split text into tokens (see the module docs for the rules).
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut space = false;
    while i < n {
        let c = chars[i];
        if c.is_whitespace() {
            space = true;
            i += 1;
            continue;
        }
        let space_before = space;
        space = false;
        let next_digit = i + 1 < n && chars[i + 1].is_ascii_digit();
        if c.is_ascii_digit()
            || (is_minus(c) && next_digit && sign_allowed(out.last(), space_before))
        {
            let neg = !c.is_ascii_digit();
            if neg {
                i += 1;
            }
            let start = i;
            while i < n && chars[i].is_ascii_digit() {
                i += 1;
            }
            let int_part: String = chars[start..i].iter().collect();
            let tok = if i + 1 < n && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                let fs = i + 1;
                i += 1;
                while i < n && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let frac: String = chars[fs..i].iter().collect();
                let v: f64 = format!("{int_part}.{frac}").parse().unwrap_or(f64::NAN);
                Tok::Dec(if neg { -v } else { v })
            } else {
                match int_part.parse::<i64>() {
                    Ok(v) => Tok::Num(if neg { -v } else { v }),
                    Err(_) => Tok::Big,
                }
            };
            out.push(Token { tok, space_before });
            continue;
        }
        if c.is_alphabetic() {
            let mut w = String::new();
            while i < n {
                let ch = chars[i];
                if ch.is_alphabetic() {
                    w.extend(ch.to_lowercase());
                    i += 1;
                } else if matches!(ch, '\'' | '’' | '-')
                    && i + 1 < n
                    && chars[i + 1].is_alphabetic()
                {
                    w.push(if ch == '-' { '-' } else { '\'' });
                    i += 1;
                } else {
                    break;
                }
            }
            out.push(Token {
                tok: Tok::Word(w),
                space_before,
            });
            continue;
        }
        let tok = match op_char(c) {
            Some('<') if i + 1 < n && chars[i + 1] == '=' => {
                i += 1;
                Tok::Op('≤')
            }
            Some('>') if i + 1 < n && chars[i + 1] == '=' => {
                i += 1;
                Tok::Op('≥')
            }
            Some(o) => Tok::Op(o),
            None => Tok::Punct(c),
        };
        out.push(Token { tok, space_before });
        i += 1;
    }
    out
}

/// The positions and values of the only two numbers among `toks`; `None` unless there are exactly two.
pub fn exactly_two_numbers(toks: &[Token]) -> Option<((usize, i64), (usize, i64))> {
    let mut found = toks
        .iter()
        .enumerate()
        .filter_map(|(i, t)| Some((i, t.num()?)));
    let pair = (found.next()?, found.next()?);
    found.next().is_none().then_some(pair)
}

/// All integers in token order.
pub fn numbers(toks: &[Token]) -> Vec<i64> {
    toks.iter().filter_map(Token::num).collect()
}

/// Remove thousands separators such as `1,234,567` (a comma between a digit and exactly three digits).
pub fn strip_thousands(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for i in 0..c.len() {
        if c[i] == ','
            && i > 0
            && c[i - 1].is_ascii_digit()
            && i + 3 < c.len()
            && c[i + 1..=i + 3].iter().all(char::is_ascii_digit)
            && (i + 4 == c.len() || !c[i + 4].is_ascii_digit())
        {
            continue;
        }
        out.push(c[i]);
    }
    out
}

/// The last number in the text, if it is an integer (`2.0` counts, `2.5` does not).
pub fn last_integer(s: &str) -> Option<i64> {
    let toks = tokenize(&strip_thousands(s));
    let t = toks.iter().rev().find(|t| t.is_numeric())?;
    match t.tok {
        Tok::Num(v) => Some(v),
        Tok::Dec(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
        _ => None,
    }
}

/// Runs of integers separated only by list separators (`,` `;` `and` `then` `<` `>` `≤` `≥` `=`).
pub fn number_runs(toks: &[Token]) -> Vec<Vec<i64>> {
    let mut runs = Vec::new();
    let mut cur: Vec<i64> = Vec::new();
    for t in toks {
        match &t.tok {
            Tok::Num(v) => cur.push(*v),
            Tok::Punct(',' | ';') | Tok::Op('<' | '>' | '≤' | '≥' | '=') => {}
            Tok::Word(w) if w == "and" || w == "then" => {}
            _ => {
                if !cur.is_empty() {
                    runs.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// The list a sorting answer gives: the last run of two or more numbers, else the last number.
pub fn last_list(s: &str) -> Option<Vec<i64>> {
    let runs = number_runs(&tokenize(s));
    if let Some(r) = runs.iter().rev().find(|r| r.len() >= 2) {
        return Some(r.clone());
    }
    runs.last().cloned()
}
