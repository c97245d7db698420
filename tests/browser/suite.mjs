// The page's end-to-end tests, run once per backend variant (webgpu.test.mjs, cpu.test.mjs).

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  LOAD_MS, LONG_REPLY_MS, LONG_TEST_MS, REPLY_MS, ROOT, TEST_MS, VARIANT_PARAMS, activeView, launch, openApp as openPage,
  screenshot, serverUrl, stopServer, tempDir, waitForState, writeMetrics,
} from './harness.mjs';

const FAMILIES = ['add_sub', 'multiply', 'word_problem', 'compare_sort', 'linear_equation', 'other'];
const ARITHMETIC = 'What is 347 + 589?';
const HOSTILE = '<img src=x onerror=alert(1)><script>window.__xss = 1</script> What is 2 + 2?';
// Replies in the interaction tests are kept short: what they test does not need more.
const SHORT = 12;

export function pageTests(variant) {
  describe(`the page, ${variant === 'webgpu' ? 'with WebGPU' : 'without WebGPU (CPU fallback)'}`, { timeout: 20 * 60_000 }, () => {
    let browser;
    let url;
    let manifest; // dist/models/default.json: which model the page loads
    let modelBase; // the URL of its folder
    let shipped; // the trained model (answers are checked), not the random fixture

    before(async () => {
      url = await serverUrl();
      browser = await launch(variant);
      manifest = await (await fetch(`${url}models/default.json`)).json();
      modelBase = new URL(manifest.base, `${url}models/default.json`).href;
      shipped = manifest.name === 'tiny-reasoner';
    });
    after(async () => {
      await browser?.close();
      stopServer();
    });

    // Every page a test opens is closed after it, passed or failed: a page left open keeps its
    // worker, model and connections, and the next test's page would share the machine with it.
    const open = [];
    afterEach(async () => {
      await Promise.all(open.splice(0).map((context) => context.close().catch(() => {})));
    });

    // The app, with this variant's URL parameters.
    async function openApp(browser, url, options = {}) {
      const app = await openPage(browser, url, { ...options, params: { ...VARIANT_PARAMS[variant], ...options.params } });
      open.push(app.context);
      return app;
    }

    // A page with the model loaded, greedy decoding, and the given prompt run to the end.
    async function replied(prompt, options = {}) {
      const app = await openApp(browser, url, options);
      await ready(app);
      await setGreedy(app.page, SHORT);
      await app.page.getByTestId('prompt').fill(prompt);
      await app.page.getByTestId('run').click();
      assert.equal(await waitForState(app.page, ['done', 'error'], REPLY_MS), 'done', await messageOf(app.page));
      return app;
    }

    test('loads, says which backend runs it and which model, offers an example per family', { timeout: TEST_MS }, async (t) => {
      const { page, problems, context } = await openApp(browser, url);
      await ready({ page });
      const badge = page.getByTestId('backend');
      const backend = await badge.getAttribute('data-backend');
      const said = await badge.textContent();
      t.diagnostic(`backend badge: ${said}`);
      if (variant === 'cpu') {
        assert.equal(backend, 'cpu');
        assert.match(said, /^CPU — WebGPU not available in this browser/);
      } else {
        assert.equal(backend, 'gpu', `expected the GPU backend on WebGPU, the badge says: ${said}`);
        assert.match(said, /^GPU — /);
        // Without ?backend=gpu, SwiftShader (a software fallback) is passed over for the CPU.
        const plain = await openPage(browser, url);
        open.push(plain.context);
        await ready(plain);
        const badge2 = plain.page.getByTestId('backend');
        assert.equal(await badge2.getAttribute('data-backend'), 'cpu');
        assert.match(await badge2.textContent(), /^CPU — the WebGPU adapter is a software fallback/);
        await plain.context.close();
      }
      assert.equal(await page.getByTestId('model').textContent(), manifest.label);
      await page.waitForFunction((n) => document.querySelectorAll('.example').length === n, FAMILIES.length);
      const families = await page.locator('.example').evaluateAll((els) => els.map((e) => e.dataset.family));
      assert.deepEqual([...families].sort(), [...FAMILIES].sort());
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-ready`)}`);
      await assertClean(page, problems);
      await context.close();
    });

    test('answers a prompt: tokens stream into the lanes, the stats fill in, the answer is checked', { timeout: LONG_TEST_MS }, async (t) => {
      const app = await openApp(browser, url);
      const { page, problems } = app;
      await ready(app);
      // The "Try" row: one generated prompt per task family (examples.json); "↻ others" shows the
      // next round.
      const examples = page.locator('#examples .example');
      await examples.first().waitFor();
      assert.deepEqual(
        await examples.evaluateAll((buttons) => buttons.map((b) => b.dataset.family)),
        ['add_sub', 'multiply', 'word_problem', 'compare_sort', 'linear_equation', 'other'],
      );
      const firstRound = await examples.allTextContents();
      await page.locator('#more-examples').click();
      await page.waitForFunction(
        (before) => document.querySelector('#examples .example')?.textContent !== before,
        firstRound[0],
      );
      assert.equal(await examples.count(), 6);
      await setGreedy(page, 200);
      await page.evaluate(() => {
        // Chips arriving in separate tasks = streaming (not one batch at the end).
        window.__batches = 0;
        window.__states = [];
        new MutationObserver((records) => {
          if (records.some((r) => [...r.addedNodes].some((n) => n.classList?.contains('tok')))) window.__batches++;
        }).observe(document.body, { childList: true, subtree: true });
        new MutationObserver(() => window.__states.push(document.body.dataset.state))
          .observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
      });
      await page.getByTestId('prompt').fill(ARITHMETIC);
      await page.getByTestId('run').click();
      assert.equal(await waitForState(page, ['done', 'error'], LONG_REPLY_MS[variant]), 'done', await messageOf(page));
      const view = activeView(page);
      const chips = await view.getByTestId('token').count();
      const stats = await view.getByTestId('stats').evaluate((el) => ({ ...el.dataset }));
      const check = view.getByTestId('check');
      await check.waitFor();
      const answer = await view.getByTestId('answer').textContent();
      // Timings and a picture first, so that they exist when an assertion below fails.
      const metrics = {
        variant, model: manifest.label, prompt: ARITHMETIC, tokens: chips, ttft_ms: Number(stats.ttftMs),
        tok_per_s: Number(stats.tokPerS), answer, check: await check.textContent(),
      };
      writeMetrics(`${variant}-metrics`, metrics);
      t.diagnostic(`metrics: ${JSON.stringify(metrics)}`);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-reply`)}`);
      assert.ok(chips > 0, 'no token chips');
      const batches = await page.evaluate(() => window.__batches);
      assert.ok(batches > 1 || chips === 1, `tokens arrived in ${batches} batch(es), not streamed`);
      assert.deepEqual(await page.evaluate(() => window.__states), ['generating', 'done']);
      assert.equal(Number(stats.tokens), chips);
      assert.equal(stats.backend, variant === 'cpu' ? 'cpu' : 'gpu');
      assert.ok(Number(stats.ttftMs) > 0, `time to first token: ${stats.ttftMs}`);
      assert.equal(await check.getAttribute('data-family'), 'add_sub');
      // The reasoning lane folds away and back.
      const lane = view.locator('.reasoning-lane');
      await lane.locator('summary').click();
      assert.equal(await lane.evaluate((d) => d.open), false);
      await lane.locator('summary').click();
      assert.equal(await lane.evaluate((d) => d.open), true);
      if (shipped) {
        assert.ok((await view.getByTestId('reasoning').getByTestId('token').count()) > 0, 'no thinking tokens');
        // The shipped model gets this one right (greedy, on either backend: its smallest margin
        // between the first and second choice on this reply is large, see the model card), and the
        // page's verifier says so.
        assert.match(answer, /\b936\b/);
        assert.equal(await check.getAttribute('data-correct'), 'true', `answer: ${answer}`);
        assert.ok((await check.textContent()).includes('✓'), `check mark for: ${answer}`);
      }
      await assertClean(page, problems);
    });

    test('alternatives on hover, branching from one, comparing, and the entropy chart', { timeout: TEST_MS }, async (t) => {
      const { page, problems } = await replied(ARITHMETIC);
      const original = page.locator('#run-0');
      const chips = original.getByTestId('token');
      const count = await chips.count();
      assert.ok(count >= 4, `only ${count} tokens`);
      // Hover a token: its alternatives, with probabilities, the taken one marked.
      const at = Math.min(3, count - 1);
      const chip = chips.nth(at);
      await chip.hover();
      const popup = page.getByTestId('alternatives');
      await popup.waitFor({ state: 'visible' });
      const options = popup.locator('button[data-alt]');
      assert.ok((await options.count()) >= 2);
      assert.equal(await popup.locator('button.chosen').count(), 1);
      assert.match(await popup.textContent(), /%/);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-alternatives`)}`);
      // The chart has one bar per token; a bar picks its token.
      const chart = original.getByTestId('entropy-chart');
      assert.equal(await chart.locator('rect').count(), count);
      await chart.locator('rect').nth(1).click();
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.index), '1');
      // Branch: pick an alternative that was not taken (once the popup is this token's).
      await chip.hover();
      await chip.and(page.locator('.is-open')).waitFor();
      const alt = popup.locator('button[data-alt]:not(.chosen):not(:disabled)').first();
      const altId = await alt.getAttribute('data-id');
      await alt.click();
      const branch = page.locator('#run-1');
      await branch.and(page.locator('[data-reason]')).waitFor({ timeout: REPLY_MS });
      assert.equal(await waitForState(page, ['done', 'error'], REPLY_MS), 'done', await messageOf(page));
      assert.equal(await page.getByRole('tab').count(), 2);
      assert.equal(await page.getByRole('tab', { selected: true }).textContent(), 'Branch 1');
      assert.match(await branch.getAttribute('class'), /\bis-active\b/);
      const branchChips = branch.getByTestId('token');
      // The replayed prefix and the chosen token are marked as forced; the branch goes on from there.
      for (let i = 0; i <= at; i++) assert.match(await branchChips.nth(i).getAttribute('class'), /\bforced\b/);
      const ids = (chips) => chips.evaluateAll((els) => els.map((e) => e.dataset.id));
      const [before, after] = [await ids(chips), await ids(branchChips)];
      assert.deepEqual(after.slice(0, at), before.slice(0, at));
      assert.equal(after[at], altId);
      assert.notEqual(after[at], before[at]);
      // Side by side with the original.
      await page.locator('#compare').check();
      assert.equal(await page.locator('.run-view:not([hidden])').count(), 2);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-branch-compare`)}`);
      await page.getByRole('tab', { name: 'Original' }).click();
      assert.equal(await page.locator('.run-view:not([hidden])').count(), 1);
      await assertClean(page, problems);
    });

    test('stop ends a reply mid-generation, and the page runs again afterwards', { timeout: TEST_MS }, async () => {
      const { page, problems } = await openApp(browser, url, { params: { pace: 40 } });
      await ready({ page });
      await setGreedy(page, 400);
      await page.getByTestId('prompt').fill(ARITHMETIC);
      await page.getByTestId('run').click();
      await waitForState(page, 'generating', 10_000);
      await page.waitForFunction(() => document.querySelectorAll('.run-view.is-active .tok').length >= 3, null, { timeout: REPLY_MS });
      await page.getByTestId('stop').click();
      assert.equal(await waitForState(page, ['done', 'error'], 30_000), 'done', await messageOf(page));
      const view = activeView(page);
      assert.equal(await view.getAttribute('data-reason'), 'cancelled');
      const tokens = Number(await view.getByTestId('stats').getAttribute('data-tokens'));
      assert.ok(tokens >= 3 && tokens < 400, `${tokens} tokens`);
      assert.equal(await page.getByTestId('stop').isDisabled(), true);
      await page.getByTestId('run').click();
      await waitForState(page, 'generating', 10_000);
      await page.getByTestId('stop').click();
      assert.equal(await waitForState(page, ['done', 'error'], 30_000), 'done');
      await assertClean(page, problems);
    });

    test('a hostile prompt is shown as text, never run as markup', { timeout: TEST_MS }, async (t) => {
      const { page, problems } = await replied(HOSTILE);
      assert.equal(await page.locator('img').count(), 0);
      assert.equal(await page.locator('script').count(), 1); // app.js only
      assert.equal(await page.evaluate(() => window.__xss), undefined);
      const title = await activeView(page).locator('.run-title').textContent();
      assert.ok(title.includes(HOSTILE), `title: ${title}`);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-hostile-prompt`)}`);
      await assertClean(page, problems);
    });

    test('works by keyboard: Ctrl+Enter runs, arrows move between tokens, Enter opens the alternatives', { timeout: TEST_MS }, async () => {
      const app = await openApp(browser, url);
      const { page, problems } = app;
      await ready(app);
      await setGreedy(page, SHORT);
      await page.getByTestId('prompt').focus();
      await page.keyboard.type(ARITHMETIC);
      await page.keyboard.press('Control+Enter');
      assert.equal(await waitForState(page, ['done', 'error'], REPLY_MS), 'done', await messageOf(page));
      await page.getByRole('tab', { selected: true }).focus();
      for (let i = 0; i < 12; i++) {
        if (await page.evaluate(() => document.activeElement?.classList.contains('tok'))) break;
        await page.keyboard.press('Tab');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.index), '0', 'Tab does not reach the first token');
      await page.getByTestId('alternatives').waitFor({ state: 'visible' });
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.index), '1');
      await page.keyboard.press('Enter');
      assert.ok(await page.evaluate(() => document.activeElement?.closest('[data-testid="alternatives"]') !== null));
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.index), '1');
      await page.getByTestId('alternatives').waitFor({ state: 'hidden' });
      await assertClean(page, problems);
    });

    test('the model picker: a URL (kept for offline use, then deleted), a local folder, a bad file', { timeout: TEST_MS }, async (t) => {
      const app = await openApp(browser, url);
      const { page, context, problems } = app;
      await ready(app);
      // The bundled model was kept in the browser when the page loaded it; delete it, so that
      // loading its folder by URL finds the files (no manifest) and fetches them again.
      await page.locator('#model-button').click();
      const kept = page.locator('#saved li', { hasText: manifest.label });
      await kept.waitFor();
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-picker`)}`);
      await kept.getByRole('button', { name: /^Delete/ }).click();
      await kept.waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      const modelUrl = modelBase;
      await page.locator('#model-button').click();
      await page.locator('#model-url').fill(modelUrl);
      await page.locator('#url-form button[type=submit]').click();
      assert.equal(await waitForState(page, ['ready', 'error']), 'ready', await messageOf(page));
      assert.equal(await page.getByTestId('model').textContent(), manifest.name);
      // Offline, the same URL loads from the cache.
      await context.setOffline(true);
      await page.locator('#model-button').click();
      await page.locator('#saved li', { hasText: manifest.name }).getByRole('button', { name: 'Load' }).click();
      assert.equal(await waitForState(page, ['ready', 'error']), 'ready', await messageOf(page));
      await context.setOffline(false);
      // Delete it from the browser.
      await page.locator('#model-button').click();
      const saved = page.locator('#saved li', { hasText: manifest.name });
      await saved.first().waitFor();
      assert.equal(await saved.count(), 1);
      await saved.getByRole('button', { name: /^Delete/ }).click();
      await saved.waitFor({ state: 'detached' });
      await page.keyboard.press('Escape');
      // A local folder whose name is markup: loaded, and its name shown as text.
      const tmp = tempDir();
      try {
        const folder = path.join(tmp.dir, '<img src=x onerror=alert(2)>');
        mkdirSync(folder);
        const source = path.join(ROOT, manifest.source);
        for (const name of readdirSync(source)) cpSync(path.join(source, name), path.join(folder, name));
        await page.locator('#model-button').click();
        await page.locator('#pick-folder').setInputFiles(folder);
        assert.equal(await waitForState(page, ['ready', 'error']), 'ready', await messageOf(page));
        assert.equal(await page.getByTestId('model').textContent(), '<img src=x onerror=alert(2)>');
        assert.equal(await page.locator('img').count(), 0);
      } finally {
        tmp.remove();
      }
      // A bad weights file: a clear message naming it, and a way back.
      await page.locator('#model-button').click();
      await page.locator('#pick-files').setInputFiles([
        { name: 'config.json', mimeType: 'application/json', buffer: await (await fetch(`${modelBase}config.json`)).arrayBuffer().then(Buffer.from) },
        { name: 'tokenizer.json', mimeType: 'application/json', buffer: await (await fetch(`${modelBase}tokenizer.json`)).arrayBuffer().then(Buffer.from) },
        { name: 'tokenizer_config.json', mimeType: 'application/json', buffer: await (await fetch(`${modelBase}tokenizer_config.json`)).arrayBuffer().then(Buffer.from) },
        { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('this is not a safetensors file') },
      ]);
      assert.equal(await waitForState(page, ['ready', 'error']), 'error');
      const message = await messageOf(page);
      assert.match(message, /model\.safetensors/);
      t.diagnostic(`bad file message: ${message}`);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-bad-model`)}`);
      await page.getByTestId('message').getByRole('button').click();
      assert.equal(await waitForState(page, ['ready', 'error']), 'ready', await messageOf(page));
      assert.equal(await page.getByTestId('model').textContent(), manifest.label);
      await assertClean(page, problems, { allowConsole: /Failed to load resource|ERR_INTERNET_DISCONNECTED/ });
    });

    test('the JS facade: phases by <think> ids, OpenAI-style chunks with logprobs, AbortSignal', { timeout: TEST_MS }, async () => {
      const app = await openApp(browser, url);
      const { page, problems } = app;
      await ready(app);
      const result = await page.evaluate(async () => {
        const { TinyReasoner } = await import('./engine.js');
        const engine = await TinyReasoner.create();
        const backend = new URLSearchParams(location.search).get('backend') ?? 'auto';
        const loaded = await engine.load({ kind: 'manifest', url: 'models/default.json' }, { backend });
        const { think_start_id: open, think_end_id: close } = loaded.info;
        const messages = [{ role: 'user', content: 'What is 2 + 3?' }];
        // Forced ids: <think>, two tokens of thinking, </think>, then the model answers.
        const forced = [open, 20, 21, close];
        const phases = [];
        const ids = [];
        for await (const ev of engine.generate(messages, { temperature: 0, max_tokens: 8, forced })) {
          if (ev.event === 'token') {
            phases.push(ev.phase);
            ids.push(ev.id);
          }
        }
        const chunks = [];
        const stream = await engine.chat.completions.create({
          messages, stream: true, logprobs: true, top_logprobs: 5, temperature: 0, max_tokens: 8, forced,
        });
        for await (const chunk of stream) chunks.push(chunk);
        const controller = new AbortController();
        let aborted = null;
        try {
          const slow = await engine.chat.completions.create({ messages, stream: true, max_tokens: 300, temperature: 0, signal: controller.signal, pace: 20 });
          let n = 0;
          for await (const chunk of slow) if (++n === 2) controller.abort();
        } catch (e) {
          aborted = e.name;
        }
        const whole = await engine.chat.completions.create({ messages, max_tokens: 8, temperature: 0, forced });
        engine.terminate();
        return { open, close, phases, ids, chunks, aborted, whole };
      });
      assert.notEqual(result.open, null, 'the tokenizer has no <think>');
      assert.deepEqual(result.phases.slice(0, 4), ['thinking', 'thinking', 'thinking', 'thinking']);
      // After the forced `</think>` the model answers; it may open `<think>` again (the eleventh
      // model does, 4 tokens on, after this odd thinking), and from that tag on it is thinking.
      const reopened = result.ids.indexOf(result.open, 4);
      const answered = result.phases.slice(4, reopened === -1 ? undefined : reopened);
      assert.ok(answered.length > 0, `no answer after </think>: ${result.ids}`);
      assert.ok(answered.every((p) => p === 'answer'), `${result.phases} for ${result.ids}`);
      if (reopened !== -1) assert.equal(result.phases[reopened], 'thinking');
      const deltas = result.chunks.map((c) => c.choices[0].delta);
      assert.equal(deltas[0].role, 'assistant');
      assert.equal(deltas.filter((d) => 'reasoning_content' in d).length, 2); // the tags are neither
      const withLogprobs = result.chunks.filter((c) => c.choices[0].logprobs);
      assert.ok(withLogprobs.length >= 2);
      for (const c of withLogprobs) {
        const [lp] = c.choices[0].logprobs.content;
        assert.equal(lp.top_logprobs.length, 5);
        assert.ok(lp.logprob <= 0);
      }
      const last = result.chunks.at(-1).choices[0];
      assert.ok(['stop', 'length'].includes(last.finish_reason));
      assert.equal(result.aborted, 'AbortError');
      assert.equal(result.whole.object, 'chat.completion');
      assert.equal(typeof result.whole.choices[0].message.content, 'string');
      assert.ok(result.whole.usage.completion_tokens > 0);
      await assertClean(page, problems);
    });

    test('a phone-sized viewport, in dark mode: the page fits and a tap shows the alternatives', { timeout: TEST_MS }, async (t) => {
      const app = await openApp(browser, url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark', hasTouch: true });
      const { page, problems } = app;
      await ready(app);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-phone-ready`)}`);
      await setGreedy(page, SHORT);
      await page.locator('.example').first().click();
      assert.equal(await waitForState(page, ['done', 'error'], REPLY_MS), 'done', await messageOf(page));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      await activeView(page).getByTestId('token').nth(1).tap();
      const popup = page.getByTestId('alternatives');
      await popup.waitFor({ state: 'visible' });
      const box = await popup.boundingBox();
      assert.ok(box.y + box.height <= 844 + 1 && box.x >= 0 && box.width <= 390, `popup at ${JSON.stringify(box)}`);
      t.diagnostic(`screenshot: ${await screenshot(page, `${variant}-phone-alternatives`, { fullPage: false })}`);
      await assertClean(page, problems);
    });
  });
}

async function ready({ page }) {
  const state = await waitForState(page, ['ready', 'error'], LOAD_MS);
  assert.equal(state, 'ready', await messageOf(page));
}

// Greedy decoding (reproducible) and a bound on the reply's length.
async function setGreedy(page, maxTokens) {
  await page.locator('#temperature').fill('0');
  await page.locator('#max-tokens').fill(String(maxTokens));
}

async function messageOf(page) {
  return (await page.getByTestId('message').textContent()).trim();
}

async function assertClean(page, problems, { allowConsole } = {}) {
  const csp = await page.evaluate(() => window.__csp);
  assert.deepEqual(csp, [], 'Content-Security-Policy violations');
  const real = problems.filter((p) => !(allowConsole && allowConsole.test(p)));
  assert.deepEqual(real, [], 'page errors');
}
