//! Comparing two non-negative numbers column by column from the units, the way [`super::columns`]
//! adds and subtracts:
//!
//! ```text
//! Compare units of 7729 and 93945: 9 > 5, first larger so far.
//! Compare tens of 772 and 9394: 2 < 4, second larger so far.
//! Compare hundreds of 77 and 939: 7 < 9, second larger so far.
//! Compare thousands of 7 and 93: 7 > 3, first larger so far.
//! Compare ten-thousands of 0 and 9: 0 < 9, second larger so far.
//! ```
//!
//! Why from the right, when a person compares from the left: each line reads only the last digit
//! of two numbers it has just written and carries one word of state, the step a small model already
//! does reliably in every column block. Reading from the left needs both lengths first ("93945 has
//! 5 digits") and then the k-th digit from the left of each, which is where the earlier models
//! failed: miscounted lengths and misread digits. A number that runs out is written as 0 (its
//! leading zeros), so different lengths need no special case.
//!
//! Used wherever a trace must decide which of two numbers is larger: comparing, the sign of a
//! difference in `add_sub`, and moving a term across a linear equation.

use std::cmp::Ordering;

use super::expr::Line;
use super::text::Token;
use super::util;

/// The state a comparison line carries; its first word (`first`, `second`, `equal`) names it.
fn state_words(o: Ordering) -> &'static str {
    match o {
        Ordering::Greater => "first larger so far",
        Ordering::Less => "second larger so far",
        Ordering::Equal => "equal so far",
    }
}

/// `<`, `=` or `>` for an ordering.
pub fn rel_char(o: Ordering) -> char {
    match o {
        Ordering::Less => '<',
        Ordering::Equal => '=',
        Ordering::Greater => '>',
    }
}

/// The comparison lines of `x` and `y` (both >= 0), one per digit of the longer number.
pub fn compare_lines(x: i64, y: i64) -> Vec<String> {
    let n = util::num_digits(x).max(util::num_digits(y));
    let mut state = Ordering::Equal;
    let mut lines = Vec::new();
    for k in 0..n {
        let scale = 10i64.pow(k as u32);
        let (rx, ry) = (x / scale, y / scale);
        let (dx, dy) = (rx % 10, ry % 10);
        let here = dx.cmp(&dy);
        if here != Ordering::Equal {
            state = here;
        }
        lines.push(format!(
            "Compare {} of {rx} and {ry}: {dx} {} {dy}, {}.",
            util::place(k).to_lowercase(),
            rel_char(here),
            state_words(state)
        ));
    }
    lines
}

/// Whether a line is a comparison column (`Compare units of ...`).
fn is_compare_column(line: &Line) -> bool {
    line.first_word() == Some("compare")
        && line
            .toks
            .get(1)
            .and_then(Token::word)
            .is_some_and(util::is_place_word)
        && line.toks.get(2).is_some_and(|t| t.is_word("of"))
}

/// Check every comparison block of a trace: columns run units, tens, ... from a `Compare units`
/// line; each names what is left of both numbers (the previous line's divided by ten), compares
/// their last digits, and states who is larger so far (the last differing column decides); the
/// line after the block must state the true relation of the two numbers the block started with.
pub fn check_compare_blocks(lines: &[Line]) -> Result<(), String> {
    let mut k = 0usize;
    let mut start: Option<(i64, i64)> = None;
    let mut prev: (i64, i64) = (0, 0);
    let mut state = Ordering::Equal;
    for (index, line) in lines.iter().enumerate() {
        let in_block = start.is_some();
        if !is_compare_column(line) {
            if in_block {
                return Err(format!(
                    "a comparison stops before its last digit: `{}`",
                    line.text
                ));
            }
            continue;
        }
        let bad = |what: &str| format!("{what} in `{}`", line.text);
        let place = line.toks.get(1).and_then(Token::word).unwrap_or_default();
        if util::place(0).eq_ignore_ascii_case(place) {
            if in_block {
                return Err(bad("a comparison restarts before it concludes"));
            }
            k = 0;
            state = Ordering::Equal;
        } else if !in_block || !util::place(k).eq_ignore_ascii_case(place) {
            return Err(bad("comparison column out of order"));
        }
        let nums: Vec<i64> = line.toks.iter().filter_map(Token::num).collect();
        let [rx, ry, dx, dy] = nums[..] else {
            return Err(bad("a comparison column needs two numbers and two digits"));
        };
        if rx < 0 || ry < 0 {
            return Err(bad(
                "a comparison column compares sizes, not signed numbers",
            ));
        }
        if k > 0 && (rx, ry) != (prev.0 / 10, prev.1 / 10) {
            return Err(bad(
                "what is left is not the previous line's divided by ten",
            ));
        }
        if (dx, dy) != (rx % 10, ry % 10) {
            return Err(bad("the digits are not the last digits of what is left"));
        }
        if dx != dy {
            state = dx.cmp(&dy);
        }
        let said = line.toks.iter().filter_map(Token::word).find_map(|w| {
            [Ordering::Greater, Ordering::Less, Ordering::Equal]
                .into_iter()
                .find(|&o| state_words(o).split(' ').next() == Some(w))
        });
        if said != Some(state) {
            return Err(bad(&format!("expected `{}`", state_words(state))));
        }
        if k == 0 {
            start = Some((rx, ry));
        }
        prev = (rx, ry);
        k += 1;
        // The block ends when both numbers are used up.
        if rx < 10 && ry < 10 {
            let (x, y) = start.unwrap_or_default();
            let next = lines
                .get(index + 1)
                .ok_or("the trace ends inside a comparison")?;
            check_conclusion(next, x, y)?;
            start = None;
        }
    }
    match start {
        Some(_) => Err("the trace ends inside a comparison".to_string()),
        None => Ok(()),
    }
}

/// The line after a comparison must begin with the relation of the two compared numbers.
fn check_conclusion(line: &Line, x: i64, y: i64) -> Result<(), String> {
    let first = line.rels.first();
    match first {
        Some(r) if (r.lhs, r.rhs) == (x as i128, y as i128) => Ok(()),
        _ => Err(format!(
            "after comparing {x} and {y}, `{}` does not say how they compare",
            line.text
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tasks::expr::{scan_trace, Var};

    fn check(text: &str) -> Result<(), String> {
        check_compare_blocks(&scan_trace(text, Var::Absent)?)
    }

    #[test]
    fn different_lengths_pad_with_zero_and_the_last_difference_decides() {
        let lines = compare_lines(7729, 93945);
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[4],
            "Compare ten-thousands of 0 and 9: 0 < 9, second larger so far."
        );
        let mut text = lines.join("\n");
        text.push_str("\nSo 7729 < 93945.");
        assert_eq!(check(&text), Ok(()));
    }

    #[test]
    fn equal_numbers_stay_equal() {
        let lines = compare_lines(505, 505);
        assert!(
            lines.iter().all(|l| l.ends_with("equal so far.")),
            "{lines:?}"
        );
    }

    #[test]
    fn wrong_state_wrong_rest_and_missing_conclusion_are_refused() {
        let good = compare_lines(71743, 77543).join("\n") + "\nSo 71743 < 77543.";
        assert_eq!(check(&good), Ok(()));
        let wrong_state = good.replacen("second larger", "first larger", 1);
        assert!(check(&wrong_state).is_err());
        let wrong_rest = good.replace("of 717 and 775", "of 771 and 775");
        assert!(check(&wrong_rest).is_err());
        let no_conclusion = compare_lines(71743, 77543).join("\n") + "\nSo 5 > 3.";
        assert!(check(&no_conclusion).is_err());
        let cut = compare_lines(71743, 77543)[..3].join("\n") + "\nSo 71743 < 77543.";
        assert!(check(&cut).is_err());
    }
}
