//! The generate loop: events, phases, stopping, cancelling, seeding, branching, streaming text.

use std::path::PathBuf;

use tiny_reasoner::cpu::CpuModel;
use tiny_reasoner::generate::{DoneEvent, StopReason, TokenEvent};
use tiny_reasoner::model::StreamDecoder;
use tiny_reasoner::reasoning::Phase;
use tiny_reasoner::sampler::SamplerConfig;
use tiny_reasoner::{Engine, Event, GenerateOptions, Generation, Message, ModelFiles};

fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn engine(name: &str) -> Engine<CpuModel> {
    Engine::load_cpu(&ModelFiles::dir(fixture_dir(name))).unwrap()
}

fn reference(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(fixture_dir(name).join("reference.json")).unwrap())
        .unwrap()
}

/// Runs a generation to the end: the prompt ids, the token events, the done event.
fn collect(
    engine: &mut Engine<CpuModel>,
    mut gen: Generation,
) -> (Vec<u32>, Vec<TokenEvent>, DoneEvent) {
    let (mut prompt, mut tokens, mut done) = (None, Vec::new(), None);
    pollster::block_on(async {
        while let Some(event) = engine.step(&mut gen).await.unwrap() {
            match event {
                Event::Prompt { ids, .. } => prompt = Some(ids),
                Event::Token(t) => tokens.push(t),
                Event::Done(d) => done = Some(d),
            }
        }
    });
    (prompt.unwrap(), tokens, done.unwrap())
}

fn hello() -> Vec<Message> {
    vec![Message::new("user", "hello")]
}

fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

#[test]
fn greedy_events_follow_transformers_until_eos() {
    for name in [
        "qwen3-tiny",
        "qwen2-tiny",
        "llama-tiny",
        "qwen3-bf16-headdim",
    ] {
        let mut engine = engine(name);
        let case = &reference(name)["cases"][0];
        let greedy = ids(&case["greedy_ids"]);
        let options = GenerateOptions {
            max_tokens: greedy.len(),
            ..Default::default()
        };
        let gen = engine.start(&hello(), options).unwrap();
        let (prompt, tokens, done) = collect(&mut engine, gen);
        assert_eq!(prompt, ids(&case["prompt_ids"]), "{name}");
        // transformers' reference ignores eos; the loop stops there.
        let expected: Vec<u32> = greedy
            .iter()
            .copied()
            .take_while(|id| !engine.info.eos_token_ids.contains(id))
            .collect();
        let got: Vec<u32> = tokens.iter().map(|t| t.id).collect();
        assert_eq!(got, expected, "{name}");
        let expected_reason = if expected.len() < greedy.len() {
            StopReason::Eos
        } else {
            StopReason::Length
        };
        assert_eq!(
            (done.reason, done.tokens),
            (expected_reason, expected.len()),
            "{name}"
        );
        for (i, t) in tokens.iter().enumerate() {
            assert_eq!(t.index, i);
            assert_eq!(t.top.len(), 5);
            assert_eq!(
                t.top[0].id, t.id,
                "{name}: greedy picks the most likely token"
            );
            assert!(
                t.top.windows(2).all(|w| w[0].prob >= w[1].prob),
                "{name}: alternatives sorted"
            );
            assert!(t.prob > 0.0 && t.prob <= 1.0 && (t.prob - t.top[0].prob).abs() < 1e-6);
            assert!(
                t.entropy >= 0.0 && t.entropy <= (engine.info.config.vocab_size as f32).ln() + 1e-3
            );
        }
    }
}

/// The page's path: the worker renders the template in JS and hands over the text.
#[test]
fn a_prompt_given_as_text_generates_what_the_conversation_does() {
    for name in ["qwen3-tiny", "llama-tiny"] {
        let mut engine = engine(name);
        let case = &reference(name)["cases"][0];
        let options = GenerateOptions {
            max_tokens: 8,
            ..Default::default()
        };
        let text = case["prompt_text"].as_str().unwrap().to_string();
        let gen = engine.start_text(text, options.clone()).unwrap();
        let (prompt, from_text, _) = collect(&mut engine, gen);
        assert_eq!(prompt, ids(&case["prompt_ids"]), "{name}");
        let gen = engine.start(&hello(), options).unwrap();
        let (_, from_messages, _) = collect(&mut engine, gen);
        let ids_of = |t: &[TokenEvent]| t.iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids_of(&from_text), ids_of(&from_messages), "{name}");
        assert!(!from_text.is_empty(), "{name}");
    }
}

#[test]
fn phases_follow_the_think_tags() {
    let mut engine = engine("qwen3-tiny");
    let tok = &engine.info.tokenizer;
    let (open, close) = (
        tok.token_to_id("<think>").unwrap(),
        tok.token_to_id("</think>").unwrap(),
    );
    let word = tok.encode("ok", false).unwrap();
    let forced = [vec![open], word.clone(), vec![close], word.clone()].concat();
    let options = GenerateOptions {
        forced: forced.clone(),
        max_tokens: forced.len(),
        ..Default::default()
    };
    let gen = engine.start(&hello(), options).unwrap();
    let (_, tokens, done) = collect(&mut engine, gen);
    let phases: Vec<Phase> = tokens.iter().map(|t| t.phase).collect();
    let n = word.len();
    let expected = [vec![Phase::Thinking; n + 2], vec![Phase::Answer; n]].concat();
    assert_eq!(phases, expected);
    assert!(tokens.iter().all(|t| t.forced));
    assert_eq!((done.thinking.as_str(), done.answer.as_str()), ("ok", "ok"));
}

#[test]
fn a_prompt_that_opens_think_starts_in_thinking_and_no_think_starts_in_answer() {
    let mut engine = engine("qwen3-tiny");
    let open = engine.info.tokenizer.token_to_id("<think>").unwrap();
    let (text, mut prompt) = engine.prompt(&hello(), None).unwrap();
    prompt.push(open);
    let options = GenerateOptions {
        max_tokens: 2,
        ..Default::default()
    };
    let gen = engine
        .start_from_ids(text, prompt, options.clone())
        .unwrap();
    let (_, tokens, _) = collect(&mut engine, gen);
    assert!(tokens.iter().all(|t| t.phase == Phase::Thinking));

    // With thinking off, Qwen3's template writes an empty, closed think block into the prompt.
    let off = GenerateOptions {
        enable_thinking: Some(false),
        forced: vec![open],
        max_tokens: 1,
        ..options
    };
    let gen = engine.start(&hello(), off.clone()).unwrap();
    let (prompt, tokens, _) = collect(&mut engine, gen);
    assert!(prompt.contains(&open));
    assert_eq!(
        tokens[0].phase,
        Phase::Thinking,
        "a <think> the model writes itself still opens thinking"
    );
    let gen = engine
        .start(
            &hello(),
            GenerateOptions {
                forced: vec![],
                ..off
            },
        )
        .unwrap();
    let (_, tokens, _) = collect(&mut engine, gen);
    assert_eq!(tokens[0].phase, Phase::Answer);
}

#[test]
fn cancel_stops_at_the_next_step() {
    let mut engine = engine("qwen3-tiny");
    let mut gen = engine
        .start(
            &hello(),
            GenerateOptions {
                max_tokens: 50,
                ..Default::default()
            },
        )
        .unwrap();
    let cancel = gen.cancel_handle();
    let mut tokens = 0;
    let done = pollster::block_on(async {
        loop {
            match engine.step(&mut gen).await.unwrap().unwrap() {
                Event::Token(_) => {
                    tokens += 1;
                    if tokens == 2 {
                        cancel.cancel();
                    }
                }
                Event::Done(d) => break d,
                Event::Prompt { .. } => {}
            }
        }
    });
    assert_eq!((done.reason, done.tokens), (StopReason::Cancelled, 2));
    assert!(
        pollster::block_on(engine.step(&mut gen)).unwrap().is_none(),
        "nothing after done"
    );
}

#[test]
fn the_same_seed_gives_the_same_sample() {
    let mut engine = engine("qwen2-tiny");
    let mut run = |seed| {
        let sampler = SamplerConfig {
            temperature: 1.0,
            top_p: 0.9,
            top_k: 40,
            seed,
        };
        let gen = engine
            .start(
                &hello(),
                GenerateOptions {
                    sampler,
                    max_tokens: 12,
                    ..Default::default()
                },
            )
            .unwrap();
        collect(&mut engine, gen)
            .1
            .iter()
            .map(|t| t.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(11), run(11));
    let distinct: std::collections::HashSet<Vec<u32>> = (0..4).map(&mut run).collect();
    assert!(distinct.len() > 1, "different seeds never differed");
}

#[test]
fn a_branch_replays_the_prefix_then_takes_the_forced_alternative() {
    let mut engine = engine("llama-tiny");
    let gen = engine
        .start(
            &hello(),
            GenerateOptions {
                max_tokens: 8,
                ..Default::default()
            },
        )
        .unwrap();
    let (_, original, _) = collect(&mut engine, gen);
    let alternative = original[3].top[1].id;
    let forced: Vec<u32> = original[..3]
        .iter()
        .map(|t| t.id)
        .chain([alternative])
        .collect();
    let gen = engine
        .start(
            &hello(),
            GenerateOptions {
                forced,
                max_tokens: 8,
                ..Default::default()
            },
        )
        .unwrap();
    let (_, branch, _) = collect(&mut engine, gen);
    for i in 0..3 {
        assert_eq!(branch[i].id, original[i].id);
        assert!((branch[i].prob - original[i].prob).abs() < 1e-6);
    }
    assert_eq!(branch[3].id, alternative);
    assert!((branch[3].prob - original[3].top[1].prob).abs() < 1e-6);
    assert!(
        !branch[4].forced,
        "after the forced tokens the model continues on its own"
    );
}

#[test]
fn streamed_text_never_splits_a_character() {
    let engine = engine("qwen3-tiny");
    let tok = &engine.info.tokenizer;
    for text in [
        "emoji 🤖🎉 family 👨‍👩‍👧",
        "日本語のテキスト",
        "café naïve",
        "Привет мир",
    ] {
        let ids = tok.encode(text, false).unwrap();
        let mut decoder = StreamDecoder::default();
        let mut streamed = String::new();
        for &id in &ids {
            let piece = decoder.push(tok, id).unwrap();
            assert!(!piece.contains('\u{FFFD}'), "{text:?}: piece {piece:?}");
            streamed.push_str(&piece);
        }
        streamed.push_str(&decoder.flush(tok).unwrap());
        assert_eq!(streamed, text);
    }
}
