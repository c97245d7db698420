//! Which part of the reply a token belongs to: the thinking between `<think>` and `</think>`,
//! or the answer. Decided by token id (the ids come from the tokenizer, never from literals), so
//! text that merely looks like a tag inside the answer does not flip the phase.

use serde::Serialize;

use crate::model::Tokenizer;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Thinking,
    Answer,
}

pub struct ReasoningTracker {
    think_start: Option<u32>,
    think_end: Option<u32>,
    phase: Phase,
}

impl ReasoningTracker {
    /// Starts in `Thinking` when the prompt itself opened a `<think>` it did not close (templates
    /// that pre-fill the tag); in `Answer` otherwise, including when thinking was switched off
    /// (Qwen3 then writes an empty `<think>\n\n</think>` into the prompt).
    pub fn new(tokenizer: &Tokenizer, prompt_ids: &[u32]) -> ReasoningTracker {
        let think_start = tokenizer.token_to_id("<think>");
        let think_end = tokenizer.token_to_id("</think>");
        let last = |tag: Option<u32>| tag.and_then(|t| prompt_ids.iter().rposition(|&id| id == t));
        let phase = match (last(think_start), last(think_end)) {
            (Some(open), Some(close)) if open > close => Phase::Thinking,
            (Some(_), None) => Phase::Thinking,
            _ => Phase::Answer,
        };
        ReasoningTracker {
            think_start,
            think_end,
            phase,
        }
    }

    /// The phase of `id`. Both tags count as thinking; the token after `</think>` is the answer.
    pub fn observe(&mut self, id: u32) -> Phase {
        if Some(id) == self.think_start {
            self.phase = Phase::Thinking;
            return Phase::Thinking;
        }
        if Some(id) == self.think_end {
            self.phase = Phase::Answer;
            return Phase::Thinking;
        }
        self.phase
    }

    /// The phase the next token starts in.
    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// True for the tag tokens themselves, which belong to neither text.
    pub fn is_tag(&self, id: u32) -> bool {
        Some(id) == self.think_start || Some(id) == self.think_end
    }
}
