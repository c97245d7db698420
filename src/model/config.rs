//! `config.json` (the blueprint of the network) and `generation_config.json` (sampling defaults),
//! with the Hugging Face key names verbatim so serde needs no renames.

use serde::Deserialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Architecture {
    /// Per-head RMSNorm on q and k before RoPE.
    Qwen3,
    /// Bias on the q, k and v projections.
    Qwen2,
    Llama,
}

/// The network's shape, validated: every field a forward pass needs, nothing optional left to guess.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub architecture: Architecture,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    /// May differ from hidden_size / num_attention_heads (Qwen3 ships such models).
    pub head_dim: usize,
    pub rms_norm_eps: f32,
    pub rope_theta: f32,
    pub rope_scaling: RopeScaling,
    pub max_position_embeddings: usize,
    pub tie_word_embeddings: bool,
    /// Bias on q, k, v (always for Qwen2, `attention_bias` for the others).
    pub qkv_bias: bool,
    /// Bias on the output projection (`attention_bias` for Llama and Qwen3).
    pub o_bias: bool,
    pub eos_token_id: Vec<u32>,
}

/// How RoPE frequencies are rescaled for long contexts (`rope_scaling` / `rope_parameters`).
#[derive(Clone, Debug, PartialEq)]
pub enum RopeScaling {
    None,
    /// Positions divided by `factor`.
    Linear {
        factor: f32,
    },
    /// Llama 3.1+: low frequencies divided by `factor`, high ones kept, a smooth blend between.
    Llama3 {
        factor: f32,
        low_freq_factor: f32,
        high_freq_factor: f32,
        original_max_position_embeddings: f32,
    },
}

impl Config {
    pub fn q_dim(&self) -> usize {
        self.num_attention_heads * self.head_dim
    }
    pub fn kv_dim(&self) -> usize {
        self.num_key_value_heads * self.head_dim
    }

    pub fn from_json(file: &str, json: Value) -> Result<Config> {
        let raw: RawConfig = serde_json::from_value(json).map_err(|source| Error::InvalidJson {
            file: file.to_string(),
            source,
        })?;
        raw.validate(file)
    }
}

/// `config.json` as written by transformers 4.x and 5.x; everything optional so that a missing key
/// becomes `MissingConfigKey` naming it, rather than serde's generic message.
#[derive(Deserialize)]
struct RawConfig {
    model_type: Option<String>,
    vocab_size: Option<usize>,
    hidden_size: Option<usize>,
    intermediate_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    rms_norm_eps: Option<f64>,
    /// transformers 4.x writes it at the top level …
    rope_theta: Option<f64>,
    /// … 5.x inside `rope_parameters` (with `rope_type` and the scaling keys).
    rope_parameters: Option<Value>,
    rope_scaling: Option<Value>,
    max_position_embeddings: Option<usize>,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
    hidden_act: Option<String>,
    use_sliding_window: Option<bool>,
    eos_token_id: Option<Value>,
}

fn require<T>(file: &str, key: &'static str, value: Option<T>) -> Result<T> {
    value.ok_or_else(|| Error::MissingConfigKey {
        file: file.to_string(),
        key,
    })
}

fn invalid(file: &str, key: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidConfig {
        file: file.to_string(),
        key,
        reason: reason.into(),
    }
}

impl RawConfig {
    fn validate(self, file: &str) -> Result<Config> {
        let model_type = require(file, "model_type", self.model_type)?;
        let architecture = match model_type.as_str() {
            "qwen3" => Architecture::Qwen3,
            "qwen2" => Architecture::Qwen2,
            "llama" => Architecture::Llama,
            _ => {
                return Err(Error::UnsupportedModelType {
                    file: file.to_string(),
                    model_type,
                })
            }
        };
        if let Some(act) = &self.hidden_act {
            if act != "silu" {
                return Err(invalid(
                    file,
                    "hidden_act",
                    format!("`{act}` is not supported (only silu)"),
                ));
            }
        }
        if self.use_sliding_window == Some(true) {
            return Err(invalid(
                file,
                "use_sliding_window",
                "sliding-window attention is not supported",
            ));
        }
        let hidden_size = require(file, "hidden_size", self.hidden_size)?;
        let num_attention_heads = require(file, "num_attention_heads", self.num_attention_heads)?;
        if num_attention_heads == 0 {
            return Err(invalid(file, "num_attention_heads", "must be at least 1"));
        }
        let num_key_value_heads = self.num_key_value_heads.unwrap_or(num_attention_heads);
        if num_key_value_heads == 0 || num_attention_heads % num_key_value_heads != 0 {
            return Err(invalid(
                file,
                "num_key_value_heads",
                format!("{num_key_value_heads} does not divide num_attention_heads {num_attention_heads}"),
            ));
        }
        let head_dim = self.head_dim.unwrap_or(hidden_size / num_attention_heads);
        if head_dim == 0 || !head_dim.is_multiple_of(2) {
            return Err(invalid(
                file,
                "head_dim",
                format!("{head_dim} must be even and positive for RoPE"),
            ));
        }
        let rope_params = self.rope_parameters.as_ref().or(self.rope_scaling.as_ref());
        let rope_theta = match (
            self.rope_theta,
            rope_params.and_then(|p| p.get("rope_theta")),
        ) {
            (Some(theta), _) => theta,
            (None, Some(theta)) => theta
                .as_f64()
                .ok_or_else(|| invalid(file, "rope_theta", "not a number"))?,
            (None, None) => {
                return Err(Error::MissingConfigKey {
                    file: file.to_string(),
                    key: "rope_theta",
                })
            }
        };
        let attention_bias = self.attention_bias.unwrap_or(false);
        Ok(Config {
            architecture,
            vocab_size: require(file, "vocab_size", self.vocab_size)?,
            hidden_size,
            intermediate_size: require(file, "intermediate_size", self.intermediate_size)?,
            num_hidden_layers: require(file, "num_hidden_layers", self.num_hidden_layers)?,
            num_attention_heads,
            num_key_value_heads,
            head_dim,
            rms_norm_eps: require(file, "rms_norm_eps", self.rms_norm_eps)? as f32,
            rope_theta: rope_theta as f32,
            rope_scaling: parse_rope_scaling(file, rope_params)?,
            max_position_embeddings: require(
                file,
                "max_position_embeddings",
                self.max_position_embeddings,
            )?,
            // The default of Qwen3Config, Qwen2Config and LlamaConfig alike.
            tie_word_embeddings: self.tie_word_embeddings.unwrap_or(false),
            qkv_bias: architecture == Architecture::Qwen2 || attention_bias,
            o_bias: architecture != Architecture::Qwen2 && attention_bias,
            eos_token_id: token_ids(file, "eos_token_id", self.eos_token_id.as_ref())?,
        })
    }
}

fn parse_rope_scaling(file: &str, params: Option<&Value>) -> Result<RopeScaling> {
    let Some(params) = params.filter(|p| !p.is_null()) else {
        return Ok(RopeScaling::None);
    };
    let kind = params
        .get("rope_type")
        .or_else(|| params.get("type"))
        .and_then(Value::as_str);
    let number = |key: &str| -> Result<f32> {
        params
            .get(key)
            .and_then(Value::as_f64)
            .map(|v| v as f32)
            .ok_or_else(|| invalid(file, "rope_scaling", format!("missing number `{key}`")))
    };
    match kind {
        None | Some("default") => Ok(RopeScaling::None),
        Some("linear") => Ok(RopeScaling::Linear {
            factor: number("factor")?,
        }),
        Some("llama3") => Ok(RopeScaling::Llama3 {
            factor: number("factor")?,
            low_freq_factor: number("low_freq_factor")?,
            high_freq_factor: number("high_freq_factor")?,
            original_max_position_embeddings: number("original_max_position_embeddings")?,
        }),
        Some(other) => Err(invalid(
            file,
            "rope_scaling",
            format!("rope_type `{other}` is not supported"),
        )),
    }
}

/// A token id field that may be absent, one integer, or a list of integers.
pub(crate) fn token_ids(file: &str, key: &'static str, value: Option<&Value>) -> Result<Vec<u32>> {
    let as_id = |v: &Value| {
        v.as_u64()
            .and_then(|id| u32::try_from(id).ok())
            .ok_or_else(|| invalid(file, key, format!("`{v}` is not a token id")))
    };
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(ids)) => ids.iter().map(as_id).collect(),
        Some(id) => Ok(vec![as_id(id)?]),
    }
}

/// `generation_config.json`: the model author's defaults for stopping and sampling.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GenerationConfig {
    pub eos_token_id: Vec<u32>,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub top_k: Option<usize>,
    pub do_sample: Option<bool>,
}

impl GenerationConfig {
    /// The sampler these defaults ask for, read as transformers does: greedy unless `do_sample`;
    /// when sampling, temperature 1, top-k 50 and top-p 1 where the file is silent. Seed 0.
    pub fn sampler_defaults(&self) -> crate::sampler::SamplerConfig {
        if !self.do_sample.unwrap_or(false) {
            return crate::sampler::SamplerConfig::default(); // greedy
        }
        crate::sampler::SamplerConfig {
            temperature: self.temperature.unwrap_or(1.0),
            top_k: self.top_k.unwrap_or(50),
            top_p: self.top_p.unwrap_or(1.0),
            seed: 0,
        }
    }

    pub fn from_json(file: &str, json: &Value) -> Result<GenerationConfig> {
        let number = |key: &'static str| -> Result<Option<f64>> {
            match json.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| invalid(file, key, "not a number")),
            }
        };
        Ok(GenerationConfig {
            eos_token_id: token_ids(file, "eos_token_id", json.get("eos_token_id"))?,
            temperature: number("temperature")?.map(|v| v as f32),
            top_p: number("top_p")?.map(|v| v as f32),
            top_k: number("top_k")?.map(|v| v as usize),
            do_sample: json.get("do_sample").and_then(Value::as_bool),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Value {
        json!({
            "model_type": "qwen3", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
            "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 32
        })
    }

    #[test]
    fn rope_theta_is_read_from_either_place() {
        let top = Config::from_json("c", base()).unwrap();
        let mut v5 = base();
        v5.as_object_mut().unwrap().remove("rope_theta");
        v5["rope_parameters"] = json!({"rope_type": "default", "rope_theta": 10000.0});
        assert_eq!(Config::from_json("c", v5).unwrap(), top);
    }

    #[test]
    fn head_dim_defaults_to_hidden_over_heads_and_may_be_explicit() {
        assert_eq!(Config::from_json("c", base()).unwrap().head_dim, 4);
        let mut explicit = base();
        explicit["head_dim"] = json!(6);
        assert_eq!(Config::from_json("c", explicit).unwrap().q_dim(), 12);
    }

    #[test]
    fn eos_may_be_one_id_or_a_list() {
        let mut one = base();
        one["eos_token_id"] = json!(3);
        assert_eq!(Config::from_json("c", one).unwrap().eos_token_id, vec![3]);
        let mut list = base();
        list["eos_token_id"] = json!([3, 4]);
        assert_eq!(
            Config::from_json("c", list).unwrap().eos_token_id,
            vec![3, 4]
        );
    }
}
