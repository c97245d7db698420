// What every browser test needs: the page's URL (a server on a free port), Debian's chromium
// driven by playwright-core (never a downloaded browser), bounded waits, screenshots.
//
// `cargo xtask test-web` builds dist/, serves it and sets TINY_REASONER_URL; run on their own
// (`node --test tests/browser/`), the tests start `cargo xtask serve --port 0` themselves.

import { spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'browser-screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

// Bounded waits: a hang fails the test instead of blocking the run.
export const LOAD_MS = 90_000; // engine + model ready
export const REPLY_MS = 120_000; // one short reply (a dozen tokens)
export const TEST_MS = 300_000; // one test, everything included
// A whole worked answer (~120 tokens for the shipped model). SwiftShader runs WebGPU on the CPU,
// far slower than the wasm CPU backend: the WebGPU budget is larger.
export const LONG_REPLY_MS = { cpu: 120_000, webgpu: 480_000 };
export const LONG_TEST_MS = 600_000;

const BASE_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// The two ways the page runs: WebGPU (SwiftShader in headless chromium) and without it.
export const VARIANTS = {
  webgpu: [...BASE_ARGS, '--enable-unsafe-webgpu'],
  cpu: [...BASE_ARGS, '--disable-webgpu'],
};
// SwiftShader is a software fallback adapter, which the page skips unless told `?backend=gpu`.
export const VARIANT_PARAMS = { webgpu: { backend: 'gpu' }, cpu: {} };

let server = null;

// The URL dist/ is served at.
export async function serverUrl() {
  if (process.env.TINY_REASONER_URL) return process.env.TINY_REASONER_URL;
  if (server) return server.url;
  const child = spawn('cargo', ['xtask', 'serve', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('cargo xtask serve did not start within 15 minutes')), 900_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cargo xtask serve exited (${code}) before serving`));
    });
  });
  server = { url, child };
  return url;
}

export function stopServer() {
  server?.child.kill('SIGTERM');
  server = null;
}

// A fresh browser (its own profile: playwright's launch makes a temporary user data dir).
export async function launch(variant) {
  return chromium.launch({ executablePath: CHROMIUM, args: VARIANTS[variant], timeout: 60_000 });
}

// A page on the app, with every page error, console error and CSP violation recorded.
// `params`: the page's URL parameters (backend, pace).
export async function openApp(browser, url, { viewport = { width: 1280, height: 900 }, colorScheme = 'light', hasTouch = false, params = {} } = {}) {
  const context = await browser.newContext({ viewport, colorScheme, hasTouch });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const query = new URLSearchParams(params).toString();
  // Readiness is the app's own `data-state`, which every test waits for: `load` would also wait
  // for the favicon and any straggling subresource, which only adds ways to time out.
  await page.goto(query ? `${url}?${query}` : url, { waitUntil: 'domcontentloaded' });
  return { context, page, problems };
}

export async function waitForState(page, states, timeout = LOAD_MS) {
  const wanted = [].concat(states);
  await page.waitForFunction((w) => w.includes(document.body.dataset.state), wanted, { timeout });
  return page.evaluate(() => document.body.dataset.state);
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

export function writeMetrics(name, value) {
  mkdirSync(SHOTS, { recursive: true });
  writeFileSync(path.join(SHOTS, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
}

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tiny-reasoner-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// The active reply's view, where the data-testid hooks of one reply live.
export function activeView(page) {
  return page.locator('.run-view.is-active');
}

// A second static server, for pages that live *next to* dist/ (a docs site that embeds the
// element): serves `dir` (where the test puts its page and a `dist` link) on a free port.
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.svg': 'image/svg+xml' };
export async function serveFolder(dir) {
  const server = createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (name === '/favicon.ico') {
      res.writeHead(204).end(); // what the browser asks every site for: not a test failure
      return;
    }
    let file = path.join(dir, path.normalize(name).replace(/^([/\\]|\.\.)+/, ''));
    if (name.endsWith('/')) file = path.join(file, 'index.html');
    let size = -1;
    try {
      size = statSync(file).isFile() ? statSync(file).size : -1;
    } catch {
      // Not there: 404 below.
    }
    if (size < 0) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // `close` ends open connections too: afterwards nothing answers on that port (a real "offline").
  const close = () => new Promise((resolve) => {
    server.close(resolve);
    server.closeAllConnections();
  });
  return { url: `http://127.0.0.1:${server.address().port}/`, close };
}
