//! A loaded model ready to generate: its files' meaning (`ModelInfo`) plus a backend that runs the
//! network. The generate loop (`generate.rs`) is written once against the `Backend` trait.

use crate::cpu::CpuModel;
use crate::error::{Error, Result};
use crate::gpu::{Counters, GpuContext, GpuModel, GpuOptions};
#[cfg(not(target_arch = "wasm32"))]
use crate::model::Message;
use crate::model::{ModelFiles, ModelInfo, Weights};
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

/// Summarises on the GPU and reads back a few hundred bytes: at most `gpu::MAX_KEEP` candidates.
impl Backend for GpuModel {
    async fn forward(&mut self, tokens: &[u32], start: usize, keep: usize) -> Result<Distribution> {
        GpuModel::forward(self, tokens, start, keep).await
    }
}

/// Where to run the network (`--backend`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    Cpu,
    Gpu,
    /// A hardware GPU when there is one, else the CPU. A software adapter (lavapipe, SwiftShader)
    /// does not count: it computes the same numbers as the CPU backend, more slowly.
    Auto,
}

/// The backend chosen at run time, so one `Engine` type serves `--backend cpu|gpu|auto`.
// One per engine, made once: the variants' sizes (a few hundred bytes apart) do not matter.
#[allow(clippy::large_enum_variant)]
pub enum AnyBackend {
    Cpu(CpuModel),
    Gpu(GpuModel),
}

impl AnyBackend {
    pub fn name(&self) -> &'static str {
        match self {
            AnyBackend::Cpu(_) => "cpu",
            AnyBackend::Gpu(_) => "gpu",
        }
    }

    /// Dispatches, submits and readback bytes since the last reset (all zero on the CPU).
    pub fn counters(&self) -> Counters {
        match self {
            AnyBackend::Cpu(_) => Counters::default(),
            AnyBackend::Gpu(gpu) => gpu.counters(),
        }
    }

    pub fn reset_counters(&mut self) {
        if let AnyBackend::Gpu(gpu) = self {
            gpu.reset_counters();
        }
    }
}

impl Backend for AnyBackend {
    async fn forward(&mut self, tokens: &[u32], start: usize, keep: usize) -> Result<Distribution> {
        match self {
            AnyBackend::Cpu(cpu) => Backend::forward(cpu, tokens, start, keep).await,
            AnyBackend::Gpu(gpu) => gpu.forward(tokens, start, keep).await,
        }
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

impl Engine<GpuModel> {
    /// Loads a model for the GPU backend on the best adapter found. Async because requesting an
    /// adapter and a device is (in a browser it cannot block); native callers use `pollster`.
    pub async fn load_gpu(files: &ModelFiles, options: GpuOptions) -> Result<Engine<GpuModel>> {
        let info = ModelInfo::load(files)?;
        let weights = Weights::load(files, &info.config)?;
        let ctx = GpuContext::new().await?;
        let backend = GpuModel::new(ctx, info.config.clone(), weights, options).await?;
        let mut engine = Engine::new(info, backend);
        engine.context_limit = engine.context_limit.min(engine.backend.max_positions());
        Ok(engine)
    }
}

impl Engine<AnyBackend> {
    /// Loads a model for the backend `choice` names (see [`BackendChoice`]).
    pub async fn load(files: &ModelFiles, choice: BackendChoice) -> Result<Engine<AnyBackend>> {
        let info = ModelInfo::load(files)?;
        let weights = Weights::load(files, &info.config)?;
        let ctx = match choice {
            BackendChoice::Cpu => None,
            BackendChoice::Gpu => Some(GpuContext::new().await?),
            BackendChoice::Auto => match GpuContext::new().await {
                Ok(ctx) if !ctx.is_software() => Some(ctx),
                Ok(_) | Err(Error::NoGpuAdapter { .. }) => None,
                Err(e) => return Err(e),
            },
        };
        let backend = match ctx {
            Some(ctx) => AnyBackend::Gpu(
                GpuModel::new(ctx, info.config.clone(), weights, GpuOptions::default()).await?,
            ),
            None => AnyBackend::Cpu(CpuModel::new(info.config.clone(), weights)),
        };
        let mut engine = Engine::new(info, backend);
        if let AnyBackend::Gpu(gpu) = &engine.backend {
            engine.context_limit = engine.context_limit.min(gpu.max_positions());
        }
        Ok(engine)
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
    #[cfg(not(target_arch = "wasm32"))]
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
