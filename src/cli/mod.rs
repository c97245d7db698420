//! `tiny-reasoner <command>`: each subcommand in its own file.

mod bench;
mod data;
mod eval;
mod quantize;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tiny_reasoner::tasks::Family;
use tiny_reasoner::BackendChoice;

#[derive(Parser)]
#[command(
    name = "tiny-reasoner",
    version,
    about = "A tiny reasoning model engine: think step by step, token by token"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a reply to a prompt (or a conversation) with a model folder.
    Run(run::RunArgs),
    /// Write verified training examples (ChatML JSON lines) for the task families.
    Data(data::DataArgs),
    /// Greedy accuracy on fresh problems of every task family (or of those named).
    Eval(eval::EvalArgs),
    /// Prefill and decode speed of a backend, and what one decoded token costs it.
    Bench(bench::BenchArgs),
    /// Copy a model folder with per-row int8 matrices: a 4× smaller model.safetensors.
    Quantize(quantize::QuantizeArgs),
}

/// `--family NAME` of `data` and `eval`: a name from [`Family::name`] (`-` or a space for `_`).
fn parse_family(name: &str) -> std::result::Result<Family, String> {
    Family::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
        format!("unknown family `{name}` (known: {})", known.join(", "))
    })
}

/// `--backend`: where the network runs.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum BackendArg {
    /// The reference forward pass on the CPU.
    Cpu,
    /// WGSL shaders through wgpu (Vulkan; Mesa's lavapipe where there is no GPU).
    Gpu,
    /// A hardware GPU if there is one, else the CPU (a software adapter such as lavapipe is
    /// exact but slower than the CPU backend, so it is used only when asked for).
    Auto,
}

impl From<BackendArg> for BackendChoice {
    fn from(arg: BackendArg) -> BackendChoice {
        match arg {
            BackendArg::Cpu => BackendChoice::Cpu,
            BackendArg::Gpu => BackendChoice::Gpu,
            BackendArg::Auto => BackendChoice::Auto,
        }
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Data(args) => data::data(args),
        Command::Eval(args) => eval::eval(args),
        Command::Bench(args) => bench::bench(args),
        Command::Quantize(args) => quantize::quantize(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
