// The <tiny-reasoner> element (dist/tiny-reasoner.js) in Chromium without WebGPU (the CPU backend,
// the fast one here): the sample docs page, the README's two-line snippet on a page next to dist/,
// a host page with hostile CSS, and offline reloads through the service worker.

import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { LOAD_MS, REPLY_MS, ROOT, TEST_MS, launch, openApp, screenshot, serveFolder, serverUrl, stopServer, tempDir, waitForState } from './harness.mjs';

const DIST = path.join(ROOT, 'dist');

// The README's snippet: the lines between its `embed-snippet` markers.
function readmeSnippet() {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = readme.match(/<!-- embed-snippet -->\s*```html\n([\s\S]*?)```/);
  assert.ok(match, 'README.md has no ```html block after <!-- embed-snippet -->');
  return match[1].trim();
}

// The state of the n-th element on the page, once it is one of `states`.
async function elementState(page, n, states, timeout) {
  await page.waitForFunction(
    ([i, wanted]) => wanted.includes(document.querySelectorAll('tiny-reasoner')[i]?.dataset.state),
    [n, states],
    { timeout },
  );
  return page.evaluate((i) => document.querySelectorAll('tiny-reasoner')[i].dataset.state, n);
}

// Waits for the n-th element's reply; returns its answer text, check mark and message.
async function replyOf(page, n) {
  const state = await elementState(page, n, ['done', 'error'], LOAD_MS + REPLY_MS);
  const element = page.locator('tiny-reasoner').nth(n);
  const message = (await element.getByTestId('message').textContent()).trim();
  assert.equal(state, 'done', message);
  return {
    answer: (await element.getByTestId('answer').textContent()).trim(),
    thinking: await element.getByTestId('reasoning').getByTestId('token').count(),
    check: element.getByTestId('check'),
  };
}

// The verifier's mark must agree with what the model said (`expected` in its text when wrong).
async function assertChecked(reply, expected) {
  const said = new RegExp(`(^|[^0-9-])${expected}([^0-9]|$)`).test(reply.answer);
  assert.equal(await reply.check.getAttribute('data-correct'), String(said), `answer: ${reply.answer}`);
}

describe('the <tiny-reasoner> element', { timeout: 15 * 60_000 }, () => {
  let browser;
  let url; // dist/ served at the root
  let site; // a docs site with dist/ in a folder next to its pages
  let folder;
  const open = [];

  before(async () => {
    url = await serverUrl();
    browser = await launch('cpu');
    folder = tempDir();
    symlinkSync(DIST, path.join(folder.dir, 'dist'));
    site = await serveFolder(folder.dir);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
    folder?.remove();
    stopServer();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((context) => context.close().catch(() => {})));
  });

  async function visit(pageUrl, options) {
    const app = await openApp(browser, pageUrl, options);
    open.push(app.context);
    return app;
  }

  test('the docs page: two instances in the prose, one autoruns, both answer, one worker', { timeout: TEST_MS }, async (t) => {
    const { page, problems } = await visit(`${url}embed.html`);
    const auto = await replyOf(page, 0);
    assert.ok(auto.thinking > 0, 'the autorun instance shows no thinking tokens');
    assert.ok(auto.answer.length > 0, 'the autorun instance has no answer');
    // The shipped model answers this one right, and the element's verifier says so.
    assert.match(auto.answer, /\b936\b/);
    assert.equal(await auto.check.getAttribute('data-correct'), 'true');
    // The second one waits for a click; it is compact (the prompt is shown as text).
    assert.equal(await elementState(page, 1, ['ready'], LOAD_MS), 'ready');
    const manual = page.locator('tiny-reasoner').nth(1);
    assert.equal(await manual.getByTestId('prompt').isVisible(), false);
    assert.equal((await manual.getByTestId('asked').textContent()).trim(), 'Work out 5203 - 1867');
    await manual.getByTestId('run').click();
    const second = await replyOf(page, 1);
    assert.ok(second.answer.length > 0);
    await assertChecked(second, 3336);
    // One engine for the page: a single worker, whatever the number of elements.
    assert.equal(page.workers().length, 1, `workers: ${page.workers().map((w) => w.url()).join(', ')}`);
    t.diagnostic(`answers: ${JSON.stringify([auto.answer, second.answer])}`);
    t.diagnostic(`screenshot: ${await screenshot(page, 'embed-docs')}`);
    assert.deepEqual(problems, [], 'page errors');
  });

  test("the README's two-line snippet, alone in a page next to dist/, shows a working reasoner", { timeout: TEST_MS }, async (t) => {
    const snippet = readmeSnippet();
    assert.equal(snippet.split('\n').length, 2, `the snippet is not two lines:\n${snippet}`);
    // One ES module: the build inlines the element's imports (the worker stays its own script).
    const element = readFileSync(path.join(DIST, 'tiny-reasoner.js'), 'utf8');
    assert.doesNotMatch(element, /^\s*import\s*[\w{*'"]/m, 'dist/tiny-reasoner.js imports other modules');
    writeFileSync(path.join(folder.dir, 'snippet.html'), `${snippet}\n`);
    const { page, problems } = await visit(`${site.url}snippet.html`);
    const reply = await replyOf(page, 0);
    assert.ok(reply.answer.length > 0);
    t.diagnostic(`answer: ${reply.answer}`);
    t.diagnostic(`screenshot: ${await screenshot(page, 'embed-snippet')}`);
    assert.deepEqual(problems, [], 'page errors');
  });

  test('a host page with hostile CSS does not break the element, nor does the element leak styles', { timeout: TEST_MS }, async (t) => {
    const hostile = `<!doctype html>
<style>
  * { all: unset !important; }
  html { font-size: 40px !important; }
  html, body, * { font-family: "Comic Sans MS", cursive !important; color: red !important; line-height: 4 !important; letter-spacing: 6px !important; }
  textarea, button, div, span { display: none !important; }
  tiny-reasoner { display: inline !important; }
</style>
<p id="outside">Host text stays as the host styles it.</p>
<script type="module" src="dist/tiny-reasoner.js"></script>
<tiny-reasoner prompt="What is 12 + 30?" autorun></tiny-reasoner>`;
    writeFileSync(path.join(folder.dir, 'hostile.html'), hostile);
    const { page, problems } = await visit(`${site.url}hostile.html`);
    const reply = await replyOf(page, 0);
    const element = page.locator('tiny-reasoner');
    const run = element.getByTestId('run');
    assert.equal(await run.isVisible(), true, 'the Run button is hidden by the host CSS');
    const card = await element.locator('.card').evaluate((el) => {
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return { display: s.display, fontSize: s.fontSize, letterSpacing: s.letterSpacing, width: r.width, height: r.height };
    });
    assert.equal(card.display, 'block');
    assert.equal(card.fontSize, '15px');
    assert.equal(card.letterSpacing, 'normal');
    assert.ok(card.width > 200 && card.height > 100, `card is ${card.width}×${card.height}`);
    const box = await run.boundingBox();
    assert.ok(box.height >= 20 && box.width >= 30, `Run button is ${box.width}×${box.height}`);
    // The element's styles stay inside it: the host's own paragraph keeps the host's font.
    const outside = await page.locator('#outside').evaluate((el) => getComputedStyle(el).fontSize);
    assert.equal(outside, '40px');
    assert.ok(reply.answer.length > 0);
    await assertChecked(reply, 42);
    t.diagnostic(`screenshot: ${await screenshot(page, 'embed-hostile-css')}`);
    assert.deepEqual(problems, [], 'page errors');
  });

  // Last, because it shuts the docs site's server down: offline is then real, not only emulated.
  test('after one visit, the page and the docs page open and answer with the network off', { timeout: TEST_MS }, async (t) => {
    const home = `${site.url}dist/`;
    const { page, context, problems } = await visit(`${home}embed.html`);
    await replyOf(page, 0);
    // The service worker has installed (its shell cached) and controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: LOAD_MS });
    const shell = await page.evaluate(async () => {
      const names = (await caches.keys()).filter((n) => n.startsWith('tiny-reasoner-shell-'));
      const cache = await caches.open(names[0]);
      return { names, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
    });
    assert.equal(shell.names.length, 1, `shell caches: ${shell.names}`);
    for (const file of ['index.html', 'embed.html', 'tiny-reasoner.js', 'worker.js', 'pkg/tiny_reasoner_bg.wasm']) {
      assert.ok(shell.urls.includes(`/dist/${file}`), `${file} is not kept for offline use (${shell.urls.join(' ')})`);
    }

    await site.close();
    site = null;
    await context.setOffline(true);
    await page.reload({ waitUntil: 'domcontentloaded' });
    const again = await replyOf(page, 0);
    assert.ok(again.answer.length > 0, 'no answer offline');
    // The full page too.
    await page.goto(home, { waitUntil: 'domcontentloaded' });
    assert.equal(await waitForState(page, ['ready', 'error'], LOAD_MS), 'ready', await page.getByTestId('message').textContent());
    await page.getByTestId('prompt').fill('What is 12 + 30?');
    await page.getByTestId('run').click();
    assert.equal(await waitForState(page, ['done', 'error'], REPLY_MS), 'done', await page.getByTestId('message').textContent());
    t.diagnostic(`screenshot: ${await screenshot(page, 'offline-page')}`);
    // Offline, the browser logs the requests that could not go out (the manifest's network-first
    // fetch, the service worker's update check): those are expected; nothing else is.
    const offline = /ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_REFUSED|Failed to load resource|fetching the script/;
    assert.deepEqual(problems.filter((p) => !offline.test(p)), [], 'page errors');
  });
});
