//! `tiny-reasoner run --backend gpu` and `tiny-reasoner bench --backend gpu`, as a user runs them
//! (native wgpu; Mesa's lavapipe on a machine without a GPU, where these tests fail with the
//! loader's advice if it is missing).
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const FIXTURES: [&str; 4] = [
    "qwen3-tiny",
    "qwen3-bf16-headdim",
    "qwen2-tiny",
    "llama-tiny",
];

fn fixture_dir(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// stdout of a successful command; panics with stderr otherwise.
fn tiny_reasoner(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tiny-reasoner"))
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "tiny-reasoner {}: {stderr}",
        args.join(" ")
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn run_on_the_gpu_gives_the_same_tokens_as_the_cpu() {
    for name in FIXTURES {
        let ids = |backend: &str| -> Vec<u64> {
            let dir = fixture_dir(name);
            let args = [
                "run",
                "--model",
                &dir,
                "--backend",
                backend,
                "--json",
                "--temperature",
                "0",
                "--max-tokens",
                "16",
                "hello",
            ];
            tiny_reasoner(&args)
                .lines()
                .map(|l| serde_json::from_str::<Value>(l).unwrap())
                .filter(|e| e["event"] == "token")
                .map(|e| e["id"].as_u64().unwrap())
                .collect()
        };
        let (cpu, gpu) = (ids("cpu"), ids("gpu"));
        assert!(!cpu.is_empty(), "{name}: no tokens");
        assert_eq!(gpu, cpu, "{name}: token ids, --backend gpu vs. cpu");
    }
}

#[test]
fn bench_reports_one_submit_and_six_dispatches_a_layer_per_decoded_token() {
    let dir = fixture_dir("llama-tiny");
    let bench = |backend: &str| -> Value {
        let args = [
            "bench",
            "--model",
            &dir,
            "--backend",
            backend,
            "--json",
            "--prompt-tokens",
            "20",
            "--tokens",
            "8",
        ];
        serde_json::from_str(tiny_reasoner(&args).trim()).unwrap()
    };
    let gpu = bench("gpu");
    assert_eq!(gpu["backend"], "gpu");
    let layers = gpu["layers"].as_f64().unwrap();
    assert_eq!(gpu["submits_per_token"].as_f64(), Some(1.0), "{gpu}");
    // 6 a layer, plus embed, lm_head and the two top-k passes.
    assert_eq!(
        gpu["dispatches_per_token"].as_f64(),
        Some(6.0 * layers + 4.0),
        "{gpu}"
    );
    // Greedy keeps 5 candidates: log-sum-exp, entropy and 5 × (id, logit), 4 bytes each.
    assert_eq!(
        gpu["readback_bytes_per_token"].as_f64(),
        Some(48.0),
        "{gpu}"
    );
    for key in ["prefill_tok_per_s", "decode_tok_per_s", "ttft_ms"] {
        assert!(gpu[key].as_f64().unwrap() > 0.0, "{key}: {gpu}");
    }
    let cpu = bench("cpu");
    assert_eq!(cpu["backend"], "cpu");
    assert_eq!(cpu["dispatches_per_token"].as_f64(), Some(0.0));
    assert_eq!(cpu["submits_per_token"].as_f64(), Some(0.0));
    assert_eq!(cpu["readback_bytes_per_token"].as_f64(), Some(0.0));
}
