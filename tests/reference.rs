//! The CPU engine against Hugging Face `transformers` on every committed fixture (native).

mod common;

use std::path::PathBuf;

use common::{check_forward, check_prompts, check_tokenizer, load, FIXTURES};
use tiny_reasoner::ModelFiles;

fn fixture(name: &str) -> (ModelFiles, serde_json::Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let reference = std::fs::read(dir.join("reference.json")).expect("reference.json");
    (
        ModelFiles::dir(dir),
        serde_json::from_slice(&reference).expect("reference parses"),
    )
}

#[test]
fn prompts_match_apply_chat_template() {
    for name in FIXTURES {
        let (files, reference) = fixture(name);
        check_prompts(name, &load(&files).0, &reference);
    }
}

#[test]
fn token_ids_match_python_tokenizers() {
    for name in FIXTURES {
        let (files, reference) = fixture(name);
        check_tokenizer(name, &load(&files).0, &reference);
    }
}

#[test]
fn logits_and_greedy_tokens_match_transformers() {
    for name in FIXTURES {
        let (files, reference) = fixture(name);
        check_forward(name, &mut load(&files).1, &reference);
    }
}
