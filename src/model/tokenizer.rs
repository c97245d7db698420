//! `tokenizer.json` through the `tokenizers` crate (the same code as the Python package), and a
//! streaming decoder that emits text only once a character is complete.

use crate::error::{Error, Result};

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
}

impl Tokenizer {
    pub fn from_bytes(file: &str, bytes: &[u8]) -> Result<Tokenizer> {
        let inner =
            tokenizers::Tokenizer::from_bytes(bytes).map_err(|e| Error::InvalidTokenizer {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
        Ok(Tokenizer { inner })
    }

    /// Token ids of `text`; `add_special_tokens` runs the post-processor (e.g. a BOS token), which
    /// chat prompts must not do: the template already wrote every special token.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>> {
        let encoding =
            self.inner
                .encode(text, add_special_tokens)
                .map_err(|e| Error::Tokenize {
                    reason: e.to_string(),
                })?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Text of `ids`, special tokens included (the reasoning view shows `<think>` too).
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner.decode(ids, false).map_err(|e| Error::Tokenize {
            reason: e.to_string(),
        })
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// Vocabulary size including added tokens (may be smaller than the model's padded vocab).
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }
}

/// Turns a stream of token ids into a stream of text pieces without ever splitting a multi-byte
/// character: byte-level tokens may each carry part of one (an emoji is often 2–4 tokens).
///
/// It decodes a short window of recent ids twice — up to the last emitted point and to the end —
/// and emits the difference once it no longer ends in U+FFFD, the mark of an incomplete character.
/// Decoding a window rather than one id keeps decoders that look at neighbours (e.g. a leading
/// space dropped at the start of text) right.
#[derive(Default)]
pub struct StreamDecoder {
    ids: Vec<u32>,
    /// Start of the window that gives context to the next decode.
    prefix_offset: usize,
    /// Everything before this index has been emitted.
    read_offset: usize,
}

impl StreamDecoder {
    /// Seed with ids already in the context (e.g. the prompt's tail) so the first piece decodes in context.
    pub fn with_context(context: &[u32]) -> StreamDecoder {
        StreamDecoder {
            ids: context.to_vec(),
            prefix_offset: 0,
            read_offset: context.len(),
        }
    }

    /// The text completed by `id`; empty while a character is still incomplete.
    pub fn push(&mut self, tokenizer: &Tokenizer, id: u32) -> Result<String> {
        self.ids.push(id);
        let before = tokenizer.decode(&self.ids[self.prefix_offset..self.read_offset])?;
        let after = tokenizer.decode(&self.ids[self.prefix_offset..])?;
        if after.len() <= before.len() || after.ends_with('\u{FFFD}') || !after.starts_with(&before)
        {
            // Incomplete character, or a decoder that rewrote earlier text: wait for more ids.
            // (`starts_with` also guarantees the slice below falls on a character boundary.)
            return Ok(String::new());
        }
        let piece = after[before.len()..].to_string();
        self.prefix_offset = self.read_offset;
        self.read_offset = self.ids.len();
        Ok(piece)
    }
}

impl StreamDecoder {
    /// Whatever is still held back at the end of generation (an incomplete character is shown as U+FFFD).
    pub fn flush(&mut self, tokenizer: &Tokenizer) -> Result<String> {
        let before = tokenizer.decode(&self.ids[self.prefix_offset..self.read_offset])?;
        let after = tokenizer.decode(&self.ids[self.prefix_offset..])?;
        self.prefix_offset = self.read_offset;
        self.read_offset = self.ids.len();
        Ok(after
            .strip_prefix(before.as_str())
            .unwrap_or(&after)
            .to_string())
    }
}
