//! `engine_sequence`: arbitrary sequences of valid and invalid client events, backend outputs
//! (answered, held, dropped, reordered) and time steps through one `vl_engine::Session`.
//!
//! Invariants after every step: nothing panics; at most one response is active, and
//! `response.created` / `response.done` alternate (`has_active_response` agrees); the
//! conversation never exceeds `max_items`; every event serializes to JSON with its own type.
//!
//! NOT REGISTERED YET (no `[[bin]]` in `fuzz/Cargo.toml`, so not in the smoke run): it has not
//! been built or run. To enable it, add `vl-engine = { path = "../crates/vl-engine" }` and
//! `serde_json = "1"` to the fuzz crate's dependencies and a `[[bin]]` named `engine_sequence`,
//! then run `cargo xtask fuzz run engine_sequence` before committing.

#![no_main]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use vl_engine::scripted::ScriptedBackend;
use vl_engine::{BackendOutput, Limits, Session, SessionConfig};

const MAX_ITEMS: usize = 8;

/// Standard padded base64 (small inputs only).
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in bytes.chunks(3) {
        let b = |i: usize| u32::from(c.get(i).copied().unwrap_or(0));
        let v = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(A[(v >> 18) as usize & 63] as char);
        out.push(A[(v >> 12) as usize & 63] as char);
        out.push(if c.len() > 1 { A[(v >> 6) as usize & 63] as char } else { '=' });
        out.push(if c.len() > 2 { A[v as usize & 63] as char } else { '=' });
    }
    out
}

/// A loud, speech-like burst or silence as PCM16 LE bytes (`ms` at 24 kHz).
fn audio(loud: bool, ms: usize, seed: u8) -> Vec<u8> {
    let n = 24 * ms;
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let s = if loud {
            let t = i as f32 / 24_000.0;
            let f = 120.0 + f32::from(seed);
            ((t * f * std::f32::consts::TAU).sin() * 8000.0
                + (t * 3.0 * f * std::f32::consts::TAU).sin() * 3000.0) as i16
        } else {
            0
        };
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

struct Model {
    created: u64,
    done: u64,
    last_item: Option<String>,
}

fn check(session: &mut Session, model: &mut Model) {
    while let Some(ev) = session.poll_event() {
        let value = serde_json::to_value(&ev).expect("server events serialize");
        assert_eq!(value["type"], ev.type_name());
        match ev.type_name() {
            "response.created" => {
                assert_eq!(model.created, model.done, "a second response started");
                model.created += 1;
            }
            "response.done" => {
                model.done += 1;
                assert_eq!(model.created, model.done, "response.done without a response");
            }
            "conversation.item.created" => {
                if let Some(id) = value["item"]["id"].as_str() {
                    model.last_item = Some(id.to_owned());
                }
            }
            _ => {}
        }
    }
    assert_eq!(session.has_active_response(), model.created > model.done);
    assert!(session.item_count() <= MAX_ITEMS, "{} items", session.item_count());
    let _ = session.poll_close();
}

fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let mut now = start;
    let mut config = SessionConfig::new("gpt-4o");
    let mut limits = Limits::default();
    limits.max_items = MAX_ITEMS;
    limits.backend_first_output_timeout = Duration::from_millis(500);
    limits.backend_stall_timeout = Duration::from_millis(300);
    config.limits = limits;
    config.streaming_transcription = data.first().is_some_and(|b| b & 1 == 1);
    let mut session = Session::new(config, start);
    let mut backend = ScriptedBackend::new();
    let mut held: VecDeque<BackendOutput> = VecDeque::new();
    let mut model = Model { created: 0, done: 0, last_item: None };
    let mut bytes = data.iter().copied().skip(1);
    check(&mut session, &mut model);
    while let Some(op) = bytes.next() {
        let arg = bytes.next().unwrap_or(0);
        let last = model.last_item.clone().unwrap_or_else(|| "item_x".to_owned());
        let msg: Option<String> = match op % 24 {
            0 => Some(format!(
                r#"{{"type":"input_audio_buffer.append","audio":"{}"}}"#,
                b64(&audio(arg & 1 == 1, 20 + usize::from(arg % 8) * 20, arg))
            )),
            1 => Some(r#"{"type":"input_audio_buffer.commit"}"#.into()),
            2 => Some(r#"{"type":"input_audio_buffer.clear"}"#.into()),
            3 => Some(r#"{"type":"response.create"}"#.into()),
            4 => Some(r#"{"type":"response.create","response":{"modalities":["text"]}}"#.into()),
            5 => Some(r#"{"type":"response.cancel"}"#.into()),
            6 => Some(format!(
                r#"{{"type":"conversation.item.create","item":{{"type":"message","role":"user","content":[{{"type":"input_text","text":"hi {arg}"}}]}}}}"#
            )),
            7 => Some(format!(r#"{{"type":"conversation.item.delete","item_id":"{last}"}}"#)),
            8 => Some(format!(
                r#"{{"type":"conversation.item.truncate","item_id":"{last}","content_index":0,"audio_end_ms":{}}}"#,
                u32::from(arg) * 10
            )),
            9 => Some(format!(r#"{{"type":"conversation.item.retrieve","item_id":"{last}"}}"#)),
            10 => Some(r#"{"type":"session.update","session":{"turn_detection":null}}"#.into()),
            11 => Some(
                r#"{"type":"session.update","session":{"turn_detection":{"type":"server_vad","silence_duration_ms":200}}}"#
                    .into(),
            ),
            12 => Some(
                r#"{"type":"session.update","session":{"turn_detection":{"type":"azure_semantic_vad","speech_duration_assistant_speaking_ms":300}}}"#
                    .into(),
            ),
            13 => Some(
                r#"{"type":"session.update","session":{"input_audio_echo_cancellation":{"type":"server_echo_cancellation"},"input_audio_noise_reduction":{"type":"near_field"}}}"#
                    .into(),
            ),
            14 => Some(
                r#"{"type":"session.update","session":{"input_audio_echo_cancellation":null,"input_audio_noise_reduction":null,"animation":{"outputs":["blendshapes","viseme_id"]},"output_audio_timestamp_types":["word"]}}"#
                    .into(),
            ),
            15 => Some(r#"{"type":"output_audio_buffer.clear"}"#.into()),
            16 => {
                // Arbitrary bytes as a message (binary frame).
                let n = usize::from(arg % 32);
                let raw: Vec<u8> = bytes.by_ref().take(n).collect();
                session.handle_client_bytes(now, &raw);
                None
            }
            17 => {
                // Answer every pending request; hold the outputs when `arg` is odd.
                while let Some(req) = session.poll_backend_request() {
                    let outs = backend.handle(req);
                    if arg & 1 == 1 {
                        held.extend(outs);
                    } else {
                        for o in outs {
                            session.handle_backend_output(now, o);
                            check(&mut session, &mut model);
                        }
                    }
                }
                None
            }
            18 => {
                for _ in 0..=arg % 16 {
                    if let Some(o) = held.pop_front() {
                        session.handle_backend_output(now, o);
                        check(&mut session, &mut model);
                    }
                }
                None
            }
            19 => {
                // Drop or reorder held outputs.
                if arg & 1 == 1 {
                    held.pop_front();
                } else if let Some(o) = held.pop_front() {
                    held.push_back(o);
                }
                None
            }
            20 | 21 => {
                now += Duration::from_millis(u64::from(arg) * 10);
                if session.poll_timeout().is_some_and(|t| t <= now) {
                    session.handle_timeout(now);
                }
                None
            }
            22 => Some(
                r#"{"type":"session.update","session":{"input_audio_transcription":{"model":"whisper-1"},"voice":"echo"}}"#
                    .into(),
            ),
            _ => Some(format!(r#"{{"type":"bogus.{arg}","x":[1,{{"a":null}}]}}"#)),
        };
        if let Some(m) = msg {
            session.handle_client_message(now, &m);
        }
        check(&mut session, &mut model);
        // Backend requests not answered by op 17 wait for it.
        if session.is_closed() {
            break;
        }
    }
});
