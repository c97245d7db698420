// The engine as a page sees it: a Web Worker behind familiar shapes.
//
//   const engine = await TinyReasoner.create();
//   await engine.load({ kind: 'manifest', url: 'models/default.json' }, { onProgress });
//
//   for await (const ev of engine.generate(messages, { temperature: 0 })) …   // prompt, token…, done
//
//   const stream = await engine.chat.completions.create({
//     messages, stream: true, logprobs: true, top_logprobs: 5, signal });
//   for await (const chunk of stream) chunk.choices[0].delta.reasoning_content ?? chunk.choices[0].delta.content
//
// `generate` events are the CLI's `--json` lines: {event: 'prompt', text, ids},
// {event: 'token', index, id, text, phase, prob, entropy, top: [{id, text, prob}], ms, forced?},
// {event: 'done', reason, tokens, prompt_tokens, thinking, answer, ttft_ms, tok_per_s}.

export class TinyReasoner {
  #worker;
  #nextId = 1;
  #pending = new Map(); // id → {resolve, reject, onProgress}
  #streams = new Map(); // id → {push(event), fail(error)}
  #listeners = { backend: new Set(), fatal: new Set() };

  /** Build info from the wasm module: {version, gpu_backend}. */
  build = null;
  /** After `load`: {model: {label, note, source, bytes}, info, backend, reason}. */
  loaded = null;

  /** Ids of the loaded model's `<think>` / `</think>` tokens: structure, not text. */
  get thinkTags() {
    const info = this.loaded?.info;
    return new Set([info?.think_start_id, info?.think_end_id].filter((t) => t != null));
  }

  /** Starts the worker and its wasm module. */
  static async create({ workerUrl = new URL('./worker.js', import.meta.url) } = {}) {
    const engine = new TinyReasoner(new Worker(workerUrl, { type: 'module' }));
    engine.build = await engine.#request({ type: 'init' });
    return engine;
  }

  constructor(worker) {
    this.#worker = worker;
    worker.onmessage = ({ data }) => this.#receive(data);
    worker.onerror = (event) => {
      // The worker script itself failed (e.g. the wasm could not be fetched): nothing will answer.
      event.preventDefault?.();
      this.#failAll(new Error(`the engine's worker failed: ${event.message || 'could not start'}`), true);
    };
  }

  /** `'backend'`: (ev) => … when the worker switched backend on its own; `'fatal'`: (error) => … */
  on(name, handler) {
    this.#listeners[name].add(handler);
    return () => this.#listeners[name].delete(handler);
  }

  /**
   * Loads a model: `{kind: 'manifest', url}`, `{kind: 'url', base}` or `{kind: 'files', files}`.
   * `backend`: 'auto' (WebGPU on a hardware adapter, else the CPU), 'gpu' (WebGPU on any adapter,
   * software fallback included) or 'cpu'.
   */
  async load(source, { backend = 'auto', onProgress } = {}) {
    // The worker lets go of the old model before loading the new one (two may not fit).
    this.loaded = null;
    this.loaded = await this.#request({ type: 'load', source, backend }, onProgress);
    return this.loaded;
  }

  /**
   * The events of one reply. Options: temperature, top_p, top_k, seed, max_tokens,
   * enable_thinking, forced (token ids to take instead of sampling — a branch). Breaking out of
   * the loop, or aborting `signal`, cancels it; the last event is then `done` with reason `cancelled`.
   * `pace` (ms) slows the reply down to watch it (or to test stopping it).
   */
  async *generate(messages, options = {}, { signal, pace = 0 } = {}) {
    const id = this.#nextId++;
    const queue = [];
    let wake = null;
    let failure = null;
    let finished = false;
    this.#streams.set(id, {
      push(event) {
        queue.push(event);
        wake?.();
      },
      fail(error) {
        failure = error;
        wake?.();
      },
    });
    const cancel = () => this.#worker.postMessage({ type: 'cancel', id });
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel);
    this.#worker.postMessage({ type: 'generate', id, messages, options: clean(options), pace });
    try {
      for (;;) {
        if (queue.length) {
          const event = queue.shift();
          if (event.event === 'done') finished = true;
          yield event;
          if (finished) return;
        } else if (failure) {
          finished = true;
          throw failure;
        } else {
          await new Promise((resolve) => (wake = resolve));
          wake = null;
        }
      }
    } finally {
      signal?.removeEventListener('abort', cancel);
      if (!finished) cancel();
      this.#streams.delete(id);
    }
  }

  /** OpenAI-style chat completions (see the top of this file). */
  chat = {
    completions: {
      create: (request) => this.#createCompletion(request),
    },
  };

  /** `{family, correct, expected}` when `prompt` is one of the task families, else null. */
  checkAnswer(prompt, answer) {
    return this.#request({ type: 'check', prompt, answer });
  }

  terminate() {
    this.#worker.terminate();
    this.#failAll(new Error('the engine was stopped'), false);
  }

  // ---- OpenAI shapes ----------------------------------------------------------------------

  async #createCompletion({ messages, stream = false, logprobs = false, top_logprobs = 0, signal, pace, max_tokens, max_completion_tokens, ...rest }) {
    const options = {
      temperature: rest.temperature,
      top_p: rest.top_p,
      top_k: rest.top_k,
      seed: rest.seed,
      max_tokens: max_completion_tokens ?? max_tokens,
      enable_thinking: rest.enable_thinking,
      forced: rest.forced,
    };
    const events = this.generate(messages, options, { signal, pace });
    const meta = {
      id: `chatcmpl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
      created: Math.floor(Date.now() / 1000),
      model: this.loaded?.model.label ?? 'tiny-reasoner',
    };
    const chunks = completionChunks(events, { meta, tags: this.thinkTags, logprobs, top_logprobs, signal });
    if (stream) return chunks;
    // Not streaming: the chunks folded into one completion.
    let reasoning = '';
    let content = '';
    const tokenLogprobs = [];
    let last = null;
    for await (const chunk of chunks) {
      const choice = chunk.choices[0];
      reasoning += choice.delta.reasoning_content ?? '';
      content += choice.delta.content ?? '';
      if (choice.logprobs) tokenLogprobs.push(...choice.logprobs.content);
      last = chunk;
    }
    return {
      ...meta,
      object: 'chat.completion',
      choices: [{
        index: 0,
        message: { role: 'assistant', content: content.trim(), reasoning_content: reasoning.trim() },
        logprobs: logprobs ? { content: tokenLogprobs } : null,
        finish_reason: last?.choices[0].finish_reason ?? 'stop',
      }],
      usage: last?.usage,
    };
  }

  // ---- Plumbing ---------------------------------------------------------------------------

  #request(message, onProgress) {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, onProgress });
      this.#worker.postMessage({ ...message, id });
    });
  }

  #receive(data) {
    const { type, id } = data;
    if (type === 'event') return this.#streams.get(id)?.push(data.event);
    if (type === 'progress') return this.#pending.get(id)?.onProgress?.(data);
    if (type === 'backend') {
      if (this.loaded) this.loaded = { ...this.loaded, backend: data.backend, reason: data.reason, info: data.info };
      for (const handler of this.#listeners.backend) handler(data);
      return;
    }
    const error = type === 'error' ? Object.assign(new Error(data.message), { fatal: data.fatal }) : null;
    if (error?.fatal) {
      this.#failAll(error, true);
      return;
    }
    const stream = this.#streams.get(id);
    if (stream) {
      if (error) stream.fail(error);
      return; // a finished generation's result: its events said everything
    }
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (error) pending.reject(error);
    else pending.resolve(data.value);
  }

  #failAll(error, fatal) {
    for (const { reject } of this.#pending.values()) reject(error);
    for (const stream of this.#streams.values()) stream.fail(error);
    this.#pending.clear();
    if (fatal) for (const handler of this.#listeners.fatal) handler(error);
  }
}

// Generation events as OpenAI chat.completion.chunk objects.
async function* completionChunks(events, { meta, tags, logprobs, top_logprobs, signal }) {
  const chunk = (delta, extra = {}) => ({
    ...meta,
    object: 'chat.completion.chunk',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: null, ...extra }],
  });
  yield chunk({ role: 'assistant', content: '' });
  for await (const ev of events) {
    if (ev.event === 'token') {
      if (tags.has(ev.id)) continue; // <think> and </think> belong to neither text
      const delta = ev.phase === 'thinking' ? { reasoning_content: ev.text } : { content: ev.text };
      const extra = logprobs ? { logprobs: { content: [tokenLogprob(ev, top_logprobs)] } } : {};
      yield chunk(delta, extra);
    } else if (ev.event === 'done') {
      if (ev.reason === 'cancelled') {
        throw signal?.reason ?? new DOMException('The generation was cancelled.', 'AbortError');
      }
      yield {
        ...chunk({}, { finish_reason: ev.reason === 'length' ? 'length' : 'stop' }),
        usage: {
          prompt_tokens: ev.prompt_tokens,
          completion_tokens: ev.tokens,
          total_tokens: ev.prompt_tokens + ev.tokens,
        },
      };
    }
  }
}

const utf8 = new TextEncoder();

function tokenLogprob(ev, top) {
  return {
    token: ev.text,
    logprob: Math.log(ev.prob),
    bytes: [...utf8.encode(ev.text)],
    top_logprobs: ev.top.slice(0, top).map((alt) => ({
      token: alt.text,
      logprob: Math.log(alt.prob),
      bytes: [...utf8.encode(alt.text)],
    })),
  };
}

// Options without undefined keys: the engine refuses keys it does not know, and takes a missing
// one as "the model's default".
function clean(options) {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined && v !== null));
}
