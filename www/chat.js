// The model's chat template (Jinja, from `chat_template.jinja` or the `chat_template` key of
// `tokenizer_config.json`) rendered as transformers' `apply_chat_template` renders it, for the
// worker, which hands the engine the prompt text.
//
// Rendered here with @huggingface/jinja (the Jinja implementation transformers.js runs the same
// templates with), not in the wasm: minijinja compiled to wasm was 203 kB of the wasm's
// gzipped bytes, this is about 15 kB of JS (`cargo xtask build-web` copies it, minified, to
// dist/vendor/jinja.js). The CLI renders with minijinja (src/model/chat.rs); both are held to the
// same transformers renders of the test fixtures (tests/browser/chat-template.test.mjs and
// tests/reference.rs).
//
// One difference: `strftime_now` (Llama 3 templates print today's date) gives the browser's date
// here, as transformers does, where the CLI prints a fixed date.

import { Template } from './vendor/jinja.js';

const TOKENIZER_CONFIG = 'tokenizer_config.json';
const TEMPLATE_FILE = 'chat_template.jinja';

// Special tokens templates refer to by name.
const SPECIAL_TOKENS = ['bos_token', 'eos_token', 'pad_token', 'unk_token'];

export class ChatTemplate {
  #template; // @huggingface/jinja Template
  #file; // where the template came from, for error messages
  #specialTokens; // {bos_token: '<s>', …} as plain strings

  // `files`: Map of file name → Uint8Array (a model folder in Hugging Face layout). Throws an
  // Error naming the file when there is no template or it does not parse.
  static fromFiles(files) {
    const config = files.has(TOKENIZER_CONFIG) ? parseJson(files.get(TOKENIZER_CONFIG), TOKENIZER_CONFIG) : {};
    if (files.has(TEMPLATE_FILE)) {
      return new ChatTemplate(decodeText(files.get(TEMPLATE_FILE), TEMPLATE_FILE), config, TEMPLATE_FILE);
    }
    const source = templateFromConfig(config);
    if (source === null) throw templateError(TOKENIZER_CONFIG, 'no `chat_template` found');
    return new ChatTemplate(source, config, TOKENIZER_CONFIG);
  }

  constructor(source, config, file) {
    this.#file = file;
    this.#specialTokens = specialTokens(config);
    try {
      this.#template = new Template(source);
    } catch (error) {
      throw templateError(file, error.message);
    }
  }

  // The prompt for `messages` ([{role, content, …}]), by default with the assistant turn opened.
  // `enableThinking` is passed only when it is a boolean, because templates test
  // `enable_thinking is defined`; `tools` as transformers' `apply_chat_template(tools=…)`.
  render(messages, { enableThinking, tools, addGenerationPrompt = true } = {}) {
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new Error('messages: the conversation is empty');
    }
    const context = { messages, add_generation_prompt: addGenerationPrompt, ...this.#specialTokens };
    if (typeof enableThinking === 'boolean') context.enable_thinking = enableThinking;
    if (tools != null) context.tools = tools;
    try {
      return this.#template.render(context);
    } catch (error) {
      throw templateError(this.#file, error.message);
    }
  }
}

// `chat_template` is a string, or a list of {name, template} of which "default" is the chat one.
function templateFromConfig(config) {
  const value = config.chat_template;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value.find((t) => t?.name === 'default');
    if (typeof named?.template === 'string') return named.template;
  }
  return null;
}

// tokenizer_config stores each special token as a string or as an AddedToken object with `content`.
function specialTokens(config) {
  const tokens = {};
  for (const key of SPECIAL_TOKENS) {
    const value = config[key];
    if (typeof value === 'string') tokens[key] = value;
    else if (typeof value?.content === 'string') tokens[key] = value.content;
  }
  return tokens;
}

function parseJson(bytes, file) {
  const text = decodeText(bytes, file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error.message})`);
  }
}

function decodeText(bytes, file) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw templateError(file, 'not UTF-8 text');
  }
}

// Worded as the engine words its own template errors.
function templateError(file, reason) {
  return new Error(`${file}: chat template: ${reason}`);
}
