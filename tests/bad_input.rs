//! Bad input gets a distinct error naming the problem and the file — never a panic.

use std::fs;
use std::path::{Path, PathBuf};

use tiny_reasoner::{Engine, Error, GenerateOptions, Message, ModelFiles};

/// A writable copy of a fixture to damage.
fn copy_fixture(name: &str) -> tempfile::TempDir {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    for entry in fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

fn load(dir: &Path) -> Result<(), Error> {
    Engine::load_cpu(&ModelFiles::dir(dir)).map(|_| ())
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut json: serde_json::Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    edit(&mut json);
    fs::write(path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
}

/// The error's message must name the file, so a person knows where to look.
fn assert_names(error: &Error, file: &str) {
    assert!(
        error.to_string().contains(file),
        "`{error}` does not name {file}"
    );
}

#[test]
fn missing_file() {
    let dir = copy_fixture("qwen3-tiny");
    fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::MissingFile { .. }), "{err:?}");
    assert_names(&err, "tokenizer.json");
}

#[test]
fn missing_model_folder() {
    let err = load(Path::new("/nonexistent/model")).unwrap_err();
    assert!(matches!(err, Error::MissingFile { .. }), "{err:?}");
    assert_names(&err, "/nonexistent/model/config.json");
}

#[test]
fn truncated_safetensors() {
    let dir = copy_fixture("qwen3-tiny");
    let path = dir.path().join("model.safetensors");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::CorruptSafetensors { .. }), "{err:?}");
    assert_names(&err, "model.safetensors");
}

#[test]
fn corrupt_safetensors_header() {
    let dir = copy_fixture("qwen3-tiny");
    let path = dir.path().join("model.safetensors");
    let mut bytes = fs::read(&path).unwrap();
    bytes[8..16].copy_from_slice(b"garbage!");
    fs::write(&path, &bytes).unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::CorruptSafetensors { .. }), "{err:?}");
    assert_names(&err, "model.safetensors");
}

#[test]
fn tensor_of_the_wrong_shape() {
    let dir = copy_fixture("qwen3-tiny");
    let path = dir.path().join("model.safetensors");
    let bytes = fs::read(&path).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    // Rewrite the file with model.norm.weight reshaped from (64) to (2, 32).
    let views: Vec<(String, safetensors::tensor::TensorView)> = tensors
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            if name == "model.norm.weight" {
                let reshaped =
                    safetensors::tensor::TensorView::new(view.dtype(), vec![2, 32], view.data())
                        .unwrap();
                (name, reshaped)
            } else {
                (name, view)
            }
        })
        .collect();
    fs::write(&path, safetensors::serialize(views, None).unwrap()).unwrap();
    let err = load(dir.path()).unwrap_err();
    match &err {
        Error::TensorShape {
            tensor,
            expected,
            found,
            ..
        } => {
            assert_eq!(tensor, "model.norm.weight");
            assert_eq!(
                (expected.as_slice(), found.as_slice()),
                (&[64][..], &[2, 32][..])
            );
        }
        other => panic!("expected TensorShape, got {other:?}"),
    }
    assert_names(&err, "model.safetensors");
}

#[test]
fn missing_tensor_in_a_shard() {
    let dir = copy_fixture("llama-tiny");
    // Untie nothing, but claim an lm_head that no shard holds: drop it from the file it lives in.
    let index_path = dir.path().join("model.safetensors.index.json");
    let index: serde_json::Value = serde_json::from_slice(&fs::read(&index_path).unwrap()).unwrap();
    let shard = index["weight_map"]["lm_head.weight"]
        .as_str()
        .unwrap()
        .to_string();
    let shard_path = dir.path().join(&shard);
    let bytes = fs::read(&shard_path).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let kept: Vec<_> = tensors
        .tensors()
        .into_iter()
        .filter(|(n, _)| n != "lm_head.weight")
        .collect();
    fs::write(&shard_path, safetensors::serialize(kept, None).unwrap()).unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(
        matches!(&err, Error::MissingTensor { tensor, .. } if tensor == "lm_head.weight"),
        "{err:?}"
    );
    assert_names(&err, "model.safetensors.index.json");
}

#[test]
fn shard_path_outside_the_folder_is_refused() {
    let dir = copy_fixture("llama-tiny");
    edit_json(&dir.path().join("model.safetensors.index.json"), |j| {
        j["weight_map"]["lm_head.weight"] = "../../etc/passwd".into();
    });
    let err = load(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidConfig {
                key: "weight_map",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn unknown_model_type() {
    let dir = copy_fixture("qwen3-tiny");
    edit_json(&dir.path().join("config.json"), |j| {
        j["model_type"] = "mamba".into()
    });
    let err = load(dir.path()).unwrap_err();
    assert!(
        matches!(&err, Error::UnsupportedModelType { model_type, .. } if model_type == "mamba"),
        "{err:?}"
    );
    assert_names(&err, "config.json");
}

#[test]
fn config_missing_a_key() {
    let dir = copy_fixture("qwen3-tiny");
    edit_json(&dir.path().join("config.json"), |j| {
        j.as_object_mut().unwrap().remove("hidden_size");
    });
    let err = load(dir.path()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingConfigKey {
                key: "hidden_size",
                ..
            }
        ),
        "{err:?}"
    );
    assert_names(&err, "config.json");
}

#[test]
fn config_that_is_not_json() {
    let dir = copy_fixture("qwen3-tiny");
    fs::write(dir.path().join("config.json"), "{ not json").unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::InvalidJson { .. }), "{err:?}");
    assert_names(&err, "config.json");
}

#[test]
fn invalid_tokenizer_json() {
    let dir = copy_fixture("qwen3-tiny");
    fs::write(
        dir.path().join("tokenizer.json"),
        r#"{"model": {"type": "nonsense"}}"#,
    )
    .unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::InvalidTokenizer { .. }), "{err:?}");
    assert_names(&err, "tokenizer.json");
}

#[test]
fn broken_chat_template() {
    let dir = copy_fixture("qwen3-bf16-headdim");
    fs::write(
        dir.path().join("chat_template.jinja"),
        "{% for m in messages %}{{ m.content }",
    )
    .unwrap();
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, Error::ChatTemplate { .. }), "{err:?}");
    assert_names(&err, "chat_template.jinja");
}

#[test]
fn prompt_longer_than_the_context() {
    let dir = copy_fixture("qwen3-tiny");
    let engine = Engine::load_cpu(&ModelFiles::dir(dir.path())).unwrap();
    let long = "count with me: ".to_string() + &"1 2 3 4 5 6 7 8 9 ".repeat(60);
    let err = engine
        .start(&[Message::new("user", &long)], GenerateOptions::default())
        .err()
        .unwrap();
    match err {
        Error::PromptTooLong { tokens, limit } => {
            assert!(tokens >= limit && limit == 512, "{tokens} vs {limit}")
        }
        other => panic!("expected PromptTooLong, got {other:?}"),
    }
}

#[test]
fn token_id_outside_the_vocabulary() {
    let dir = copy_fixture("qwen3-tiny");
    let engine = Engine::load_cpu(&ModelFiles::dir(dir.path())).unwrap();
    let err = engine
        .start_from_ids(String::new(), vec![1, 100_000], GenerateOptions::default())
        .err()
        .unwrap();
    assert!(
        matches!(err, Error::TokenOutOfRange { id: 100_000, .. }),
        "{err:?}"
    );
}

#[test]
fn models_load_from_memory_too() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/qwen3-tiny");
    let files: Vec<(String, Vec<u8>)> = fs::read_dir(&src)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&path).unwrap(),
            )
        })
        .filter(|(name, _)| name != "tokenizer.json")
        .collect();
    // Without tokenizer.json the in-memory loader names the missing file.
    let err = Engine::load_cpu(&ModelFiles::memory(files.clone()))
        .err()
        .unwrap();
    assert!(
        matches!(err, Error::MissingFile { .. }) && err.to_string().contains("tokenizer.json"),
        "{err}"
    );
    let mut all = files;
    all.push((
        "tokenizer.json".into(),
        fs::read(src.join("tokenizer.json")).unwrap(),
    ));
    assert!(Engine::load_cpu(&ModelFiles::memory(all)).is_ok());
}
