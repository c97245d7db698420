//! The model's chat template (Jinja, from `tokenizer_config.json` or `chat_template.jinja`) rendered
//! with minijinja configured like transformers' `apply_chat_template`: `trim_blocks`,
//! `lstrip_blocks`, Python string methods, `raise_exception`, and `tojson` as Python's `json.dumps`.

use minijinja::value::{Kwargs, Serde, Value};
use minijinja::{context, Environment, ErrorKind};
use serde::{Deserialize, Serialize};

use super::files::ModelFiles;
use crate::error::{Error, Result};

pub const TOKENIZER_CONFIG: &str = "tokenizer_config.json";
pub const TEMPLATE_FILE: &str = "chat_template.jinja";

/// One turn of a conversation, OpenAI style. Extra keys (`reasoning_content`, `tool_calls`, …)
/// are passed through to the template untouched.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: String,
    pub content: String,
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Message {
    pub fn new(role: &str, content: &str) -> Message {
        Message {
            role: role.into(),
            content: content.into(),
            extra: Default::default(),
        }
    }
}

pub struct ChatTemplate {
    env: Environment<'static>,
    /// Where the template came from, for error messages.
    file: String,
    /// Special tokens the templates refer to by name (`bos_token`, `eos_token`, …).
    special_tokens: serde_json::Map<String, serde_json::Value>,
}

impl ChatTemplate {
    /// The template of a model folder: `chat_template.jinja` if present (newer transformers),
    /// else the `chat_template` key of `tokenizer_config.json`.
    pub fn load(files: &ModelFiles) -> Result<ChatTemplate> {
        let config = files
            .read_json_if_exists(TOKENIZER_CONFIG)?
            .unwrap_or_default();
        let special_tokens = special_tokens(&config);
        let (file, source) = if files.exists(TEMPLATE_FILE) {
            let bytes = files.read(TEMPLATE_FILE)?;
            let file = files.display_name(TEMPLATE_FILE);
            let source = String::from_utf8(bytes).map_err(|_| Error::ChatTemplate {
                file: file.clone(),
                reason: "not UTF-8 text".into(),
            })?;
            (file, source)
        } else {
            let file = files.display_name(TOKENIZER_CONFIG);
            let source = template_from_config(&config).ok_or_else(|| Error::ChatTemplate {
                file: file.clone(),
                reason: "no `chat_template` found".into(),
            })?;
            (file, source)
        };
        ChatTemplate::new(file, source, special_tokens)
    }

    pub fn new(
        file: String,
        source: String,
        special_tokens: serde_json::Map<String, serde_json::Value>,
    ) -> Result<ChatTemplate> {
        let mut env = Environment::new();
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .map_err(|e| Error::ChatTemplate {
                file: file.clone(),
                reason: e.to_string(),
            })?;
        env.set_syntax(syntax);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_filter("tojson", python_tojson);
        env.add_template_owned("chat", source)
            .map_err(|e| Error::ChatTemplate {
                file: file.clone(),
                reason: describe(&e),
            })?;
        Ok(ChatTemplate {
            env,
            file,
            special_tokens,
        })
    }

    /// The prompt text for `messages`. `enable_thinking` is only passed when set, because templates
    /// test `enable_thinking is defined`.
    pub fn render(
        &self,
        messages: &[Message],
        add_generation_prompt: bool,
        enable_thinking: Option<bool>,
    ) -> Result<String> {
        self.render_with_tools(&messages, None, add_generation_prompt, enable_thinking)
    }

    /// `render` for any serializable list of messages (tool calls, `content: null`, …) and an
    /// optional list of tool definitions, as transformers' `apply_chat_template(tools=…)`.
    pub fn render_with_tools<M: Serialize>(
        &self,
        messages: &M,
        tools: Option<&serde_json::Value>,
        add_generation_prompt: bool,
        enable_thinking: Option<bool>,
    ) -> Result<String> {
        let template = self
            .env
            .get_template("chat")
            .map_err(|e| Error::ChatTemplate {
                file: self.file.clone(),
                reason: describe(&e),
            })?;
        let mut ctx = context! {
            messages => Value::from(Serde(messages)),
            add_generation_prompt => add_generation_prompt,
        };
        if let Some(enabled) = enable_thinking {
            ctx = context! { enable_thinking => enabled, ..ctx };
        }
        if let Some(tools) = tools.filter(|t| !t.is_null()) {
            ctx = context! { tools => Value::from(Serde(tools)), ..ctx };
        }
        let ctx = context! { ..ctx, ..Value::from(Serde(&self.special_tokens)) };
        template.render(ctx).map_err(|e| Error::ChatTemplate {
            file: self.file.clone(),
            reason: describe(&e),
        })
    }
}

/// `chat_template` is a string, or a list of `{name, template}` of which "default" is the chat one.
fn template_from_config(config: &serde_json::Value) -> Option<String> {
    match config.get("chat_template")? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(named) => named
            .iter()
            .find(|t| t.get("name").and_then(|n| n.as_str()) == Some("default"))
            .and_then(|t| t.get("template")?.as_str().map(str::to_string)),
        _ => None,
    }
}

/// `bos_token`, `eos_token`, … as plain strings (tokenizer_config stores either a string or an
/// AddedToken object with `content`).
fn special_tokens(config: &serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    let mut tokens = serde_json::Map::new();
    for key in ["bos_token", "eos_token", "pad_token", "unk_token"] {
        let text = match config.get(key) {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(obj @ serde_json::Value::Object(_)) => obj
                .get("content")
                .and_then(|c| c.as_str())
                .map(str::to_string),
            _ => None,
        };
        if let Some(text) = text {
            tokens.insert(key.to_string(), text.into());
        }
    }
    tokens
}

/// The error and its causes on one line: minijinja keeps the useful part (line number) in the chain.
fn describe(error: &minijinja::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn raise_exception(message: String) -> std::result::Result<Value, minijinja::Error> {
    Err(minijinja::Error::new(ErrorKind::InvalidOperation, message))
}

/// Llama 3 templates print today's date. The engine has no clock it can trust in every host, so it
/// answers with a fixed date, as transformers' own tests do for reproducible prompts.
fn strftime_now(_format: String) -> String {
    "26 Jul 2024".to_string()
}

/// `tojson` as transformers defines it: `json.dumps(x, ensure_ascii=False, indent=indent)` — no
/// HTML escaping (minijinja's own filter escapes `<` and `>`, which would change the prompt).
fn python_tojson(value: Value, kwargs: Kwargs) -> std::result::Result<Value, minijinja::Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    let _: Option<bool> = kwargs.get("ensure_ascii")?;
    let _: Option<bool> = kwargs.get("sort_keys")?;
    kwargs.assert_all_used()?;
    let json = serde_json::to_value(&value).map_err(|e| {
        minijinja::Error::new(ErrorKind::InvalidOperation, "cannot serialize to JSON")
            .with_source(e)
    })?;
    let text = match indent {
        Some(width) => {
            let indent = " ".repeat(width);
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
            let mut ser = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(&json, &mut ser)
                .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
            String::from_utf8_lossy(&out).into_owned()
        }
        None => python_compact_json(&json),
    };
    Ok(Value::from_safe_string(text))
}

/// Python's default separators: `", "` between items and `": "` after keys.
fn python_compact_json(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Array(items) => {
            let items: Vec<String> = items.iter().map(python_compact_json).collect();
            format!("[{}]", items.join(", "))
        }
        serde_json::Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        serde_json::Value::String(k.clone()),
                        python_compact_json(v)
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        scalar => scalar.to_string(),
    }
}
