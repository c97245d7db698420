// Model files for the engine: from a URL (the bundled model's manifest, or any folder in Hugging
// Face layout, e.g. https://huggingface.co/ORG/NAME) or from files the user picked; fetched with
// progress, and URL-loaded ones kept in the Cache API so they load again offline.
// Used by the worker (loading) and by the page (listing and deleting saved models).

export const CACHE_NAME = 'tiny-reasoner-models-v1';

// Where the cache keeps what it knows of a saved model: `<base>` + this.
const RECORD_SUFFIX = '.tiny-reasoner-model.json';

// What the engine reads of a model folder; anything else the user picks is left alone.
export function isModelFile(name) {
  return [
    'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json',
    'special_tokens_map.json', 'chat_template.jinja', 'model.safetensors.index.json',
  ].includes(name) || name.endsWith('.safetensors');
}

const REQUIRED = ['config.json', 'tokenizer.json'];
const OPTIONAL = ['tokenizer_config.json', 'generation_config.json', 'chat_template.jinja'];
const PARALLEL = 4;

// A model base URL from what a person typed: a trailing slash, and a Hugging Face repository
// page turned into its file URL.
export function normalizeBase(text, relativeTo) {
  let url = new URL(text.trim(), relativeTo);
  // huggingface.co/ORG/NAME[/tree/REV] → huggingface.co/ORG/NAME/resolve/REV/
  const hf = url.hostname === 'huggingface.co'
    && url.pathname.match(/^\/([^/]+\/[^/]+)(?:\/(?:tree|blob|resolve)\/([^/]+))?\/?$/);
  if (hf) url = new URL(`https://huggingface.co/${hf[1]}/resolve/${hf[2] ?? 'main'}/`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url.href;
}

// Loads a model. `source` is `{kind: 'manifest', url}` (the bundled model), `{kind: 'url', base}`
// or `{kind: 'files', files: File[]}`. Returns `{label, source, files: Map<name, Uint8Array>, bytes}`.
// `onProgress({loaded, total, file})` is called as bytes arrive.
export async function loadModel(source, onProgress) {
  const progress = new Progress(onProgress);
  if (source.kind === 'files') return readPickedFiles(source.files, progress);
  const cache = await openCache();
  let plan;
  if (source.kind === 'manifest') {
    const manifestUrl = new URL(source.url, self.location.href).href;
    const manifest = await fetchManifest(manifestUrl, cache);
    const base = new URL(manifest.base, manifestUrl).href;
    plan = {
      base,
      label: manifest.label,
      note: manifest.note ?? '',
      source: manifest.source ?? base,
      files: manifest.files.map((f) => ({ name: f.name, size: f.size, url: `${base}${encodeURIComponent(f.name)}?v=${f.version}` })),
    };
  } else {
    const base = normalizeBase(source.base, self.location.href);
    plan = (await readRecord(cache, base)) ?? (await probe(base));
  }
  for (const f of plan.files) progress.expect(f.name, f.size ?? 0);
  const files = new Map();
  await inParallel(plan.files, PARALLEL, async (f) => {
    files.set(f.name, await fetchBytes(f.url, cache, (loaded, total) => progress.update(f.name, loaded, total)));
  });
  if (cache) await saveRecord(cache, plan, files);
  return { label: plan.label, note: plan.note ?? '', source: plan.source ?? plan.base, files, bytes: progress.loaded };
}

// The models kept in this browser's cache: `[{base, label, bytes, savedAt}]`.
export async function listSaved() {
  const cache = await openCache();
  if (!cache) return [];
  const records = [];
  for (const request of await cache.keys()) {
    if (!request.url.endsWith(RECORD_SUFFIX)) continue;
    const response = await cache.match(request);
    try {
      records.push(await response.json());
    } catch {
      // A damaged record: leave it to delete().
    }
  }
  return records.sort((a, b) => a.label.localeCompare(b.label));
}

// Removes a saved model (its files and its record) from the cache.
export async function deleteSaved(base) {
  const cache = await openCache();
  if (!cache) return;
  for (const request of await cache.keys()) {
    if (request.url.startsWith(base)) await cache.delete(request);
  }
}

// ---- Internals ------------------------------------------------------------------------------

class Progress {
  constructor(callback) {
    this.callback = callback ?? (() => {});
    this.files = new Map(); // name → {loaded, total}
    this.last = 0;
  }
  expect(name, total) {
    this.files.set(name, { loaded: 0, total });
  }
  update(name, loaded, total) {
    const entry = this.files.get(name) ?? { loaded: 0, total: 0 };
    entry.loaded = loaded;
    if (total) entry.total = Math.max(total, loaded);
    this.files.set(name, entry);
    const now = performance.now();
    if (now - this.last < 50 && loaded !== total) return; // at most 20 updates a second
    this.last = now;
    this.callback({ loaded: this.loaded, total: this.total, file: name });
  }
  get loaded() {
    let sum = 0;
    for (const f of this.files.values()) sum += f.loaded;
    return sum;
  }
  get total() {
    let sum = 0;
    for (const f of this.files.values()) sum += Math.max(f.total, f.loaded);
    return sum;
  }
}

async function openCache() {
  try {
    return self.caches ? await self.caches.open(CACHE_NAME) : null;
  } catch {
    return null; // e.g. storage switched off: load without saving
  }
}

// The file list of a Hugging Face folder at `base`, found by asking for each file it may have.
async function probe(base) {
  const names = [...REQUIRED];
  for (const name of OPTIONAL) if (await exists(`${base}${name}`)) names.push(name);
  const index = await fetchJsonIfExists(`${base}model.safetensors.index.json`);
  if (index) {
    names.push('model.safetensors.index.json');
    names.push(...new Set(Object.values(index.weight_map ?? {})));
  } else {
    names.push('model.safetensors');
  }
  const label = decodeURIComponent(new URL(base).pathname.split('/').filter((s) => s && s !== 'resolve' && s !== 'main').pop() ?? base);
  return { base, label, source: base, files: names.map((name) => ({ name, url: `${base}${name}` })) };
}

async function exists(url) {
  try {
    const response = await fetch(url, { method: 'HEAD' });
    return response.ok;
  } catch {
    return false;
  }
}

async function fetchJsonIfExists(url) {
  try {
    const response = await fetch(url);
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

// The bundled model's manifest: from the network when it answers (it must be fresh), else the
// copy kept from last time (offline).
async function fetchManifest(url, cache) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-cache' });
    if (response.ok && cache) await cache.put(url, response.clone()).catch(() => {});
  } catch (e) {
    response = cache && (await cache.match(url));
    if (!response) throw new Error(`${fileName(url)}: could not be downloaded (${e.message})`);
  }
  if (!response.ok) throw new Error(`${fileName(url)}: HTTP ${response.status} ${response.statusText}`);
  try {
    return await response.json();
  } catch (e) {
    throw new Error(`${fileName(url)}: not JSON (${e.message})`);
  }
}

// The bytes of `url`: from the cache when it holds them, else from the network (then cached).
async function fetchBytes(url, cache, onProgress) {
  let response = cache ? await cache.match(url) : undefined;
  const cached = Boolean(response);
  if (!response) {
    try {
      response = await fetch(url);
    } catch (e) {
      throw new Error(`${fileName(url)}: could not be downloaded (${e.message}) — offline, or the server does not allow this page (CORS)?`);
    }
    if (!response.ok) throw new Error(`${fileName(url)}: HTTP ${response.status} ${response.statusText} from ${url}`);
  }
  const total = Number(response.headers.get('content-length')) || 0;
  const bytes = await readBody(response, total, onProgress);
  if (cache && !cached) {
    try {
      await cache.put(url, new Response(bytes, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } }));
    } catch (e) {
      console.warn(`not saved for offline use: ${url}: ${e.message}`);
    }
  }
  return bytes;
}

// A response body as one Uint8Array, reporting progress chunk by chunk.
async function readBody(response, total, onProgress) {
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  onProgress(loaded, loaded);
  return concat(chunks, loaded);
}

function concat(chunks, length) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

async function readPickedFiles(picked, progress) {
  const chosen = picked.filter((f) => isModelFile(f.name));
  if (!chosen.some((f) => f.name === 'config.json')) {
    throw new Error('config.json is not among the picked files: pick a model folder in Hugging Face layout (config.json, tokenizer.json, model.safetensors, …)');
  }
  for (const f of chosen) progress.expect(f.name, f.size);
  const files = new Map();
  for (const f of chosen) {
    const bytes = await readBody(new Response(f), f.size, (loaded, total) => progress.update(f.name, loaded, total));
    files.set(f.name, bytes);
  }
  const folder = picked[0]?.webkitRelativePath?.split('/')[0];
  return { label: folder || chosen.find((f) => f.name.endsWith('.safetensors'))?.name || 'local files', note: 'from this device', source: 'local files', files, bytes: progress.loaded };
}

async function readRecord(cache, base) {
  if (!cache) return null;
  const response = await cache.match(base + RECORD_SUFFIX);
  if (!response) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

// Writes what the cache now holds of a model, and drops files of its older versions.
async function saveRecord(cache, plan, files) {
  const keep = new Set(plan.files.map((f) => f.url));
  for (const request of await cache.keys()) {
    if (request.url.startsWith(plan.base) && !keep.has(request.url) && !request.url.endsWith(RECORD_SUFFIX)) {
      await cache.delete(request);
    }
  }
  let bytes = 0;
  for (const b of files.values()) bytes += b.length;
  const record = { ...plan, files: plan.files.map((f) => ({ ...f, size: files.get(f.name)?.length ?? f.size })), bytes, savedAt: new Date().toISOString() };
  try {
    await cache.put(plan.base + RECORD_SUFFIX, new Response(JSON.stringify(record), { headers: { 'content-type': 'application/json' } }));
  } catch (e) {
    console.warn(`model record not saved: ${e.message}`);
  }
}

async function inParallel(items, limit, task) {
  const queue = [...items];
  const workers = Array.from({ length: Math.min(limit, queue.length) }, async () => {
    while (queue.length) await task(queue.shift());
  });
  await Promise.all(workers);
}

function fileName(url) {
  return decodeURIComponent(new URL(url).pathname.split('/').pop());
}
