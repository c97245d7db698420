//! Checks of the engine against the references recorded by Hugging Face `transformers` and the
//! Python `tokenizers` (tests/fixtures/make_fixtures.py). Shared by the native and the wasm tests.
#![allow(dead_code)]

use serde_json::Value;
use tiny_reasoner::cpu::CpuModel;
use tiny_reasoner::model::{ModelInfo, Weights};
use tiny_reasoner::ModelFiles;

/// Logits must match transformers (f32 on both sides) within this absolute error.
pub const LOGIT_TOLERANCE: f32 = 1e-4;

pub const FIXTURES: [&str; 4] = [
    "qwen3-tiny",
    "qwen3-bf16-headdim",
    "qwen2-tiny",
    "llama-tiny",
];

pub fn load(files: &ModelFiles) -> (ModelInfo, CpuModel) {
    let info = ModelInfo::load(files).expect("model info loads");
    let weights = Weights::load(files, &info.config).expect("weights load");
    let model = CpuModel::new(info.config.clone(), weights);
    (info, model)
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("id list")
        .iter()
        .map(|x| x.as_u64().expect("id") as u32)
        .collect()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("float list")
        .iter()
        .map(|x| x.as_f64().expect("float") as f32)
        .collect()
}

/// The worst absolute difference and its index; panics with both when over the tolerance.
pub fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let (worst, at) = got
        .iter()
        .zip(want)
        .map(|(a, b)| (a - b).abs())
        .enumerate()
        .fold(
            (0.0f32, 0),
            |(w, i), (j, d)| if d > w { (d, j) } else { (w, i) },
        );
    assert!(
        worst <= LOGIT_TOLERANCE,
        "{what}: worst error {worst} at index {at}: computed {} vs. reference {}",
        got[at],
        want[at]
    );
}

/// Prompt text from the chat template and its ids, for every recorded case and template case.
/// In the wasm only the ids: the page renders templates in JS (tests/browser/chat-template.test.mjs
/// holds that to the same texts).
pub fn check_prompts(name: &str, info: &ModelInfo, reference: &Value) {
    let cases = reference["cases"]
        .as_array()
        .unwrap()
        .iter()
        .chain(reference["template_cases"].as_array().unwrap());
    for (n, case) in cases.enumerate() {
        let want = case["prompt_text"].as_str().unwrap();
        #[cfg(not(target_arch = "wasm32"))]
        {
            let text = info
                .chat
                .render_with_tools(
                    &case["messages"],
                    case.get("tools"),
                    case["add_generation_prompt"].as_bool().unwrap(),
                    case["enable_thinking"].as_bool(),
                )
                .unwrap_or_else(|e| panic!("{name} case {n}: {e}"));
            assert_eq!(text, want, "{name} case {n}: prompt text");
        }
        let got = info.tokenizer.encode(want, false).unwrap();
        assert_eq!(got, ids(&case["prompt_ids"]), "{name} case {n}: prompt ids");
    }
}

/// Token ids and decoded text identical to the Python `tokenizers` on tricky strings.
pub fn check_tokenizer(name: &str, info: &ModelInfo, reference: &Value) {
    for case in reference["tokenizer_cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let add_special = case["add_special_tokens"].as_bool().unwrap();
        let got = info.tokenizer.encode(text, add_special).unwrap();
        assert_eq!(got, ids(&case["ids"]), "{name}: ids of {text:?}");
        assert_eq!(
            info.tokenizer.decode(&got).unwrap(),
            case["decoded"].as_str().unwrap(),
            "{name}: decode of {text:?}"
        );
    }
}

/// Prefill logits at the recorded positions, then greedy decoding with the KV cache: the same
/// tokens as transformers, and the same logits at the first decode steps.
pub fn check_forward(name: &str, model: &mut CpuModel, reference: &Value) {
    let vocab = model.config.vocab_size;
    for (n, case) in reference["cases"].as_array().unwrap().iter().enumerate() {
        let prompt = ids(&case["prompt_ids"]);
        let all = model.forward(&prompt, 0, true).unwrap().to_vec();
        let prefill = &case["prefill_logits"];
        for (pos, want) in prefill["positions"]
            .as_array()
            .unwrap()
            .iter()
            .zip(prefill["values"].as_array().unwrap())
        {
            let pos = pos.as_u64().unwrap() as usize;
            assert_close(
                &format!("{name} case {n} prefill position {pos}"),
                &all[pos * vocab..(pos + 1) * vocab],
                &floats(want),
            );
        }
        let greedy = ids(&case["greedy_ids"]);
        let decode_logits = case["decode_logits"].as_array().unwrap();
        let mut logits = all[(prompt.len() - 1) * vocab..].to_vec();
        let mut got = Vec::new();
        for step in 0..greedy.len() {
            if let Some(want) = decode_logits.get(step) {
                assert_close(
                    &format!("{name} case {n} decode step {step}"),
                    &logits,
                    &floats(want),
                );
            }
            let next = argmax(&logits);
            got.push(next);
            logits = model
                .forward(&[next], prompt.len() + step, false)
                .unwrap()
                .to_vec();
        }
        assert_eq!(got, greedy, "{name} case {n}: greedy tokens");
    }
}

pub fn argmax(x: &[f32]) -> u32 {
    x.iter()
        .enumerate()
        .fold((0, f32::NEG_INFINITY), |(bi, bv), (i, &v)| {
            if v > bv {
                (i, v)
            } else {
                (bi, bv)
            }
        })
        .0 as u32
}
