//! The GPU backend: the forward pass of `cpu` as WGSL compute shaders (`shaders/*.wgsl`) through
//! `wgpu` — Vulkan on native (Mesa's lavapipe where there is no GPU), the page's WebGPU in a browser.
//!
//! - [`context`]: instance → adapter → device, limits read and checked, the awaited readback.
//! - [`kernels`]: one per shader file; pipelines labelled by file name, cached by constants.
//! - `state`, `layer`, `buffers`: every buffer, pipeline and bind group, made once at load.
//! - `forward`: the forward pass, step for step the one in `cpu/mod.rs`.
//!
//! Per decoded token: one uniform write (position, token, `keep`), one encoder, one compute pass
//! of 6 dispatches a layer plus 4, one submit, and one readback of 8 + 8·keep bytes — the top
//! `keep` (id, logit) and the log-sum-exp and entropy of the whole vocabulary, reduced on the GPU.
//! `keep` is capped at [`MAX_KEEP`]: a sampler asking for more (temperature > 0 with no top-k)
//! samples among the 64 most likely tokens, which hold all but a negligible share of the mass.
//!
//! Weights stay in their file's dtype: f16 and bf16 are packed two to a `u32` and widened in the
//! shader (exactly, as the CPU does), so no `shader-f16` feature is needed. A tensor larger than
//! the device's `maxStorageBufferBindingSize` fails the load with `Error::BufferTooLarge`.

mod buffers;
pub mod context;
mod forward;
pub mod kernels;
mod layer;
mod state;

pub use context::GpuContext;

use crate::error::Result;
use crate::model::{Config, Tensor, Weights};
use state::State;

/// Most candidates one step returns.
pub const MAX_KEEP: usize = 64;
/// Most tokens one submit prefills: their ids travel in the step's uniform (`embed.wgsl`).
pub const MAX_CHUNK: usize = 64;

#[derive(Clone, Debug)]
pub struct GpuOptions {
    /// Positions the KV cache holds (capped by the model's `max_position_embeddings`); the
    /// engine's context limit follows it. 4096 keeps a real model's cache in hundreds of MB.
    pub max_positions: usize,
    /// Tokens per prefill submit, 1..=MAX_CHUNK (smaller only to test the chunking).
    pub prefill_chunk: usize,
}

impl Default for GpuOptions {
    fn default() -> Self {
        GpuOptions {
            max_positions: 4096,
            prefill_chunk: MAX_CHUNK,
        }
    }
}

/// What the GPU backend has done since the counters were reset: the cost model of a step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// `forward` calls.
    pub forwards: u64,
    pub dispatches: u64,
    pub submits: u64,
    /// Bytes mapped back to the CPU.
    pub readback_bytes: u64,
}

/// A model on the GPU with its KV cache.
pub struct GpuModel {
    pub config: Config,
    ctx: GpuContext,
    state: State,
    options: GpuOptions,
    /// Positions held in the KV cache.
    len: usize,
    counters: Counters,
}

impl GpuModel {
    /// Uploads `weights` and builds every pipeline, buffer and bind group the forward pass uses.
    /// Fails with `BufferTooLarge` naming the first tensor over the device's binding limit.
    pub async fn new(
        ctx: GpuContext,
        config: Config,
        weights: Weights<Tensor>,
        options: GpuOptions,
    ) -> Result<GpuModel> {
        let options = GpuOptions {
            max_positions: options
                .max_positions
                .clamp(1, config.max_position_embeddings),
            prefill_chunk: options.prefill_chunk.clamp(1, MAX_CHUNK),
        };
        // Validation and out-of-memory errors of the load are caught here and returned, rather
        // than reaching wgpu's default handler (which panics).
        let out_of_memory = ctx.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = ctx.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let state = State::new(&ctx, &config, weights, &options);
        let invalid = validation.pop().await;
        let oom = out_of_memory.pop().await;
        let state = state?;
        if let Some(e) = invalid.or(oom) {
            return Err(ctx.error("building the model", e));
        }
        Ok(GpuModel {
            config,
            ctx,
            state,
            options,
            len: 0,
            counters: Counters::default(),
        })
    }

    pub fn context(&self) -> &GpuContext {
        &self.ctx
    }

    /// Positions the KV cache holds: the most a generation may use.
    pub fn max_positions(&self) -> usize {
        self.options.max_positions
    }

    /// Positions currently in the KV cache.
    pub fn cached_len(&self) -> usize {
        self.len
    }

    /// Distinct pipelines built at load (layers share them).
    pub fn pipelines(&self) -> usize {
        self.state.pipelines
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    pub fn reset_counters(&mut self) {
        self.counters = Counters::default();
    }
}
