//! `tiny-reasoner run`: one reply, streamed to the terminal or as JSON lines.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;
use tiny_reasoner::generate::{Event, GenerateOptions};
use tiny_reasoner::model::{files::read_file, GenerationConfig};
use tiny_reasoner::reasoning::Phase;
use tiny_reasoner::sampler::SamplerConfig;
use tiny_reasoner::{Engine, Error, Message, ModelFiles, Result};

use super::BackendArg;

#[derive(Args)]
pub struct RunArgs {
    /// Model folder in Hugging Face layout (config.json, model.safetensors, tokenizer.json, …).
    #[arg(long)]
    model: PathBuf,
    /// Print JSON lines: the prompt, one per token, then a summary.
    #[arg(long)]
    json: bool,
    /// Switch thinking off (the template's `enable_thinking=false`).
    #[arg(long)]
    no_think: bool,
    /// Sampling temperature; 0 is greedy. Default: the model's generation_config.json.
    #[arg(long)]
    temperature: Option<f32>,
    /// Nucleus sampling mass in (0, 1]. Default: the model's generation_config.json.
    #[arg(long)]
    top_p: Option<f32>,
    /// Sample among the k most likely tokens; 0 = all. Default: the model's generation_config.json.
    #[arg(long)]
    top_k: Option<usize>,
    /// Seed for sampling; the same seed gives the same reply. Default: from the clock.
    #[arg(long)]
    seed: Option<u64>,
    /// Longest reply; generation also stops at the model's context length.
    #[arg(long, default_value_t = 1024)]
    max_tokens: usize,
    /// A system message to put first.
    #[arg(long)]
    system: Option<String>,
    /// A JSON file with the conversation: [{"role": "user", "content": "…"}, …].
    #[arg(long)]
    messages: Option<PathBuf>,
    /// Where the network runs.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    backend: BackendArg,
    /// The user's message (appended after --messages, if both are given).
    prompt: Option<String>,
}

pub fn run(args: RunArgs) -> Result<()> {
    let messages = conversation(&args)?;
    let mut engine = pollster::block_on(Engine::load(
        &ModelFiles::dir(&args.model),
        args.backend.into(),
    ))?;
    let options = GenerateOptions {
        sampler: sampler_config(&args, &engine.info.generation),
        max_tokens: args.max_tokens,
        enable_thinking: args.no_think.then_some(false),
        forced: Vec::new(),
    };
    let mut gen = engine.start(&messages, options)?;
    let mut out = std::io::stdout().lock();
    let dim = std::io::stdout().is_terminal();
    pollster::block_on(async {
        while let Some(event) = engine.step(&mut gen).await? {
            if args.json {
                let line = serde_json::to_string(&event).map_err(|e| Error::InvalidArgument {
                    name: "event",
                    reason: e.to_string(),
                })?;
                writeln!(out, "{line}").map_err(stdout_error)?;
                continue;
            }
            match &event {
                Event::Prompt { .. } => {}
                Event::Token(t) if t.phase == Phase::Thinking && dim => {
                    write!(out, "\x1b[2m{}\x1b[0m", t.text).map_err(stdout_error)?
                }
                Event::Token(t) => write!(out, "{}", t.text).map_err(stdout_error)?,
                Event::Done(d) => {
                    writeln!(out).map_err(stdout_error)?;
                    eprintln!(
                        "[{:?}: {} tokens, first token {:.0} ms, {:.1} tok/s]",
                        d.reason, d.tokens, d.ttft_ms, d.tok_per_s
                    );
                }
            }
            out.flush().map_err(stdout_error)?;
        }
        Ok(())
    })
}

fn stdout_error(source: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from("<stdout>"),
        source,
    }
}

/// The messages: --system, then the --messages file, then the prompt.
fn conversation(args: &RunArgs) -> Result<Vec<Message>> {
    let mut messages = Vec::new();
    if let Some(system) = &args.system {
        messages.push(Message::new("system", system));
    }
    if let Some(path) = &args.messages {
        let bytes = read_file(path)?;
        let turns: Vec<Message> =
            serde_json::from_slice(&bytes).map_err(|source| Error::InvalidJson {
                file: path.display().to_string(),
                source,
            })?;
        messages.extend(turns);
    }
    if let Some(prompt) = &args.prompt {
        messages.push(Message::new("user", prompt));
    }
    if messages.iter().all(|m| m.role == "system") {
        return Err(Error::InvalidArgument {
            name: "prompt",
            reason: "give a PROMPT or --messages FILE".into(),
        });
    }
    Ok(messages)
}

/// Flags first, then the model's generation_config.json, then transformers' defaults
/// (greedy unless `do_sample`; when sampling: temperature 1, top_k 50, top_p 1).
fn sampler_config(args: &RunArgs, generation: &GenerationConfig) -> SamplerConfig {
    let defaults = generation.sampler_defaults();
    SamplerConfig {
        temperature: args.temperature.unwrap_or(defaults.temperature),
        top_k: args.top_k.unwrap_or(defaults.top_k),
        top_p: args.top_p.unwrap_or(defaults.top_p),
        seed: args.seed.unwrap_or_else(seed_from_clock),
    }
}

fn seed_from_clock() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
