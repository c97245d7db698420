//! The same reference checks as `tests/reference.rs`, compiled to wasm32 and run in Node by
//! wasm-bindgen's test runner: the tokenizer and forward pass the browser will run (the page renders
//! chat templates in JS: tests/browser/chat-template.test.mjs).
//! Files come from memory (`ModelFiles::memory`), as they do in a page.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{check_forward, check_prompts, check_tokenizer, load};
use tiny_reasoner::ModelFiles;
use wasm_bindgen_test::wasm_bindgen_test;

macro_rules! fixture {
    ($name:literal, [$($file:literal),* $(,)?]) => {{
        let files = vec![$(
            ($file.to_string(), include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, "/", $file)).to_vec()),
        )*];
        let reference: serde_json::Value = serde_json::from_slice(include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/", $name, "/reference.json"
        ))).unwrap();
        ($name, ModelFiles::memory(files), reference)
    }};
}

fn check(name: &str, files: ModelFiles, reference: serde_json::Value) {
    let (info, mut model) = load(&files);
    check_tokenizer(name, &info, &reference);
    check_prompts(name, &info, &reference);
    check_forward(name, &mut model, &reference);
}

#[wasm_bindgen_test]
fn qwen3_tiny_matches_the_reference() {
    let (name, files, reference) = fixture!(
        "qwen3-tiny",
        [
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        ]
    );
    check(name, files, reference);
}

#[wasm_bindgen_test]
fn qwen3_bf16_headdim_matches_the_reference() {
    let (name, files, reference) = fixture!(
        "qwen3-bf16-headdim",
        [
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "chat_template.jinja",
        ]
    );
    check(name, files, reference);
}

#[wasm_bindgen_test]
fn qwen2_tiny_matches_the_reference() {
    let (name, files, reference) = fixture!(
        "qwen2-tiny",
        [
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        ]
    );
    check(name, files, reference);
}

#[wasm_bindgen_test]
fn llama_tiny_matches_the_reference() {
    let (name, files, reference) = fixture!(
        "llama-tiny",
        [
            "config.json",
            "generation_config.json",
            "model.safetensors.index.json",
            "model-00001-of-00004.safetensors",
            "model-00002-of-00004.safetensors",
            "model-00003-of-00004.safetensors",
            "model-00004-of-00004.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        ]
    );
    check(name, files, reference);
}
