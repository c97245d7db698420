//! # tiny-reasoner
//!
//! An inference engine for small reasoning language models, for the terminal and the browser.
//! It loads Hugging Face checkpoints of the Qwen3, Qwen2 and Llama families (safetensors, f32 /
//! f16 / bf16), renders their chat template, and generates a reply as a stream of events: one per
//! token, with its phase (thinking or answer), its probability, the entropy of the distribution and
//! the alternatives the model considered.
//!
//! It is not a training framework, nor a general tensor library: the forward pass is written out
//! for one family of decoder-only transformers, in plain f32 on the CPU (the reference) and as
//! WGSL compute shaders on a GPU (WebGPU in the browser, Vulkan on native, through `wgpu`).
//!
//! ## Map
//! - [`model`]: the files of a model folder — config, weights, tokenizer, chat template.
//! - [`cpu`]: the reference forward pass and its KV cache.
//! - [`gpu`]: the same forward pass on a GPU (`shaders/*.wgsl`), reducing each step's logits to
//!   top-k, log-sum-exp and entropy on the device.
//! - [`engine`]: a loaded model, the `Backend` trait every backend implements, and the choice
//!   between them (`--backend cpu|gpu|auto`).
//! - [`generate`]: the one generate loop and its events; [`sampler`]: from logits to a token;
//!   [`reasoning`]: which tokens are thinking and which are the answer.
//! - [`tasks`]: the problem families the shipped model is trained on — generator, step-by-step
//!   solver, prompt parser and verifier (used by `data`, `eval` and the page).
//! - [`error`]: the one error type.
//! - `web` (wasm32 only): the JavaScript surface the page's Web Worker calls.

pub mod clock;
pub mod cpu;
pub mod engine;
pub mod error;
pub mod generate;
pub mod gpu;
pub mod model;
pub mod reasoning;
pub mod sampler;
pub mod tasks;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use engine::{AnyBackend, Backend, BackendChoice, Engine};
pub use error::{Error, Result};
pub use generate::{CancelHandle, Event, GenerateOptions, Generation};
#[cfg(not(target_arch = "wasm32"))]
pub use model::Message;
pub use model::ModelFiles;
