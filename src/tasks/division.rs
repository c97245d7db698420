//! Dividing a whole number by a one- or two-digit divisor in writing, shared by linear equations
//! and the sharing step of word problems.
//!
//! The size of the quotient is decided first, against ten times the divisor, and a quotient of 10
//! or more is split there, so that no step needs more than a times-table fact:
//!
//! ```text
//! 10 × 8 = 80 and 120 > 80, so 120 ÷ 8 = (80 + 40) ÷ 8 = 10 + 5 = 15
//! 10 × 4 = 40 and 36 < 40, so 36 ÷ 4 = 9
//! ```
//!
//! History: one-step divisions (`84 ÷ 7 = 12`) were a quarter of the wrong equations; splitting
//! without the written comparison was worse (wrong divisions 7 → 23 in 200), because whether to
//! split was then decided in one step right after `84 ÷ 7 =`. With the comparison written out, the
//! model trained on it got no division wrong in the same 200 equations, while word problems, still
//! dividing in one step, got 5 of their 9 wrong answers there (`66 ÷ 6 = 12`).

use super::compare_columns;

/// `n ÷ m` (n ≥ 0, m ≥ 1, m divides n) worked as above, without a final full stop.
pub fn in_writing(n: i64, m: i64) -> String {
    let tens = 10 * m;
    let rel = compare_columns::rel_char(n.cmp(&tens));
    let q = n / m;
    let quotient = if q >= 10 {
        format!("({tens} + {}) ÷ {m} = 10 + {} = {q}", n - tens, q - 10)
    } else {
        q.to_string()
    };
    format!("10 × {m} = {tens} and {n} {rel} {tens}, so {n} ÷ {m} = {quotient}")
}
