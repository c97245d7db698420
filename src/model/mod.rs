//! A model folder in Hugging Face layout: what each file means, read into plain Rust values.
//! Nothing here runs the network; `cpu` (and later `gpu`) do.

// The chat template on native only: the page renders it in JS (www/chat.js), which keeps the
// template engine (minijinja) out of the wasm download.
#[cfg(not(target_arch = "wasm32"))]
pub mod chat;
pub mod config;
pub mod files;
pub mod quantize;
pub mod tokenizer;
pub mod weights;

#[cfg(not(target_arch = "wasm32"))]
pub use chat::{ChatTemplate, Message};
pub use config::{Architecture, Config, GenerationConfig};
pub use files::ModelFiles;
pub use tokenizer::{StreamDecoder, Tokenizer};
pub use weights::{Tensor, Weights};

use crate::error::Result;

pub const CONFIG: &str = "config.json";
pub const GENERATION_CONFIG: &str = "generation_config.json";
pub const TOKENIZER: &str = "tokenizer.json";

/// Everything about a model except its weights: enough to turn messages into token ids and ids
/// back into text, and to know when to stop. (In the wasm, messages become text in JS first.)
pub struct ModelInfo {
    pub config: Config,
    pub generation: GenerationConfig,
    pub tokenizer: Tokenizer,
    #[cfg(not(target_arch = "wasm32"))]
    pub chat: ChatTemplate,
    /// Union of the eos ids of `generation_config.json` and `config.json`.
    pub eos_token_ids: Vec<u32>,
}

impl ModelInfo {
    pub fn load(files: &ModelFiles) -> Result<ModelInfo> {
        let config = Config::from_json(&files.display_name(CONFIG), files.read_json(CONFIG)?)?;
        let generation = match files.read_json_if_exists(GENERATION_CONFIG)? {
            Some(json) => {
                GenerationConfig::from_json(&files.display_name(GENERATION_CONFIG), &json)?
            }
            None => GenerationConfig::default(),
        };
        let tokenizer =
            Tokenizer::from_bytes(&files.display_name(TOKENIZER), &files.read(TOKENIZER)?)?;
        #[cfg(not(target_arch = "wasm32"))]
        let chat = ChatTemplate::load(files)?;
        let mut eos_token_ids = generation.eos_token_id.clone();
        for id in &config.eos_token_id {
            if !eos_token_ids.contains(id) {
                eos_token_ids.push(*id);
            }
        }
        Ok(ModelInfo {
            config,
            generation,
            tokenizer,
            #[cfg(not(target_arch = "wasm32"))]
            chat,
            eos_token_ids,
        })
    }
}
