// The page: loads the engine and a model, runs a prompt, and shows the reply as it streams —
// thinking and answer in their own lanes, token chips, alternatives, branches, the entropy chart
// and the stats. `document.body.dataset.state` says where it is: loading, ready, generating,
// done or error.

import { TinyReasoner } from './engine.js';
import { EntropyChart } from './chart.js';
import { Alternatives, focusChip, tokenChip, visible } from './tokens.js';
import { megabytes, setupPicker } from './picker.js';
import { keepForOffline } from './offline.js';

const BUNDLED = { kind: 'manifest', url: 'models/default.json' };
const params = new URLSearchParams(location.search);
// `?pace=40`: 40 ms between tokens, to watch the model think in slow motion.
const PACE = Math.max(0, Math.min(2000, Number(params.get('pace')) || 0));
// `?backend=cpu`: the CPU even where WebGPU is available (also in the model picker);
// `?backend=gpu`: WebGPU even on a software fallback adapter.
const FORCE_CPU = params.get('backend') === 'cpu';
const FORCE_GPU = params.get('backend') === 'gpu';

const $ = (selector) => document.querySelector(selector);
const ui = {
  prompt: $('#prompt'),
  run: $('#run'),
  stop: $('#stop'),
  thinking: $('#thinking'),
  temperature: $('#temperature'),
  temperatureValue: $('#temperature-value'),
  topP: $('#top-p'),
  topPValue: $('#top-p-value'),
  maxTokens: $('#max-tokens'),
  examples: $('#examples'),
  moreExamples: $('#more-examples'),
  badge: $('[data-testid="backend"]'),
  modelName: $('#model-name'),
  modelButton: $('#model-button'),
  modelNote: $('#model-note'),
  loading: $('#loading'),
  loadingLabel: $('#loading-label'),
  loadingBytes: $('#loading-bytes'),
  progress: $('#progress'),
  message: $('#message'),
  messageText: $('#message-text'),
  messageAction: $('#message-action'),
  runs: $('#runs'),
  tabs: $('#tabs'),
  views: $('#views'),
  compare: $('#compare'),
  compareSwitch: $('#compare-switch'),
  empty: $('#empty'),
  template: $('#run-view'),
  forceCpu: $('#force-cpu'),
};

let engine = null;
let source = BUNDLED; // the model loaded last (or being loaded)
let runs = []; // the original reply and its branches
let active = null; // the run shown
let abort = null; // stops the generation in progress
let exampleSeed = 1;
// examples.json: rounds of one generated prompt per task family (`[[{family, prompt}, …], …]`),
// written from the Rust generators (tests/page_examples.rs); "↻ others" shows the next round.
let examplePrompts;
let bundledLabel = ''; // the bundled model's name, once it has loaded

const alternatives = new Alternatives($('#alternatives'), {
  lookup(chip) {
    const run = runs.find((r) => r.view.contains(chip));
    const ev = run?.tokens[Number(chip.dataset.index)];
    run?.chart.highlight(Number(chip.dataset.index));
    return ev && { ev, canBranch: !abort };
  },
  onBranch(chip, alt) {
    const run = runs.find((r) => r.view.contains(chip));
    if (run) branch(run, Number(chip.dataset.index), alt);
  },
});

// ---- State ----------------------------------------------------------------------------------

function setState(state) {
  document.body.dataset.state = state;
  const busy = state === 'loading' || state === 'generating';
  ui.run.disabled = busy || !engine?.loaded;
  ui.stop.disabled = state !== 'generating';
  ui.modelButton.disabled = busy;
}

function showMessage(text, action) {
  ui.messageText.textContent = text;
  ui.message.hidden = false;
  ui.messageAction.hidden = !action;
  if (action) {
    ui.messageAction.textContent = action.label;
    ui.messageAction.onclick = () => {
      clearMessage();
      action.run();
    };
  }
}

function clearMessage() {
  ui.message.hidden = true;
}

// ---- Engine and model -------------------------------------------------------------------------

async function startEngine() {
  engine?.terminate();
  engine = await TinyReasoner.create();
  engine.on('backend', (change) => {
    showBackend(change);
    showMessage(`Switched to the CPU: ${change.reason}. Run again to continue.`);
  });
  engine.on('fatal', (error) => {
    // The wasm instance is gone. If it was on the GPU, the restart runs on the CPU.
    const onGpu = engine.loaded?.backend === 'gpu';
    if (onGpu) ui.forceCpu.checked = true;
    abort = null;
    setState('error');
    showMessage(error.message, { label: onGpu ? 'Restart on the CPU' : 'Restart the engine', run: () => boot(source, 'the model') });
  });
}

async function boot(first, label = 'the bundled model') {
  setState('loading');
  showLoading('Starting the engine…');
  try {
    await startEngine();
  } catch (error) {
    setState('error');
    hideLoading();
    showMessage(`The engine could not start: ${error.message}`, { label: 'Try again', run: () => boot(first, label) });
    return;
  }
  await loadModel(first, label);
  showExamples();
}

async function loadModel(next, label) {
  alternatives.hide();
  setState('loading');
  clearMessage();
  showLoading(`Loading ${label}…`);
  const started = performance.now();
  try {
    const loaded = await engine.load(next, { backend: preferredBackend(), onProgress: showProgress });
    source = next;
    if (next === BUNDLED) bundledLabel = loaded.model.label;
    showModel(loaded);
    hideLoading();
    console.info(`model loaded in ${Math.round(performance.now() - started)} ms`);
    setState('ready');
  } catch (error) {
    hideLoading();
    ui.modelName.textContent = 'none loaded';
    ui.modelNote.textContent = '';
    setState('error');
    const retry = next === BUNDLED
      ? { label: 'Try again', run: () => (error.fatal ? boot(BUNDLED) : loadModel(BUNDLED, label)) }
      : { label: 'Load the bundled model', run: () => (error.fatal ? boot(BUNDLED) : loadModel(BUNDLED, 'the bundled model')) };
    showMessage(`Could not load ${label}: ${error.message}`, retry);
  }
}

function preferredBackend() {
  if (FORCE_CPU || ui.forceCpu.checked) return 'cpu';
  return FORCE_GPU ? 'gpu' : 'auto';
}

function showModel(loaded) {
  const { model, info } = loaded;
  ui.modelName.textContent = model.label;
  ui.modelNote.textContent = model.note ? `${model.label}: ${model.note}.` : '';
  ui.modelButton.title = `${model.note ? `${model.note}. ` : ''}${info.architecture}, ${info.layers} layers, hidden ${info.hidden_size}, vocabulary ${info.vocab_size}; from ${model.source}`;
  ui.modelName.dataset.source = model.source;
  showBackend(loaded);
  setSlider(ui.temperature, info.temperature);
  setSlider(ui.topP, info.top_p);
  updateSliders();
}

function showBackend({ backend, reason }) {
  ui.badge.textContent = `${backend.toUpperCase()} — ${reason}`;
  ui.badge.dataset.backend = backend;
  ui.badge.title = backend === 'gpu' ? `Running on WebGPU: ${reason}` : `Running on the CPU: ${reason}`;
}

function showLoading(label) {
  ui.loading.hidden = false;
  ui.loadingLabel.textContent = label;
  ui.loadingBytes.textContent = '';
  ui.progress.removeAttribute('value');
}

function showProgress({ loaded, total, file, stage, backend }) {
  if (stage === 'prepare') {
    // Every byte is in; the engine now reads the weights (and uploads them to the GPU).
    ui.loadingLabel.textContent = `Preparing the model for the ${backend.toUpperCase()}…`;
    ui.progress.removeAttribute('value');
    return;
  }
  ui.loadingLabel.textContent = `Loading ${file}`;
  ui.loadingBytes.textContent = total ? `${megabytes(loaded)} of ${megabytes(total)}` : megabytes(loaded);
  if (total) ui.progress.value = loaded / total;
}

function hideLoading() {
  ui.loading.hidden = true;
}

// ---- Examples and controls --------------------------------------------------------------------

async function showExamples() {
  if (!engine?.loaded) return;
  let examples;
  try {
    examplePrompts ??= await fetch('examples.json').then((response) => {
      if (!response.ok) throw new Error(`examples.json: HTTP ${response.status}`);
      return response.json();
    });
    examples = examplePrompts[(exampleSeed - 1) % examplePrompts.length];
  } catch {
    return; // no examples is not worth a message
  }
  if (!Array.isArray(examples)) return;
  ui.examples.textContent = '';
  for (const { family, prompt } of examples) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'example';
    button.dataset.family = family;
    button.title = family.replace('_', ' ');
    button.textContent = prompt;
    button.addEventListener('click', () => {
      if (abort) return; // a reply is streaming: leave its prompt in the box
      ui.prompt.value = prompt;
      run();
    });
    ui.examples.append(button);
  }
}

function setSlider(input, value) {
  if (typeof value === 'number' && Number.isFinite(value)) input.value = String(value);
}

function updateSliders() {
  ui.temperatureValue.textContent = Number(ui.temperature.value).toFixed(2).replace(/\.?0+$/, '') || '0';
  ui.topPValue.textContent = Number(ui.topP.value).toFixed(2).replace(/\.?0+$/, '') || '0';
  ui.topP.disabled = Number(ui.temperature.value) === 0;
}

function readOptions() {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0];
  return {
    temperature: Number(ui.temperature.value),
    top_p: Number(ui.topP.value),
    max_tokens: Math.max(1, Math.min(4096, Number(ui.maxTokens.value) || 1024)),
    enable_thinking: ui.thinking.checked,
    seed,
  };
}

// ---- Runs: the original reply and its branches ----------------------------------------------

class Run {
  constructor({ prompt, options, parent = null, branchAt = null, alt = null }) {
    this.prompt = prompt;
    this.options = options;
    this.parent = parent;
    this.branchAt = branchAt;
    this.number = runs.length;
    this.tokens = [];
    this.done = null;
    this.written = new Set(); // lanes that have shown some text (not only whitespace) so far
    this.tags = engine.thinkTags;

    this.view = ui.template.content.firstElementChild.cloneNode(true);
    this.view.id = `run-${this.number}`;
    this.lanes = {
      thinking: this.view.querySelector('[data-lane="thinking"]'),
      answer: this.view.querySelector('[data-lane="answer"]'),
    };
    this.counts = {
      thinking: this.view.querySelector('[data-count="thinking"]'),
    };
    this.stats = this.view.querySelector('[data-testid="stats"]');
    this.check = this.view.querySelector('[data-testid="check"]');
    // Without thinking, the lane stays folded (Qwen3 writes an empty <think></think> then).
    this.view.querySelector('.reasoning-lane').open = options.enable_thinking !== false;
    const title = this.view.querySelector('.run-title');
    if (parent) {
      const from = parent.tokens[branchAt];
      title.textContent = `Branch from ${parent.label} at token ${branchAt + 1}: “${visible(from.text)}” → “${visible(alt.text)}”`;
    } else {
      title.textContent = `“${prompt}”`;
    }
    this.chart = new EntropyChart(this.view.querySelector('[data-testid="entropy-chart"]'), {
      onPick: (index) => {
        const chip = this.view.querySelector(`.tok[data-index="${index}"]`);
        if (chip) {
          this.view.querySelector('.reasoning-lane').open = true;
          focusChip(chip);
        }
      },
    });
    for (const lane of Object.values(this.lanes)) alternatives.attach(lane);

    this.tab = document.createElement('button');
    this.tab.type = 'button';
    this.tab.setAttribute('role', 'tab');
    this.tab.id = `tab-${this.number}`;
    this.tab.setAttribute('aria-controls', this.view.id);
    this.view.setAttribute('aria-labelledby', this.tab.id);
    this.tab.textContent = this.label;
    this.tab.addEventListener('click', () => select(this));
  }

  get label() {
    return this.number === 0 ? 'Original' : `Branch ${this.number}`;
  }

  add(ev) {
    if (ev.event === 'token') {
      this.tokens[ev.index] = ev;
      const isTag = this.tags.has(ev.id);
      const lane = this.lanes[ev.phase];
      const { chip, fragment } = tokenChip(ev, { isTag, breaks: this.written.has(ev.phase) });
      if (ev.text.trim()) this.written.add(ev.phase);
      lane.append(fragment);
      if (!this.view.querySelector('.tok[tabindex="0"]')) chip.tabIndex = 0; // where Tab enters the reply
      this.chart.add(ev, { isTag });
      this.counts.thinking.textContent = `· ${this.lanes.thinking.querySelectorAll('.tok').length} tokens`;
      this.showStats();
    } else if (ev.event === 'done') {
      this.done = ev;
      this.showStats();
      this.view.dataset.reason = ev.reason; // eos, length or cancelled
    }
  }

  showStats() {
    const stat = (name, text) => (this.stats.querySelector(`[data-stat="${name}"]`).textContent = text);
    const first = this.tokens[0];
    const ttft = this.done?.ttft_ms ?? first?.ms;
    let speed = this.done?.tok_per_s;
    if (speed === undefined && this.tokens.length > 1) {
      const decodeMs = this.tokens.slice(1).reduce((sum, t) => sum + (t?.ms ?? 0), 0);
      speed = decodeMs > 0 ? ((this.tokens.length - 1) * 1000) / decodeMs : 0;
    }
    stat('ttft', ttft === undefined ? '–' : `${Math.round(ttft)} ms`);
    stat('speed', speed ? `${speed.toFixed(1)} tok/s` : '–');
    stat('tokens', String(this.done?.tokens ?? this.tokens.length));
    stat('backend', engine.loaded.backend.toUpperCase());
    this.stats.dataset.ttftMs = ttft === undefined ? '' : String(ttft);
    this.stats.dataset.tokPerS = speed ? String(speed) : '';
    this.stats.dataset.tokens = String(this.done?.tokens ?? this.tokens.length);
    this.stats.dataset.backend = engine.loaded.backend;
  }

  // The family's verdict on the answer; only for a reply that ended by itself (a cut-off one
  // has no final answer to judge).
  showCheck(result) {
    if (!result) return;
    this.check.hidden = false;
    this.check.dataset.family = result.family;
    const family = result.family.replace('_', ' ');
    if (this.done.reason !== 'eos') {
      delete this.check.dataset.correct;
      this.check.textContent = `${this.done.reason === 'cancelled' ? 'stopped' : 'cut off'}: not checked · ${family}`;
      return;
    }
    this.check.dataset.correct = String(result.correct);
    this.check.textContent = result.correct
      ? `✓ correct · ${family}`
      : `✗ expected ${result.expected} · ${family}`;
  }
}

async function run() {
  const prompt = ui.prompt.value.trim();
  if (!prompt) {
    ui.prompt.focus();
    return;
  }
  if (abort || !engine?.loaded) return;
  for (const r of runs) {
    r.view.remove();
    r.tab.remove();
  }
  runs = [];
  await generate(new Run({ prompt, options: readOptions() }));
}

// A new reply that replays `parent` up to `index` and takes `alt` there instead.
async function branch(parent, index, alt) {
  if (abort) return;
  const forced = parent.tokens.slice(0, index).map((t) => t.id).concat(alt.id);
  const options = { ...parent.options, forced };
  await generate(new Run({ prompt: parent.prompt, options, parent, branchAt: index, alt }));
}

async function generate(current) {
  runs.push(current);
  ui.tabs.append(current.tab);
  ui.views.append(current.view);
  ui.runs.hidden = false;
  ui.empty.hidden = true;
  ui.compareSwitch.hidden = runs.length < 2;
  select(current);
  clearMessage();
  alternatives.hide();
  abort = new AbortController();
  setState('generating');
  const messages = [{ role: 'user', content: current.prompt }];
  try {
    for await (const ev of engine.generate(messages, current.options, { signal: abort.signal, pace: PACE })) {
      current.add(ev);
    }
    abort = null;
    setState('done');
    if (current.done) current.showCheck(await engine.checkAnswer(current.prompt, current.done.answer));
  } catch (error) {
    abort = null;
    if (error.fatal) return; // the 'fatal' listener has said it
    setState('error');
    showMessage(error.message);
  }
}

function stop() {
  abort?.abort();
}

function select(run) {
  active = run;
  for (const r of runs) {
    const selected = r === run;
    r.tab.setAttribute('aria-selected', String(selected));
    r.tab.tabIndex = selected ? 0 : -1;
    r.view.classList.toggle('is-active', selected);
  }
  layout();
}

// One view, or with "Compare" the active branch beside the reply it branched from.
function layout() {
  const partner = ui.compare.checked && active?.parent ? active.parent : null;
  for (const r of runs) {
    r.view.hidden = !(r === active || r === partner);
    r.view.classList.toggle('is-partner', r === partner);
  }
  ui.views.classList.toggle('comparing', Boolean(partner));
  if (partner) ui.views.prepend(partner.view); // the original on the left
  else runs.forEach((r) => ui.views.append(r.view));
}

// ---- Wiring -------------------------------------------------------------------------------------

ui.run.addEventListener('click', run);
ui.stop.addEventListener('click', stop);
ui.prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  } else if (e.key === 'Escape') {
    stop();
  }
});
ui.temperature.addEventListener('input', updateSliders);
ui.topP.addEventListener('input', updateSliders);
ui.compare.addEventListener('change', layout);
ui.moreExamples.addEventListener('click', () => {
  exampleSeed++;
  showExamples();
});
ui.tabs.addEventListener('keydown', (e) => {
  if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
  const at = runs.indexOf(active);
  const next = runs[(at + (e.key === 'ArrowRight' ? 1 : -1) + runs.length) % runs.length];
  select(next);
  next.tab.focus();
});
ui.forceCpu.addEventListener('change', () => loadModel(source, 'the model'));
ui.forceCpu.checked = FORCE_CPU;
setupPicker({
  dialog: $('#picker'),
  opener: ui.modelButton,
  bundled: () => bundledLabel,
  bundledSource: BUNDLED,
  onLoad: (next, label) => loadModel(next, label),
});
updateSliders();
keepForOffline();
boot(BUNDLED);
