//! Shared helpers for generators and solvers: random choices, digits, place names, prompt styling.

use rand::Rng;

/// A uniformly chosen element of a non-empty slice.
pub fn pick<'a, T, R: Rng + ?Sized>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A number with exactly `d` digits (`d <= 1` gives 0..=9).
pub fn with_digits<R: Rng + ?Sized>(rng: &mut R, d: u32) -> i64 {
    if d <= 1 {
        return rng.random_range(0..=9);
    }
    let lo = 10i64.pow(d - 1);
    rng.random_range(lo..lo * 10)
}

/// Decimal digits of |n|, units first (0 gives `[0]`).
pub fn digits(n: i64) -> Vec<i64> {
    let mut n = n.unsigned_abs();
    let mut v = Vec::new();
    loop {
        v.push((n % 10) as i64);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    v
}

pub fn num_digits(n: i64) -> usize {
    digits(n).len()
}

/// Column names, units first.
pub const PLACES: [&str; 12] = [
    "Units",
    "Tens",
    "Hundreds",
    "Thousands",
    "Ten-thousands",
    "Hundred-thousands",
    "Millions",
    "Ten-millions",
    "Hundred-millions",
    "Billions",
    "Ten-billions",
    "Hundred-billions",
];

pub fn place(k: usize) -> String {
    PLACES
        .get(k)
        .map(|s| s.to_string())
        .unwrap_or_else(|| format!("Column {}", k + 1))
}

/// Whether a (lowercase) word names a column.
pub fn is_place_word(w: &str) -> bool {
    w == "column" || PLACES.iter().any(|p| p.eq_ignore_ascii_case(w))
}

pub fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// How a prompt template ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// A question: usually gets a `?`.
    Question,
    /// An imperative: sometimes gets a `.` (rarely `!`).
    Command,
    /// An expression such as `347 + 589 =`: left as it is.
    Bare,
}

/// Apply the end punctuation and a random capitalisation, as people type.
pub fn style<R: Rng + ?Sized>(rng: &mut R, text: &str, end: End) -> String {
    let mut s = text.to_string();
    match end {
        End::Question => {
            if rng.random_bool(0.75) {
                s.push('?');
            }
        }
        End::Command => {
            if rng.random_bool(0.3) {
                s.push('.');
            } else if rng.random_bool(0.04) {
                s.push('!');
            }
        }
        End::Bare => {}
    }
    match rng.random_range(0..100) {
        0..=54 => capitalize_first(&s),
        55..=89 => s.to_lowercase(),
        90..=97 => s,
        _ => s.to_uppercase(),
    }
}

/// Render `a OP b` with the operator spaced (`347 + 589`) or tight (`347+589`).
pub fn spaced<R: Rng + ?Sized>(rng: &mut R, a: i64, op: &str, b: i64) -> String {
    if rng.random_bool(0.3) {
        format!("{a}{op}{b}")
    } else {
        format!("{a} {op} {b}")
    }
}

/// Fill `{a}` and `{b}` in a template.
pub fn fill(t: &str, a: &str, b: &str) -> String {
    t.replace("{a}", a).replace("{b}", b)
}
