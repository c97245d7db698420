//! `www/examples.json`, the page's "Try" prompts, is the task generator's output: one prompt per
//! family for each of [`ROUNDS`] seeds (round k uses seed k + 1). It is a file rather than a call
//! into the wasm so that the generators and their templates stay out of the page's download
//! (14 kB of gzip). This test keeps the file and the generators in step.
//!
//! After changing a generator: `UPDATE_PAGE_EXAMPLES=1 cargo test --test page_examples`.

use std::path::Path;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tiny_reasoner::tasks::{self, Family};

const ROUNDS: u64 = 24;

/// `[[{family, prompt}, …one per family], …one per round]`, as the page reads it.
fn expected_examples() -> String {
    let rounds: Vec<serde_json::Value> = (1..=ROUNDS)
        .map(|seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            Family::ALL
                .into_iter()
                .map(|family| {
                    serde_json::json!({
                        "family": family.name(),
                        "prompt": tasks::generate(family, &mut rng).prompt,
                    })
                })
                .collect()
        })
        .collect();
    serde_json::to_string_pretty(&rounds).expect("plain JSON values") + "\n"
}

#[test]
fn page_examples_are_the_generators_output() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/examples.json");
    let want = expected_examples();
    if std::env::var_os("UPDATE_PAGE_EXAMPLES").is_some() {
        std::fs::write(&path, &want).expect("write www/examples.json");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is not what the generators give; rerun with UPDATE_PAGE_EXAMPLES=1 \
         (cargo test --test page_examples)",
        path.display()
    );
}
