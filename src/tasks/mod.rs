//! Problem families for tiny-reasoner.
//!
//! Every family lives in its own file with a seeded generator, a step-by-step solver that writes the
//! thinking trace, a prompt parser (so typed prompts can be recognised and checked) and the extra
//! trace checks used by [`verify_trace`]:
//!
//! * [`add_sub`]: addition and subtraction of 0..=99999, column by column, negative results included.
//! * [`multiply`]: up to 3-digit × 3-digit, one partial product per digit of the shorter factor.
//! * [`word_problem`]: two-step stories (buying, selling, sharing, groups of, losing, receiving).
//! * [`compare_sort`]: the larger/smaller of two numbers, and sorting up to 6 numbers.
//! * [`linear_equation`]: `a·x + b = c` with an integer solution.
//! * [`other`]: things the model cannot do; a polite answer that says what it can do.
//!
//! Shared helpers: `columns` (column-by-column addition and subtraction, written and checked the
//! same way in every family), `text` (tokenizer, answer-number extraction), `expr` (expression
//! evaluator and the equation scanner behind `verify_trace`), `division` (a quotient sized in
//! writing), `arith` (reading two-number arithmetic prompts) and `util` (random choices, digits,
//! prompt styling).
//!
//! [`generate_any`] mixes the families in the fixed proportions of [`MIX`] (per mille).

use serde::{Deserialize, Serialize};

pub mod add_sub;
mod arith;
mod columns;
mod compare_columns;
pub mod compare_sort;
mod division;
mod expr;
pub mod linear_equation;
pub mod multiply;
pub mod other;
mod text;
mod util;
pub mod word_problem;

#[cfg(test)]
mod tests;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    AddSub,
    Multiply,
    WordProblem,
    CompareSort,
    LinearEquation,
    Other,
}

impl Family {
    pub const ALL: [Family; 6] = [
        Family::AddSub,
        Family::Multiply,
        Family::WordProblem,
        Family::CompareSort,
        Family::LinearEquation,
        Family::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::AddSub => "add_sub",
            Family::Multiply => "multiply",
            Family::WordProblem => "word_problem",
            Family::CompareSort => "compare_sort",
            Family::LinearEquation => "linear_equation",
            Family::Other => "other",
        }
    }

    /// Accepts the names from [`Family::name`], case-insensitively, with `-` or space for `_`.
    pub fn from_name(s: &str) -> Option<Family> {
        let n = s.trim().to_lowercase().replace(['-', ' '], "_");
        Family::ALL.into_iter().find(|f| f.name() == n)
    }
}

/// What a correct answer must contain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Expected {
    /// The final number (sums, products, word problems, `x`, and the chosen number of a comparison).
    Integer(i64),
    /// The numbers in the requested order.
    Sorted(Vec<i64>),
    /// For `other`: a key phrase; the answer must say what the model can do.
    Text(String),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub family: Family,
    /// What the user types.
    pub prompt: String,
    /// The step-by-step trace (no `<think>` tags).
    pub thinking: String,
    /// The final answer text.
    pub answer: String,
    pub expected: Expected,
}

/// Proportions of [`generate_any`], per mille (they add up to 1000).
pub const MIX: [(Family, u32); 6] = [
    (Family::AddSub, 240),
    (Family::Multiply, 200),
    (Family::WordProblem, 150),
    (Family::CompareSort, 190),
    (Family::LinearEquation, 190),
    (Family::Other, 30),
];

pub fn generate(family: Family, rng: &mut impl rand::Rng) -> Problem {
    match family {
        Family::AddSub => add_sub::generate(rng),
        Family::Multiply => multiply::generate(rng),
        Family::WordProblem => word_problem::generate(rng),
        Family::CompareSort => compare_sort::generate(rng),
        Family::LinearEquation => linear_equation::generate(rng),
        Family::Other => other::generate(rng),
    }
}

/// Mixed-family generation in the fixed proportions of [`MIX`].
pub fn generate_any(rng: &mut impl rand::Rng) -> Problem {
    let mut r = rng.random_range(0..1000u32);
    for (family, share) in MIX {
        if r < share {
            return generate(family, rng);
        }
        r -= share;
    }
    generate(Family::AddSub, rng)
}

/// The families whose prompts [`util::style`] writes in capitals now and then (2%); word problems
/// and `other` style their own prompts.
pub const STYLED: [Family; 4] = [
    Family::AddSub,
    Family::Multiply,
    Family::CompareSort,
    Family::LinearEquation,
];

/// The same problem typed in capitals (`ADD 3748 TO 169`), rebuilt from that prompt so that its
/// trace is the one the capitals give; `None` where the capitals read as another problem.
pub fn in_capitals(problem: &Problem) -> Option<Problem> {
    let shouted = parse_prompt(&problem.prompt.to_uppercase())?;
    (shouted.family == problem.family && shouted.expected == problem.expected).then_some(shouted)
}

/// The assistant turn of a training example in Qwen3's form: the trace inside `<think>…</think>`,
/// then the answer. Without thinking the block is empty, as Qwen3 renders `enable_thinking=false`.
pub fn assistant_reply(problem: &Problem, think: bool) -> String {
    let thinking = if think {
        format!("{}\n", problem.thinking)
    } else {
        String::new()
    };
    format!("<think>\n{thinking}</think>\n\n{}", problem.answer)
}

/// Recognise a typed prompt as one of our families and rebuild the Problem (for the web page's ✓/✗
/// and for evaluation). Prompts with no digits at all are `other`; prompts with numbers that no
/// family can read (division, decimals, three numbers added, ...) give `None`.
pub fn parse_prompt(prompt: &str) -> Option<Problem> {
    let prompt = prompt.trim();
    if prompt.is_empty() || prompt.chars().count() > 2000 {
        return None;
    }
    let toks = text::tokenize(prompt);
    if !toks.iter().any(text::Token::is_numeric) {
        return Some(other::solve(prompt));
    }
    if let Some(p) = linear_equation::parse(prompt, &toks) {
        return p;
    }
    if let Some(p) = word_problem::parse(prompt, &toks) {
        return Some(p);
    }
    if let Some(p) = compare_sort::parse(prompt, &toks) {
        return Some(p);
    }
    match arith::parse(&toks)? {
        (arith::ArithOp::Add, a, b) => {
            Some(add_sub::solve(prompt.to_string(), add_sub::Op::Add, a, b))
        }
        (arith::ArithOp::Sub, a, b) => {
            Some(add_sub::solve(prompt.to_string(), add_sub::Op::Sub, a, b))
        }
        (arith::ArithOp::Mul, a, b) => Some(multiply::solve(prompt.to_string(), a, b)),
    }
}

/// Does the model's final answer text contain the expected result?
///
/// Integers: the last number in the answer (thousands separators allowed; for equations the last
/// `x = N`; for comparisons a statement like "54 is bigger than 45" also counts when it is true).
/// Sorting: the last list of two or more numbers must equal the expected order exactly.
/// `other`: the answer must say what the model can do.
pub fn verify(problem: &Problem, answer_text: &str) -> bool {
    match &problem.expected {
        Expected::Integer(v) => match problem.family {
            Family::CompareSort => compare_sort::verify_compare(*v, answer_text),
            Family::LinearEquation => linear_equation::answer_value(answer_text) == Some(*v),
            _ => text::last_integer(answer_text) == Some(*v),
        },
        Expected::Sorted(v) => text::last_list(answer_text).as_deref() == Some(v.as_slice()),
        Expected::Text(t) => match problem.family {
            Family::Other => other::mentions_capability(answer_text),
            _ => answer_text.to_lowercase().contains(&t.to_lowercase()),
        },
    }
}

/// Check a trace independently of how it was written:
/// 1. the prompt parses back to the same family and expected value;
/// 2. every relation (`=`, `<`, `>`, `≤`, `≥`) in every thinking line is evaluated and must hold
///    (for equations, with `x` replaced by the solution);
/// 3. arithmetic families need a true `Check:` line, and the last equation before it must give the
///    expected result;
/// 4. family checks: `write`/`carry` steps match their column sums and assemble into the result
///    (and every column block's result is the number the trace goes on with),
///    each sorted number is placed where it belongs in the order so far, and so on;
/// 5. the problem's own answer verifies.
pub fn verify_trace(problem: &Problem) -> Result<(), String> {
    let reparsed = parse_prompt(&problem.prompt)
        .ok_or_else(|| format!("prompt not recognised: {:?}", problem.prompt))?;
    if reparsed.family != problem.family {
        return Err(format!(
            "prompt reads as {} not {}",
            reparsed.family.name(),
            problem.family.name()
        ));
    }
    if reparsed.expected != problem.expected {
        return Err(format!(
            "prompt gives {:?} but the problem says {:?}",
            reparsed.expected, problem.expected
        ));
    }
    let var = match (problem.family, &problem.expected) {
        (Family::LinearEquation, Expected::Integer(x)) => expr::Var::Value(*x),
        _ => expr::Var::Absent,
    };
    let lines = expr::scan_trace(&problem.thinking, var)?;
    compare_columns::check_compare_blocks(&lines)?;
    // Generated traces stay under 24 lines; typed prompts can be longer (5-digit factors).
    if lines.len() > 80 {
        return Err(format!("trace too long: {} lines", lines.len()));
    }
    if matches!(
        problem.family,
        Family::AddSub | Family::Multiply | Family::WordProblem | Family::LinearEquation
    ) {
        let Expected::Integer(want) = problem.expected else {
            return Err("expected an integer result".to_string());
        };
        expr::require_check(&lines)?;
        expr::require_result(&lines, want)?;
    }
    match problem.family {
        Family::AddSub => add_sub::check_trace(problem, &lines)?,
        Family::Multiply => multiply::check_trace(&lines)?,
        Family::WordProblem => word_problem::check_trace(&lines)?,
        Family::CompareSort => compare_sort::check_trace(problem, &lines)?,
        Family::LinearEquation => linear_equation::check_trace(&lines)?,
        Family::Other => other::check_trace(&lines)?,
    }
    if !verify(problem, &problem.answer) {
        return Err(format!("the answer {:?} does not verify", problem.answer));
    }
    Ok(())
}
