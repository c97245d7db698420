//! The whole model on the GPU (native wgpu; Mesa's lavapipe on a machine without one) against the
//! CPU reference, on every committed fixture: logits, the distribution summary, 64 greedy tokens,
//! chunked prefill and rewinding, the token events of the generate loop, and the binding limit.
//!
//! Tolerance on logits, log-sum-exp and entropy: |GPU − CPU| ≤ atol + 1e-5·|CPU|, with atol 1e-4
//! for the f32 fixtures and 2e-4 for the f16 / bf16 ones. Both backends widen the same 16-bit
//! values to f32 exactly; what differs is the order of f32 sums, and qwen2-tiny (f16, random
//! q/k/v biases, no q/k norm) amplifies that the most: 1.3e-4 at worst, against ≤ 7e-5 for the
//! others. Without a GPU adapter these tests fail, saying how to install one.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use serde_json::json;
use tiny_reasoner::cpu::CpuModel;
use tiny_reasoner::generate::{Event, GenerateOptions};
use tiny_reasoner::gpu::{GpuContext, GpuModel, GpuOptions, MAX_KEEP};
use tiny_reasoner::model::weights::DType;
use tiny_reasoner::model::{Config, ModelInfo, Tensor, Weights};
use tiny_reasoner::sampler::{Distribution, SamplerConfig};
use tiny_reasoner::{Engine, Error, Message, ModelFiles};

/// Logits, log-sum-exp and entropy: |GPU − CPU| ≤ atol + RELATIVE·|CPU| (see the top).
const RELATIVE: f32 = 1e-5;

/// The absolute part of the tolerance for a model with these weights.
fn atol(name: &str) -> f32 {
    match name {
        "qwen2-tiny" | "qwen3-bf16-headdim" => 2e-4, // f16, bf16
        _ => 1e-4,
    }
}
const FIXTURES: [&str; 4] = [
    "qwen3-tiny",
    "qwen3-bf16-headdim",
    "qwen2-tiny",
    "llama-tiny",
];

fn files(name: &str) -> ModelFiles {
    ModelFiles::dir(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
}

fn context() -> GpuContext {
    pollster::block_on(GpuContext::new())
        .unwrap_or_else(|e| panic!("the GPU tests need a GPU adapter: {e}"))
}

/// A fixture on both backends, and the ids of its first reference prompt.
fn load(name: &str, options: GpuOptions) -> (CpuModel, GpuModel, Vec<u32>) {
    let files = files(name);
    let info = ModelInfo::load(&files).unwrap();
    let cpu = CpuModel::new(
        info.config.clone(),
        Weights::load(&files, &info.config).unwrap(),
    );
    let weights = Weights::load(&files, &info.config).unwrap();
    let gpu = pollster::block_on(GpuModel::new(
        context(),
        info.config.clone(),
        weights,
        options,
    ))
    .unwrap_or_else(|e| panic!("{name}: {e}"));
    let reference: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join(format!("tests/fixtures/{name}/reference.json")),
        )
        .unwrap(),
    )
    .unwrap();
    let prompt = reference["cases"][0]["prompt_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    (cpu, gpu, prompt)
}

fn close(a: f32, b: f32, atol: f32) -> bool {
    (a - b).abs() <= atol + RELATIVE * b.abs()
}

/// The worst absolute error; panics at the first index over the tolerance.
fn assert_close(what: &str, got: &[f32], want: &[f32], atol: f32) -> f32 {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let mut worst = 0.0f32;
    for (i, (&a, &b)) in got.iter().zip(want).enumerate() {
        assert!(
            close(a, b, atol),
            "{what}: Failed at index {i}, computed: {a} vs. answer: {b}"
        );
        worst = worst.max((a - b).abs());
    }
    worst
}

/// One step on both backends: logits, then the GPU's summary against the CPU's. Returns the
/// greedy token of each backend and the worst logit error.
fn step(
    (what, atol): (&str, f32),
    cpu: &mut CpuModel,
    gpu: &mut GpuModel,
    tokens: &[u32],
    start: usize,
) -> (u32, u32, f32) {
    let want = cpu.forward(tokens, start, false).unwrap().to_vec();
    let dist = pollster::block_on(gpu.forward(tokens, start, MAX_KEEP)).unwrap();
    let got = pollster::block_on(gpu.read_logits()).unwrap();
    let worst = assert_close(&format!("{what}: logits"), &got, &want, atol);
    check_summary((what, atol), &dist, &got, &want);
    let cpu_next = Distribution::from_logits(&want, 1).candidates[0].0;
    (dist.candidates[0].0, cpu_next, worst)
}

/// The GPU's candidates are the top of its own logits, exactly, in order; and match the CPU's
/// summary within the tolerance (ids too, wherever the CPU's logits are not within 2 tolerances
/// of a neighbour's, where the two backends may order them differently).
fn check_summary(
    (what, atol): (&str, f32),
    dist: &Distribution,
    gpu_logits: &[f32],
    cpu_logits: &[f32],
) {
    let keep = MAX_KEEP.min(cpu_logits.len());
    let own = Distribution::from_logits(gpu_logits, keep);
    assert_eq!(
        dist.candidates, own.candidates,
        "{what}: GPU top-k against its own logits"
    );
    let want = Distribution::from_logits(cpu_logits, keep);
    let (lse, entropy) = (dist.log_sum_exp, dist.entropy);
    assert!(
        close(lse, want.log_sum_exp, atol),
        "{what}: log-sum-exp {lse} vs. {}",
        want.log_sum_exp
    );
    assert!(
        close(entropy, want.entropy, atol),
        "{what}: entropy {entropy} vs. {}",
        want.entropy
    );
    for (r, (got, w)) in dist.candidates.iter().zip(&want.candidates).enumerate() {
        assert!(
            close(got.1, w.1, atol),
            "{what}: rank {r} logit {} vs. {}",
            got.1,
            w.1
        );
        let near = |i: usize| {
            let n = want.candidates.get(i);
            n.is_some_and(|n| (n.1 - w.1).abs() <= 2.0 * (atol + RELATIVE * w.1.abs()))
        };
        let neighbour_close = near(r + 1) || (r > 0 && near(r - 1));
        if !neighbour_close {
            assert_eq!(got.0, w.0, "{what}: rank {r} id");
        }
    }
}

#[test]
fn logits_and_64_greedy_tokens_match_the_cpu_on_every_fixture() {
    for name in FIXTURES {
        let (mut cpu, mut gpu, prompt) = load(name, GpuOptions::default());
        let (mut gpu_next, mut cpu_next, mut worst) = step(
            (&format!("{name} prefill"), atol(name)),
            &mut cpu,
            &mut gpu,
            &prompt,
            0,
        );
        for i in 0..64 {
            assert_eq!(gpu_next, cpu_next, "{name}: greedy token {i}");
            let pos = prompt.len() + i;
            let what = format!("{name} decode {i}");
            let (g, c, w) = step((&what, atol(name)), &mut cpu, &mut gpu, &[gpu_next], pos);
            (gpu_next, cpu_next, worst) = (g, c, worst.max(w));
        }
        eprintln!("{name}: 64 greedy tokens identical, worst logit error {worst:.1e}");
    }
}

#[test]
fn chunked_prefill_and_rewinding_match_the_cpu() {
    for name in ["llama-tiny", "qwen2-tiny"] {
        let options = GpuOptions {
            prefill_chunk: 7,
            ..Default::default()
        };
        let (mut cpu, mut gpu, prompt) = load(name, options);
        // A longer prompt than the reference's first: the ids of a repeated sentence.
        let files = files(name);
        let info = ModelInfo::load(&files).unwrap();
        let text = "Seven chunks of seven tokens, and then some more. ".repeat(4);
        let long: Vec<u32> = prompt
            .iter()
            .copied()
            .chain(info.tokenizer.encode(&text, false).unwrap())
            .collect();
        assert!(
            long.len() > 7 * 5,
            "{name}: the prompt spans several chunks"
        );
        let what = format!("{name} chunked prefill of {}", long.len());
        step((&what, atol(name)), &mut cpu, &mut gpu, &long, 0);
        step(
            (&format!("{name} decode after chunks"), atol(name)),
            &mut cpu,
            &mut gpu,
            &[long[3]],
            long.len(),
        );
        // Rewind into the prompt and take another branch from position 10.
        step(
            (&format!("{name} branch at 10"), atol(name)),
            &mut cpu,
            &mut gpu,
            &long[20..30],
            10,
        );
        step(
            (&format!("{name} decode on the branch"), atol(name)),
            &mut cpu,
            &mut gpu,
            &[long[1]],
            20,
        );
        assert_eq!(gpu.cached_len(), 21);
    }
}

/// The generate loop on both backends: the same token events, greedy and sampled (top-k 20,
/// within the GPU's 64 candidates).
#[test]
fn token_events_are_the_same_on_both_backends() {
    for name in FIXTURES {
        let files = files(name);
        let mut cpu = Engine::load_cpu(&files).unwrap();
        let mut gpu = pollster::block_on(Engine::load_gpu(&files, GpuOptions::default()))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let samplers = [
            SamplerConfig::default(),
            SamplerConfig {
                temperature: 0.8,
                top_k: 20,
                top_p: 0.95,
                seed: 3,
            },
        ];
        for sampler in samplers {
            let options = GenerateOptions {
                sampler: sampler.clone(),
                max_tokens: 16,
                ..Default::default()
            };
            let messages = [Message::new("user", "hello")];
            let events = |engine_events: Vec<Event>| -> Vec<tiny_reasoner::generate::TokenEvent> {
                engine_events
                    .into_iter()
                    .filter_map(|e| match e {
                        Event::Token(t) => Some(t),
                        _ => None,
                    })
                    .collect()
            };
            let mut run_cpu = cpu.start(&messages, options.clone()).unwrap();
            let mut run_gpu = gpu.start(&messages, options).unwrap();
            let (mut on_cpu, mut on_gpu) = (Vec::new(), Vec::new());
            pollster::block_on(async {
                while let Some(e) = cpu.step(&mut run_cpu).await.unwrap() {
                    on_cpu.push(e);
                }
                while let Some(e) = gpu.step(&mut run_gpu).await.unwrap() {
                    on_gpu.push(e);
                }
            });
            let (on_cpu, on_gpu) = (events(on_cpu), events(on_gpu));
            assert_eq!(on_cpu.len(), on_gpu.len(), "{name} {sampler:?}: tokens");
            for (c, g) in on_cpu.iter().zip(&on_gpu) {
                let what = format!("{name} {sampler:?} token {}", c.index);
                assert_eq!(c.id, g.id, "{what}: id");
                assert_eq!(c.text, g.text, "{what}: text");
                assert!(
                    close(g.prob, c.prob, atol(name)),
                    "{what}: prob {} vs. {}",
                    g.prob,
                    c.prob
                );
                assert!(
                    close(g.entropy, c.entropy, atol(name)),
                    "{what}: entropy {} vs. {}",
                    g.entropy,
                    c.entropy
                );
                let ids = |t: &tiny_reasoner::generate::TokenEvent| {
                    t.top.iter().map(|a| a.id).collect::<Vec<_>>()
                };
                assert_eq!(ids(c), ids(g), "{what}: alternatives");
            }
        }
    }
}

/// A synthetic model: hidden 8, one layer, a 4096-token vocabulary (the embedding is 128 KiB).
fn synthetic() -> (Config, Weights<Tensor>) {
    let config = Config::from_json(
        "synthetic/config.json",
        json!({
            "model_type": "qwen3", "vocab_size": 4096, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
            "head_dim": 4, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
            "max_position_embeddings": 64, "tie_word_embeddings": true,
        }),
    )
    .unwrap();
    let mut seed = 1u32;
    let mut tensor = |shape: &[usize]| {
        let n: usize = shape.iter().product();
        let bytes = (0..n)
            .flat_map(|_| {
                seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
                ((seed >> 8) as f32 / (1 << 24) as f32 - 0.5).to_le_bytes()
            })
            .collect();
        Tensor {
            shape: shape.to_vec(),
            dtype: DType::F32,
            bytes,
        }
    };
    let layer = tiny_reasoner::model::weights::LayerWeights {
        attn_norm: tensor(&[8]),
        wq: tensor(&[8, 8]),
        wk: tensor(&[4, 8]),
        wv: tensor(&[4, 8]),
        bq: None,
        bk: None,
        bv: None,
        wo: tensor(&[8, 8]),
        bo: None,
        q_norm: Some(tensor(&[4])),
        k_norm: Some(tensor(&[4])),
        ffn_norm: tensor(&[8]),
        w_gate: tensor(&[16, 8]),
        w_up: tensor(&[16, 8]),
        w_down: tensor(&[8, 16]),
    };
    let weights = Weights {
        embed: tensor(&[4096, 8]),
        layers: vec![layer],
        norm: tensor(&[8]),
        lm_head: None,
    };
    (config, weights)
}

#[test]
fn a_tensor_over_the_binding_limit_is_refused_by_name() {
    let (config, weights) = synthetic();
    let ctx = pollster::block_on(GpuContext::with_binding_limit(Some(64 * 1024)))
        .unwrap_or_else(|e| panic!("the GPU tests need a GPU adapter: {e}"));
    let err = pollster::block_on(GpuModel::new(ctx, config, weights, GpuOptions::default()))
        .err()
        .expect("the 128 KiB embedding exceeds a 64 KiB binding limit");
    match &err {
        Error::BufferTooLarge {
            tensor,
            bytes,
            limit,
        } => {
            assert_eq!(
                (tensor.as_str(), *bytes, *limit),
                ("embed", 128 * 1024, 64 * 1024)
            );
        }
        other => panic!("expected BufferTooLarge, got {other}"),
    }
    eprintln!("{err}");

    // Under a limit it fits, the same device setup computes what the CPU does.
    let (config, weights) = synthetic();
    let (_, cpu_weights) = synthetic();
    let mut cpu = CpuModel::new(config.clone(), cpu_weights);
    let ctx = pollster::block_on(GpuContext::with_binding_limit(Some(256 * 1024))).unwrap();
    let mut gpu =
        pollster::block_on(GpuModel::new(ctx, config, weights, GpuOptions::default())).unwrap();
    step(
        ("synthetic prefill", 1e-4),
        &mut cpu,
        &mut gpu,
        &[1, 4000, 7, 4095],
        0,
    );
    step(("synthetic decode", 1e-4), &mut cpu, &mut gpu, &[2], 4);
}
