//! Out of family: prompts the model cannot help with (greetings, poems, general knowledge, "who are
//! you"). The thinking is one line and the answer politely says what the model can do, with an
//! example to try. Any prompt without digits is treated as this family by `parse_prompt`.

use rand::Rng;

use super::expr::Line;
use super::util::{self, pick};
use super::{Expected, Family, Problem};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Greeting,
    AboutMe,
    Thanks,
    Off,
}

const PROMPTS: &[&str] = &[
    "hi",
    "hello",
    "hey there",
    "good morning",
    "hello, how are you",
    "hi! what's up",
    "who are you",
    "what are you",
    "what can you do",
    "what is your name",
    "help",
    "are you a robot",
    "write a poem about the sea",
    "tell me a joke",
    "write a story about a dragon",
    "write me a song about cats",
    "what's the capital of France",
    "who won the world cup",
    "what's the weather like today",
    "translate hello into Spanish",
    "how do I bake bread",
    "what is the meaning of life",
    "recommend a good movie",
    "write some python code",
    "explain quantum physics",
    "who is the president of the United States",
    "how tall is Mount Everest",
    "what is photosynthesis",
    "can you draw a cat",
    "summarize this article for me",
    "thanks",
    "thank you so much",
    "bye",
    "what time is it",
    "what's your favourite colour",
    "play some music",
];

const SUGGESTIONS: &[&str] = &[
    "What is 347 + 589?",
    "What is 12 × 34?",
    "Solve 3x + 5 = 20",
    "Sort 5, -3, 12, 0",
    "Which is bigger, 45 or 54?",
    "What is 600 - 875?",
];

/// What the model can do, said in every answer.
const CAN_DO: &str =
    "I'm a tiny model trained only for arithmetic: adding, subtracting and multiplying numbers, \
short word problems, comparing and sorting numbers, and solving equations like 3x + 5 = 20.";

pub fn generate<R: Rng + ?Sized>(rng: &mut R) -> Problem {
    let base = *pick(rng, PROMPTS);
    let mut s = match rng.random_range(0..10) {
        0 if [
            "write",
            "tell",
            "translate",
            "recommend",
            "explain",
            "summarize",
            "play",
        ]
        .iter()
        .any(|w| base.starts_with(w)) =>
        {
            format!("can you {base}")
        }
        1 => format!("{base} please"),
        _ => base.to_string(),
    };
    let question = ["who", "what", "how", "can", "are"]
        .iter()
        .any(|w| s.starts_with(w));
    match rng.random_range(0..10) {
        0..=4 if question => s.push('?'),
        0..=1 => s.push('!'),
        2 => s.push('.'),
        _ => {}
    }
    let prompt = match rng.random_range(0..10) {
        0..=5 => util::capitalize_first(&s),
        6..=8 => s,
        _ => s.to_uppercase(),
    };
    solve(&prompt)
}

fn kind_of(prompt: &str) -> Kind {
    let lower = prompt.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    if ["thanks", "thank", "thx", "bye", "goodbye"]
        .iter()
        .any(|w| has(w))
    {
        Kind::Thanks
    } else if [
        "hi",
        "hello",
        "hey",
        "morning",
        "evening",
        "greetings",
        "yo",
        "hiya",
    ]
    .iter()
    .any(|w| has(w))
    {
        Kind::Greeting
    } else if ["you", "your", "yourself", "help"].iter().any(|w| has(w))
        && ![
            "poem",
            "story",
            "joke",
            "song",
            "draw",
            "translate",
            "summarize",
            "recommend",
            "explain",
            "play",
        ]
        .iter()
        .any(|w| has(w))
    {
        Kind::AboutMe
    } else {
        Kind::Off
    }
}

/// The reply to a prompt the model cannot handle (deterministic given the prompt).
pub fn solve(prompt: &str) -> Problem {
    let h = prompt
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let s = SUGGESTIONS[(h % SUGGESTIONS.len() as u64) as usize];
    let (thinking, answer) = match kind_of(prompt) {
        Kind::Greeting => (
            "A greeting, not a math problem.",
            format!("Hello! {CAN_DO} Try '{s}'"),
        ),
        Kind::AboutMe => (
            "A question about me, not a math problem.",
            format!("{CAN_DO} Try '{s}'"),
        ),
        Kind::Thanks => (
            "Not a math problem.",
            format!("You're welcome! {CAN_DO} Try '{s}'"),
        ),
        Kind::Off => (
            "This is not a math problem, so I can't solve it.",
            format!("Sorry, I can't help with that. {CAN_DO} Try '{s}'"),
        ),
    };
    Problem {
        family: Family::Other,
        prompt: prompt.to_string(),
        thinking: thinking.to_string(),
        answer,
        expected: Expected::Text("arithmetic".to_string()),
    }
}

/// The answer says what the model can do.
pub fn mentions_capability(answer: &str) -> bool {
    let a = answer.to_lowercase();
    [
        "arithmetic",
        "math",
        "add",
        "subtract",
        "multipl",
        "sort",
        "equation",
    ]
    .iter()
    .any(|k| a.contains(k))
}

pub fn check_trace(lines: &[Line]) -> Result<(), String> {
    if lines.len() > 1 {
        return Err("an out-of-family trace should be empty or one line".to_string());
    }
    Ok(())
}
