//! A loaded model ready to generate: its files' meaning (`ModelInfo`) plus a backend that runs the
//! network. The generate loop (`generate.rs`) is written once against the `Backend` trait.

use crate::cpu::CpuModel;
use crate::error::{Error, Result};
use crate::model::{Message, ModelFiles, ModelInfo, Weights};
use crate::sampler::Distribution;

/// Something that runs the network. `forward` is async so that a GPU backend can await its
/// readback without blocking (a browser forbids blocking waits).
#[allow(async_fn_in_trait)]
pub trait Backend {
    /// Runs `tokens` at positions `start..`, reusing cached positions before `start`, and
    /// summarises the distribution at the last position, keeping `keep` candidates.
    async fn forward(&mut self, tokens: &[u32], start: usize, keep: usize) -> Result<Distribution>;
}

impl Backend for CpuModel {
    async fn forward(&mut self, tokens: &[u32], start: usize, keep: usize) -> Result<Distribution> {
        let logits = CpuModel::forward(self, tokens, start, false)?;
        Ok(Distribution::from_logits(logits, keep))
    }
}

pub struct Engine<B> {
    pub info: ModelInfo,
    pub backend: B,
    /// Most positions (prompt + generated) a generation may use.
    pub context_limit: usize,
}

impl Engine<CpuModel> {
    /// Loads a model folder (or in-memory files) for the CPU backend.
    pub fn load_cpu(files: &ModelFiles) -> Result<Engine<CpuModel>> {
        let info = ModelInfo::load(files)?;
        let weights = Weights::load(files, &info.config)?;
        let backend = CpuModel::new(info.config.clone(), weights);
        Ok(Engine::new(info, backend))
    }
}

impl<B: Backend> Engine<B> {
    pub fn new(info: ModelInfo, backend: B) -> Engine<B> {
        let context_limit = info.config.max_position_embeddings;
        Engine {
            info,
            backend,
            context_limit,
        }
    }

    /// The prompt for a conversation, rendered by the model's chat template with the assistant
    /// turn opened, and its token ids (no extra special tokens: the template wrote them all).
    pub fn prompt(
        &self,
        messages: &[Message],
        enable_thinking: Option<bool>,
    ) -> Result<(String, Vec<u32>)> {
        if messages.is_empty() {
            return Err(Error::InvalidArgument {
                name: "messages",
                reason: "the conversation is empty".into(),
            });
        }
        let text = self.info.chat.render(messages, true, enable_thinking)?;
        let ids = self.info.tokenizer.encode(&text, false)?;
        Ok((text, ids))
    }
}
