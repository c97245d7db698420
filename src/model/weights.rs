//! The weights of a checkpoint, read from `model.safetensors` or from the shards listed in
//! `model.safetensors.index.json`. Tensor names live here and nowhere else. Floats (f32, f16, bf16)
//! are kept as stored; per-row int8 matrices (`quantize.rs`) become f32 as they are read.

use std::collections::{BTreeSet, HashMap};

use half::{bf16, f16};
use safetensors::{Dtype, SafeTensors};

use super::config::Config;
use super::files::ModelFiles;
use super::quantize;
use crate::error::{Error, Result};

pub const SINGLE_FILE: &str = "model.safetensors";
pub const SHARD_INDEX: &str = "model.safetensors.index.json";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    F16,
    BF16,
}

/// One tensor as stored in the file: its dtype is kept so the GPU can upload 16-bit weights as is.
#[derive(Clone, Debug)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub dtype: DType,
    /// Little-endian elements, row-major.
    pub bytes: Vec<u8>,
}

impl Tensor {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn to_f32(&self) -> Vec<f32> {
        match self.dtype {
            DType::F32 => self
                .bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            DType::F16 => self
                .bytes
                .chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            DType::BF16 => self
                .bytes
                .chunks_exact(2)
                .map(|b| bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
        }
    }
}

/// The weights of one decoder layer; shapes are (out, in) as in PyTorch's `nn.Linear`.
pub struct LayerWeights<T> {
    pub attn_norm: T,      // (hidden)
    pub wq: T,             // (n_heads * head_dim, hidden)
    pub wk: T,             // (n_kv_heads * head_dim, hidden)
    pub wv: T,             // (n_kv_heads * head_dim, hidden)
    pub bq: Option<T>,     // (n_heads * head_dim)       Qwen2, or attention_bias
    pub bk: Option<T>,     // (n_kv_heads * head_dim)
    pub bv: Option<T>,     // (n_kv_heads * head_dim)
    pub wo: T,             // (hidden, n_heads * head_dim)
    pub bo: Option<T>,     // (hidden)                   attention_bias
    pub q_norm: Option<T>, // (head_dim)                 Qwen3
    pub k_norm: Option<T>, // (head_dim)                 Qwen3
    pub ffn_norm: T,       // (hidden)
    pub w_gate: T,         // (intermediate, hidden)
    pub w_up: T,           // (intermediate, hidden)
    pub w_down: T,         // (hidden, intermediate)
}

/// All weights of a causal LM, generic over the storage so the CPU (`Vec<f32>`) and the GPU
/// (buffers) share one layout.
pub struct Weights<T> {
    pub embed: T, // (vocab, hidden)
    pub layers: Vec<LayerWeights<T>>,
    pub norm: T, // (hidden)
    /// `None` when tied: the logits reuse `embed`.
    pub lm_head: Option<T>, // (vocab, hidden)
}

impl<T> Weights<T> {
    /// The same weights in another storage, converted tensor by tensor.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Weights<U> {
        let opt = |t: Option<T>, f: &mut dyn FnMut(T) -> U| t.map(f);
        Weights {
            embed: f(self.embed),
            layers: self
                .layers
                .into_iter()
                .map(|l| LayerWeights {
                    attn_norm: f(l.attn_norm),
                    wq: f(l.wq),
                    wk: f(l.wk),
                    wv: f(l.wv),
                    bq: opt(l.bq, &mut f),
                    bk: opt(l.bk, &mut f),
                    bv: opt(l.bv, &mut f),
                    wo: f(l.wo),
                    bo: opt(l.bo, &mut f),
                    q_norm: opt(l.q_norm, &mut f),
                    k_norm: opt(l.k_norm, &mut f),
                    ffn_norm: f(l.ffn_norm),
                    w_gate: f(l.w_gate),
                    w_up: f(l.w_up),
                    w_down: f(l.w_down),
                })
                .collect(),
            norm: f(self.norm),
            lm_head: opt(self.lm_head, &mut f),
        }
    }
}

impl Weights<Tensor> {
    /// Read every tensor the config calls for, checking each shape; extra tensors are ignored.
    pub fn load(files: &ModelFiles, config: &Config) -> Result<Weights<Tensor>> {
        let mut store = TensorStore::read(files)?;
        let (hidden, inter, vocab) = (
            config.hidden_size,
            config.intermediate_size,
            config.vocab_size,
        );
        let (q_dim, kv_dim, head_dim) = (config.q_dim(), config.kv_dim(), config.head_dim);
        let qk_norm = config.architecture == super::config::Architecture::Qwen3;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("model.layers.{i}");
            let mut take = |name: &str, shape: &[usize]| store.take(&format!("{p}.{name}"), shape);
            layers.push(LayerWeights {
                attn_norm: take("input_layernorm.weight", &[hidden])?,
                wq: take("self_attn.q_proj.weight", &[q_dim, hidden])?,
                wk: take("self_attn.k_proj.weight", &[kv_dim, hidden])?,
                wv: take("self_attn.v_proj.weight", &[kv_dim, hidden])?,
                bq: optional(config.qkv_bias, || take("self_attn.q_proj.bias", &[q_dim]))?,
                bk: optional(config.qkv_bias, || take("self_attn.k_proj.bias", &[kv_dim]))?,
                bv: optional(config.qkv_bias, || take("self_attn.v_proj.bias", &[kv_dim]))?,
                wo: take("self_attn.o_proj.weight", &[hidden, q_dim])?,
                bo: optional(config.o_bias, || take("self_attn.o_proj.bias", &[hidden]))?,
                q_norm: optional(qk_norm, || take("self_attn.q_norm.weight", &[head_dim]))?,
                k_norm: optional(qk_norm, || take("self_attn.k_norm.weight", &[head_dim]))?,
                ffn_norm: take("post_attention_layernorm.weight", &[hidden])?,
                w_gate: take("mlp.gate_proj.weight", &[inter, hidden])?,
                w_up: take("mlp.up_proj.weight", &[inter, hidden])?,
                w_down: take("mlp.down_proj.weight", &[hidden, inter])?,
            });
        }
        Ok(Weights {
            embed: store.take("model.embed_tokens.weight", &[vocab, hidden])?,
            layers,
            norm: store.take("model.norm.weight", &[hidden])?,
            lm_head: optional(!config.tie_word_embeddings, || {
                store.take("lm_head.weight", &[vocab, hidden])
            })?,
        })
    }
}

fn optional<T>(wanted: bool, take: impl FnOnce() -> Result<T>) -> Result<Option<T>> {
    if wanted {
        take().map(Some)
    } else {
        Ok(None)
    }
}

/// Tensors read from one or more safetensors files, remembered with the file they came from.
struct TensorStore {
    tensors: HashMap<String, (Tensor, String)>,
    /// Named in "tensor is missing" errors: the single file, or the shard index.
    source: String,
}

impl TensorStore {
    fn read(files: &ModelFiles) -> Result<TensorStore> {
        let (shards, source) = if files.exists(SHARD_INDEX) {
            (shard_names(files)?, files.display_name(SHARD_INDEX))
        } else if files.exists(SINGLE_FILE) {
            (
                vec![SINGLE_FILE.to_string()],
                files.display_name(SINGLE_FILE),
            )
        } else {
            return Err(files.missing(SINGLE_FILE));
        };
        let mut tensors = HashMap::new();
        // int8 matrices (see `quantize.rs`), turned into f32 once every shard (and so every
        // scale) has been read: name -> (shape, bytes, file).
        let mut int8: Vec<(String, Vec<usize>, Vec<u8>, String)> = Vec::new();
        // One shard in memory at a time: its tensors are copied out before the next is read.
        for shard in shards {
            let file = files.display_name(&shard);
            let bytes = files.read(&shard)?;
            let corrupt = |e: safetensors::SafeTensorError| Error::CorruptSafetensors {
                file: file.clone(),
                reason: e.to_string(),
            };
            let parsed = SafeTensors::deserialize(&bytes).map_err(corrupt)?;
            for (name, view) in parsed.tensors() {
                let dtype = match view.dtype() {
                    Dtype::F32 => DType::F32,
                    Dtype::F16 => DType::F16,
                    Dtype::BF16 => DType::BF16,
                    Dtype::I8 if view.shape().len() == 2 => {
                        int8.push((
                            name,
                            view.shape().to_vec(),
                            view.data().to_vec(),
                            file.clone(),
                        ));
                        continue;
                    }
                    other => {
                        return Err(Error::UnsupportedDtype {
                            file,
                            tensor: name,
                            dtype: format!("{other:?}"),
                        })
                    }
                };
                let tensor = Tensor {
                    shape: view.shape().to_vec(),
                    dtype,
                    bytes: view.data().to_vec(),
                };
                tensors.insert(name, (tensor, file.clone()));
            }
        }
        let mut store = TensorStore { tensors, source };
        for (name, shape, bytes, file) in int8 {
            let tensor = store.dequantize(&name, shape, &bytes, file.clone())?;
            store.tensors.insert(name, (tensor, file));
        }
        Ok(store)
    }

    /// The f32 matrix of an int8 tensor and its `<name>_scale` (one scale per row).
    fn dequantize(
        &mut self,
        name: &str,
        shape: Vec<usize>,
        q: &[u8],
        file: String,
    ) -> Result<Tensor> {
        let scale_name = format!("{name}{}", quantize::SCALE_SUFFIX);
        let rows = shape[0];
        let (scales, _) = self
            .tensors
            .remove(&scale_name)
            .ok_or_else(|| Error::MissingTensor {
                file: file.clone(),
                tensor: scale_name.clone(),
            })?;
        if scales.len() != rows || !matches!(scales.shape.as_slice(), [_, 1] | [_]) {
            return Err(Error::TensorShape {
                file,
                tensor: scale_name,
                expected: vec![rows, 1],
                found: scales.shape,
            });
        }
        let values = quantize::dequantize_rows(q, &scales.to_f32(), shape[1]);
        Ok(Tensor {
            shape,
            dtype: DType::F32,
            bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        })
    }

    fn take(&mut self, name: &str, shape: &[usize]) -> Result<Tensor> {
        let (tensor, file) = self
            .tensors
            .remove(name)
            .ok_or_else(|| Error::MissingTensor {
                file: self.source.clone(),
                tensor: name.to_string(),
            })?;
        if tensor.shape != shape {
            return Err(Error::TensorShape {
                file,
                tensor: name.to_string(),
                expected: shape.to_vec(),
                found: tensor.shape,
            });
        }
        Ok(tensor)
    }
}

/// The distinct shard files named by the index's `weight_map`, in a stable order.
fn shard_names(files: &ModelFiles) -> Result<Vec<String>> {
    let index = files.read_json(SHARD_INDEX)?;
    let map = index
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| Error::InvalidConfig {
            file: files.display_name(SHARD_INDEX),
            key: "weight_map",
            reason: "missing or not an object".into(),
        })?;
    let mut names = BTreeSet::new();
    for (tensor, shard) in map {
        let shard = shard.as_str().ok_or_else(|| Error::InvalidConfig {
            file: files.display_name(SHARD_INDEX),
            key: "weight_map",
            reason: format!("the shard of `{tensor}` is not a file name"),
        })?;
        // A shard is a bare file name inside the model folder, never a path elsewhere.
        if shard.contains('/') || shard.contains('\\') || shard == ".." {
            return Err(Error::InvalidConfig {
                file: files.display_name(SHARD_INDEX),
                key: "weight_map",
                reason: format!("shard `{shard}` is not a plain file name"),
            });
        }
        names.insert(shard.to_string());
    }
    Ok(names.into_iter().collect())
}
