// <tiny-reasoner>: the reasoner as one tag, for docs pages and offline demos.
//
//   <script type="module" src="dist/tiny-reasoner.js"></script>
//   <tiny-reasoner prompt="What is 347 + 589?"></tiny-reasoner>
//
// Attributes:
//   prompt    the problem (editable in the element unless `compact`)
//   model     URL of a model folder in Hugging Face layout; default: the shipped model next to
//             this script
//   thinking  "off" answers without thinking (Qwen3's enable_thinking=false); default on
//   autorun   run the prompt as soon as the model is ready
//   compact   a smaller card: the prompt as a line of text, the thinking folded away
//
// Theme with CSS custom properties on the element (light and dark defaults follow the system):
//   --tr-bg --tr-fg --tr-muted --tr-accent --tr-border --tr-sure --tr-unsure --tr-font --tr-radius
//
// All instances on a page that use the same model share one worker and one loaded model; the
// worker answers one prompt at a time, so instances queue. The element's `data-state` attribute
// says where it is (loading, ready, generating, done, error), and a `tiny-reasoner-done` event
// (bubbling, composed) carries `{answer, thinking, tokens, correct}` when a reply ends. Inside the
// (open) shadow root the same `data-testid` hooks as the page: prompt, run, stop, reasoning,
// answer, token, check, stats, backend, model, message.

import { TinyReasoner } from './engine.js';
import { keepForOffline } from './offline.js';
import { tokenChip } from './tokens.js';

const HERE = new URL('./', import.meta.url);
// The shipped model's longest traces (3-digit × 3-digit) take about 800 tokens; the context
// length ends a reply anyway.
const MAX_TOKENS = 1024;

// model URL ('' for the shipped one) → {ready: Promise<TinyReasoner>, progress: EventTarget}
const shared = new Map();

// The engine for `model`, started and loaded once per page.
function sharedEngine(model) {
  const key = model ?? '';
  let entry = shared.get(key);
  if (!entry) {
    const progress = new EventTarget();
    const source = key
      ? { kind: 'url', base: new URL(key, document.baseURI).href }
      : { kind: 'manifest', url: new URL('models/default.json', HERE).href };
    const ready = (async () => {
      const engine = await TinyReasoner.create({ workerUrl: workerUrl() });
      const onProgress = (p) => progress.dispatchEvent(new CustomEvent('progress', { detail: p }));
      await engine.load(source, { onProgress });
      return engine;
    })();
    entry = { ready, progress };
    shared.set(key, entry);
    // A failed load is forgotten, so that the next run tries again.
    ready.catch(() => shared.delete(key));
  }
  return entry;
}

// A worker must come from the page's origin; from a script on another origin (a CDN), a
// same-origin blob module that imports the real worker stands in for it.
function workerUrl() {
  const url = new URL('worker.js', HERE);
  if (url.origin === self.location.origin) return url;
  const shim = `import ${JSON.stringify(url.href)};`;
  return URL.createObjectURL(new Blob([shim], { type: 'text/javascript' }));
}

const TEMPLATE = `
<div class="card" part="card">
  <div class="head">
    <span class="brand">tiny-reasoner</span>
    <span class="status" data-testid="status" aria-live="polite">Loading the model…</span>
  </div>
  <div class="ask">
    <textarea data-testid="prompt" rows="2" aria-label="Problem for the model" spellcheck="false"></textarea>
    <p class="asked" data-testid="asked"></p>
    <div class="buttons">
      <button type="button" class="run" data-testid="run">Run</button>
      <button type="button" class="stop" data-testid="stop" hidden>Stop</button>
    </div>
  </div>
  <details class="reasoning-lane" open>
    <summary>Thinking</summary>
    <div class="tokens" data-testid="reasoning"></div>
  </details>
  <div class="tokens answer" data-testid="answer"></div>
  <div class="foot">
    <span class="check" data-testid="check"></span>
    <span class="stats" data-testid="stats"></span>
  </div>
  <p class="message" data-testid="message" role="alert" hidden></p>
  <p class="about"><span data-testid="model"></span> · <span data-testid="backend"></span></p>
</div>`;

// `.card` resets everything it could inherit from the host page (`all: initial`), so the page's
// fonts, colours and resets (even `* { all: unset }`) stop at the element's edge.
const STYLES = `
:host { display: block !important; margin: 1em 0; }
:host([hidden]) { display: none !important; }
:host {
  --tr-bg: #ffffff; --tr-fg: #1d2129; --tr-muted: #667085; --tr-accent: #3559e0;
  --tr-border: #d9dde5; --tr-sure: #e8f0ff; --tr-unsure: #ffd9b8;
  --tr-font: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; --tr-radius: 10px;
}
@media (prefers-color-scheme: dark) {
  :host {
    --tr-bg: #181b21; --tr-fg: #e6e8ee; --tr-muted: #98a2b3; --tr-accent: #8aa4ff;
    --tr-border: #343a46; --tr-sure: #223052; --tr-unsure: #6b3a1c;
  }
}
.card {
  all: initial; display: block; box-sizing: border-box;
  font: 15px/1.5 var(--tr-font); color: var(--tr-fg); background: var(--tr-bg);
  border: 1px solid var(--tr-border); border-radius: var(--tr-radius); padding: 12px 14px;
  text-align: start; overflow-wrap: anywhere;
}
.card * { box-sizing: border-box; }
.head, .foot, .about { display: flex; gap: 8px; flex-wrap: wrap; justify-content: space-between; align-items: baseline; }
.brand { font-weight: 600; }
.status, .stats, .about, summary { color: var(--tr-muted); font-size: 13px; }
.about { margin: 6px 0 0; justify-content: flex-start; }
.ask { display: flex; gap: 8px; align-items: flex-start; margin: 8px 0; }
textarea {
  flex: 1; min-width: 0; font: inherit; color: inherit; background: transparent; resize: vertical;
  border: 1px solid var(--tr-border); border-radius: 6px; padding: 6px 8px;
}
.asked { display: none; flex: 1; margin: 0; font-weight: 500; }
.buttons { display: flex; gap: 6px; }
button {
  font: inherit; font-weight: 600; cursor: pointer; border-radius: 6px; padding: 6px 14px;
  border: 1px solid var(--tr-accent); background: var(--tr-accent); color: var(--tr-bg);
}
button.stop { background: transparent; color: var(--tr-accent); }
button:disabled { opacity: 0.5; cursor: default; }
button:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 2px solid var(--tr-accent); outline-offset: 2px; }
[hidden] { display: none !important; }
summary { cursor: pointer; margin: 4px 0; }
.tokens { white-space: normal; line-height: 1.8; }
.reasoning-lane .tokens { font-size: 13px; color: var(--tr-muted); max-height: 16em; overflow: auto; }
.answer { font-size: 16px; min-height: 1.8em; margin: 4px 0; }
.tok {
  --u: 0; border-radius: 3px; padding: 0.1em 0.05em;
  background: color-mix(in oklab, var(--tr-sure), var(--tr-unsure) calc(var(--u) * 100%));
}
.reasoning-lane .tok { color: var(--tr-fg); opacity: 0.85; }
.check[data-correct="true"] { color: #1a7f37; }
.check[data-correct="false"] { color: #c4320a; }
.message { margin: 6px 0 0; color: #c4320a; }
:host([compact]) .card { padding: 8px 10px; font-size: 14px; }
:host([compact]) textarea { display: none; }
:host([compact]) .asked { display: block; }
`;

let sheet = null;
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
  }
  return sheet;
}

export class TinyReasonerElement extends HTMLElement {
  static observedAttributes = ['prompt', 'model', 'compact'];

  #ui = null;
  #engine = null; // the shared engine, once loaded
  #loading = null; // the model URL being loaded
  #abort = null; // AbortController of the reply in flight
  #autoran = false;

  connectedCallback() {
    if (!this.#ui) this.#render();
    this.#load();
  }

  disconnectedCallback() {
    this.#abort?.abort();
  }

  attributeChangedCallback(name) {
    if (!this.#ui) return;
    if (name === 'prompt') this.#showPrompt(this.getAttribute('prompt') ?? '');
    if (name === 'compact') this.#ui.lane.open = !this.hasAttribute('compact');
    if (name === 'model' && this.isConnected) this.#load();
  }

  /** Runs the prompt in the element; resolves when the reply ends. */
  async run() {
    const prompt = this.#ui.prompt.value.trim();
    if (!prompt || this.#abort) return;
    const engine = this.#engine ?? (await this.#load());
    if (!engine) return;
    this.#abort = new AbortController();
    this.#clearReply();
    this.#setState('generating');
    this.#status('Thinking…');
    const thinking = this.getAttribute('thinking') !== 'off';
    const messages = [{ role: 'user', content: prompt }];
    const options = { temperature: 0, max_tokens: MAX_TOKENS, enable_thinking: thinking };
    const tags = engine.thinkTags;
    let done = null;
    try {
      for await (const ev of engine.generate(messages, options, { signal: this.#abort.signal })) {
        if (ev.event === 'token' && !tags.has(ev.id)) this.#addToken(ev);
        if (ev.event === 'done') done = ev;
      }
    } catch (error) {
      this.#fail(`The reply failed: ${error.message}`);
      return;
    } finally {
      this.#abort = null;
      this.#ui.run.hidden = false;
      this.#ui.stop.hidden = true;
    }
    if (!done) return this.#fail('The reply ended without a result.');
    const check = await engine.checkAnswer(prompt, done.answer).catch(() => null);
    this.#showDone(done, check);
  }

  /** Stops the reply in flight (it ends with what it has). */
  stop() {
    this.#abort?.abort();
  }

  #render() {
    const root = this.attachShadow({ mode: 'open' });
    root.adoptedStyleSheets = [styles()];
    root.innerHTML = TEMPLATE;
    const $ = (id) => root.querySelector(`[data-testid="${id}"]`);
    this.#ui = {
      status: $('status'), prompt: $('prompt'), asked: $('asked'), run: $('run'), stop: $('stop'),
      lane: root.querySelector('.reasoning-lane'), reasoning: $('reasoning'), answer: $('answer'),
      check: $('check'), stats: $('stats'), message: $('message'), model: $('model'), backend: $('backend'),
    };
    this.#ui.run.addEventListener('click', () => this.run());
    this.#ui.stop.addEventListener('click', () => this.stop());
    this.#ui.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.run();
    });
    this.#ui.lane.open = !this.hasAttribute('compact');
    this.#showPrompt(this.getAttribute('prompt') ?? '');
    this.#ui.run.disabled = true;
    this.#setState('loading');
  }

  async #load() {
    const model = this.getAttribute('model') ?? '';
    if (this.#loading === model) return this.#engine;
    this.#loading = model;
    this.#engine = null;
    this.#ui.run.disabled = true;
    this.#ui.message.hidden = true;
    this.#setState('loading');
    this.#status('Loading the model…');
    const { ready, progress } = sharedEngine(model || null);
    const onProgress = ({ detail }) => {
      if (detail.total) this.#status(`Loading the model… ${Math.round((100 * detail.loaded) / detail.total)}%`);
      if (detail.stage === 'prepare') this.#status('Preparing the model…');
    };
    progress.addEventListener('progress', onProgress);
    try {
      const engine = await ready;
      if (this.#loading !== model) return null; // the model attribute changed meanwhile
      this.#engine = engine;
      this.#ui.model.textContent = engine.loaded.model.label;
      this.#ui.backend.textContent = engine.loaded.backend === 'gpu' ? 'WebGPU' : 'CPU';
      this.#ui.backend.dataset.backend = engine.loaded.backend;
      this.#ui.run.disabled = false;
      this.#setState('ready');
      this.#status('Ready');
      if (this.hasAttribute('autorun') && !this.#autoran) {
        this.#autoran = true;
        queueMicrotask(() => this.run());
      }
      return engine;
    } catch (error) {
      if (this.#loading === model) {
        this.#loading = null; // the next run tries again
        this.#ui.run.disabled = false;
        this.#fail(`The model could not be loaded: ${error.message}`);
      }
      return null;
    } finally {
      progress.removeEventListener('progress', onProgress);
    }
  }

  #showPrompt(text) {
    this.#ui.prompt.value = text;
    this.#ui.asked.textContent = text;
  }

  #clearReply() {
    const { reasoning, answer, check, stats, message, run, stop } = this.#ui;
    reasoning.replaceChildren();
    answer.replaceChildren();
    check.textContent = '';
    delete check.dataset.correct;
    stats.textContent = '';
    message.hidden = true;
    run.hidden = true;
    stop.hidden = false;
  }

  // One token of text (the `<think>` tags are left out: the lanes show them).
  #addToken(ev) {
    const lane = ev.phase === 'thinking' ? this.#ui.reasoning : this.#ui.answer;
    // No line breaks before the first chip of a lane.
    const { chip, fragment } = tokenChip(ev, { breaks: lane.childElementCount > 0 });
    chip.title = `${(ev.prob * 100).toFixed(1)}% sure`;
    lane.append(fragment);
  }

  #showDone(done, check) {
    const { stats, check: mark } = this.#ui;
    stats.dataset.tokens = String(done.tokens);
    stats.dataset.tokPerS = String(done.tok_per_s);
    stats.textContent = `${done.tokens} tokens · ${Math.round(done.tok_per_s)} tok/s`;
    if (check) {
      mark.dataset.correct = String(check.correct);
      mark.textContent = check.correct ? '✓ checked' : `✗ expected ${check.expected}`;
    }
    const stopped = done.reason === 'cancelled' ? 'Stopped' : 'Done';
    this.#status(stopped);
    this.#setState('done');
    const detail = { answer: done.answer, thinking: done.thinking, tokens: done.tokens, correct: check?.correct ?? null };
    this.dispatchEvent(new CustomEvent('tiny-reasoner-done', { detail, bubbles: true, composed: true }));
  }

  #fail(text) {
    this.#ui.message.textContent = text;
    this.#ui.message.hidden = false;
    this.#status('Error');
    this.#setState('error');
  }

  #status(text) {
    this.#ui.status.textContent = text;
  }

  #setState(state) {
    this.dataset.state = state;
  }
}

if (!customElements.get('tiny-reasoner')) customElements.define('tiny-reasoner', TinyReasonerElement);
keepForOffline();
