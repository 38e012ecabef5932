//! The configurable limits (reliability.md §2.1) and their answers.

use std::time::Duration;

use serde_json::json;
use vl_engine::Limits;

use crate::harness::*;

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_buffer_ms = 1000;
    l.max_append_audio_bytes = 24_000; // 500 ms of PCM16 at 24 kHz
    l.max_items = 3;
    l.max_instructions_bytes = 100;
    l.max_tools = 2;
    l
}

#[test]
fn uncommitted_buffer_is_capped_and_unchanged_on_refusal() {
    let mut h = Harness::with_limits(limits());
    h.send(json!({"type": "session.update", "session": {"turn_detection": null}}));
    h.take();
    let chunk: Vec<u8> = silence(24_000, 400)
        .iter()
        .flat_map(|s| s.to_le_bytes())
        .collect();
    h.append_bytes(&chunk);
    h.append_bytes(&chunk);
    assert!(h.take().is_empty());
    h.append_bytes(&chunk); // 1200 ms > 1000 ms
    let e = h.take();
    assert_error(&e[0], "input_audio_buffer_full", None);
    assert_eq!(e[0]["error"]["param"], "audio");
    h.send(json!({"type": "input_audio_buffer.commit"}));
    let e = h.take();
    one(&e, "input_audio_buffer.committed");
    // Exactly the 800 ms accepted before reached the recogniser.
    let audio_len = h
        .requests
        .iter()
        .find_map(|r| match r {
            vl_engine::BackendRequest::Transcribe(t) => Some(t.audio.len()),
            _ => None,
        })
        .unwrap();
    assert_eq!(audio_len, 800 * 16);
}

#[test]
fn append_size_limit() {
    let mut h = Harness::with_limits(limits());
    h.take();
    let big: Vec<u8> = vec![0; 24_002];
    h.append_bytes(&big);
    let e = h.take();
    assert_error(&e[0], "invalid_value", None);
    assert_eq!(e[0]["error"]["param"], "audio");
    h.append_bytes(&vec![0; 24_000]);
    assert!(h.take().is_empty());
}

#[test]
fn item_instruction_and_tool_limits() {
    let mut h = Harness::with_limits(limits());
    h.take();
    for t in ["a", "b", "c"] {
        h.user_text(t);
    }
    h.send(
        json!({"type": "conversation.item.create", "event_id": "i4", "item": {"type": "message",
        "role": "user", "content": [{"type": "input_text", "text": "d"}]}}),
    );
    let e = h.take();
    assert_error(&e[0], "max_items_exceeded", Some("i4"));
    // Items the server creates evict the oldest instead.
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let e = h.take();
    assert_eq!(one(&e, "response.done")["response"]["status"], "completed");
    assert_eq!(h.session.item_count(), 3);
    h.send(json!({"type": "session.update", "event_id": "s1",
        "session": {"instructions": "x".repeat(101)}}));
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("s1"));
    assert_eq!(e[0]["error"]["param"], "session.instructions");
    let tool = json!({"type": "function", "name": "t"});
    h.send(json!({"type": "session.update", "event_id": "s2",
        "session": {"tools": [tool, tool, tool]}}));
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("s2"));
    assert_eq!(e[0]["error"]["param"], "session.tools");
    h.send(json!({"type": "response.create", "event_id": "r1",
        "additional_instructions": "y".repeat(101)}));
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("r1"));
}

#[test]
fn event_rate_limit_then_close() {
    let mut l = Limits::default();
    l.event_rate_per_s = 10;
    l.event_burst = 5;
    l.rate_limit_close_after = Duration::from_secs(2);
    let mut h = Harness::with_limits(l);
    h.take();
    for _ in 0..20 {
        h.send(json!({"type": "input_audio_buffer.clear"}));
    }
    let e = h.take();
    assert_eq!(of_type(&e, "input_audio_buffer.cleared").len(), 5);
    let errors = of_type(&e, "error");
    assert_eq!(errors.len(), 1, "at most one rate error per second");
    assert_eq!(errors[0]["error"]["code"], "rate_limit_exceeded");
    // Back under the rate after a pause.
    h.advance(Duration::from_secs(1));
    h.send(json!({"type": "input_audio_buffer.clear"}));
    assert_eq!(types(&h.take()), ["input_audio_buffer.cleared"]);
    // Sustained flooding closes the connection with 1008.
    for _ in 0..400 {
        h.advance(Duration::from_millis(10));
        for _ in 0..3 {
            h.send(json!({"type": "input_audio_buffer.clear"}));
        }
    }
    assert_eq!(h.closes.len(), 1);
    assert_eq!(h.closes[0].code, 1008);
    assert!(h.session.is_closed());
}

#[test]
fn session_duration_cap() {
    let mut l = Limits::default();
    l.max_session_duration = Some(Duration::from_secs(180));
    l.session_expiry_warning = Duration::from_secs(60);
    let mut h = Harness::with_limits(l);
    h.take();
    h.advance(Duration::from_secs(119));
    assert!(h.take().is_empty());
    h.advance(Duration::from_secs(2));
    let e = h.take();
    assert_eq!(types(&e), ["warning"]);
    h.advance(Duration::from_secs(60));
    let e = h.take();
    assert_eq!(types(&e), ["error"]);
    assert_eq!(e[0]["error"]["code"], "session_expired");
    assert!(
        e[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 minutes")
    );
    assert_eq!(h.closes.len(), 1);
    assert_eq!(h.closes[0].code, 1001);
    assert_eq!(h.closes[0].reason, "session_expired");
    assert_eq!(h.session.poll_timeout(), None);
}

#[test]
fn backend_timeout_fails_the_response() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    h.take();
    h.advance(Duration::from_secs(16));
    let e = h.take();
    // A clear `error` event, then the failed `response.done` (issue #6).
    assert_eq!(types(&e), ["error", "response.done"]);
    assert_eq!(e[0]["error"]["type"], "server_error");
    assert_eq!(e[0]["error"]["code"], "backend_timeout");
    assert_eq!(e[1]["response"]["status"], "failed");
    assert_eq!(
        e[1]["response"]["status_details"]["error"]["code"],
        "backend_timeout"
    );
    // The next response works.
    h.hold = false;
    h.held.clear();
    h.send(json!({"type": "response.create"}));
    assert_eq!(
        one(&h.take(), "response.done")["response"]["status"],
        "completed"
    );
}

#[test]
fn backend_failure_fails_the_response() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    let generate = h
        .requests
        .iter()
        .rev()
        .find_map(|r| match r {
            vl_engine::BackendRequest::Generate(g) => Some(g.id),
            _ => None,
        })
        .unwrap();
    h.held.clear();
    h.session.handle_backend_output(
        h.now,
        vl_engine::BackendOutput::Failed {
            request: generate,
            error: vl_engine::backend::BackendError {
                code: "backend_error".into(),
                message: "The model is unavailable.".into(),
            },
        },
    );
    h.drive();
    let e = h.take();
    let done = one(&e, "response.done");
    assert_eq!(done["response"]["status"], "failed");
    assert_eq!(
        done["response"]["status_details"]["error"]["code"],
        "backend_error"
    );
    let error = one(&e, "error");
    assert_eq!(error["error"]["code"], "backend_error");
    assert_eq!(error["error"]["message"], "The model is unavailable.");
}

#[test]
fn max_output_tokens_makes_the_response_incomplete() {
    let mut h = Harness::new();
    h.take();
    h.user_text("one two three four five six");
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"], "max_output_tokens": 3}}));
    let e = h.take();
    assert_eq!(one(&e, "response.text.done")["text"], "You said: one");
    let done = one(&e, "response.done");
    assert_eq!(done["response"]["status"], "incomplete");
    assert_eq!(
        done["response"]["status_details"]["reason"],
        "max_output_tokens"
    );
    assert_eq!(
        one(&e, "response.output_item.done")["item"]["status"],
        "incomplete"
    );
}

/// Issue #9: a long voice session keeps at most `max_items` items; the oldest go first, each
/// announced with `conversation.item.deleted` before the new item's events.
#[test]
fn history_is_bounded_with_the_oldest_items_deleted() {
    let mut l = Limits::default();
    l.max_items = 4;
    let mut h = Harness::with_limits(l);
    h.send(json!({"type": "session.update", "session": {"turn_detection": null}}));
    h.take();
    let mut created = Vec::new();
    let mut deleted = Vec::new();
    for _ in 0..7 {
        let audio = speech("hello there", 24_000, 100, 100);
        h.append_pcm(&audio, 24_000, 20);
        h.send(json!({"type": "input_audio_buffer.commit"}));
        let e = h.take();
        let c = one(&e, "input_audio_buffer.committed");
        created.push(c["item_id"].as_str().unwrap().to_owned());
        let at = e
            .iter()
            .position(|x| x["type"] == "input_audio_buffer.committed")
            .unwrap();
        for (i, d) in e.iter().enumerate() {
            if d["type"] == "conversation.item.deleted" {
                assert!(i < at, "deleted before the new item");
                deleted.push(d["item_id"].as_str().unwrap().to_owned());
            }
        }
        assert!(h.session.item_count() <= 4);
    }
    assert_eq!(deleted, created[..3]);
    h.send(json!({"type": "conversation.item.retrieve", "item_id": created[0]}));
    assert_error(&h.take()[0], "invalid_value", None);
    h.send(json!({"type": "conversation.item.retrieve", "item_id": created[3]}));
    one(&h.take(), "conversation.item.retrieved");
}
