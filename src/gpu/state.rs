//! Everything the GPU forward pass touches, made once at load: the activations (the CPU's
//! `RunState`), the layers (src/gpu/layer.rs), the head and the summary, with a pipeline and a
//! bind group for every dispatch. A step only writes the uniform and replays these.

use std::sync::Arc;

use super::buffers::{activation, f32_bytes, upload, upload_f32, upload_tensor, GpuTensor};
use super::context::GpuContext;
use super::kernels::{constants, Kernel, KernelCache, Shader};
use super::layer::Layer;
use super::{GpuOptions, MAX_CHUNK, MAX_KEEP};
use crate::cpu::rope::Rope;
use crate::error::{Error, Result};
use crate::model::{Config, Tensor, Weights};

/// Logits per workgroup of topk_partial.wgsl.
const TOPK_BLOCK: usize = 4096;
/// The step's uniform: start, t, keep, padding, then MAX_CHUNK token ids (`Params` in embed.wgsl).
const PARAMS_BYTES: u64 = (4 + MAX_CHUNK as u64) * 4;
/// The result of a step: log-sum-exp, entropy, then (id, logit) × keep, as u32 words.
pub(super) const RESULT_BYTES: u64 = (2 + 2 * MAX_KEEP as u64) * 4;
/// Largest head attention.wgsl holds in workgroup memory.
const MAX_HEAD_DIM: usize = 256;

/// One dispatch of the forward pass: a pipeline, its buffers, and its grid.
pub(super) struct Dispatch {
    pub kernel: Arc<Kernel>,
    pub bind_group: wgpu::BindGroup,
    pub grid: Grid,
}

pub(super) fn dispatch(
    ctx: &GpuContext,
    kernel: Arc<Kernel>,
    label: &str,
    buffers: &[&wgpu::Buffer],
    grid: Grid,
) -> Dispatch {
    let bind_group = kernel.bind(ctx, label, buffers);
    Dispatch {
        kernel,
        bind_group,
        grid,
    }
}

/// The workgroups of a dispatch, for a step of T tokens.
#[derive(Clone, Copy)]
pub(super) enum Grid {
    /// The same whatever the step.
    Fixed(u32, u32),
    /// x workgroups for every token: (x, T).
    PerToken(u32),
    /// One workgroup per token: (T, 1).
    Tokens,
    /// x column tiles for every 16 tokens: (x, ceil(T / 16)).
    TokenTiles(u32),
    /// One workgroup of 64 for every 64 of T · `per_token` elements, spread over (x, y).
    Elements { per_token: u32, max_x: u32 },
}

impl Grid {
    /// One workgroup per row, spread over (x, y) past the per-dimension limit (65535 in WebGPU):
    /// a vocabulary of 150k rows needs it.
    pub fn rows(n: usize, ctx: &GpuContext) -> Grid {
        let (x, y) = spread(n as u32, ctx.limits.max_compute_workgroups_per_dimension);
        Grid::Fixed(x, y)
    }

    pub fn elements(per_token: usize, ctx: &GpuContext) -> Grid {
        Grid::Elements {
            per_token: per_token as u32,
            max_x: ctx.limits.max_compute_workgroups_per_dimension,
        }
    }

    pub fn size(self, t: u32) -> (u32, u32) {
        match self {
            Grid::Fixed(x, y) => (x, y),
            Grid::PerToken(x) => (x, t),
            Grid::Tokens => (t, 1),
            Grid::TokenTiles(x) => (x, t.div_ceil(16)),
            Grid::Elements { per_token, max_x } => spread((t * per_token).div_ceil(64), max_x),
        }
    }
}

/// `groups` workgroups as (x, y) with x within the limit; the shaders rebuild the index as
/// x + y · width and skip the few past the end.
fn spread(groups: u32, max_x: u32) -> (u32, u32) {
    let x = groups.clamp(1, max_x);
    (x, groups.div_ceil(x))
}

/// The activations of `RunState` (src/cpu/mod.rs), sized for the largest chunk, and what every
/// layer shares.
pub(super) struct Activations {
    pub params: wgpu::Buffer, // (PARAMS_BYTES) uniform: start, t, keep, token ids
    pub x: wgpu::Buffer,      // (T, hidden)    residual stream
    pub xb: wgpu::Buffer,     // (T, hidden)    normed input (prefill)
    pub qkv: wgpu::Buffer,    // (T, q_dim + 2·kv_dim) the CPU's q, k, v: each row [q | k | v]
    pub xb2: wgpu::Buffer,    // (T, q_dim)     attention output, before o_proj
    pub hb: wgpu::Buffer,     // (T, intermediate) gate, then silu(gate) · up
    pub hb2: wgpu::Buffer,    // (T, intermediate) up (prefill)
    pub logits: wgpu::Buffer, // (vocab)        the last position only
    pub block_stats: wgpu::Buffer, // (blocks, 4)    per 4096 logits: max, Σ e, Σ e·(l − max)
    pub block_top: wgpu::Buffer, // (blocks, MAX_KEEP, 2) per 4096 logits: best (id, logit)
    pub result: wgpu::Buffer, // (RESULT_BYTES) lse, entropy, (id, logit) × keep
    pub readback: wgpu::Buffer, // (RESULT_BYTES) MAP_READ copy of result
    pub inv_freq: wgpu::Buffer, // (head_dim / 2) RoPE frequencies, scaling applied
    pub none: wgpu::Buffer,   // (4) bound where a model lacks a tensor; never read
}

pub(super) struct State {
    pub a: Activations,
    pub embed: Dispatch,
    pub layers: Vec<Layer>,
    pub lm_head: Dispatch,
    pub topk_partial: Dispatch,
    pub topk_merge: Dispatch,
    /// Distinct pipelines built.
    pub pipelines: usize,
    /// embed, the final norm and lm_head, held for as long as the bind groups.
    _weights: Vec<wgpu::Buffer>,
}

impl State {
    pub fn new(
        ctx: &GpuContext,
        c: &Config,
        weights: Weights<Tensor>,
        options: &GpuOptions,
    ) -> Result<State> {
        if c.head_dim > MAX_HEAD_DIM {
            return Err(Error::Gpu {
                reason: format!(
                    "head_dim {} is more than attention.wgsl holds ({MAX_HEAD_DIM})",
                    c.head_dim
                ),
            });
        }
        let (hidden, vocab, chunk) = (c.hidden_size, c.vocab_size, MAX_CHUNK);
        let blocks = vocab.div_ceil(TOPK_BLOCK);
        let plain = wgpu::BufferUsages::empty();
        let copied = wgpu::BufferUsages::COPY_SRC;
        let a = Activations {
            params: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("params"),
                size: PARAMS_BYTES,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            x: activation(ctx, "x", chunk * hidden, plain)?,
            xb: activation(ctx, "xb", chunk * hidden, plain)?,
            qkv: activation(ctx, "qkv", chunk * (c.q_dim() + 2 * c.kv_dim()), plain)?,
            xb2: activation(ctx, "xb2", chunk * c.q_dim(), plain)?,
            hb: activation(ctx, "hb", chunk * c.intermediate_size, plain)?,
            hb2: activation(ctx, "hb2", chunk * c.intermediate_size, plain)?,
            logits: activation(ctx, "logits", vocab, copied)?,
            block_stats: activation(ctx, "block_stats", blocks * 4, plain)?,
            block_top: activation(ctx, "block_top", blocks * MAX_KEEP * 2, plain)?,
            result: activation(ctx, "result", RESULT_BYTES as usize / 4, copied)?,
            readback: ctx.device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("readback"),
                size: RESULT_BYTES,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            inv_freq: upload(ctx, "inv_freq", &f32_bytes(Rope::new(c).inv_freq()))?,
            none: upload(ctx, "none", &[0; 16])?,
        };
        let mut kernels = KernelCache::default();
        let Weights {
            embed,
            layers,
            norm,
            lm_head,
        } = weights;

        // Token embeddings (vocab, hidden), gathered into x.
        let embed = upload_tensor(ctx, "embed", &embed)?;
        let embed_dispatch = dispatch(
            ctx,
            kernels.get(
                ctx,
                Shader::Embed,
                &constants!(HIDDEN = hidden, FORMAT = embed.format),
            ),
            "embed",
            &[&a.params, &embed.buffer, &a.x],
            Grid::PerToken(hidden.div_ceil(64) as u32),
        );
        let layers = layers
            .into_iter()
            .enumerate()
            .map(|(l, lw)| Layer::new(ctx, &mut kernels, c, l, lw, &a, options.max_positions))
            .collect::<Result<Vec<_>>>()?;

        // Final norm and the language-model head (the embedding when tied), then the summary.
        let norm = upload_f32(ctx, "norm", &norm)?; // (hidden)
        let head = match &lm_head {
            Some(t) => upload_tensor(ctx, "lm_head", t)?, // (vocab, hidden)
            None => GpuTensor {
                buffer: embed.buffer.clone(),
                format: embed.format,
            },
        };
        let head_constants = constants!(
            K = hidden,
            N = vocab,
            EPS = c.rms_norm_eps,
            BIAS = false,
            FORMAT = head.format
        );
        let lm_head = dispatch(
            ctx,
            kernels.get(ctx, Shader::RmsnormMatvec, &head_constants),
            "lm_head",
            &[&a.params, &a.x, &norm, &head.buffer, &a.none, &a.logits],
            Grid::rows(vocab, ctx),
        );
        let topk_partial = dispatch(
            ctx,
            kernels.get(ctx, Shader::TopkPartial, &constants!(VOCAB = vocab)),
            "topk_partial",
            &[&a.params, &a.logits, &a.block_stats, &a.block_top],
            Grid::Fixed(blocks as u32, 1),
        );
        let topk_merge = dispatch(
            ctx,
            kernels.get(ctx, Shader::TopkMerge, &constants!(BLOCKS = blocks)),
            "topk_merge",
            &[&a.params, &a.block_stats, &a.block_top, &a.result],
            Grid::Fixed(1, 1),
        );
        Ok(State {
            a,
            embed: embed_dispatch,
            layers,
            lm_head,
            topk_partial,
            topk_merge,
            pipelines: kernels.len(),
            _weights: vec![embed.buffer, norm, head.buffer],
        })
    }
}
