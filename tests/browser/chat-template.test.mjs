// The page's chat templates (dist/chat.js: @huggingface/jinja, in the worker) against the prompts
// transformers' `apply_chat_template` rendered for the test fixtures (tests/fixtures/*/reference.json,
// the same texts tests/reference.rs holds the CLI's minijinja to), and the errors a broken model
// folder gets. Node only, no browser: the module is plain JS.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, mock, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.mjs';

const { ChatTemplate } = await import(pathToFileURL(path.join(ROOT, 'dist/chat.js')).href);

const FIXTURES = ['qwen3-tiny', 'qwen3-bf16-headdim', 'qwen2-tiny', 'llama-tiny'];

// A model folder as the worker gets it: file name → bytes.
function folder(dir) {
  const files = new Map();
  for (const name of readdirSync(dir)) files.set(name, new Uint8Array(readFileSync(path.join(dir, name))));
  return files;
}

function textFile(text) {
  return new TextEncoder().encode(text);
}

describe('chat templates render as transformers renders them', () => {
  // Llama 3 templates print today's date; the references were made on 26 Jul 2024.
  mock.timers.enable({ apis: ['Date'], now: new Date(2024, 6, 26, 12) });

  for (const name of FIXTURES) {
    test(name, () => {
      const dir = path.join(ROOT, 'tests/fixtures', name);
      const reference = JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8'));
      const template = ChatTemplate.fromFiles(folder(dir));
      const cases = [...reference.cases, ...reference.template_cases];
      assert.ok(cases.length >= 4, `${name}: too few recorded prompts`);
      cases.forEach((c, n) => {
        const text = template.render(c.messages, {
          enableThinking: c.enable_thinking ?? undefined,
          tools: c.tools,
          addGenerationPrompt: c.add_generation_prompt,
        });
        assert.equal(text, c.prompt_text, `${name} case ${n}`);
      });
    });
  }

  test('the shipped model: ChatML with the think block, closed when thinking is off', () => {
    const template = ChatTemplate.fromFiles(folder(path.join(ROOT, 'models/tiny-reasoner')));
    const messages = [{ role: 'user', content: 'What is 347 + 589?' }];
    const opened = '<|im_start|>user\nWhat is 347 + 589?<|im_end|>\n<|im_start|>assistant\n';
    assert.equal(template.render(messages), opened);
    assert.equal(template.render(messages, { enableThinking: false }), `${opened}<think>\n\n</think>\n\n`);
  });
});

describe('a broken model folder gets an error that names the file', () => {
  test('no template at all', () => {
    const files = new Map([['tokenizer_config.json', textFile('{"eos_token": "</s>"}')]]);
    assert.throws(() => ChatTemplate.fromFiles(files), /tokenizer_config\.json: chat template: no `chat_template` found/);
  });

  test('tokenizer_config.json that is not JSON', () => {
    const files = new Map([['tokenizer_config.json', textFile('{"chat_template": ')]]);
    assert.throws(() => ChatTemplate.fromFiles(files), /tokenizer_config\.json: not valid JSON/);
  });

  test('a template that does not parse', () => {
    const files = new Map([['chat_template.jinja', textFile('{% for m in messages %}{{ m.content }')]]);
    assert.throws(() => ChatTemplate.fromFiles(files), /chat_template\.jinja: chat template: /);
  });

  test('a template that raises, and an empty conversation', () => {
    const source = "{{ raise_exception('only user turns') if messages[0].role != 'user' }}{{ messages[0].content }}";
    const files = new Map([['tokenizer_config.json', textFile(JSON.stringify({ chat_template: source }))]]);
    const template = ChatTemplate.fromFiles(files);
    assert.equal(template.render([{ role: 'user', content: 'hi' }]), 'hi');
    assert.throws(() => template.render([{ role: 'system', content: 'x' }]), /tokenizer_config\.json: chat template: .*only user turns/);
    assert.throws(() => template.render([]), /messages: the conversation is empty/);
  });

  test('a named template list picks "default"', () => {
    const named = [{ name: 'tool_use', template: 'tools' }, { name: 'default', template: '{{ bos_token }}{{ messages[0].content }}' }];
    const files = new Map([['tokenizer_config.json', textFile(JSON.stringify({ chat_template: named, bos_token: { content: '<s>' } }))]]);
    assert.equal(ChatTemplate.fromFiles(files).render([{ role: 'user', content: 'hi' }]), '<s>hi');
  });
});
