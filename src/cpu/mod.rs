//! The reference forward pass, in plain f32 Rust: what every other backend is tested against,
//! and the engine itself where no GPU is available (also in the browser, as wasm).

pub mod ops;
pub mod rope;

use crate::error::{Error, Result};
use crate::model::{Config, Tensor, Weights};
use ops::{add_bias, add_in_place, matmul, rmsnorm, rmsnorm_in_place, silu_mul, softmax};
use rope::Rope;

pub struct CpuModel {
    pub config: Config,
    weights: Weights<Vec<f32>>,
    rope: Rope,
    state: RunState,
}

/// The "wave" of activations for a batch of T positions, reused call after call; T is 1 when decoding.
#[derive(Default)]
struct RunState {
    x: Vec<f32>,                // (T, hidden)       residual stream
    xb: Vec<f32>,  // (T, hidden)       normed input of a block / output of a projection
    q: Vec<f32>,   // (T, n_heads * head_dim)
    k: Vec<f32>,   // (T, n_kv_heads * head_dim)
    v: Vec<f32>,   // (T, n_kv_heads * head_dim)
    xb2: Vec<f32>, // (T, n_heads * head_dim)   attention output, before o_proj
    att: Vec<f32>, // (positions)       scores of one head for one query
    hb: Vec<f32>,  // (T, intermediate) gate, then silu(gate) · up
    hb2: Vec<f32>, // (T, intermediate) up
    logits: Vec<f32>, // (T or 1, vocab)
    key_cache: Vec<Vec<f32>>, // (layer)(position, n_kv_heads * head_dim), grows as positions are added
    value_cache: Vec<Vec<f32>>, // (layer)(position, n_kv_heads * head_dim)
    /// Positions held in the caches.
    len: usize,
}

impl CpuModel {
    pub fn new(config: Config, weights: Weights<Tensor>) -> CpuModel {
        let weights = weights.map(|t| t.to_f32());
        let state = RunState {
            key_cache: vec![Vec::new(); config.num_hidden_layers],
            value_cache: vec![Vec::new(); config.num_hidden_layers],
            ..Default::default()
        };
        CpuModel {
            rope: Rope::new(&config),
            config,
            weights,
            state,
        }
    }

    /// Positions currently in the KV cache.
    pub fn cached_len(&self) -> usize {
        self.state.len
    }

    /// Runs `tokens` at positions `start..start + tokens.len()`, after the cache is cut back to
    /// `start` (so a branch can reuse a shared prefix). Returns the logits (vocab) of the last
    /// position, or with `all_logits` those of every position (T, vocab).
    pub fn forward(&mut self, tokens: &[u32], start: usize, all_logits: bool) -> Result<&[f32]> {
        let c = &self.config;
        let w = &self.weights;
        let s = &mut self.state;
        let t = tokens.len();
        if t == 0 {
            return Err(Error::InvalidArgument {
                name: "tokens",
                reason: "nothing to run".into(),
            });
        }
        if start > s.len {
            return Err(Error::InvalidArgument {
                name: "start",
                reason: format!("position {start} is past the {} cached positions", s.len),
            });
        }
        let (hidden, q_dim, kv_dim, head_dim) = (c.hidden_size, c.q_dim(), c.kv_dim(), c.head_dim);
        let (n_heads, kv_group) = (
            c.num_attention_heads,
            c.num_attention_heads / c.num_key_value_heads,
        );
        let end = start + t;
        s.len = start;
        s.x.resize(t * hidden, 0.0);
        s.xb.resize(t * hidden, 0.0);
        s.q.resize(t * q_dim, 0.0);
        s.k.resize(t * kv_dim, 0.0);
        s.v.resize(t * kv_dim, 0.0);
        s.xb2.resize(t * q_dim, 0.0);
        s.hb.resize(t * c.intermediate_size, 0.0);
        s.hb2.resize(t * c.intermediate_size, 0.0);
        s.att.resize(end, 0.0);

        // Token embeddings into the residual stream.
        for (row, &id) in s.x.chunks_exact_mut(hidden).zip(tokens) {
            let id = id as usize;
            if id >= c.vocab_size {
                return Err(Error::TokenOutOfRange {
                    id: id as u32,
                    vocab_size: c.vocab_size,
                });
            }
            row.copy_from_slice(&w.embed[id * hidden..(id + 1) * hidden]);
        }

        for (l, lw) in w.layers.iter().enumerate() {
            // 1. Attention input norm, then q/k/v projections (+ bias on Qwen2).
            rmsnorm(&mut s.xb, &s.x, &lw.attn_norm, c.rms_norm_eps);
            matmul(&mut s.q, &s.xb, &lw.wq, hidden);
            matmul(&mut s.k, &s.xb, &lw.wk, hidden);
            matmul(&mut s.v, &s.xb, &lw.wv, hidden);
            for (x, b) in [(&mut s.q, &lw.bq), (&mut s.k, &lw.bk), (&mut s.v, &lw.bv)] {
                if let Some(b) = b {
                    add_bias(x, b);
                }
            }
            // 2. Per-head RMSNorm of q and k (Qwen3), then RoPE.
            if let (Some(qn), Some(kn)) = (&lw.q_norm, &lw.k_norm) {
                rmsnorm_in_place(&mut s.q, qn, c.rms_norm_eps);
                rmsnorm_in_place(&mut s.k, kn, c.rms_norm_eps);
            }
            for i in 0..t {
                self.rope
                    .apply(&mut s.q[i * q_dim..(i + 1) * q_dim], start + i);
                self.rope
                    .apply(&mut s.k[i * kv_dim..(i + 1) * kv_dim], start + i);
            }
            // 3. Append k and v to the cache.
            let (key_cache, value_cache) = (&mut s.key_cache[l], &mut s.value_cache[l]);
            key_cache.truncate(start * kv_dim);
            value_cache.truncate(start * kv_dim);
            key_cache.extend_from_slice(&s.k);
            value_cache.extend_from_slice(&s.v);
            // 4. Causal attention: query i sees positions 0..=start+i; query head h reads kv head h / group (GQA).
            let scale = 1.0 / (head_dim as f32).sqrt();
            for i in 0..t {
                let seen = start + i + 1;
                for h in 0..n_heads {
                    let q = &s.q[i * q_dim + h * head_dim..i * q_dim + (h + 1) * head_dim];
                    let kv_off = (h / kv_group) * head_dim;
                    let att = &mut s.att[..seen];
                    for (p, score) in att.iter_mut().enumerate() {
                        let k = &key_cache[p * kv_dim + kv_off..p * kv_dim + kv_off + head_dim];
                        *score = ops::dot(q, k) * scale;
                    }
                    softmax(att);
                    let out = &mut s.xb2[i * q_dim + h * head_dim..i * q_dim + (h + 1) * head_dim];
                    out.fill(0.0);
                    for (p, &a) in att.iter().enumerate() {
                        let v = &value_cache[p * kv_dim + kv_off..p * kv_dim + kv_off + head_dim];
                        for (o, vv) in out.iter_mut().zip(v) {
                            *o += a * vv;
                        }
                    }
                }
            }
            // 5. Output projection and residual.
            matmul(&mut s.xb, &s.xb2, &lw.wo, q_dim);
            if let Some(bo) = &lw.bo {
                add_bias(&mut s.xb, bo);
            }
            add_in_place(&mut s.x, &s.xb);
            // 6. Feed-forward: down(silu(gate(x)) · up(x)), and residual.
            rmsnorm(&mut s.xb, &s.x, &lw.ffn_norm, c.rms_norm_eps);
            matmul(&mut s.hb, &s.xb, &lw.w_gate, hidden);
            matmul(&mut s.hb2, &s.xb, &lw.w_up, hidden);
            silu_mul(&mut s.hb, &s.hb2);
            matmul(&mut s.xb, &s.hb, &lw.w_down, c.intermediate_size);
            add_in_place(&mut s.x, &s.xb);
        }
        s.len = end;

        // Final norm and the language-model head (the embedding matrix when tied).
        let rows = if all_logits {
            &s.x[..]
        } else {
            &s.x[(t - 1) * hidden..]
        };
        let normed = &mut s.xb[..rows.len()];
        rmsnorm(normed, rows, &w.norm, c.rms_norm_eps);
        let head = w.lm_head.as_ref().unwrap_or(&w.embed);
        s.logits.resize(rows.len() / hidden * c.vocab_size, 0.0);
        matmul(&mut s.logits, normed, head, hidden);
        Ok(&s.logits)
    }
}
