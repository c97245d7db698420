//! `tiny-reasoner bench`: how fast a backend prefills and decodes, and what one decoded token
//! costs it (dispatches, submits, bytes read back). It drives the backend through the same
//! `Backend::forward` calls the generate loop makes, greedy, with the candidates greedy asks for.

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;
use tiny_reasoner::clock::now_ms;
use tiny_reasoner::sampler::SamplerConfig;
use tiny_reasoner::{AnyBackend, Backend, Engine, Error, ModelFiles, Result};

use super::BackendArg;

#[derive(Args)]
pub struct BenchArgs {
    /// Model folder in Hugging Face layout.
    #[arg(long)]
    model: PathBuf,
    /// Where the network runs.
    #[arg(long, value_enum, default_value_t = BackendArg::Auto)]
    backend: BackendArg,
    /// One JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// Prompt length in tokens (an English paragraph, repeated as needed).
    #[arg(long, default_value_t = 64)]
    prompt_tokens: usize,
    /// Tokens decoded after the prompt.
    #[arg(long, default_value_t = 64)]
    tokens: usize,
}

#[derive(Serialize)]
struct Report {
    backend: &'static str,
    device: String,
    model: String,
    layers: usize,
    prompt_tokens: usize,
    tokens: usize,
    prefill_tok_per_s: f64,
    decode_tok_per_s: f64,
    /// The prompt's forward pass up to the first token's distribution.
    ttft_ms: f64,
    dispatches_per_token: f64,
    submits_per_token: f64,
    readback_bytes_per_token: f64,
}

const TEXT: &str =
    "A tiny model thinks out loud: it reads the problem, writes down what it knows, \
    works through each step in order, checks the result against the question, and only then \
    gives the answer. ";

pub fn bench(args: BenchArgs) -> Result<()> {
    if args.prompt_tokens == 0 || args.tokens == 0 {
        return Err(Error::InvalidArgument {
            name: "bench",
            reason: "--prompt-tokens and --tokens must be at least 1".into(),
        });
    }
    let mut engine = pollster::block_on(Engine::load(
        &ModelFiles::dir(&args.model),
        args.backend.into(),
    ))?;
    let needed = args.prompt_tokens + args.tokens;
    if needed > engine.context_limit {
        return Err(Error::PromptTooLong {
            tokens: needed,
            limit: engine.context_limit,
        });
    }
    let mut prompt = Vec::new();
    let paragraph = engine.info.tokenizer.encode(TEXT, false)?;
    while prompt.len() < args.prompt_tokens {
        prompt.extend_from_slice(&paragraph);
    }
    prompt.truncate(args.prompt_tokens);
    // What the generate loop asks for when decoding greedily (the alternatives of a token event).
    let keep = SamplerConfig::default().candidates_needed(engine.info.config.vocab_size);

    let report = pollster::block_on(async {
        let backend = &mut engine.backend;
        // Warm-up, not timed: first submits, allocations, caches.
        let warm = &prompt[..prompt.len().min(8)];
        let dist = backend.forward(warm, 0, keep).await?;
        backend
            .forward(&[dist.candidates[0].0], warm.len(), keep)
            .await?;

        let started = now_ms();
        let mut dist = backend.forward(&prompt, 0, keep).await?;
        let ttft_ms = now_ms() - started;

        backend.reset_counters();
        let started = now_ms();
        for step in 0..args.tokens {
            let next = dist.candidates[0].0;
            dist = backend.forward(&[next], prompt.len() + step, keep).await?;
        }
        let decode_ms = now_ms() - started;
        let counters = backend.counters();
        let per_token = |n: u64| n as f64 / args.tokens as f64;
        Ok::<_, Error>(Report {
            backend: backend.name(),
            device: match &*backend {
                AnyBackend::Cpu(_) => format!(
                    "CPU, {} threads",
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                ),
                AnyBackend::Gpu(gpu) => gpu.context().describe(),
            },
            model: args.model.display().to_string(),
            layers: engine.info.config.num_hidden_layers,
            prompt_tokens: prompt.len(),
            tokens: args.tokens,
            prefill_tok_per_s: prompt.len() as f64 * 1000.0 / ttft_ms.max(1e-6),
            decode_tok_per_s: args.tokens as f64 * 1000.0 / decode_ms.max(1e-6),
            ttft_ms,
            dispatches_per_token: per_token(counters.dispatches),
            submits_per_token: per_token(counters.submits),
            readback_bytes_per_token: per_token(counters.readback_bytes),
        })
    })?;

    if args.json {
        let line = serde_json::to_string(&report).map_err(|e| Error::InvalidArgument {
            name: "report",
            reason: e.to_string(),
        })?;
        println!("{line}");
    } else {
        println!("backend            {} — {}", report.backend, report.device);
        println!(
            "model              {} ({} layers)",
            report.model, report.layers
        );
        println!(
            "prefill            {:.1} tok/s ({} tokens)",
            report.prefill_tok_per_s, report.prompt_tokens
        );
        println!("time to 1st token  {:.1} ms", report.ttft_ms);
        println!(
            "decode             {:.1} tok/s ({} tokens)",
            report.decode_tok_per_s, report.tokens
        );
        println!(
            "per decoded token  {:.1} dispatches, {:.1} submits, {:.0} bytes read back",
            report.dispatches_per_token, report.submits_per_token, report.readback_bytes_per_token
        );
    }
    Ok(())
}
