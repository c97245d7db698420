//! One decoder layer on the GPU: its weights, its KV cache, and a bind group for each dispatch
//! of both paths — a decoded token (fused, 6 dispatches) and a prefill chunk (unfused, tiled).

use super::buffers::{activation, as_f32, concat, upload_f32, upload_tensor};
use super::context::GpuContext;
use super::kernels::{constants, KernelCache, Shader};
use super::state::{dispatch, Activations, Dispatch, Grid};
use crate::error::Result;
use crate::model::weights::LayerWeights;
use crate::model::{Config, Tensor};

/// The dispatches of one layer, named for the step of `CpuModel::forward` they run.
pub(super) struct Layer {
    // Decoding one token: the norms, biases, SwiGLU and residual adds fused into the projections.
    pub attn_in: Dispatch, // rmsnorm_matvec   qkv = rmsnorm(x) · [wq; wk; wv]ᵀ + [bq; bk; bv]
    pub attn_out: Dispatch, // matvec           x += wo · xb2 + bo
    pub ffn_in: Dispatch,  // rmsnorm_gate_up  hb = silu(w_gate · rmsnorm(x)) · (w_up · rmsnorm(x))
    pub ffn_out: Dispatch, // matvec           x += w_down · hb
    // Prefilling a chunk: a 16×16 tile of weights serves 16 tokens, so the steps stay apart.
    pub attn_norm: Dispatch, // rmsnorm   xb = rmsnorm(x)
    pub qkv_proj: Dispatch,  // matmul    qkv = xb · [wq; wk; wv]ᵀ + [bq; bk; bv]
    pub o_proj: Dispatch,    // matmul    x += xb2 · woᵀ + bo
    pub ffn_norm: Dispatch,  // rmsnorm   xb = rmsnorm(x)
    pub gate_proj: Dispatch, // matmul    hb = xb · w_gateᵀ
    pub up_proj: Dispatch,   // matmul    hb2 = xb · w_upᵀ
    pub silu_mul: Dispatch,  // silu_mul  hb = silu(hb) · hb2
    pub down_proj: Dispatch, // matmul    x += hb · w_downᵀ
    // Both paths.
    pub rope: Dispatch, // qk_norm_rope  q/k norms (Qwen3) and RoPE; k and v into the cache
    pub attention: Dispatch, // attention     xb2 from q and the cache
    /// The layer's weights and KV cache, held for as long as the bind groups.
    _buffers: Vec<wgpu::Buffer>,
}

impl Layer {
    /// Uploads layer `l` and binds it to the shared activations `a`.
    pub fn new(
        ctx: &GpuContext,
        kernels: &mut KernelCache,
        c: &Config,
        l: usize,
        lw: LayerWeights<Tensor>,
        a: &Activations,
        positions: usize,
    ) -> Result<Layer> {
        let (hidden, inter, q_dim, kv_dim) =
            (c.hidden_size, c.intermediate_size, c.q_dim(), c.kv_dim());
        let qkv_dim = q_dim + 2 * kv_dim;
        let (heads, kv_heads, head_dim, eps) = (
            c.num_attention_heads,
            c.num_key_value_heads,
            c.head_dim,
            c.rms_norm_eps,
        );
        let name = |what: &str| format!("layers.{l}.{what}");

        // Weights, shaped (out, in) as nn.Linear stores them; q, k and v stacked into one matrix.
        let optional = |t: &Option<Tensor>, what: &str| {
            t.as_ref()
                .map(|t| upload_f32(ctx, &name(what), t))
                .transpose()
        };
        let attn_norm = upload_f32(ctx, &name("attn_norm"), &lw.attn_norm)?; // (hidden)
        let ffn_norm = upload_f32(ctx, &name("ffn_norm"), &lw.ffn_norm)?; // (hidden)
        let wqkv = concat(&[&lw.wq, &lw.wk, &lw.wv]); // (q_dim + 2·kv_dim, hidden)
        let wqkv = upload_tensor(ctx, &name("wq+wk+wv"), &wqkv)?;
        let bqkv = match (&lw.bq, &lw.bk, &lw.bv) {
            // (q_dim + 2·kv_dim): Qwen2, or attention_bias
            (Some(bq), Some(bk), Some(bv)) => Some(concat(&[bq, bk, bv])),
            _ => None,
        };
        let bqkv = optional(&bqkv, "bq+bk+bv")?;
        let wo = upload_tensor(ctx, &name("wo"), &lw.wo)?; // (hidden, q_dim)
        let bo = optional(&lw.bo, "bo")?; // (hidden)
        let q_norm = optional(&lw.q_norm, "q_norm")?; // (head_dim)
        let k_norm = optional(&lw.k_norm, "k_norm")?; // (head_dim)

        // The fused gate/up kernel reads both with one FORMAT.
        let (gate, up) = match lw.w_gate.dtype == lw.w_up.dtype {
            true => (lw.w_gate, lw.w_up),
            false => (as_f32(&lw.w_gate), as_f32(&lw.w_up)),
        };
        let w_gate = upload_tensor(ctx, &name("w_gate"), &gate)?; // (intermediate, hidden)
        let w_up = upload_tensor(ctx, &name("w_up"), &up)?; // (intermediate, hidden)
        let w_down = upload_tensor(ctx, &name("w_down"), &lw.w_down)?; // (hidden, intermediate)
        let plain = wgpu::BufferUsages::empty();
        // The KV cache: (positions, kv_dim) each.
        let key_cache = activation(ctx, &name("key_cache"), positions * kv_dim, plain)?;
        let value_cache = activation(ctx, &name("value_cache"), positions * kv_dim, plain)?;

        let (qkv_bias, o_bias, qk_norm) = (
            bqkv.is_some(),
            bo.is_some(),
            q_norm.is_some() && k_norm.is_some(),
        );
        let or_none = |b: Option<wgpu::Buffer>| b.unwrap_or_else(|| a.none.clone());
        let (bqkv, bo, q_norm, k_norm) =
            (or_none(bqkv), or_none(bo), or_none(q_norm), or_none(k_norm));

        let mut get = |shader, constants: &[(&str, f64)]| kernels.get(ctx, shader, constants);
        let rows = |n: usize| Grid::rows(n, ctx);
        // 1/√head_dim in f32, as the CPU computes it.
        let scale = 1.0 / (head_dim as f32).sqrt();
        let tiles = |n: usize| Grid::TokenTiles(n.div_ceil(16) as u32);
        let rmsnorm = get(Shader::Rmsnorm, &constants!(K = hidden, EPS = eps));
        let matvec = |k: usize, n: usize, bias: bool, format: u32| {
            constants!(K = k, N = n, BIAS = bias, FORMAT = format)
        };
        let matmul = |k: usize, n: usize, bias: bool, residual: bool, format: u32| {
            constants!(
                K = k,
                N = n,
                BIAS = bias,
                RESIDUAL = residual,
                FORMAT = format
            )
        };
        let layer = Layer {
            attn_in: dispatch(
                ctx,
                get(
                    Shader::RmsnormMatvec,
                    &constants!(
                        K = hidden,
                        N = qkv_dim,
                        EPS = eps,
                        BIAS = qkv_bias,
                        FORMAT = wqkv.format
                    ),
                ),
                &name("attn_in"),
                &[&a.params, &a.x, &attn_norm, &wqkv.buffer, &bqkv, &a.qkv],
                rows(qkv_dim),
            ),
            attn_out: dispatch(
                ctx,
                get(Shader::Matvec, &matvec(q_dim, hidden, o_bias, wo.format)),
                &name("attn_out"),
                &[&a.xb2, &wo.buffer, &bo, &a.x],
                rows(hidden),
            ),
            ffn_in: dispatch(
                ctx,
                get(
                    Shader::RmsnormGateUp,
                    &constants!(K = hidden, N = inter, EPS = eps, FORMAT = w_gate.format),
                ),
                &name("ffn_in"),
                &[&a.x, &ffn_norm, &w_gate.buffer, &w_up.buffer, &a.hb],
                rows(inter),
            ),
            ffn_out: dispatch(
                ctx,
                get(Shader::Matvec, &matvec(inter, hidden, false, w_down.format)),
                &name("ffn_out"),
                &[&a.hb, &w_down.buffer, &a.none, &a.x],
                rows(hidden),
            ),
            attn_norm: dispatch(
                ctx,
                rmsnorm.clone(),
                &name("attn_norm"),
                &[&a.x, &attn_norm, &a.xb],
                Grid::Tokens,
            ),
            qkv_proj: dispatch(
                ctx,
                get(
                    Shader::Matmul,
                    &matmul(hidden, qkv_dim, qkv_bias, false, wqkv.format),
                ),
                &name("qkv_proj"),
                &[&a.params, &a.xb, &wqkv.buffer, &bqkv, &a.qkv],
                tiles(qkv_dim),
            ),
            o_proj: dispatch(
                ctx,
                get(
                    Shader::Matmul,
                    &matmul(q_dim, hidden, o_bias, true, wo.format),
                ),
                &name("o_proj"),
                &[&a.params, &a.xb2, &wo.buffer, &bo, &a.x],
                tiles(hidden),
            ),
            ffn_norm: dispatch(
                ctx,
                rmsnorm,
                &name("ffn_norm"),
                &[&a.x, &ffn_norm, &a.xb],
                Grid::Tokens,
            ),
            gate_proj: dispatch(
                ctx,
                get(
                    Shader::Matmul,
                    &matmul(hidden, inter, false, false, w_gate.format),
                ),
                &name("gate_proj"),
                &[&a.params, &a.xb, &w_gate.buffer, &a.none, &a.hb],
                tiles(inter),
            ),
            up_proj: dispatch(
                ctx,
                get(
                    Shader::Matmul,
                    &matmul(hidden, inter, false, false, w_up.format),
                ),
                &name("up_proj"),
                &[&a.params, &a.xb, &w_up.buffer, &a.none, &a.hb2],
                tiles(inter),
            ),
            silu_mul: dispatch(
                ctx,
                get(Shader::SiluMul, &constants!(N = inter)),
                &name("silu_mul"),
                &[&a.params, &a.hb, &a.hb2],
                Grid::elements(inter, ctx),
            ),
            down_proj: dispatch(
                ctx,
                get(
                    Shader::Matmul,
                    &matmul(inter, hidden, false, true, w_down.format),
                ),
                &name("down_proj"),
                &[&a.params, &a.hb, &w_down.buffer, &a.none, &a.x],
                tiles(hidden),
            ),
            rope: dispatch(
                ctx,
                get(
                    Shader::QkNormRope,
                    &constants!(
                        N_HEADS = heads,
                        N_KV_HEADS = kv_heads,
                        HEAD_DIM = head_dim,
                        EPS = eps,
                        QK_NORM = qk_norm
                    ),
                ),
                &name("rope"),
                &[
                    &a.params,
                    &a.qkv,
                    &q_norm,
                    &k_norm,
                    &a.inv_freq,
                    &key_cache,
                    &value_cache,
                ],
                Grid::PerToken((heads + kv_heads) as u32),
            ),
            attention: dispatch(
                ctx,
                get(
                    Shader::Attention,
                    &constants!(
                        N_HEADS = heads,
                        N_KV_HEADS = kv_heads,
                        HEAD_DIM = head_dim,
                        SCALE = scale
                    ),
                ),
                &name("attention"),
                &[&a.params, &a.qkv, &key_cache, &value_cache, &a.xb2],
                Grid::PerToken(heads as u32),
            ),
            _buffers: vec![],
        };
        let buffers = [
            attn_norm,
            ffn_norm,
            wqkv.buffer,
            bqkv,
            wo.buffer,
            bo,
            q_norm,
            k_norm,
        ];
        let buffers = buffers.into_iter().chain([
            w_gate.buffer,
            w_up.buffer,
            w_down.buffer,
            key_cache,
            value_cache,
        ]);
        Ok(Layer {
            _buffers: buffers.collect(),
            ..layer
        })
    }
}
