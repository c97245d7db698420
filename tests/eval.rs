//! The `tiny-reasoner eval` command on the shipped model, as a user runs it.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn shipped_model() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/tiny-reasoner")
}

/// `eval --json` with `args` after the model and backend; (succeeded, stdout, stderr).
fn eval(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tiny-reasoner"))
        .args(["eval", "--json", "--backend", "cpu", "--model"])
        .arg(shipped_model())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn report(args: &[&str]) -> Value {
    let (ok, stdout, stderr) = eval(args);
    assert!(ok, "eval {args:?} failed: {stderr}");
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

#[test]
fn family_filter_scores_the_problems_a_full_run_gets() {
    let full = report(&["--n", "1", "--seed", "11"]);
    let some = report(&["--n", "1", "--seed", "11", "--family", "compare_sort,other"]);
    let families = some["families"].as_object().unwrap();
    let names: Vec<&str> = families.keys().map(String::as_str).collect();
    assert_eq!(names, ["compare_sort", "other"]);
    // The same problems, so the same greedy replies: the same scores and token counts. (The
    // families come after four others in the draw, so a filter that drew fewer would differ.)
    for (name, score) in families {
        assert_eq!(score, &full["families"][name], "{name}");
    }
    assert_eq!(some["overall"]["n"], 2);
    assert_eq!(full["families"].as_object().unwrap().len(), 6);
}

#[test]
fn an_unknown_family_is_refused_by_name() {
    let (ok, stdout, stderr) = eval(&["--seed", "1", "--family", "sort,division"]);
    assert!(!ok);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("unknown family `sort`"), "{stderr}");
    assert!(stderr.contains("compare_sort"), "{stderr}");
}
