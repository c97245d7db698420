//! The generate loop, written once for every backend and target: a `Generation` holds the state of
//! one reply, and each `Engine::step` call advances it by one event. Native code drives it with
//! `pollster`; the browser worker awaits it between messages, which is also where a cancel lands.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;

use crate::clock::now_ms;
use crate::engine::{Backend, Engine};
use crate::error::{Error, Result};
#[cfg(not(target_arch = "wasm32"))]
use crate::model::Message;
use crate::model::StreamDecoder;
use crate::reasoning::{Phase, ReasoningTracker};
use crate::sampler::{Distribution, Sampler, SamplerConfig, TOP_ALTERNATIVES};

#[derive(Clone, Debug)]
pub struct GenerateOptions {
    pub sampler: SamplerConfig,
    /// Most tokens to generate (the eos token is not counted, nor emitted).
    pub max_tokens: usize,
    /// For [`Engine::start`], which renders the chat template: `None` leaves the template's
    /// default. A prompt given as text ([`Engine::start_text`]) was rendered already.
    pub enable_thinking: Option<bool>,
    /// Tokens to take instead of sampling for the first steps, e.g. to replay a reply up to a
    /// branch point and force another token there. Their events carry the model's probabilities.
    pub forced: Vec<u32>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            sampler: SamplerConfig::default(),
            max_tokens: 512,
            enable_thinking: None,
            forced: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum Event {
    Prompt { text: String, ids: Vec<u32> },
    Token(TokenEvent),
    Done(DoneEvent),
}

#[derive(Clone, Debug, Serialize)]
pub struct TokenEvent {
    pub index: usize,
    pub id: u32,
    /// The text this token completes; empty while a multi-byte character is still incomplete.
    pub text: String,
    pub phase: Phase,
    /// Probability of this token under the model's own distribution (before temperature/top-p).
    pub prob: f32,
    /// Entropy of that distribution, in nats.
    pub entropy: f32,
    pub top: Vec<Alternative>,
    /// Time since the previous event (for the first token: the whole prompt's prefill).
    pub ms: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Alternative {
    pub id: u32,
    pub text: String,
    pub prob: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StopReason {
    Eos,
    Length,
    Cancelled,
}

#[derive(Clone, Debug, Serialize)]
pub struct DoneEvent {
    pub reason: StopReason,
    pub tokens: usize,
    pub prompt_tokens: usize,
    pub thinking: String,
    pub answer: String,
    pub ttft_ms: f64,
    /// Decode speed: tokens after the first over the time after the first.
    pub tok_per_s: f64,
}

/// Cancels a generation from elsewhere (a Ctrl-C handler, the page's stop button).
#[derive(Clone, Default)]
pub struct CancelHandle(Arc<AtomicBool>);

impl CancelHandle {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

enum Stage {
    Prompt,
    Running,
    Finished,
}

/// The state of one reply.
pub struct Generation {
    prompt_text: String,
    prompt_ids: Vec<u32>,
    options: GenerateOptions,
    sampler: Sampler,
    decoder: StreamDecoder,
    tracker: ReasoningTracker,
    cancel: CancelHandle,
    stage: Stage,
    /// Tokens generated so far (eos excluded).
    generated: Vec<u32>,
    thinking: String,
    answer: String,
    started_ms: f64,
    last_event_ms: f64,
    first_token_ms: Option<f64>,
}

impl Generation {
    pub fn cancel_handle(&self) -> CancelHandle {
        self.cancel.clone()
    }
}

impl<B: Backend> Engine<B> {
    /// Prepares a reply to `messages`; nothing runs until the first `step`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn start(&self, messages: &[Message], options: GenerateOptions) -> Result<Generation> {
        let (text, ids) = self.prompt(messages, options.enable_thinking)?;
        self.start_from_ids(text, ids, options)
    }

    /// Prepares a reply to a prompt already rendered by the chat template (the page renders it
    /// in JS, `www/chat.js`); its special tokens are written in it, none are added.
    pub fn start_text(&self, prompt_text: String, options: GenerateOptions) -> Result<Generation> {
        let ids = self.info.tokenizer.encode(&prompt_text, false)?;
        self.start_from_ids(prompt_text, ids, options)
    }

    /// Prepares a reply to an already tokenized prompt.
    pub fn start_from_ids(
        &self,
        prompt_text: String,
        prompt_ids: Vec<u32>,
        options: GenerateOptions,
    ) -> Result<Generation> {
        if prompt_ids.is_empty() {
            return Err(Error::InvalidArgument {
                name: "prompt",
                reason: "the prompt has no tokens".into(),
            });
        }
        if prompt_ids.len() >= self.context_limit {
            return Err(Error::PromptTooLong {
                tokens: prompt_ids.len(),
                limit: self.context_limit,
            });
        }
        let vocab_size = self.info.config.vocab_size;
        if let Some(&id) = prompt_ids
            .iter()
            .chain(&options.forced)
            .find(|&&id| id as usize >= vocab_size)
        {
            return Err(Error::TokenOutOfRange { id, vocab_size });
        }
        let tokenizer = &self.info.tokenizer;
        let context = &prompt_ids[prompt_ids.len().saturating_sub(4)..];
        Ok(Generation {
            sampler: Sampler::new(options.sampler.clone())?,
            decoder: StreamDecoder::with_context(context),
            tracker: ReasoningTracker::new(tokenizer, &prompt_ids),
            cancel: CancelHandle::default(),
            stage: Stage::Prompt,
            generated: Vec::new(),
            thinking: String::new(),
            answer: String::new(),
            started_ms: 0.0,
            last_event_ms: 0.0,
            first_token_ms: None,
            prompt_text,
            prompt_ids,
            options,
        })
    }

    /// The next event of `gen`: first the prompt, then one per token, then `Done`, then `None`.
    pub async fn step(&mut self, gen: &mut Generation) -> Result<Option<Event>> {
        match gen.stage {
            Stage::Prompt => {
                gen.stage = Stage::Running;
                gen.started_ms = now_ms();
                gen.last_event_ms = gen.started_ms;
                Ok(Some(Event::Prompt {
                    text: gen.prompt_text.clone(),
                    ids: gen.prompt_ids.clone(),
                }))
            }
            Stage::Finished => Ok(None),
            Stage::Running => {
                let position = gen.prompt_ids.len() + gen.generated.len();
                if gen.cancel.is_cancelled() {
                    return self.finish(gen, StopReason::Cancelled).map(Some);
                }
                if gen.generated.len() >= gen.options.max_tokens || position >= self.context_limit {
                    return self.finish(gen, StopReason::Length).map(Some);
                }
                let keep = gen
                    .sampler
                    .config()
                    .candidates_needed(self.info.config.vocab_size);
                let dist = match gen.generated.last() {
                    None => self.backend.forward(&gen.prompt_ids, 0, keep).await?,
                    Some(&last) => self.backend.forward(&[last], position - 1, keep).await?,
                };
                let index = gen.generated.len();
                let forced = gen.options.forced.get(index).copied();
                let id = forced.unwrap_or_else(|| gen.sampler.sample(&dist));
                if self.info.eos_token_ids.contains(&id) {
                    return self.finish(gen, StopReason::Eos).map(Some);
                }
                self.token_event(gen, &dist, id, forced.is_some()).map(Some)
            }
        }
    }

    fn token_event(
        &self,
        gen: &mut Generation,
        dist: &Distribution,
        id: u32,
        forced: bool,
    ) -> Result<Event> {
        let tokenizer = &self.info.tokenizer;
        let text = gen.decoder.push(tokenizer, id)?;
        let phase = gen.tracker.observe(id);
        if !gen.tracker.is_tag(id) {
            match phase {
                Phase::Thinking => gen.thinking.push_str(&text),
                Phase::Answer => gen.answer.push_str(&text),
            }
        }
        let top = dist.candidates[..TOP_ALTERNATIVES.min(dist.candidates.len())]
            .iter()
            .map(|&(alt, logit)| {
                Ok(Alternative {
                    id: alt,
                    text: tokenizer.decode(&[alt])?,
                    prob: dist.prob(logit),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let now = now_ms();
        gen.first_token_ms.get_or_insert(now);
        let ms = now - gen.last_event_ms;
        gen.last_event_ms = now;
        gen.generated.push(id);
        Ok(Event::Token(TokenEvent {
            index: gen.generated.len() - 1,
            id,
            text,
            phase,
            // A forced token outside the candidates has no known logit; 0 says "not considered".
            prob: dist.logit_of(id).map_or(0.0, |l| dist.prob(l)),
            entropy: dist.entropy,
            top,
            ms,
            forced,
        }))
    }

    fn finish(&self, gen: &mut Generation, reason: StopReason) -> Result<Event> {
        gen.stage = Stage::Finished;
        let rest = gen.decoder.flush(&self.info.tokenizer)?;
        match gen.tracker.phase() {
            Phase::Thinking => gen.thinking.push_str(&rest),
            Phase::Answer => gen.answer.push_str(&rest),
        }
        let now = now_ms();
        let tokens = gen.generated.len();
        let (ttft_ms, tok_per_s) = match gen.first_token_ms {
            Some(first) if tokens > 1 && now > first => (
                first - gen.started_ms,
                (tokens - 1) as f64 * 1000.0 / (now - first),
            ),
            Some(first) => (first - gen.started_ms, 0.0),
            None => (0.0, 0.0),
        };
        Ok(Event::Done(DoneEvent {
            reason,
            tokens,
            prompt_tokens: gen.prompt_ids.len(),
            thinking: gen.thinking.trim().to_string(),
            answer: gen.answer.trim().to_string(),
            ttft_ms,
            tok_per_s,
        }))
    }
}
