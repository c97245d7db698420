//! One error type for the whole engine. Every variant names the file (or value) at fault, so a
//! message read by a person says what to fix, and tests can match the exact kind of failure.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: file not found")]
    MissingFile { path: PathBuf },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{file}: invalid JSON: {source}")]
    InvalidJson {
        file: String,
        source: serde_json::Error,
    },

    #[error("{file}: missing required key `{key}`")]
    MissingConfigKey { file: String, key: &'static str },

    #[error("{file}: key `{key}`: {reason}")]
    InvalidConfig {
        file: String,
        key: &'static str,
        reason: String,
    },

    #[error("{file}: unsupported model_type `{model_type}` (supported: qwen3, qwen2, llama)")]
    UnsupportedModelType { file: String, model_type: String },

    #[error("{file}: not a valid safetensors file: {reason}")]
    CorruptSafetensors { file: String, reason: String },

    #[error("{file}: tensor `{tensor}` is missing")]
    MissingTensor { file: String, tensor: String },

    #[error("{file}: tensor `{tensor}` has shape {found:?}, expected {expected:?}")]
    TensorShape {
        file: String,
        tensor: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },

    #[error("{file}: tensor `{tensor}` has dtype {dtype}, supported: F32, F16, BF16")]
    UnsupportedDtype {
        file: String,
        tensor: String,
        dtype: String,
    },

    #[error("{file}: invalid tokenizer: {reason}")]
    InvalidTokenizer { file: String, reason: String },

    #[error("tokenizer: {reason}")]
    Tokenize { reason: String },

    #[error("{file}: chat template: {reason}")]
    ChatTemplate { file: String, reason: String },

    #[error("the prompt is {tokens} tokens long, but the context holds {limit}")]
    PromptTooLong { tokens: usize, limit: usize },

    #[error("token id {id} is outside the vocabulary of {vocab_size}")]
    TokenOutOfRange { id: u32, vocab_size: usize },

    #[error("{name}: {reason}")]
    InvalidArgument { name: &'static str, reason: String },

    #[error("no usable GPU adapter: {reason}")]
    NoGpuAdapter { reason: String },

    #[error(
        "`{tensor}` is {bytes} bytes, more than the GPU binds at once \
         (maxStorageBufferBindingSize / maxBufferSize: {limit} bytes)"
    )]
    BufferTooLarge {
        tensor: String,
        bytes: u64,
        limit: u64,
    },

    #[error("GPU: {reason}")]
    Gpu { reason: String },
}
