//! `cargo xtask build-web`: the wasm engine, the page and a model, assembled into dist/ — a
//! folder any static host serves unchanged.
//!
//! ```text
//! dist/index.html, *.js, style.css     www/ as is
//! dist/tiny-reasoner.js                the embed element and its imports in one ES module (esbuild)
//! dist/vendor/jinja.js                 @huggingface/jinja, minified: the worker's chat templates
//! dist/pkg/tiny_reasoner.js, *_bg.wasm wasm-bindgen --target web, then wasm-opt -Oz
//! dist/models/<name>/…                 the model files (Hugging Face layout), weights as int8
//! dist/models/default.json             which model that is, its files, sizes and versions
//! dist/sw.js                           the service worker, with this build's shell files
//! ```
//!
//! Then it prints the size budget (see `budget.rs`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{run_command, target_dir};

/// The model the page loads first: the first of these folders that holds a model. The shipped
/// model once it is trained, else the tiny random checkpoint the tests use.
const PAGE_MODELS: [PageModel; 2] = [
    PageModel {
        dir: "models/tiny-reasoner",
        label: "tiny-reasoner",
        note: "the shipped model, trained on the task families",
    },
    PageModel {
        dir: "tests/fixtures/qwen3-tiny",
        label: "qwen3-tiny (test fixture)",
        note: "random weights: its replies are gibberish by design, the shipped model is not trained yet",
    },
];

struct PageModel {
    dir: &'static str,
    label: &'static str,
    note: &'static str,
}

/// What a model folder contributes to the page (Hugging Face layout; the fixtures' reference
/// outputs and other extras stay behind).
fn is_model_file(name: &str) -> bool {
    matches!(
        name,
        "config.json"
            | "generation_config.json"
            | "tokenizer.json"
            | "tokenizer_config.json"
            | "special_tokens_map.json"
            | "chat_template.jinja"
            | "model.safetensors.index.json"
    ) || name.ends_with(".safetensors")
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits in the workspace root")
        .to_path_buf()
}

pub fn dist_dir() -> PathBuf {
    root().join("dist")
}

pub fn build_web(optimize: bool) -> Result<(), String> {
    let root = root();
    let pkg = target_dir().join("web-pkg");
    let setup_hint = " (scripts/setup.sh installs the tools)";

    // 1. The engine as wasm.
    run_command(
        Command::new(cargo())
            .args([
                "build",
                "--profile",
                "web",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .args(["--package", "tiny-reasoner", "--lib"])
            .current_dir(&root),
        "",
    )?;
    let wasm = target_dir().join("wasm32-unknown-unknown/web/tiny_reasoner.wasm");

    // 2. Its JS bindings, as an ES module the worker imports.
    let _ = fs::remove_dir_all(&pkg);
    run_command(
        Command::new("wasm-bindgen")
            .args(["--target", "web", "--no-typescript", "--out-dir"])
            .arg(&pkg)
            .arg(&wasm),
        setup_hint,
    )?;

    // 3. Smaller: -Oz, repeated until it stops shrinking, with the features rustc's wasm32 target
    // emits by default.
    let bg = pkg.join("tiny_reasoner_bg.wasm");
    if optimize {
        let wasm_opt = root.join("node_modules/.bin/wasm-opt");
        run_command(
            Command::new(&wasm_opt)
                .args(["-Oz", "--converge", "--strip-debug", "--strip-producers"])
                .args([
                    "--enable-bulk-memory",
                    "--enable-mutable-globals",
                    "--enable-nontrapping-float-to-int",
                    "--enable-sign-ext",
                    "--enable-multivalue",
                    "--enable-reference-types",
                ])
                .arg(&bg)
                .arg("-o")
                .arg(&bg),
            setup_hint,
        )?;
    }

    // 4. dist/: the page, the engine, the model.
    let dist = dist_dir();
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    }
    copy_dir(&root.join("www"), &dist, &|name| name != "README.md")?;
    bundle_embed(&root, &dist, setup_hint)?;
    vendor_jinja(&root, &dist, setup_hint)?;
    copy_dir(&pkg, &dist.join("pkg"), &|name| {
        name.ends_with(".js") || name.ends_with(".wasm")
    })?;
    let model = PAGE_MODELS
        .iter()
        .find(|m| has_model(&root.join(m.dir)))
        .ok_or("no model for the page: neither models/tiny-reasoner nor the fixture exists")?;
    let name = Path::new(model.dir)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("model");
    let model_dist = dist.join("models").join(name);
    let files = copy_dir(&root.join(model.dir), &model_dist, &is_model_file)?;
    quantize_for_download(&root.join(model.dir), &model_dist)?;
    write_manifest(
        &dist.join("models/default.json"),
        model,
        name,
        &model_dist,
        &files,
    )?;

    write_service_worker(&dist)?;

    println!(
        "Built {} (model {} from {})",
        dist.display(),
        model.label,
        model.dir
    );
    crate::budget::report(&dist)?;
    Ok(())
}

/// dist/tiny-reasoner.js as one ES module: the element with the three small modules it imports
/// (engine.js, offline.js, tokens.js) inlined, so an embedding page loads one script. The worker
/// and the wasm stay separate files (a worker is its own script), found next to the bundle through
/// `import.meta.url`, which esbuild leaves as it is. Not minified: it stays readable.
fn bundle_embed(root: &Path, dist: &Path, setup_hint: &str) -> Result<(), String> {
    run_command(
        Command::new(root.join("node_modules/.bin/esbuild"))
            .arg(root.join("www/tiny-reasoner.js"))
            .args(["--bundle", "--format=esm", "--log-level=warning"])
            .arg(format!(
                "--outfile={}",
                dist.join("tiny-reasoner.js").display()
            )),
        setup_hint,
    )
}

/// dist/vendor/jinja.js: @huggingface/jinja from node_modules (pinned in package.json), the Jinja
/// implementation www/chat.js renders chat templates with, as one minified ES module (15 kB
/// gzipped against 22 as published) under a banner that keeps its MIT notice.
fn vendor_jinja(root: &Path, dist: &Path, setup_hint: &str) -> Result<(), String> {
    let package = root.join("node_modules/@huggingface/jinja");
    let manifest = package.join("package.json");
    let manifest: serde_json::Value = fs::read(&manifest)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| format!("{}: missing or unreadable{setup_hint}", manifest.display()))?;
    let version = manifest["version"].as_str().unwrap_or("?");
    let license = manifest["license"].as_str().unwrap_or("?");
    run_command(
        Command::new(root.join("node_modules/.bin/esbuild"))
            .arg(package.join("dist/index.js"))
            .args([
                "--bundle",
                "--format=esm",
                "--minify",
                "--log-level=warning",
            ])
            .arg(format!(
                "--banner:js=/*! @huggingface/jinja {version} | {license} License | \
                 Copyright (c) Hugging Face | https://github.com/huggingface/huggingface.js */"
            ))
            .arg(format!(
                "--outfile={}",
                dist.join("vendor/jinja.js").display()
            )),
        setup_hint,
    )
}

/// Replaces the page model's `model.safetensors` (and `config.json`) with the per-row int8 copy
/// `tiny-reasoner quantize` writes: a quarter of the f32 download, for an accuracy cost the model
/// card measures. The CLI does it so that the engine's own code writes what the engine reads (in CI
/// the training smoke test has built the release binary already).
fn quantize_for_download(model: &Path, model_dist: &Path) -> Result<(), String> {
    run_command(
        Command::new(cargo())
            .args(["run", "--release", "--quiet", "--package", "tiny-reasoner"])
            .args(["--bin", "tiny-reasoner", "--", "quantize", "--model"])
            .arg(model)
            .arg("--out")
            .arg(model_dist)
            .current_dir(root()),
        "",
    )
}

/// The cargo that runs this xtask (same toolchain), else the one on PATH.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Fills in dist/sw.js: the shell files to keep for offline use (everything but the models, which
/// models.js caches itself, and the worker script itself), and a fingerprint of their content that
/// names the cache, so that a new build replaces the old one.
fn write_service_worker(dist: &Path) -> Result<(), String> {
    const PLACEHOLDER: &str = "const BUILD = { version: 'dev', files: [] };";
    let sw = dist.join("sw.js");
    let script = fs::read_to_string(&sw).map_err(|e| format!("{}: {e}", sw.display()))?;
    if !script.contains(PLACEHOLDER) {
        return Err(format!(
            "{}: no `{PLACEHOLDER}` line to fill in",
            sw.display()
        ));
    }
    let mut files = Vec::new();
    let mut fingerprint = Vec::new();
    for path in files_under(dist)? {
        let name = relative_name(dist, &path);
        if name.starts_with("models/") || name == "sw.js" {
            continue;
        }
        let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        fingerprint.extend_from_slice(name.as_bytes());
        fingerprint.extend_from_slice(&fnv1a(&bytes).to_le_bytes());
        files.push(name);
    }
    let build = serde_json::json!({
        "version": format!("{:016x}", fnv1a(&fingerprint)),
        "files": files,
    });
    let filled = script.replace(PLACEHOLDER, &format!("const BUILD = {build};"));
    fs::write(&sw, filled).map_err(|e| format!("{}: {e}", sw.display()))
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))? {
            let path = entry
                .map_err(|e| format!("{}: {e}", folder.display()))?
                .path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `root`, with `/` separators (as in a URL).
pub fn relative_name(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

fn has_model(dir: &Path) -> bool {
    dir.join("config.json").is_file()
        && (dir.join("model.safetensors").is_file()
            || dir.join("model.safetensors.index.json").is_file())
}

/// Copies the files of `from` (not recursing) that `keep` accepts; returns their names, sorted.
fn copy_dir(from: &Path, to: &Path, keep: &dyn Fn(&str) -> bool) -> Result<Vec<String>, String> {
    let io = |path: &Path, e: std::io::Error| format!("{}: {e}", path.display());
    fs::create_dir_all(to).map_err(|e| io(to, e))?;
    let mut names = Vec::new();
    for entry in fs::read_dir(from).map_err(|e| io(from, e))? {
        let entry = entry.map_err(|e| io(from, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file() && keep(&name) {
            fs::copy(entry.path(), to.join(&name)).map_err(|e| io(&entry.path(), e))?;
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// `models/default.json`: the page learns which model it loads and which files to fetch (a static
/// host lists no folders). `base` is relative to the manifest; `version` changes with the content,
/// so a cached copy is never stale.
fn write_manifest(
    path: &Path,
    model: &PageModel,
    name: &str,
    dir: &Path,
    files: &[String],
) -> Result<(), String> {
    let mut entries = Vec::new();
    for file in files {
        let bytes = fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
        entries.push(serde_json::json!({
            "name": file,
            "size": bytes.len(),
            "version": format!("{:016x}", fnv1a(&bytes)),
        }));
    }
    let manifest = serde_json::json!({
        "name": name,
        "label": model.label,
        "note": model.note,
        "source": model.dir,
        "base": format!("{name}/"),
        "files": entries,
    });
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
    fs::write(path, json + "\n").map_err(|e| format!("{}: {e}", path.display()))
}

/// 64-bit FNV-1a: a content fingerprint for cache busting, not a security check.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
