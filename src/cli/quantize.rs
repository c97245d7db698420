//! `tiny-reasoner quantize`: a copy of a model folder with per-row int8 matrices (a 4× smaller
//! `model.safetensors`), which this engine loads like any other. The page ships the shipped model
//! this way; `eval --model OUT` measures what it costs.

use std::path::{Path, PathBuf};

use clap::Args;
use tiny_reasoner::model::quantize;
use tiny_reasoner::model::weights::SINGLE_FILE;
use tiny_reasoner::model::CONFIG;
use tiny_reasoner::{Error, ModelFiles, Result};

/// The files of a model folder that are copied unchanged (`config.json` gains a
/// `quantization_config`; `model.safetensors` is rewritten).
const COPIED: [&str; 5] = [
    "generation_config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "chat_template.jinja",
];

#[derive(Args)]
pub struct QuantizeArgs {
    /// A model folder in Hugging Face layout with a single `model.safetensors`.
    #[arg(long)]
    model: PathBuf,
    /// Where to write the quantized folder (created if missing; its model files are replaced).
    #[arg(long)]
    out: PathBuf,
}

pub fn quantize(args: QuantizeArgs) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    std::fs::create_dir_all(&args.out).map_err(io(&args.out))?;
    let model = ModelFiles::dir(&args.model);

    let bytes = model.read(SINGLE_FILE)?;
    let quantized = quantize::quantize_int8(&model.display_name(SINGLE_FILE), &bytes)?;
    let weights_out = args.out.join(SINGLE_FILE);
    std::fs::write(&weights_out, &quantized).map_err(io(&weights_out))?;

    let mut config = model.read_json(CONFIG)?;
    let Some(object) = config.as_object_mut() else {
        return Err(Error::InvalidConfig {
            file: model.display_name(CONFIG),
            key: "config",
            reason: "not a JSON object".into(),
        });
    };
    object.insert("quantization_config".into(), quantize::config_entry());
    let config_out = args.out.join(CONFIG);
    let text = serde_json::to_string_pretty(&config).unwrap_or_default() + "\n";
    std::fs::write(&config_out, text).map_err(io(&config_out))?;

    for name in COPIED {
        let from = args.model.join(name);
        if from.is_file() {
            let to = args.out.join(name);
            std::fs::copy(&from, &to).map_err(io(&from))?;
        }
    }
    eprintln!(
        "{}: {} bytes -> {}: {} bytes",
        model.display_name(SINGLE_FILE),
        bytes.len(),
        weights_out.display(),
        quantized.len()
    );
    Ok(())
}
