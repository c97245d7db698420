//! The attention kernels and the distribution summary against their CPU twins: `rmsnorm_in_place`
//! and `Rope::apply`, step 4 of `CpuModel::forward`, and `Distribution::from_logits`; odd head
//! counts, the largest head (256), positions in the thousands, vocabularies across blocks, ties.
//!
//! Tolerances: 1e-5 (+ 1e-5·|x| for RoPE); the top-k ids and logits exactly; the value cache
//! exactly. Without a GPU adapter these tests fail, saying how to install one.
#![cfg(not(target_arch = "wasm32"))]

mod gpu_harness;

use gpu_harness::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tiny_reasoner::cpu::ops;
use tiny_reasoner::cpu::rope::Rope;
use tiny_reasoner::gpu::kernels::Shader;
use tiny_reasoner::model::config::{Architecture, Config, RopeScaling};
use tiny_reasoner::sampler::Distribution;

fn config(n_heads: usize, n_kv_heads: usize, head_dim: usize, theta: f32) -> Config {
    Config {
        architecture: Architecture::Qwen3,
        vocab_size: 16,
        hidden_size: n_heads * head_dim,
        intermediate_size: 16,
        num_hidden_layers: 1,
        num_attention_heads: n_heads,
        num_key_value_heads: n_kv_heads,
        head_dim,
        rms_norm_eps: 1e-6,
        rope_theta: theta,
        rope_scaling: RopeScaling::Llama3 {
            factor: 8.0,
            low_freq_factor: 1.0,
            high_freq_factor: 4.0,
            original_max_position_embeddings: 64.0,
        },
        max_position_embeddings: 5000,
        tie_word_embeddings: true,
        qkv_bias: false,
        o_bias: false,
        eos_token_id: vec![],
    }
}

#[test]
fn qk_norm_rope_matches_rmsnorm_in_place_and_rope() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let mut worst = 0.0f32;
    // (heads, kv heads, head_dim, T, start): odd head counts, the largest head, positions in the thousands.
    for (nh, nkv, hd, t, start, qk_norm) in [
        (1, 1, 2, 1, 0, true),
        (7, 1, 6, 3, 5, false),
        (4, 2, 256, 2, 4000, true),
        (2, 2, 130, 7, 999, true),
    ] {
        let c = config(nh, nkv, hd, 10000.0);
        let rope = Rope::new(&c);
        let (q_dim, kv_dim) = (nh * hd, nkv * hd);
        let row = q_dim + 2 * kv_dim;
        let qkv = random(&mut rng, t * row);
        let (q_norm, k_norm) = (random(&mut rng, hd), random(&mut rng, hd));
        let positions = start + t;
        let key_cache = gpu.floats(&vec![0.0; positions * kv_dim]);
        let value_cache = gpu.floats(&vec![0.0; positions * kv_dim]);
        let qkv_buffer = gpu.floats(&qkv);
        let buffers = [
            &gpu.params(start as u32, t as u32, 1, &[]),
            &qkv_buffer,
            &gpu.floats(&q_norm),
            &gpu.floats(&k_norm),
            &gpu.floats(rope.inv_freq()),
            &key_cache,
            &value_cache,
        ];
        let constants = [
            ("N_HEADS", nh as f64),
            ("N_KV_HEADS", nkv as f64),
            ("HEAD_DIM", hd as f64),
            ("EPS", 1e-6f32 as f64),
            ("QK_NORM", qk_norm as u8 as f64),
        ];
        gpu.run(
            Shader::QkNormRope,
            &constants,
            &buffers,
            ((nh + nkv) as u32, t as u32),
        );
        let (mut want_q, mut want_k, mut want_v) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..t {
            let r = &qkv[i * row..(i + 1) * row];
            let (mut q, mut k) = (r[..q_dim].to_vec(), r[q_dim..q_dim + kv_dim].to_vec());
            if qk_norm {
                ops::rmsnorm_in_place(&mut q, &q_norm, 1e-6);
                ops::rmsnorm_in_place(&mut k, &k_norm, 1e-6);
            }
            rope.apply(&mut q, start + i);
            rope.apply(&mut k, start + i);
            want_q.extend(q);
            want_k.extend(k);
            want_v.extend_from_slice(&r[q_dim + kv_dim..]);
        }
        let got_qkv = gpu.read(&qkv_buffer, t * row);
        let got_q: Vec<f32> = (0..t)
            .flat_map(|i| got_qkv[i * row..i * row + q_dim].to_vec())
            .collect();
        let what = format!("qk_norm_rope heads {nh}/{nkv} head_dim {hd} T={t} start={start}");
        worst = worst.max(assert_close(
            &format!("{what}: q"),
            &got_q,
            &want_q,
            1e-5,
            1e-5,
        ));
        let got_k = gpu.read(&key_cache, positions * kv_dim)[start * kv_dim..].to_vec();
        worst = worst.max(assert_close(
            &format!("{what}: key_cache"),
            &got_k,
            &want_k,
            1e-5,
            1e-5,
        ));
        let got_v = gpu.read(&value_cache, positions * kv_dim)[start * kv_dim..].to_vec();
        assert_close(&format!("{what}: value_cache"), &got_v, &want_v, 0.0, 0.0);
    }
    report("qk_norm_rope.wgsl", worst);
}

#[test]
fn attention_matches_causal_softmax_attention() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut worst = 0.0f32;
    // (heads, kv heads, head_dim, T, start): one position, a partial tile, many tiles (1000 + 7).
    for (nh, nkv, hd, t, start) in [
        (1, 1, 1, 1, 0),
        (4, 2, 7, 7, 0),
        (4, 1, 16, 1, 1000),
        (2, 2, 256, 7, 57),
    ] {
        let (q_dim, kv_dim) = (nh * hd, nkv * hd);
        let row = q_dim + 2 * kv_dim;
        let positions = start + t;
        let qkv: Vec<f32> = random(&mut rng, t * row).iter().map(|v| v * 3.0).collect();
        let keys = random(&mut rng, positions * kv_dim);
        let values = random(&mut rng, positions * kv_dim);
        let scale = 1.0 / (hd as f32).sqrt();
        // The CPU's step 4, as in CpuModel::forward.
        let mut want = vec![0.0; t * q_dim];
        for i in 0..t {
            let seen = start + i + 1;
            for h in 0..nh {
                let q = &qkv[i * row + h * hd..i * row + (h + 1) * hd];
                let kv_off = (h / (nh / nkv)) * hd;
                let mut att: Vec<f32> = (0..seen)
                    .map(|p| {
                        ops::dot(q, &keys[p * kv_dim + kv_off..p * kv_dim + kv_off + hd]) * scale
                    })
                    .collect();
                ops::softmax(&mut att);
                let out = &mut want[i * q_dim + h * hd..i * q_dim + (h + 1) * hd];
                for (p, &a) in att.iter().enumerate() {
                    for (o, v) in out
                        .iter_mut()
                        .zip(&values[p * kv_dim + kv_off..p * kv_dim + kv_off + hd])
                    {
                        *o += a * v;
                    }
                }
            }
        }
        let xb2 = gpu.floats(&vec![0.0; t * q_dim]);
        let buffers = [
            &gpu.params(start as u32, t as u32, 1, &[]),
            &gpu.floats(&qkv),
            &gpu.floats(&keys),
            &gpu.floats(&values),
            &xb2,
        ];
        let constants = [
            ("N_HEADS", nh as f64),
            ("N_KV_HEADS", nkv as f64),
            ("HEAD_DIM", hd as f64),
            ("SCALE", scale as f64),
        ];
        gpu.run(
            Shader::Attention,
            &constants,
            &buffers,
            (nh as u32, t as u32),
        );
        let got = gpu.read(&xb2, t * q_dim);
        let what = format!("attention heads {nh}/{nkv} head_dim {hd} T={t} start={start}");
        worst = worst.max(assert_close(&what, &got, &want, 1e-5, 0.0));
    }
    report("attention.wgsl", worst);
}

#[test]
fn topk_matches_distribution_from_logits() {
    let mut gpu = Gpu::new();
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    let mut worst = 0.0f32;
    // Vocabularies of 1, 7, 1000 and three blocks of 4096 (the last partial); keeps up to 64.
    for (vocab, keep) in [(1, 1), (7, 5), (1000, 64), (9000, 5), (9000, 64), (9000, 1)] {
        let mut logits: Vec<f32> = random(&mut rng, vocab).iter().map(|v| v * 10.0).collect();
        // Ties across blocks: the lower id must come first, as on the CPU.
        if vocab > 8200 {
            logits[8200] = 11.0;
            logits[3] = 11.0;
            logits[4100] = 11.0;
        }
        let blocks = vocab.div_ceil(4096);
        let block_stats = gpu.floats(&vec![0.0; blocks * 4]);
        let block_top = gpu.floats(&vec![0.0; blocks * 64 * 2]);
        let result = gpu.floats(&vec![0.0; 2 + 2 * 64]);
        let params = gpu.params(0, 1, keep as u32, &[]);
        let logits_buffer = gpu.floats(&logits);
        gpu.run(
            Shader::TopkPartial,
            &[("VOCAB", vocab as f64)],
            &[&params, &logits_buffer, &block_stats, &block_top],
            (blocks as u32, 1),
        );
        gpu.run(
            Shader::TopkMerge,
            &[("BLOCKS", blocks as f64)],
            &[&params, &block_stats, &block_top, &result],
            (1, 1),
        );
        let words: Vec<u32> = gpu
            .read_bytes(&result, 2 + 2 * keep)
            .chunks_exact(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let want = Distribution::from_logits(&logits, keep);
        let got: Vec<(u32, f32)> = (0..keep)
            .map(|r| (words[2 + 2 * r], f32::from_bits(words[3 + 2 * r])))
            .collect();
        assert_eq!(
            got, want.candidates,
            "topk vocab {vocab} keep {keep}: candidates"
        );
        let what = format!("topk vocab {vocab} keep {keep}");
        let summary = [f32::from_bits(words[0]), f32::from_bits(words[1])];
        worst = worst.max(assert_close(
            &what,
            &summary,
            &[want.log_sum_exp, want.entropy],
            1e-5,
            1e-5,
        ));
    }
    report("topk_partial+merge", worst);
}
