//! `tiny-reasoner eval`: greedy accuracy of a model on fresh problems of every task family (or of
//! those named), run by this engine (not by the training framework), so the figures are those a
//! user of the page gets.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tiny_reasoner::clock::now_ms;
use tiny_reasoner::generate::{Event, GenerateOptions};
use tiny_reasoner::tasks::{self, Family, Problem};
use tiny_reasoner::{AnyBackend, BackendChoice, Engine, Error, Message, ModelFiles, Result};

use super::{parse_family, BackendArg};

#[derive(Args)]
pub struct EvalArgs {
    #[arg(long)]
    model: PathBuf,
    /// Problems per family.
    #[arg(long, default_value_t = 100)]
    n: usize,
    /// Seed of the problems; use one the training data never used.
    #[arg(long)]
    seed: u64,
    /// Only these families (repeat the flag or separate names by commas). The problems are
    /// still drawn for every family, so each family's are those a full run with this seed gets
    /// and the figures compare with it.
    #[arg(long, value_delimiter = ',', value_parser = parse_family)]
    family: Vec<Family>,
    /// Evaluate with thinking switched off.
    #[arg(long)]
    no_think: bool,
    /// Longest reply; generation also stops at the model's context length. The longest traces
    /// (3-digit × 3-digit) take about 800 tokens, so the default leaves them room.
    #[arg(long, default_value_t = 1024)]
    max_tokens: usize,
    /// One JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Worker threads, each with its own copy of the model (default: the number of cores; one
    /// on the GPU, which runs one step at a time anyway).
    #[arg(long)]
    threads: Option<usize>,
    /// Where the network runs.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    backend: BackendArg,
    /// Write every wrong reply to this file as JSON lines (prompt, reference working, the model's
    /// thinking and answer): where a model fails is read from there.
    #[arg(long)]
    failures: Option<PathBuf>,
}

#[derive(Default, Serialize)]
struct FamilyScore {
    n: usize,
    correct: usize,
    accuracy: f64,
    mean_tokens: f64,
}

#[derive(Serialize)]
struct Report {
    families: BTreeMap<&'static str, FamilyScore>,
    overall: Overall,
    tok_per_s: f64,
    thinking: bool,
    seed: u64,
}

#[derive(Serialize)]
struct Overall {
    n: usize,
    correct: usize,
    accuracy: f64,
}

/// The outcome of one problem.
struct Outcome {
    family: Family,
    correct: bool,
    tokens: usize,
    /// The model's reply, kept only when it is wrong.
    wrong_reply: Option<(String, String)>,
}

/// One line of `--failures`.
#[derive(Serialize)]
struct Failure<'a> {
    family: &'static str,
    prompt: &'a str,
    reference_thinking: &'a str,
    reference_answer: &'a str,
    thinking: &'a str,
    answer: &'a str,
}

pub fn eval(args: EvalArgs) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let problems: Vec<Problem> = Family::ALL
        .iter()
        .flat_map(|&f| {
            (0..args.n)
                .map(|_| tasks::generate(f, &mut rng))
                .collect::<Vec<_>>()
        })
        .filter(|p| args.family.is_empty() || args.family.contains(&p.family))
        .collect();
    let files = ModelFiles::dir(&args.model);
    // Fail early, once, with the loader's error; this engine becomes the first worker's.
    let first = pollster::block_on(Engine::load(&files, args.backend.into()))?;
    let on_gpu = matches!(first.backend, AnyBackend::Gpu(_));
    let threads = match (on_gpu, args.threads) {
        (true, _) => 1,
        (false, Some(n)) => n.max(1),
        (false, None) => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let mut first = Some(first);
    let started = now_ms();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = |finished: usize| {
        if !args.json {
            let width = 40;
            let filled = finished * width / problems.len().max(1);
            eprint!(
                "\r[{}{}] {finished}/{}",
                "#".repeat(filled),
                " ".repeat(width - filled),
                problems.len()
            );
            let _ = std::io::stderr().flush();
        }
    };
    let chunks: Vec<&[Problem]> = problems
        .chunks(problems.len().div_ceil(threads).max(1))
        .collect();
    let outcomes: Vec<Result<Vec<Outcome>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (files, done, progress, args) = (&files, &done, &progress, &args);
                let first = first.take();
                scope.spawn(move || -> Result<Vec<Outcome>> {
                    let mut engine = match first {
                        Some(engine) => engine,
                        None => pollster::block_on(Engine::load(files, BackendChoice::Cpu))?,
                    };
                    chunk
                        .iter()
                        .map(|p| {
                            let outcome = solve(&mut engine, p, args);
                            progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
                            outcome
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("eval worker panicked"))
            .collect()
    });
    if !args.json {
        eprintln!();
    }
    let seconds = (now_ms() - started) / 1000.0;
    let outcomes: Vec<Outcome> = outcomes
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    if let Some(path) = &args.failures {
        write_failures(path, &problems, &outcomes)?;
    }
    let report = summarise(&outcomes, seconds, &args);
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| Error::InvalidArgument {
                name: "report",
                reason: e.to_string()
            })?
        );
    } else {
        print_table(&report);
    }
    Ok(())
}

/// Greedy reply to one problem, checked by its family's verifier.
fn solve(engine: &mut Engine<AnyBackend>, problem: &Problem, args: &EvalArgs) -> Result<Outcome> {
    let options = GenerateOptions {
        max_tokens: args.max_tokens,
        enable_thinking: Some(!args.no_think),
        ..Default::default()
    };
    let mut gen = engine.start(&[Message::new("user", &problem.prompt)], options)?;
    let done = pollster::block_on(async {
        while let Some(event) = engine.step(&mut gen).await? {
            if let Event::Done(done) = event {
                return Ok(done);
            }
        }
        Err(Error::InvalidArgument {
            name: "generation",
            reason: "ended without a done event".into(),
        })
    })?;
    let correct = tasks::verify(problem, &done.answer);
    Ok(Outcome {
        family: problem.family,
        correct,
        tokens: done.tokens,
        wrong_reply: (!correct).then(|| (done.thinking.clone(), done.answer.clone())),
    })
}

/// `outcomes` are in the order of `problems` (each worker keeps its chunk's order).
fn write_failures(
    path: &std::path::Path,
    problems: &[Problem],
    outcomes: &[Outcome],
) -> Result<()> {
    let mut lines = String::new();
    for (problem, outcome) in problems.iter().zip(outcomes) {
        let Some((thinking, answer)) = &outcome.wrong_reply else {
            continue;
        };
        let failure = Failure {
            family: problem.family.name(),
            prompt: &problem.prompt,
            reference_thinking: &problem.thinking,
            reference_answer: &problem.answer,
            thinking,
            answer,
        };
        lines.push_str(
            &serde_json::to_string(&failure).map_err(|e| Error::InvalidArgument {
                name: "failures",
                reason: e.to_string(),
            })?,
        );
        lines.push('\n');
    }
    std::fs::write(path, lines).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn summarise(outcomes: &[Outcome], seconds: f64, args: &EvalArgs) -> Report {
    let mut families: BTreeMap<&'static str, FamilyScore> = BTreeMap::new();
    for o in outcomes {
        let score = families.entry(o.family.name()).or_default();
        score.n += 1;
        score.correct += o.correct as usize;
        score.mean_tokens += o.tokens as f64;
    }
    for score in families.values_mut() {
        score.accuracy = score.correct as f64 / score.n.max(1) as f64;
        score.mean_tokens /= score.n.max(1) as f64;
    }
    let correct = outcomes.iter().filter(|o| o.correct).count();
    let tokens: usize = outcomes.iter().map(|o| o.tokens).sum();
    Report {
        families,
        overall: Overall {
            n: outcomes.len(),
            correct,
            accuracy: correct as f64 / outcomes.len().max(1) as f64,
        },
        tok_per_s: tokens as f64 / seconds.max(1e-9),
        thinking: !args.no_think,
        seed: args.seed,
    }
}

fn print_table(report: &Report) {
    println!(
        "{:<16} {:>5} {:>8} {:>9} {:>12}",
        "family", "n", "correct", "accuracy", "mean tokens"
    );
    for (name, s) in &report.families {
        println!(
            "{:<16} {:>5} {:>8} {:>8.1}% {:>12.1}",
            name,
            s.n,
            s.correct,
            s.accuracy * 100.0,
            s.mean_tokens
        );
    }
    let o = &report.overall;
    println!(
        "{:<16} {:>5} {:>8} {:>8.1}%",
        "overall",
        o.n,
        o.correct,
        o.accuracy * 100.0
    );
    println!(
        "thinking {}, seed {}, {:.0} tok/s",
        if report.thinking { "on" } else { "off" },
        report.seed,
        report.tok_per_s
    );
}
