// The engine's home: a module worker, so the page never freezes while the model runs.
//
// Messages in:  {type: 'init' | 'load' | 'generate' | 'cancel' | 'check', id, …}
// Messages out: {type: 'result', id, value} | {type: 'error', id, message, fatal}
//               {type: 'progress', id, loaded, total, file} while a model's files arrive,
//               then {type: 'progress', id, stage: 'prepare', backend} while the engine reads them
//               {type: 'event', id, event} per generation event (prompt, token, done)
//               {type: 'backend', backend, reason} when the backend changes on its own (GPU lost)
//
// Loads and generations run one after another (a queue); `cancel` is handled at once and lands
// between two tokens, because the generation loop yields to the event loop after each one.

import initWasm, * as wasm from './pkg/tiny_reasoner.js';
import { ChatTemplate } from './chat.js';
import { loadModel } from './models.js';

let build = null; // {version, gpu_backend} from the wasm module
let memory = null; // the wasm instance's memory, to tell an out-of-memory abort apart
let engine = null; // wasm.WebEngine
let chat = null; // ChatTemplate of the loaded model: messages → prompt text, which the engine takes
let model = null; // {label, note, source, bytes, files?}: files kept only while on the GPU (for a CPU fallback)
let backend = null; // {backend: 'cpu' | 'gpu', reason}
let dead = null; // set when the wasm instance aborted: nothing more can run in this worker
const generations = new Map(); // id → wasm.WebGeneration, while running
const cancelled = new Set(); // ids cancelled before they started
let queue = Promise.resolve();

self.onmessage = ({ data }) => {
  if (data.type === 'cancel') {
    generations.get(data.id)?.cancel();
    if (!generations.has(data.id)) cancelled.add(data.id);
    return;
  }
  // One thing at a time: the engine has one KV cache.
  queue = queue.then(() => handle(data));
};

async function handle(message) {
  const { id } = message;
  try {
    if (dead) throw dead;
    const value = await handlers[message.type](message);
    post({ type: 'result', id, value });
  } catch (error) {
    post({ type: 'error', id, ...describe(error) });
  }
}

const handlers = {
  async init() {
    const instance = await initWasm();
    memory = instance.memory;
    build = wasm.init();
    return build;
  },

  async load({ id, source, backend: preference = 'auto' }) {
    const loaded = await loadModel(source, (p) => post({ type: 'progress', id, ...p }));
    // Before the weights go anywhere: a model without a usable template fails here, by name.
    const template = ChatTemplate.fromFiles(loaded.files);
    engine?.free();
    engine = null;
    chat = template;
    let choice = await chooseBackend(preference);
    post({ type: 'progress', id, stage: 'prepare', backend: choice.backend });
    try {
      engine = await wasm.WebEngine.load(loaded.files, choice.backend);
    } catch (error) {
      if (choice.backend !== 'gpu' || error instanceof WebAssembly.RuntimeError) throw error;
      choice = { backend: 'cpu', reason: `the GPU could not load this model (${error.message})` };
      engine = await wasm.WebEngine.load(loaded.files, 'cpu');
    }
    backend = choice;
    const { files, ...about } = loaded;
    model = choice.backend === 'gpu' ? { ...about, files } : about;
    return { model: about, info: engine.info(), ...backend };
  },

  // `pace`: milliseconds to wait between tokens (a slow-motion view; 0 = as fast as it goes).
  async generate({ id, messages, options, pace = 0 }) {
    if (!engine) throw new Error('no model is loaded');
    const { enable_thinking: enableThinking, ...sampling } = options ?? {};
    const prompt = chat.render(messages, { enableThinking });
    const generation = engine.generate(prompt, sampling);
    generations.set(id, generation);
    if (cancelled.delete(id)) generation.cancel();
    try {
      for (;;) {
        const event = await generation.next();
        if (event === null) break;
        post({ type: 'event', id, event });
        if (event.event === 'done') break;
        await (pace > 0 ? sleep(pace) : yieldToEventLoop());
      }
    } catch (error) {
      if (backend?.backend === 'gpu' && !(error instanceof WebAssembly.RuntimeError)) await fallBackToCpu(error);
      throw error;
    } finally {
      generations.delete(id);
      generation.free();
    }
    return null;
  },

  check({ prompt, answer }) {
    return wasm.check_answer(prompt, answer);
  },
};

// The backend for this browser, with the reason for the page's badge: the GPU when the build has
// one and WebGPU gives a hardware adapter, else the CPU. A software fallback adapter (SwiftShader)
// computes the same numbers as the CPU backend ~100× more slowly, so it is used only when asked
// for (`preference` 'gpu', the page's `?backend=gpu`) — as `--backend auto` does on native.
async function chooseBackend(preference) {
  const gpu = self.navigator.gpu;
  if (preference === 'cpu') return { backend: 'cpu', reason: 'chosen on the page' };
  if (!gpu) return { backend: 'cpu', reason: 'WebGPU not available in this browser' };
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    // Treated as no adapter.
  }
  if (!adapter) return { backend: 'cpu', reason: 'WebGPU not available in this browser (no adapter)' };
  if (!build.gpu_backend) return { backend: 'cpu', reason: 'GPU backend not built yet (WebGPU is available)' };
  const info = adapter.info ?? {};
  const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'WebGPU';
  if (info.isFallbackAdapter && preference !== 'gpu') {
    return { backend: 'cpu', reason: `the WebGPU adapter is a software fallback (${name}), slower than the CPU` };
  }
  return { backend: 'gpu', reason: name };
}

// A GPU error mid-generation (device lost, out of GPU memory): reload the same files on the CPU
// and tell the page, which reports the error and offers to run again.
async function fallBackToCpu(error) {
  if (!model?.files) return;
  engine?.free();
  engine = await wasm.WebEngine.load(model.files, 'cpu');
  const { files, ...about } = model;
  model = about;
  backend = { backend: 'cpu', reason: `the GPU failed (${error.message})` };
  post({ type: 'backend', ...backend, info: engine.info() });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Lets queued messages (a cancel) run before the next token. A MessageChannel task, not
// setTimeout: nested timeouts are clamped to 4 ms, which would cap the speed at 250 tokens/s.
function yieldToEventLoop() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

// An error as the page shows it. A WebAssembly.RuntimeError means the instance aborted (a Rust
// panic, or memory exhausted); nothing more can run in it, so it is fatal and the page restarts
// the worker.
function describe(error) {
  if (error === dead) return { message: dead.message, fatal: true };
  if (error instanceof WebAssembly.RuntimeError) {
    let panic = null;
    try {
      panic = wasm.last_panic();
    } catch {
      // The instance may be too broken to ask.
    }
    const megabytes = memory ? Math.round(memory.buffer.byteLength / 2 ** 20) : 0;
    const message = panic
      ? `The engine stopped: ${panic}`
      : `The engine stopped (${error.message}) with ${megabytes} MB of memory in use — most likely out of memory: try a smaller model.`;
    dead = new Error(message);
    return { message, fatal: true };
  }
  if (error instanceof RangeError) {
    return { message: `Out of memory in the browser: ${error.message}. Try a smaller model.`, fatal: false };
  }
  return { message: error?.message ?? String(error), fatal: false };
}

function post(message) {
  self.postMessage(message);
}
