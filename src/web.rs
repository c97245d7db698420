//! The whole JavaScript surface of the engine, for the page's Web Worker (`www/worker.js`):
//!
//! - [`init`] once, then [`WebEngine::load`] from a `Map` of file name → `Uint8Array` (the worker
//!   fetches or reads the files, with progress, and hands the bytes over);
//! - [`WebEngine::generate`] starts a reply to a prompt the worker has rendered with the model's
//!   chat template (`www/chat.js`: the template engine stays out of the wasm, see there);
//!   [`WebGeneration::next`] resolves to the next event
//!   (`prompt`, `token`, `done`, as the CLI's `--json` lines) or `null` after `done`;
//!   [`WebGeneration::cancel`] makes the next `next()` end it with `reason: "cancelled"`;
//! - [`check_answer`] brings the task families to the page (its example prompts are a file,
//!   `www/examples.json`, so the generators stay out of the wasm).
//!
//! Errors cross the boundary as `JsError` carrying the engine's message. A Rust panic aborts the
//! wasm instance; its message is kept for [`last_panic`] so the worker can say what happened.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::engine::{AnyBackend, BackendChoice, Engine};
use crate::generate::{CancelHandle, GenerateOptions, Generation};
use crate::model::ModelFiles;
use crate::sampler::SamplerConfig;
use crate::tasks::{self, Expected};

// ---------------------------------------------------------------------------------------------
// Start-up

thread_local! {
    /// The message of the panic that aborted the instance, if any.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[derive(Serialize)]
struct BuildInfo {
    version: &'static str,
    /// Whether this build can run the network on WebGPU (`WebEngine.load(files, "gpu")`).
    gpu_backend: bool,
}

/// Call once after instantiating the module: installs the panic hook (console + [`last_panic`])
/// and says what this build offers.
#[wasm_bindgen]
pub fn init() -> std::result::Result<JsValue, JsError> {
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
        console_error_panic_hook::hook(info);
    }));
    to_js(&BuildInfo {
        version: env!("CARGO_PKG_VERSION"),
        gpu_backend: true,
    })
}

/// The message of the panic that stopped the engine (the instance is unusable afterwards).
#[wasm_bindgen]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

// ---------------------------------------------------------------------------------------------
// The engine

#[wasm_bindgen]
pub struct WebEngine {
    /// Shared with the generation in progress, whose `next()` borrows it for one step at a time.
    engine: Rc<RefCell<Engine<AnyBackend>>>,
}

/// What the page shows about a loaded model, and the defaults its controls start from.
#[derive(Serialize)]
struct ModelSummary {
    backend: &'static str,
    architecture: String,
    vocab_size: usize,
    hidden_size: usize,
    layers: usize,
    heads: usize,
    kv_heads: usize,
    context: usize,
    /// Ids of `<think>` / `</think>` (from the tokenizer), so the page can tell the tags apart.
    think_start_id: Option<u32>,
    think_end_id: Option<u32>,
    eos_token_ids: Vec<u32>,
    /// Sampling defaults from `generation_config.json`, as `tiny-reasoner run` reads them.
    temperature: f32,
    top_p: f32,
    top_k: usize,
}

/// What `generate` accepts; every field optional. Unknown keys are refused (a typo would
/// otherwise silently sample with the defaults).
#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct WebOptions {
    temperature: Option<f32>,
    top_p: Option<f32>,
    top_k: Option<usize>,
    seed: Option<u64>,
    max_tokens: Option<usize>,
    /// Token ids to take instead of sampling for the first steps (branching).
    forced: Vec<u32>,
}

#[wasm_bindgen]
impl WebEngine {
    /// Loads a model from `files` (`Map` of file name → `Uint8Array`, Hugging Face layout) on
    /// `backend` (`"cpu"`, or `"gpu"` when [`init`] reports `gpu_backend`).
    pub async fn load(
        files: js_sys::Map,
        backend: String,
    ) -> std::result::Result<WebEngine, JsError> {
        let mut memory = BTreeMap::new();
        for entry in files.entries() {
            let pair: js_sys::Array = entry.map_err(js_error)?.into();
            let name = pair
                .get(0)
                .as_string()
                .ok_or_else(|| JsError::new("files: a key is not a file name"))?;
            let bytes = pair
                .get(1)
                .dyn_into::<js_sys::Uint8Array>()
                .map_err(|_| JsError::new(&format!("{name}: expected a Uint8Array")))?
                .to_vec();
            memory.insert(name, bytes);
        }
        let files = ModelFiles::Memory(memory);
        // The worker has already asked the browser for a WebGPU adapter: "gpu" means use it.
        let choice = match backend.as_str() {
            "cpu" => BackendChoice::Cpu,
            "gpu" => BackendChoice::Gpu,
            other => return Err(JsError::new(&format!("backend: unknown backend `{other}`"))),
        };
        let engine = Engine::load(&files, choice).await?;
        Ok(WebEngine {
            engine: Rc::new(RefCell::new(engine)),
        })
    }

    /// The model's shape, special ids and sampling defaults, for the page.
    pub fn info(&self) -> std::result::Result<JsValue, JsError> {
        let engine = self.engine.try_borrow().map_err(|_| busy())?;
        let (c, tokenizer) = (&engine.info.config, &engine.info.tokenizer);
        let defaults = engine.info.generation.sampler_defaults();
        to_js(&ModelSummary {
            backend: engine.backend.name(),
            architecture: format!("{:?}", c.architecture).to_lowercase(),
            vocab_size: c.vocab_size,
            hidden_size: c.hidden_size,
            layers: c.num_hidden_layers,
            heads: c.num_attention_heads,
            kv_heads: c.num_key_value_heads,
            context: engine.context_limit,
            think_start_id: tokenizer.token_to_id("<think>"),
            think_end_id: tokenizer.token_to_id("</think>"),
            eos_token_ids: engine.info.eos_token_ids.clone(),
            temperature: defaults.temperature,
            top_p: defaults.top_p,
            top_k: defaults.top_k,
        })
    }

    /// Prepares a reply to `prompt` (the conversation as the chat template rendered it, assistant
    /// turn opened) with `options` (`{temperature, top_p, top_k, seed, max_tokens, forced}`, all
    /// optional).
    pub fn generate(
        &self,
        prompt: String,
        options: JsValue,
    ) -> std::result::Result<WebGeneration, JsError> {
        let options: WebOptions = if options.is_undefined() || options.is_null() {
            WebOptions::default()
        } else {
            serde_wasm_bindgen::from_value(options)
                .map_err(|e| JsError::new(&format!("options: {e}")))?
        };
        let engine = self.engine.try_borrow().map_err(|_| busy())?;
        let defaults = engine.info.generation.sampler_defaults();
        let options = GenerateOptions {
            sampler: SamplerConfig {
                temperature: options.temperature.unwrap_or(defaults.temperature),
                top_k: options.top_k.unwrap_or(defaults.top_k),
                top_p: options.top_p.unwrap_or(defaults.top_p),
                seed: options.seed.unwrap_or(0),
            },
            max_tokens: options
                .max_tokens
                .unwrap_or(GenerateOptions::default().max_tokens),
            forced: options.forced,
            ..GenerateOptions::default()
        };
        let generation = engine.start_text(prompt, options)?;
        Ok(WebGeneration {
            cancel: generation.cancel_handle(),
            generation: Rc::new(RefCell::new(generation)),
            engine: self.engine.clone(),
        })
    }
}

/// One reply in progress.
#[wasm_bindgen]
pub struct WebGeneration {
    engine: Rc<RefCell<Engine<AnyBackend>>>,
    generation: Rc<RefCell<Generation>>,
    /// Outside the `RefCell`, so `cancel()` lands while a step is running.
    cancel: CancelHandle,
}

#[wasm_bindgen]
impl WebGeneration {
    /// A promise of the next event, or of `null` once `done` has been given. Call it again only
    /// after the previous promise settled.
    #[allow(clippy::await_holding_refcell_ref)] // see below
    pub fn next(&self) -> js_sys::Promise {
        let engine = self.engine.clone();
        let generation = self.generation.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            // Both borrows are held across the backend's await on purpose: one step at a time,
            // and a second caller gets "busy" instead of a half-advanced state.
            let event = {
                let mut engine = engine.try_borrow_mut().map_err(|_| busy())?;
                let mut generation = generation.try_borrow_mut().map_err(|_| busy())?;
                engine.step(&mut generation).await.map_err(JsError::from)?
            };
            match event {
                Some(event) => Ok(to_js(&event)?),
                None => Ok(JsValue::NULL),
            }
        })
    }

    /// Ends the reply at the next step (its `done` event says `cancelled`).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
}

// ---------------------------------------------------------------------------------------------
// Task families

#[derive(Serialize)]
struct AnswerCheck {
    family: &'static str,
    correct: bool,
    /// What a correct answer contains, as text.
    expected: String,
}

/// Checks `answer` against the family `prompt` belongs to: `{family, correct, expected}`, or
/// `null` when the prompt is not one of ours.
#[wasm_bindgen]
pub fn check_answer(prompt: &str, answer: &str) -> std::result::Result<JsValue, JsError> {
    let Some(problem) = tasks::parse_prompt(prompt) else {
        return Ok(JsValue::NULL);
    };
    let expected = match &problem.expected {
        Expected::Integer(v) => v.to_string(),
        Expected::Sorted(v) => v.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
        Expected::Text(t) => t.clone(),
    };
    to_js(&AnswerCheck {
        family: problem.family.name(),
        correct: tasks::verify(&problem, answer),
        expected,
    })
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// Plain JS objects and arrays (no `Map`s), numbers as numbers.
fn to_js<T: Serialize>(value: &T) -> std::result::Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

fn js_error(value: JsValue) -> JsError {
    JsError::new(&value.as_string().unwrap_or_else(|| format!("{value:?}")))
}

fn busy() -> JsError {
    JsError::new("the engine is busy with another step; await the previous call first")
}
