//! Tests for the problem families. `cargo test -- --nocapture examples` prints one example per family.

use super::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn parsed(prompt: &str) -> Problem {
    match parse_prompt(prompt) {
        Some(p) => p,
        None => panic!("prompt not recognised: {prompt:?}"),
    }
}

fn int(prompt: &str) -> i64 {
    match parsed(prompt).expected {
        Expected::Integer(v) => v,
        other => panic!("{prompt:?} gave {other:?}"),
    }
}

fn assert_trace_ok(p: &Problem) {
    if let Err(e) = verify_trace(p) {
        panic!(
            "verify_trace failed: {e}\nprompt: {}\n{}\nanswer: {}",
            p.prompt, p.thinking, p.answer
        );
    }
}

/// Wrong answers that `verify` must reject.
fn wrong_answers(p: &Problem) -> Vec<String> {
    match &p.expected {
        Expected::Integer(v) => {
            let mut out = vec![
                format!("The answer is {}.", v + 1),
                format!("The answer is {}.", v - 10),
            ];
            let s = v.to_string();
            if let Some(i) = p.answer.rfind(&s) {
                out.push(format!(
                    "{}{}{}",
                    &p.answer[..i],
                    v + 1,
                    &p.answer[i + s.len()..]
                ));
            }
            out
        }
        Expected::Sorted(v) => {
            let mut out = vec![];
            let mut r = v.clone();
            r.reverse();
            if r != *v {
                out.push(r.iter().map(i64::to_string).collect::<Vec<_>>().join(", "));
            }
            let mut short = v.clone();
            short.pop();
            out.push(
                short
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            out
        }
        Expected::Text(_) => vec!["I like turtles.".to_string(), String::new()],
    }
}

fn check_family(family: Family, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in 0..2000 {
        let p = generate(family, &mut rng);
        assert_eq!(p.family, family, "#{i}");
        assert_trace_ok(&p);
        let q = parsed(&p.prompt);
        assert_eq!(q.family, family, "#{i} {:?}", p.prompt);
        assert_eq!(q.expected, p.expected, "#{i} {:?}", p.prompt);
        assert_trace_ok(&q);
        assert!(verify(&p, &p.answer), "#{i}: {:?}", p.answer);
        for w in wrong_answers(&p) {
            assert!(
                !verify(&p, &w),
                "#{i}: wrong answer {w:?} accepted for {:?}",
                p.prompt
            );
        }
        assert!(!p.thinking.contains("<think>"));
        // 3-digit × 3-digit, the longest, adds two pairs of partial products in columns.
        let lines = p.thinking.lines().count();
        assert!(lines <= 24, "#{i}: {lines} lines\n{}", p.thinking);
    }
}

#[test]
fn add_sub_2000() {
    check_family(Family::AddSub, 1);
}

#[test]
fn multiply_2000() {
    check_family(Family::Multiply, 2);
}

#[test]
fn word_problem_2000() {
    check_family(Family::WordProblem, 3);
}

#[test]
fn compare_sort_2000() {
    check_family(Family::CompareSort, 4);
}

#[test]
fn linear_equation_2000() {
    check_family(Family::LinearEquation, 5);
}

#[test]
fn other_2000() {
    check_family(Family::Other, 6);
}

#[test]
fn generated_word_problems_parse_back_to_the_same_story_text() {
    // Not only the value: the rebuilt trace should match, except when lowercasing lost the name.
    let mut rng = ChaCha8Rng::seed_from_u64(33);
    let mut same = 0;
    for _ in 0..500 {
        let p = generate(Family::WordProblem, &mut rng);
        if parsed(&p.prompt).thinking == p.thinking {
            same += 1;
        }
    }
    assert!(same >= 480, "only {same}/500 traces rebuilt identically");
}

#[test]
fn generation_is_deterministic() {
    for f in Family::ALL {
        let a: Vec<String> = {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            (0..50).map(|_| generate(f, &mut rng).prompt).collect()
        };
        let b: Vec<String> = {
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            (0..50).map(|_| generate(f, &mut rng).prompt).collect()
        };
        assert_eq!(a, b);
    }
}

#[test]
fn family_names_round_trip() {
    for f in Family::ALL {
        assert_eq!(Family::from_name(f.name()), Some(f));
        assert_eq!(
            serde_json::to_string(&f).ok(),
            Some(format!("\"{}\"", f.name()))
        );
    }
    assert_eq!(Family::from_name("Compare-Sort"), Some(Family::CompareSort));
    assert_eq!(Family::from_name("division"), None);
}

#[test]
fn generate_any_follows_the_mix() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let n = 20000;
    let mut counts = std::collections::HashMap::new();
    for _ in 0..n {
        *counts.entry(generate_any(&mut rng).family).or_insert(0u32) += 1;
    }
    assert_eq!(MIX.iter().map(|(_, s)| s).sum::<u32>(), 1000);
    for (f, share) in MIX {
        let got = counts.get(&f).copied().unwrap_or(0) as f64 / n as f64;
        let want = share as f64 / 1000.0;
        assert!((got - want).abs() < 0.015, "{}: {got} vs {want}", f.name());
    }
}

#[test]
fn styled_families_read_the_same_in_capitals() {
    let mut rng = ChaCha8Rng::seed_from_u64(18);
    for family in STYLED {
        for i in 0..500 {
            let p = generate(family, &mut rng);
            let Some(q) = in_capitals(&p) else {
                panic!("#{i} reads differently in capitals: {:?}", p.prompt);
            };
            assert_eq!(q.prompt, p.prompt.to_uppercase());
            assert_eq!((q.family, &q.expected), (family, &p.expected));
            assert_trace_ok(&q);
        }
    }
}

#[test]
fn in_capitals_keeps_only_the_same_problem() {
    let p = parsed("Sort 3, 1, 2 from largest to smallest");
    assert_eq!(
        in_capitals(&p).map(|q| q.expected),
        Some(Expected::Sorted(vec![3, 2, 1]))
    );
    // A problem whose capitals read as another one (here: a different expected order) is refused.
    let other = Problem {
        expected: Expected::Sorted(vec![1, 2, 3]),
        ..p
    };
    assert!(in_capitals(&other).is_none());
}

// ---------------------------------------------------------------- add_sub

#[test]
fn spec_example_trace_for_347_plus_589() {
    let p = parsed("What is 347 + 589?");
    assert_eq!(p.family, Family::AddSub);
    assert_eq!(
        p.thinking,
        "347 + 589\n\
         Units of 347 and 589: 7 + 9 = 16, write 6, carry 1. So far 6.\n\
         Tens of 34 and 58: 4 + 8 + 1 = 13, write 3, carry 1. So far 36.\n\
         Hundreds of 3 and 5: 3 + 5 + 1 = 9, write 9. So far 936.\n\
         So 347 + 589 = 936.\nCheck: 936 - 589 = 347 ✓"
    );
    assert_eq!(p.answer, "347 + 589 = 936.");
    assert_trace_ok(&p);
}

#[test]
fn negative_results() {
    let p = parsed("what's 347 minus 589");
    assert_eq!(p.expected, Expected::Integer(-242));
    // The sign is decided in writing: the two numbers compared column by column first.
    assert!(p.thinking.contains(
        "Compare units of 347 and 589: 7 < 9, second larger so far.\n\
         Compare tens of 34 and 58: 4 < 8, second larger so far.\n\
         Compare hundreds of 3 and 5: 3 < 5, second larger so far.\n\
         So 347 < 589, compute 589 - 347 and make it negative."
    ));
    assert!(parsed("what's 589 minus 347")
        .thinking
        .contains("So 589 > 347, subtract as it is."));
    assert!(parsed("3 - 7")
        .thinking
        .contains("7 > 3, so compute 7 - 3 and make it negative."));
    assert_trace_ok(&p);
    assert_eq!(int("subtract 589 from 347"), -242);
    assert_eq!(int("Take 589 away from 347."), -242);
    assert_eq!(int("What is 589 less than 347?"), -242);
    assert_eq!(int("0 - 99999"), -99999);
    assert!(verify(&p, "347 - 589 = -242."));
    assert!(!verify(&p, "347 - 589 = 242."));
}

#[test]
fn borrows_across_zeros() {
    let p = parsed("10000 - 1");
    assert_eq!(p.expected, Expected::Integer(9999));
    assert_eq!(p.thinking.matches("borrow").count(), 4);
    assert_trace_ok(&p);
    for (q, v) in [
        ("1000 - 999", 1),
        ("90000 - 12345", 77655),
        ("1 - 10000", -9999),
        ("100 - 100", 0),
    ] {
        let p = parsed(q);
        assert_eq!(p.expected, Expected::Integer(v), "{q}");
        assert_trace_ok(&p);
    }
}

#[test]
fn five_digit_sums_with_six_digits() {
    let p = parsed("99999 + 99999");
    assert_eq!(p.expected, Expected::Integer(199998));
    assert!(p
        .thinking
        .contains("Ten-thousands of 9 and 9: 9 + 9 + 1 = 19, write 19. So far 199998."));
    assert_trace_ok(&p);
    let p = parsed("Add 1 to 99999");
    assert_eq!(p.expected, Expected::Integer(100000));
    assert_trace_ok(&p);
}

#[test]
fn add_sub_prompt_variants() {
    for (q, v) in [
        ("347+589", 936),
        ("add 347 and 589", 936),
        ("Calculate 347 plus 589.", 936),
        ("What is the sum of 347 and 589?", 936),
        ("what is 589 more than 347", 936),
        ("347 + 589 = ?", 936),
        ("347 -589", -242),
        ("347-589", -242),
        ("Compute 347 − 589", -242),
        ("WHAT IS 12 + 30", 42),
        ("5 + -3", 2),
        ("5 - -3", 8),
        ("what is the difference between 3 and 10", 7),
    ] {
        assert_eq!(int(q), v, "{q}");
        assert_trace_ok(&parsed(q));
    }
}

// ---------------------------------------------------------------- multiply

#[test]
fn multiplication_by_zero_and_one() {
    for (q, v) in [
        ("347 × 0", 0),
        ("0 x 5", 0),
        ("0*0", 0),
        ("1 * 999", 999),
        ("12 times 1", 12),
        ("what is 7 x 8", 56),
    ] {
        let p = parsed(q);
        assert_eq!(p.family, Family::Multiply, "{q}");
        assert_eq!(p.expected, Expected::Integer(v), "{q}");
        assert_trace_ok(&p);
    }
}

#[test]
fn multiplication_partial_products() {
    let p = parsed("How much is 347 x 89?");
    assert_eq!(p.expected, Expected::Integer(30883));
    assert!(
        p.thinking.contains(
            "347 × 9: 7 × 9 = 63, write 3 carry 6; 4 × 9 = 36, 36 + 6 = 42, write 2 carry 4; \
             3 × 9 = 27, 27 + 4 = 31, write 31; so 347 × 9 = 3123."
        ),
        "{}",
        p.thinking
    );
    assert!(p.thinking.contains("347 × 80 = 27760"), "{}", p.thinking);
    assert!(
        p.thinking.contains(
            "Add 3123 + 27760.\n\
             Units of 3123 and 27760: 3 + 0 = 3, write 3. So far 3.\n\
             Tens of 312 and 2776: 2 + 6 = 8, write 8. So far 83."
        ),
        "{}",
        p.thinking
    );
    assert!(p
        .thinking
        .contains("So 3123 + 27760 = 30883.\nSo 347 × 89 = 30883."));
    assert!(p.thinking.contains("Check: 30883 ÷ 89 = 347 ✓"));
    assert_trace_ok(&p);
    for (q, v) in [
        ("multiply 12 by 34", 408),
        ("What is the product of 305 and 407?", 124135),
        ("999*999", 998001),
        ("9 x 347", 3123),
        ("12x34", 408),
        ("347 × 300", 104100),
        ("what's 100 times 100", 10000),
    ] {
        let p = parsed(q);
        assert_eq!(p.expected, Expected::Integer(v), "{q}");
        assert_trace_ok(&p);
    }
}

// ---------------------------------------------------------------- linear equations

#[test]
fn linear_equations_divide_in_steps() {
    for (q, step) in [
        (
            "solve 7x - 21 = 63",
            "Divide both sides by 7: x = 84 ÷ 7.\n\
             10 × 7 = 70 and 84 > 70, so 84 ÷ 7 = (70 + 14) ÷ 7 = 10 + 2 = 12 and x = 12.",
        ),
        (
            "88 = -8*x - 32, x = ?",
            "Divide both sides by -8: x = 120 ÷ (-8) = -(120 ÷ 8).\n\
             10 × 8 = 80 and 120 > 80, so 120 ÷ 8 = (80 + 40) ÷ 8 = 10 + 5 = 15 and x = -15.",
        ),
        (
            "-28 = 4x",
            "Divide both sides by 4: x = -28 ÷ 4 = -(28 ÷ 4).\n\
             10 × 4 = 40 and 28 < 40, so 28 ÷ 4 = 7 and x = -7.",
        ),
        (
            "-2x = -12",
            "Divide both sides by -2: x = -12 ÷ (-2) = 12 ÷ 2.\n\
             10 × 2 = 20 and 12 < 20, so 12 ÷ 2 = 6 and x = 6.",
        ),
        (
            "3x = 30",
            "Divide both sides by 3: x = 30 ÷ 3.\n\
             10 × 3 = 30 and 30 = 30, so 30 ÷ 3 = (30 + 0) ÷ 3 = 10 + 0 = 10 and x = 10.",
        ),
        (
            "5x = 0",
            "Divide both sides by 5: x = 0 ÷ 5.\n10 × 5 = 50 and 0 < 50, so 0 ÷ 5 = 0 and x = 0.",
        ),
    ] {
        let p = parsed(q);
        assert!(p.thinking.contains(step), "{q}: {}", p.thinking);
        assert_trace_ok(&p);
    }
    let mut p = parsed("solve 7x - 21 = 63");
    p.thinking = p.thinking.replacen("= 10 + 2 =", "= 10 + 4 =", 1);
    assert!(verify_trace(&p).is_err(), "a wrong split of the quotient");
    let mut p = parsed("solve 7x - 21 = 63");
    p.thinking = p.thinking.replacen("84 > 70", "84 < 70", 1);
    assert!(verify_trace(&p).is_err(), "a false size decision");
    let mut p = parsed("solve 7x - 21 = 63");
    p.thinking = p.thinking.replacen("and x = 12.", "and x = 13.", 1);
    assert!(verify_trace(&p).is_err(), "a quotient that x does not take");
}

#[test]
fn linear_equations() {
    for (q, x) in [
        ("3x + 5 = 20", 5),
        ("Solve 4*x - 7 = -19 for x", -3),
        ("-2x + 9 = 1", 4),
        ("solve 3x + 20 = 5", -5),
        ("20 = 3x + 5", 5),
        ("5 + 3x = 20", 5),
        ("-x + 3 = 5", -2),
        ("x - 4 = -10", -6),
        ("x = 7", 7),
        ("If 7x = -42, what is x?", -6),
        ("3x+5=20, x = ?", 5),
        ("2x + 3 = x + 10", 7),
        ("SOLVE 3X + 5 = 20", 5),
    ] {
        let p = parsed(q);
        assert_eq!(p.family, Family::LinearEquation, "{q}");
        assert_eq!(p.expected, Expected::Integer(x), "{q}");
        assert_trace_ok(&p);
    }
    let p = parsed("-55=4*x-39. Find x.");
    assert!(
        p.thinking
            .starts_with("-55 = 4x - 39\nSwap sides: 4x - 39 = -55.\n"),
        "{}",
        p.thinking
    );
    for (q, start) in [
        (
            "Solve the equation -21+x=-18",
            "-21 + x = -18\nReorder: x - 21 = -18.\nAdd 21 to both sides: ",
        ),
        (
            "find x if 34 - x = 34",
            "34 - x = 34\nReorder: -x + 34 = 34.\nSubtract 34 ",
        ),
        (
            "What is x if -116 = -20 + 8x?",
            "-116 = -20 + 8x\nSwap sides: -20 + 8x = -116.\nReorder: 8x - 20 = -116.\n",
        ),
        ("x? 7x - 10 = 46", "7x - 10 = 46\nAdd 10 "),
        ("Solve -3*x+8=20", "-3x + 8 = 20\nSubtract 8 "),
    ] {
        let p = parsed(q);
        assert!(p.thinking.starts_with(start), "{q}: {}", p.thinking);
        assert_trace_ok(&p);
    }
    let p = parsed("3x + 5 = 20");
    assert_eq!(
        p.thinking,
        "3x + 5 = 20\n\
         Subtract 5 from both sides: 3x = 20 - 5.\n\
         Compare units of 20 and 5: 0 < 5, second larger so far.\n\
         Compare tens of 2 and 0: 2 > 0, first larger so far.\n\
         So 20 > 5.\n\
         Units of 20 and 5: 0 < 5, borrow: 10 - 5 = 5, write 5. So far 5.\n\
         Tens of 2: 2 - 1 = 1, write 1. So far 15.\n\
         So 20 - 5 = 15 and 3x = 15.\n\
         Divide both sides by 3: x = 15 ÷ 3.\n\
         10 × 3 = 30 and 15 < 30, so 15 ÷ 3 = 5 and x = 5.\n\
         Check: 3·5 + 5 = 20 ✓"
    );
    // Signs are settled before the columns.
    for (q, line) in [
        ("4*x - 7 = -19", "So 19 > 7 and -19 + 7 = -(19 - 7)."),
        ("3x + 20 = 5", "So 5 < 20 and 5 - 20 = -(20 - 5)."),
        ("9x + 34 = -2", "-2 - 34 = -(2 + 34)."),
        ("2x - 25 = -5", "So 5 < 25 and -5 + 25 = (25 - 5)."),
        ("2x + 9 = 1", "2x = 1 - 9 = -(9 - 1) = -8."),
        ("-3x - 9 = 6", "-3x = 6 + 9 = 15."),
    ] {
        let p = parsed(q);
        assert!(p.thinking.contains(line), "{q}: {}", p.thinking);
        assert_trace_ok(&p);
    }
    let small = parsed("2x + 3 = 7");
    assert!(
        small.thinking.contains("2x = 7 - 3 = 4."),
        "one-digit steps need no columns"
    );
    assert!(
        parse_prompt("2x = 5").is_none(),
        "non-integer solutions are not ours"
    );
    assert!(verify(&p, "x = 5"));
    assert!(verify(&p, "So x=5."));
    assert!(!verify(&p, "x = 5.5"));
    assert!(!verify(&p, "x = -5"));
}

// ---------------------------------------------------------------- compare and sort

#[test]
fn sorting_lists_are_written_as_the_prompt_writes_them() {
    for (q, restated, start) in [
        (
            "Order 73,51,-69 from smallest to largest",
            "Sort 73,51,-69 from smallest to largest.",
            "Start with 73. To place: 51,-69.",
        ),
        (
            "Arrange these from highest to lowest: 33 -82 22",
            "Sort 33 -82 22 from largest to smallest.",
            "Start with 33. To place: -82 22.",
        ),
        (
            "Sort 3951, -1121 and -4417",
            "Sort 3951, -1121, -4417 from smallest to largest.",
            "Start with 3951. To place: -1121, -4417.",
        ),
    ] {
        let p = parsed(q);
        let lines: Vec<&str> = p.thinking.lines().collect();
        assert_eq!(lines[1], restated, "{q}");
        assert_eq!(lines[2], start, "{q}");
        assert_trace_ok(&p);
    }
    // Each walk step says why, in one-digit facts, before its relation.
    for (q, step) in [
        (
            "sort 73, 75",
            "Place 75: 75 vs 73: 7 = 7, 5 > 3, so 75 > 73, goes last: 73 < 75.",
        ),
        (
            "sort 3951, 1121",
            "Place 1121: 1121 vs 3951: 1 < 3, so 1121 < 3951, goes before 3951: 1121 < 3951.",
        ),
        (
            "sort 9, 11",
            "Place 11: 11 vs 9: 2 > 1 digits, so 11 > 9, goes last: 9 < 11.",
        ),
        (
            "sort 45, 45",
            "Place 45: 45 vs 45: 4 = 4, 5 = 5, so 45 = 45, goes last: 45 = 45.",
        ),
        (
            "sort -40, -43",
            "Place -43: -43 vs -40: 4 = 4, 3 > 0, 43 > 40, so -43 < -40, goes before -40: -43 < -40.",
        ),
        (
            "sort -161, -4464",
            "-4464 vs -161: 4 > 3 digits, 4464 > 161, so -4464 < -161, goes before -161: -4464 < -161.",
        ),
        (
            "sort -7, -6",
            "Place -6: -6 vs -7: 6 < 7, so -6 > -7, goes last: -7 < -6.",
        ),
        ("sort 7, 6", "Place 6: 6 vs 7: 6 < 7, goes before 7: 6 < 7."),
        (
            "sort -7, 4",
            "Place 4: 4 vs -7: 4 > -7, goes last: -7 < 4. Now -7 < 4.",
        ),
    ] {
        let walk = parsed(q);
        assert!(walk.thinking.contains(step), "{q}: {}", walk.thinking);
        assert_trace_ok(&walk);
    }
    let p = parsed("sort 9,2,5 descending");
    assert!(
        p.thinking
            .contains("5 vs 2: 5 > 2, goes before 2: 9 > 5 > 2. Now 9 > 5 > 2."),
        "{}",
        p.thinking
    );
    assert!(p.thinking.contains("So 9 > 5 > 2."), "{}", p.thinking);
    assert_eq!(p.answer, "Largest to smallest: 9, 5, 2.");
}

#[test]
fn sorting_quotes_the_order_asked_first() {
    for (q, asked) in [
        (
            "Put these numbers in order from greatest to least: 5, 9",
            "Asked: greatest to least, so largest first.",
        ),
        (
            "Sort 5, 9 in descending order",
            "Asked: descending, so largest first.",
        ),
        (
            "SORT THESE NUMBERS: 5, 9 (LARGEST FIRST)",
            "Asked: largest first, so largest first.",
        ),
        (
            "Arrange 5, 9 from lowest to highest",
            "Asked: lowest to highest, so smallest first.",
        ),
        ("sort 5 9 smallest", "Asked: smallest, so smallest first."),
        ("Sort 9, 5", "No order asked, so smallest first."),
    ] {
        let p = parsed(q);
        assert_eq!(p.thinking.lines().next(), Some(asked), "{q}");
        assert_trace_ok(&p);
    }
}

#[test]
fn sorting_places_each_number_in_the_order_typed() {
    let good = parsed("sort 7, -3, 0, -12, 5 descending");
    let lines: Vec<&str> = good.thinking.lines().collect();
    assert_eq!(
        lines[2..9],
        [
            "Start with 7. To place: -3, 0, -12, 5.",
            "Place -3: -3 vs 7: -3 < 7, goes last: 7 > -3. Now 7 > -3. To place: 0, -12, 5.",
            "Place 0: 0 vs 7: 0 < 7, 0 vs -3: 0 > -3, goes before -3: 7 > 0 > -3. \
             Now 7 > 0 > -3. To place: -12, 5.",
            "Place -12: -12 vs 7: -12 < 7, -12 vs 0: -12 < 0, -12 vs -3: 2 > 1 digits, 12 > 3, \
             so -12 < -3, goes last: -3 > -12. Now 7 > 0 > -3 > -12. To place: 5.",
            "Place 5: 5 vs 7: 5 < 7, 5 vs 0: 5 > 0, goes before 0: 7 > 5 > 0. \
             Now 7 > 5 > 0 > -3 > -12.",
            "So 7 > 5 > 0 > -3 > -12.",
            "Check: 5 numbers in, 5 numbers out ✓",
        ],
        "{}",
        good.thinking
    );
    assert_trace_ok(&good);

    for (from, to, what) in [
        (
            "Asked: descending, so largest first.",
            "Asked: ascending, so largest first.",
            "a misquoted order",
        ),
        (
            "Start with 7.",
            "Start with -3.",
            "a start that is not the first number typed",
        ),
        (
            "Start with 7. To place: -3, 0, -12, 5.",
            "Start with 7. To place: -3, 0, 5.",
            "a number lost before placing",
        ),
        (
            "5 vs 7: 5 < 7, 5 vs 0: 5 > 0, goes before 0",
            "5 vs 0: 5 > 0, goes before 0",
            "a walk that skips the start of the order",
        ),
        (
            "0 vs -3: 0 > -3, goes before -3: 7 > 0 > -3.",
            "0 vs -3: 0 > -3, goes last: -3 > 0.",
            "a walk that ends in the wrong place",
        ),
        (
            "goes before -3: 7 > 0 > -3.",
            "goes before -3: 0 > -3.",
            "new neighbours without the number before",
        ),
        (
            "goes before 0: 7 > 5 > 0.",
            "goes before 0: 7 > 5.",
            "new neighbours without the number after",
        ),
        (
            "-12 vs -3: 2 > 1 digits, 12 > 3, so",
            "-12 vs -3: so",
            "a step without its reason",
        ),
        (
            "2 > 1 digits, 12 > 3,",
            "2 > 1 digits, 13 > 3,",
            "a reason about the wrong numbers",
        ),
        (
            "5 vs 0: 5 > 0",
            "5 vs 0: 5 < 0",
            "a false relation in a walk",
        ),
        (
            "Now 7 > 0 > -3 > -12. To place: 5.",
            "Now 7 > 0 > -12. To place: 5.",
            "an order that loses a number",
        ),
        (
            "Now 7 > 0 > -3. To place: -12, 5.",
            "Now 7 > 0 > -3. To place: 5.",
            "what is left to place losing a number",
        ),
        (
            "Place 0: 0 vs 7",
            "Place 5: 0 vs 7",
            "a placing that names another number",
        ),
        (
            "So 7 > 5 > 0 > -3 > -12.",
            "So 7 > 5 > -3 > -12.",
            "a final chain that loses a number",
        ),
        (
            "Check: 5 numbers in",
            "Check: 4 numbers in",
            "a wrong count",
        ),
    ] {
        let mut p = good.clone();
        p.thinking = p.thinking.replacen(from, to, 1);
        assert_ne!(p.thinking, good.thinking, "{what}: nothing replaced");
        assert!(verify_trace(&p).is_err(), "{what} accepted");
    }
    let without = |skip: &str| {
        let mut p = good.clone();
        p.thinking = good
            .thinking
            .lines()
            .filter(|l| !l.starts_with(skip))
            .collect::<Vec<_>>()
            .join("\n");
        p
    };
    assert!(
        verify_trace(&without("Place 5:")).is_err(),
        "a number never placed"
    );
    assert!(
        verify_trace(&without("Start with")).is_err(),
        "placings without a start"
    );
    let mut swapped: Vec<&str> = lines.clone();
    swapped.swap(5, 6);
    let mut p = good.clone();
    p.thinking = swapped.join("\n");
    assert!(
        verify_trace(&p).is_err(),
        "numbers placed out of the order typed"
    );
}

#[test]
fn sorting_with_duplicates_and_negatives() {
    let p = parsed("Sort these numbers: 5, -3, 12 (smallest first)");
    assert_eq!(p.expected, Expected::Sorted(vec![-3, 5, 12]));
    assert_trace_ok(&p);
    let p = parsed("sort 3, -1, 3, -1, 0 descending");
    assert_eq!(p.expected, Expected::Sorted(vec![3, 3, 0, -1, -1]));
    assert!(
        p.thinking.contains("So 3 = 3 > 0 > -1 = -1."),
        "{}",
        p.thinking
    );
    assert_trace_ok(&p);
    assert!(verify(&p, "3, 3, 0, -1, -1"));
    assert!(verify(&p, "Largest to smallest: 3, 3, 0, -1, -1."));
    assert!(!verify(&p, "3, 0, -1"));
    assert!(!verify(&p, "-1, -1, 0, 3, 3"));
    for (q, want) in [
        (
            "Put these numbers in order from least to greatest: 10, -20, 0",
            vec![-20, 0, 10],
        ),
        (
            "Arrange these from highest to lowest: 4 -4 8",
            vec![8, 4, -4],
        ),
        ("List from smallest to largest: 7, 7, 2", vec![2, 7, 7]),
        ("sort 9 and 2", vec![2, 9]),
    ] {
        let p = parsed(q);
        assert_eq!(p.expected, Expected::Sorted(want), "{q}");
        assert_trace_ok(&p);
    }
}

#[test]
fn comparisons() {
    for (q, v) in [
        ("Which is bigger, 45 or 54?", 54),
        ("which is smaller: -7 or 3", -7),
        ("Which is larger, -345 or -352?", -345),
        ("What is the maximum of 1000 and 999?", 1000),
        ("min of 12 and -12", -12),
        ("Is 45 or 54 less?", 45),
        ("Which number is greater: 3456 or 3465", 3465),
    ] {
        let p = parsed(q);
        assert_eq!(p.family, Family::CompareSort, "{q}");
        assert_eq!(p.expected, Expected::Integer(v), "{q}");
        assert_trace_ok(&p);
    }
    // Lengths need no counting: the shorter number runs out as 0.
    assert_eq!(
        parsed("which is smaller, 93945 or 7729?").thinking,
        "Compare 93945 and 7729 to find the smaller.\n\
         Compare units of 93945 and 7729: 5 < 9, second larger so far.\n\
         Compare tens of 9394 and 772: 4 > 2, first larger so far.\n\
         Compare hundreds of 939 and 77: 9 > 7, first larger so far.\n\
         Compare thousands of 93 and 7: 3 < 7, second larger so far.\n\
         Compare ten-thousands of 9 and 0: 9 > 0, first larger so far.\n\
         So 93945 > 7729.\n\
         So the smaller is 7729."
    );
    // The last line must answer what was asked.
    let mut p = parsed("which is smaller, 93945 or 7729?");
    p.thinking = p
        .thinking
        .replace("the smaller is 7729", "the smaller is 93945");
    assert!(verify_trace(&p).is_err());
    let p = parsed("Which is bigger, 45 or 54?");
    assert!(verify(&p, "The bigger number is 54."));
    assert!(verify(&p, "54 is bigger than 45."));
    assert!(verify(&p, "45 < 54"));
    assert!(!verify(&p, "45 is bigger than 54."));
    assert!(!verify(&p, "The bigger number is 45."));
    let p = parsed("Which is larger, -345 or -352?");
    assert!(
        p.thinking.contains("flipped: -345 > -352"),
        "{}",
        p.thinking
    );
}

// ---------------------------------------------------------------- word problems and other

#[test]
fn word_problem_shares_size_the_quotient_in_writing() {
    let p = parsed(
        "Tom has 8 boxes of 6 marbles. He shares them equally among 4 friends. \
         How many marbles does each friend get?",
    );
    assert!(
        p.thinking.contains(
            "Shared equally among 4 friends: 48 ÷ 4.\n\
             10 × 4 = 40 and 48 > 40, so 48 ÷ 4 = (40 + 8) ÷ 4 = 10 + 2 = 12.\n"
        ),
        "{}",
        p.thinking
    );
    assert_eq!(p.answer, "Each friend gets 12 marbles.");
    assert_trace_ok(&p);
    let mut bad = p.clone();
    bad.thinking = bad.thinking.replacen("10 + 2 = 12", "10 + 3 = 12", 1);
    assert!(verify_trace(&bad).is_err(), "{}", bad.thinking);
}

#[test]
fn hand_typed_word_problems() {
    for (q, v) in [
        (
            "Tom has 12 apples. He buys 3 bags of 5 apples. How many apples does he have now?",
            27,
        ),
        (
            "Sara had 30 stickers. She lost 7 and then got 5 more. How many does she have?",
            28,
        ),
        (
            "There are 4 boxes with 6 cookies in each. The cookies are shared equally among 3 kids. How many does each kid get?",
            8,
        ),
        (
            "Bob has $50. He buys 3 books for 12 dollars each. How much money is left?",
            14,
        ),
        (
            "Ana has 10 marbles, then her friend gives her 14 more, then she shares them equally among 4 friends. How many does each friend get?",
            6,
        ),
    ] {
        let p = parsed(q);
        assert_eq!(p.family, Family::WordProblem, "{q}");
        assert_eq!(p.expected, Expected::Integer(v), "{q}\n{}", p.thinking);
        assert_trace_ok(&p);
    }
    assert!(
        parse_prompt("Tom has 12 apples. He shares them equally among 5 friends.").is_none(),
        "inexact share"
    );
}

#[test]
fn other_prompts_and_unreadable_ones() {
    for q in [
        "hi",
        "Write a poem about the sea",
        "what's the capital of France?",
        "who are you",
    ] {
        let p = parsed(q);
        assert_eq!(p.family, Family::Other, "{q}");
        assert!(p.answer.contains("Try '"), "{}", p.answer);
        assert!(p.thinking.lines().count() <= 1);
        assert_trace_ok(&p);
    }
    for q in [
        "what is 2^10",
        "divide 10 by 2",
        "1 + 2 + 3",
        "what is 2.5 + 1",
        "12345678901234567890 + 1",
        "",
    ] {
        assert!(parse_prompt(q).is_none(), "{q:?} should not be recognised");
    }
}

// ---------------------------------------------------------------- answers and bad traces

#[test]
fn answer_parsing_is_robust() {
    let p = parsed("What is 1000 + 234?");
    assert!(verify(&p, "1000 + 234 = 1234."));
    assert!(verify(&p, "The answer is 1,234"));
    assert!(verify(&p, "It's 1234.0"));
    assert!(!verify(&p, "1000 + 234 = 1233."));
    assert!(!verify(&p, "no idea"));
    assert!(!verify(&p, ""));
    let p = parsed("12 - 20");
    assert!(verify(&p, "12 - 20 = -8."));
    assert!(!verify(&p, "12 - 20 = 8."));
    let p = parsed("hello");
    assert!(verify(&p, "I can only do arithmetic."));
    assert!(!verify(&p, "Hello there!"));
}

#[test]
fn verify_trace_rejects_bad_traces() {
    let good = parsed("What is 347 + 589?");
    let corrupt = |from: &str, to: &str| {
        let mut p = good.clone();
        assert!(p.thinking.contains(from), "{from}");
        p.thinking = p.thinking.replacen(from, to, 1);
        p
    };
    // A false equation, a wrong written digit, a wrong carry, a wrong final result, a false check,
    // a wrong "what is left", a column digit that is not the last digit of what is left, a wrong
    // "so far".
    for (from, to) in [
        ("7 + 9 = 16", "7 + 9 = 17"),
        ("write 6", "write 7"),
        ("carry 1. So far 6.", "carry 2. So far 6."),
        ("Tens of 34 and 58", "Tens of 34 and 59"),
        ("Tens of 34 and 58: 4 + 8", "Tens of 34 and 58: 3 + 9"),
        ("So far 36.", "So far 46."),
        ("So 347 + 589 = 936.", "So 347 + 589 = 937."),
        ("Check: 936 - 589 = 347", "Check: 936 - 589 = 348"),
    ] {
        assert!(
            verify_trace(&corrupt(from, to)).is_err(),
            "{from} -> {to} accepted"
        );
    }
    let mut p = good.clone();
    p.answer = "347 + 589 = 937.".to_string();
    assert!(verify_trace(&p).is_err());
    let mut p = good.clone();
    p.expected = Expected::Integer(937);
    assert!(verify_trace(&p).is_err());
    let mut p = good.clone();
    p.thinking = p
        .thinking
        .lines()
        .filter(|l| !l.starts_with("Check"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(verify_trace(&p).is_err(), "a missing check is rejected");

    let good = parsed("What is 347 × 89?");
    let mut p = good.clone();
    p.thinking = p.thinking.replacen("write 2 carry 4", "write 3 carry 4", 1);
    assert!(verify_trace(&p).is_err());
    let mut p = good.clone();
    p.thinking = p
        .thinking
        .replacen("so 347 × 9 = 3123", "so 347 × 9 = 3124", 1);
    assert!(verify_trace(&p).is_err());

    let good = parsed("solve 3x + 5 = 20");
    let mut p = good.clone();
    p.thinking = p.thinking.replacen("So far 15.", "So far 16.", 1);
    assert!(verify_trace(&p).is_err(), "a wrong `So far`");
    let mut p = good.clone();
    p.thinking = p
        .thinking
        .replacen("= 15 and 3x = 15.", "= 16 and 3x = 16.", 1);
    assert!(
        verify_trace(&p).is_err(),
        "a result the columns do not give"
    );
    let mut p = good.clone();
    p.thinking = p.thinking.replacen("Tens of 2:", "Hundreds of 2:", 1);
    assert!(verify_trace(&p).is_err(), "columns out of order");

    let good =
        parsed("Tom has 42 dollars. He spends 23 dollars. How many dollars does he have left?");
    assert!(
        good.thinking.contains("Units of 42 and 23"),
        "{}",
        good.thinking
    );
    let mut p = good.clone();
    p.thinking = p.thinking.replacen("Tens of 4 and 2", "Tens of 4 and 3", 1);
    assert!(
        verify_trace(&p).is_err(),
        "a column that does not follow from the last"
    );

    // Comparison columns: a wrong "so far", a skipped column, a conclusion that does not follow.
    let good = parsed("What is 347 - 589?");
    for (from, to) in [
        ("7 < 9, second larger", "7 < 9, first larger"),
        (
            "Compare tens of 34 and 58: 4 < 8, second larger so far.\n",
            "",
        ),
        ("Compare tens of 34 and 58", "Compare tens of 34 and 59"),
        ("So 347 < 589, compute", "So 3 < 5, compute"),
    ] {
        let mut p = good.clone();
        assert!(p.thinking.contains(from), "{from}");
        p.thinking = p.thinking.replacen(from, to, 1);
        assert!(verify_trace(&p).is_err(), "{from} -> {to} accepted");
    }

    let good = parsed("sort 5, -3, 12, 0");
    for (from, to) in [
        (
            "0 vs 5: 0 < 5, goes before 5",
            "0 vs 5: 0 < 5, goes before 12",
        ),
        ("0 vs 5: 0 < 5", "0 vs 5: 0 > 5"),
        ("12 vs -3: 12 > -3, ", ""),
        ("2 > 1 digits, so 12 > 5", "so 12 > 5"),
        ("2 > 1 digits, so 12 > 5", "2 > 3 digits, so 12 > 5"),
        ("To place: -3, 12, 0.", "To place: -3, 12."),
    ] {
        let mut p = good.clone();
        assert!(p.thinking.contains(from), "{from}: {}", p.thinking);
        p.thinking = p.thinking.replacen(from, to, 1);
        assert!(verify_trace(&p).is_err(), "{from} -> {to} accepted");
    }
    let mut p = parsed("sort 73, 75, 18");
    p.thinking = p.thinking.replacen("7 = 7, 5 > 3", "7 = 7, 5 > 4", 1);
    assert!(
        verify_trace(&p).is_err(),
        "a true fact about the wrong digit"
    );

    let good =
        parsed("Tom has 12 apples. He buys 3 bags of 5 apples. How many apples does he have now?");
    let mut p = good.clone();
    p.thinking = p.thinking.replacen("3 × 5 = 15", "3 × 5 = 16", 1);
    assert!(verify_trace(&p).is_err());
}

// ---------------------------------------------------------------- examples

#[test]
fn examples() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for f in Family::ALL {
        let p = generate(f, &mut rng);
        println!(
            "=== {} ===\nPROMPT: {}\nTHINKING:\n{}\nANSWER: {}\n",
            f.name(),
            p.prompt,
            p.thinking,
            p.answer
        );
    }
    println!("=== mean trace length over 1000 problems (characters; lines) ===");
    for f in Family::ALL {
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let (mut chars, mut lines, mut max) = (0usize, 0usize, 0usize);
        for _ in 0..1000 {
            let p = generate(f, &mut rng);
            let c = p.thinking.chars().count();
            chars += c;
            max = max.max(c);
            lines += p.thinking.lines().count();
        }
        println!(
            "{:16} {:6.1} chars (max {max}), {:4.1} lines",
            f.name(),
            chars as f64 / 1000.0,
            lines as f64 / 1000.0
        );
    }
}

#[test]
fn random_prompts_never_panic_and_rebuilt_problems_verify() {
    use rand::Rng;
    const WORDS: &[&str] = &[
        "what",
        "is",
        "plus",
        "minus",
        "times",
        "x",
        "X",
        "sort",
        "which",
        "bigger",
        "smaller",
        "has",
        "apples",
        "he",
        "she",
        "buys",
        "bags",
        "of",
        "gives",
        "away",
        "shares",
        "equally",
        "among",
        "friends",
        "and",
        "then",
        "solve",
        "for",
        "each",
        "more",
        "less",
        "than",
        "from",
        "subtract",
        "add",
        "to",
        "dollars",
        "$",
        "the",
        "sum",
        "product",
        "difference",
        "Tom",
        "Mia",
        "loses",
        "sells",
        "How",
        "many",
        "are",
        "left",
        "order",
        "largest",
        "first",
        "max",
        "multiply",
        "by",
        "take",
        "compare",
        "write",
    ];
    const SYMS: &[&str] = &[
        "+", "-", "*", "×", "÷", "/", "=", "(", ")", "<", ">", ",", ".", "?", ":", "−", "·", "✓",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let mut recognised = 0;
    for _ in 0..30000 {
        let n = rng.random_range(1..=12);
        let mut s = String::new();
        for _ in 0..n {
            match rng.random_range(0..10) {
                0..=3 => {
                    let v: i64 = match rng.random_range(0..10) {
                        0 => rng.random_range(-1_000_000_000_000..=1_000_000_000_000),
                        1..=3 => rng.random_range(-99..=99),
                        _ => rng.random_range(0..=99999),
                    };
                    s.push_str(&v.to_string());
                }
                4..=6 => s.push_str(WORDS[rng.random_range(0..WORDS.len())]),
                _ => s.push_str(SYMS[rng.random_range(0..SYMS.len())]),
            }
            if rng.random_bool(0.7) {
                s.push(' ');
            }
        }
        if let Some(p) = parse_prompt(&s) {
            recognised += 1;
            if let Err(e) = verify_trace(&p) {
                panic!("{s:?} -> {:?}: {e}\n{}", p.family, p.thinking);
            }
            assert!(verify(&p, &p.answer), "{s:?}");
        }
    }
    assert!(recognised > 1000, "only {recognised} recognised");
}

#[test]
fn operator_soup_is_not_recognised() {
    for q in ["35 · ·27", "order 5 + 3 - 2", "3 + * 4"] {
        assert!(parse_prompt(q).is_none(), "{q:?}");
    }
}
