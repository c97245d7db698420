//! `tiny-reasoner <command>`: each subcommand in its own file.

mod data;
mod eval;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Greedy accuracy on fresh problems of every task family.
    Eval(eval::EvalArgs),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Data(args) => data::data(args),
        Command::Eval(args) => eval::eval(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
