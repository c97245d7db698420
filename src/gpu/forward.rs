//! The GPU forward pass, step for step `CpuModel::forward` (src/cpu/mod.rs): the same numbered
//! steps over the same activations, recorded into one compute pass and submitted once.

use super::state::{Dispatch, RESULT_BYTES};
use super::{GpuModel, MAX_KEEP};
use crate::error::{Error, Result};
use crate::sampler::Distribution;

impl GpuModel {
    /// Runs `tokens` at positions `start..start + tokens.len()`, after the cache is cut back to
    /// `start` (so a branch can reuse a shared prefix), and summarises the last position's
    /// distribution with `keep` candidates (at most `MAX_KEEP`). A decode step is one submit;
    /// a long prompt is one submit per chunk of `prefill_chunk` tokens.
    pub async fn forward(
        &mut self,
        tokens: &[u32],
        start: usize,
        keep: usize,
    ) -> Result<Distribution> {
        let t = tokens.len();
        let vocab = self.config.vocab_size;
        if t == 0 {
            return Err(Error::InvalidArgument {
                name: "tokens",
                reason: "nothing to run".into(),
            });
        }
        if start > self.len {
            return Err(Error::InvalidArgument {
                name: "start",
                reason: format!("position {start} is past the {} cached positions", self.len),
            });
        }
        if start + t > self.options.max_positions {
            return Err(Error::PromptTooLong {
                tokens: start + t,
                limit: self.options.max_positions,
            });
        }
        if let Some(&id) = tokens.iter().find(|&&id| id as usize >= vocab) {
            return Err(Error::TokenOutOfRange {
                id,
                vocab_size: vocab,
            });
        }
        let keep = keep.clamp(1, MAX_KEEP.min(vocab));
        let result_bytes = (2 + 2 * keep as u64) * 4;
        debug_assert!(result_bytes <= RESULT_BYTES);
        self.len = start;

        let chunk = self.options.prefill_chunk;
        let chunks = t.div_ceil(chunk);
        for (i, ids) in tokens.chunks(chunk).enumerate() {
            let last = i + 1 == chunks;
            self.write_params(start + i * chunk, ids, keep);
            let mut encoder =
                self.ctx
                    .device
                    .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                        label: Some("forward"),
                    });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("forward"),
                    timestamp_writes: None,
                });
                self.counters.dispatches += self.encode(&mut pass, ids.len() as u32, last);
            }
            if last {
                let s = &self.state;
                encoder.copy_buffer_to_buffer(&s.a.result, 0, &s.a.readback, 0, result_bytes);
            }
            self.ctx.queue.submit([encoder.finish()]);
            self.counters.submits += 1;
        }
        let bytes = self.ctx.read(&self.state.a.readback, result_bytes).await?;
        self.len = start + t;
        self.counters.forwards += 1;
        self.counters.readback_bytes += result_bytes;
        Ok(summary(&bytes, keep))
    }

    /// Records one step of `t` tokens; with `last`, also the head and the summary. Returns the
    /// number of dispatches.
    fn encode(&self, pass: &mut wgpu::ComputePass, t: u32, last: bool) -> u64 {
        let s = &self.state;
        let mut count = 0;
        let mut run = |d: &Dispatch| {
            let (x, y) = d.grid.size(t);
            pass.set_pipeline(&d.kernel.pipeline);
            pass.set_bind_group(0, &d.bind_group, &[]);
            pass.dispatch_workgroups(x, y, 1);
            count += 1;
        };
        // Token embeddings into the residual stream.
        run(&s.embed);

        for layer in &s.layers {
            // 1. Attention input norm, then q/k/v projections (+ bias on Qwen2): one fused
            //    dispatch for a decoded token, norm then tiled matmul for a prefill chunk.
            if t == 1 {
                run(&layer.attn_in);
            } else {
                run(&layer.attn_norm);
                run(&layer.qkv_proj);
            }
            // 2. Per-head RMSNorm of q and k (Qwen3), then RoPE; 3. k and v appended to the cache.
            run(&layer.rope);
            // 4. Causal attention over the cache (GQA).
            run(&layer.attention);
            // 5. Output projection and residual; 6. feed-forward down(silu(gate(x)) · up(x)) and residual.
            if t == 1 {
                run(&layer.attn_out);
                run(&layer.ffn_in);
                run(&layer.ffn_out);
            } else {
                run(&layer.o_proj);
                run(&layer.ffn_norm);
                run(&layer.gate_proj);
                run(&layer.up_proj);
                run(&layer.silu_mul);
                run(&layer.down_proj);
            }
        }

        if last {
            // Final norm and the language-model head at the last position, then its summary:
            // top-k, log-sum-exp and entropy, so the vocabulary never leaves the GPU.
            run(&s.lm_head);
            run(&s.topk_partial);
            run(&s.topk_merge);
        }
        count
    }

    /// The step's uniform: start, t, keep, then the token ids (16 + 4·t bytes).
    fn write_params(&self, start: usize, ids: &[u32], keep: usize) {
        let words = [start as u32, ids.len() as u32, keep as u32, 0]
            .into_iter()
            .chain(ids.iter().copied());
        let bytes: Vec<u8> = words.flat_map(u32::to_le_bytes).collect();
        self.ctx.queue.write_buffer(&self.state.a.params, 0, &bytes);
    }

    /// The logits (vocab) of the last position of the latest step. A full readback, for tests and
    /// debugging: the generate loop never needs it.
    pub async fn read_logits(&self) -> Result<Vec<f32>> {
        let size = self.config.vocab_size as u64 * 4;
        let staging = self.ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("logits readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self
            .ctx
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("read_logits"),
            });
        encoder.copy_buffer_to_buffer(&self.state.a.logits, 0, &staging, 0, size);
        self.ctx.queue.submit([encoder.finish()]);
        let bytes = self.ctx.read(&staging, size).await?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }
}

/// The words of `topk_merge.wgsl`'s result: log-sum-exp, entropy, then (id, logit) × keep.
fn summary(bytes: &[u8], keep: usize) -> Distribution {
    let word = |i: usize| {
        u32::from_le_bytes([
            bytes[4 * i],
            bytes[4 * i + 1],
            bytes[4 * i + 2],
            bytes[4 * i + 3],
        ])
    };
    Distribution {
        log_sum_exp: f32::from_bits(word(0)),
        entropy: f32::from_bits(word(1)),
        candidates: (0..keep)
            .map(|r| (word(2 + 2 * r), f32::from_bits(word(3 + 2 * r))))
            .collect(),
    }
}
