//! The `tiny-reasoner run` command, as a user runs it.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const FIXTURES: [&str; 4] = [
    "qwen3-tiny",
    "qwen3-bf16-headdim",
    "qwen2-tiny",
    "llama-tiny",
];

fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tiny-reasoner"))
        .arg("run")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn json_lines_match_the_transformers_reference() {
    for name in FIXTURES {
        let dir = fixture_dir(name);
        let (ok, stdout, stderr) = run(&[
            "--model",
            dir.to_str().unwrap(),
            "--json",
            "--temperature",
            "0",
            "--max-tokens",
            "16",
            "hello",
        ]);
        assert!(ok, "{name}: {stderr}");
        let lines: Vec<Value> = stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let reference: Value =
            serde_json::from_slice(&std::fs::read(dir.join("reference.json")).unwrap()).unwrap();
        let case = &reference["cases"][0];

        assert_eq!(lines[0]["event"], "prompt");
        assert_eq!(lines[0]["text"], case["prompt_text"]);
        assert_eq!(lines[0]["ids"], case["prompt_ids"]);
        let done = lines.last().unwrap();
        assert_eq!(done["event"], "done");
        for key in [
            "reason",
            "tokens",
            "thinking",
            "answer",
            "ttft_ms",
            "tok_per_s",
        ] {
            assert!(done.get(key).is_some(), "{name}: done lacks {key}");
        }
        let tokens = &lines[1..lines.len() - 1];
        assert_eq!(done["tokens"], tokens.len());
        for t in tokens {
            assert_eq!(t["event"], "token");
            for key in [
                "index", "id", "text", "phase", "prob", "entropy", "top", "ms",
            ] {
                assert!(t.get(key).is_some(), "{name}: token lacks {key}");
            }
            assert_eq!(t["top"].as_array().unwrap().len(), 5);
        }
        let got: Vec<&Value> = tokens.iter().map(|t| &t["id"]).collect();
        let want: Vec<&Value> = case["greedy_ids"]
            .as_array()
            .unwrap()
            .iter()
            .take(got.len())
            .collect();
        assert_eq!(got, want, "{name}: greedy ids");
        if done["reason"] == "length" {
            assert_eq!(got.len(), 16);
        }
    }
}

#[test]
fn text_mode_prints_the_reply_and_a_summary() {
    let dir = fixture_dir("qwen3-tiny");
    let (ok, stdout, stderr) = run(&[
        "--model",
        dir.to_str().unwrap(),
        "--temperature",
        "0",
        "--max-tokens",
        "8",
        "hi",
    ]);
    assert!(ok, "{stderr}");
    assert!(!stdout.trim().is_empty());
    assert!(stderr.contains("tokens"), "{stderr}");
}

#[test]
fn errors_are_reported_not_panicked() {
    let (ok, _, stderr) = run(&["--model", "/nonexistent", "hello"]);
    assert!(!ok);
    assert!(
        stderr.starts_with("error: /nonexistent/config.json: file not found"),
        "{stderr}"
    );
    let dir = fixture_dir("qwen3-tiny");
    let (ok, _, stderr) = run(&["--model", dir.to_str().unwrap(), "--top-p", "1.5", "hello"]);
    assert!(!ok && stderr.contains("top_p"), "{stderr}");
    let (ok, _, stderr) = run(&[
        "--model",
        dir.to_str().unwrap(),
        "--messages",
        "/nonexistent.json",
    ]);
    assert!(!ok && stderr.contains("/nonexistent.json"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn messages_file_and_system_prompt() {
    let dir = fixture_dir("qwen2-tiny");
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        file.path(),
        r#"[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]"#,
    )
    .unwrap();
    let (ok, stdout, stderr) = run(&[
        "--model",
        dir.to_str().unwrap(),
        "--json",
        "--max-tokens",
        "1",
        "--system",
        "Be brief.",
        "--messages",
        file.path().to_str().unwrap(),
        "and now?",
    ]);
    assert!(ok, "{stderr}");
    let prompt: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    let text = prompt["text"].as_str().unwrap();
    assert!(
        text.starts_with("<|im_start|>system\nBe brief.<|im_end|>"),
        "{text}"
    );
    assert!(
        text.contains("<|im_start|>assistant\nhello<|im_end|>")
            && text.ends_with("and now?<|im_end|>\n<|im_start|>assistant\n"),
        "{text}"
    );
}
