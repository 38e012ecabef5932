//! conversation.item.create / retrieve / truncate / delete.

use serde_json::json;

use crate::harness::*;

/// A session with one completed audio reply to "hello world"; returns the assistant item id.
fn with_audio_reply(h: &mut Harness) -> String {
    h.take();
    h.user_text("hello world");
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    one(&events, "response.output_item.done")["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn create_with_previous_item_id_and_root() {
    let mut h = Harness::new();
    h.take();
    let a = h.user_text("first");
    let a_id = a["item"]["id"].as_str().unwrap().to_owned();
    let b = h.user_text("second");
    assert_eq!(b["previous_item_id"], a_id);
    h.send(
        json!({"type": "conversation.item.create", "previous_item_id": "root",
        "item": {"id": "item_root", "type": "message", "role": "system",
                 "content": [{"type": "input_text", "text": "be nice"}]}}),
    );
    let e = h.take();
    let created = one(&e, "conversation.item.created");
    assert!(created["previous_item_id"].is_null());
    assert_eq!(created["item"]["id"], "item_root");
    assert_eq!(created["item"]["role"], "system");
    h.send(
        json!({"type": "conversation.item.create", "previous_item_id": a_id,
        "item": {"type": "message", "role": "assistant",
                 "content": [{"type": "text", "text": "noted"}]}}),
    );
    let e = h.take();
    assert_eq!(
        one(&e, "conversation.item.created")["previous_item_id"],
        a_id
    );
    assert_eq!(h.session.item_count(), 4);
}

#[test]
fn create_rejects_assistant_audio_and_duplicates() {
    let mut h = Harness::new();
    h.take();
    h.send(
        json!({"type": "conversation.item.create", "event_id": "x1", "item": {
        "type": "message", "role": "assistant",
        "content": [{"type": "input_audio", "audio": "AAAA"}]}}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("x1"));
    assert_eq!(e[0]["error"]["param"], "item.content[0].type");
    h.send(
        json!({"type": "conversation.item.create", "item": {"id": "dup", "type": "message",
        "role": "user", "content": [{"type": "input_text", "text": "a"}]}}),
    );
    h.send(
        json!({"type": "conversation.item.create", "event_id": "x2", "item": {"id": "dup",
        "type": "message", "role": "user", "content": [{"type": "input_text", "text": "b"}]}}),
    );
    let e = h.take();
    assert_eq!(types(&e), ["conversation.item.created", "error"]);
    assert_error(&e[1], "invalid_value", Some("x2"));
}

#[test]
fn retrieve_and_delete() {
    let mut h = Harness::new();
    h.take();
    let a = h.user_text("keep me");
    let id = a["item"]["id"].as_str().unwrap().to_owned();
    h.send(json!({"type": "conversation.item.retrieve", "item_id": id}));
    let e = h.take();
    let item = &one(&e, "conversation.item.retrieved")["item"];
    assert_eq!(item["content"][0]["text"], "keep me");
    h.send(json!({"type": "conversation.item.delete", "item_id": id}));
    let e = h.take();
    assert_eq!(one(&e, "conversation.item.deleted")["item_id"], id);
    assert_eq!(h.session.item_count(), 0);
    h.send(json!({"type": "conversation.item.retrieve", "event_id": "r", "item_id": id}));
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("r"));
    assert_eq!(e[0]["error"]["param"], "item_id");
    // A deleted message no longer reaches the model.
    h.user_text("new");
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let e = h.take();
    assert_eq!(one(&e, "response.text.done")["text"], "You said: new");
}

#[test]
fn truncate_cuts_audio_and_transcript_exactly() {
    let mut h = Harness::new();
    let id = with_audio_reply(&mut h);
    h.send(json!({"type": "conversation.item.retrieve", "item_id": id}));
    let e = h.take();
    let part = &one(&e, "conversation.item.retrieved")["item"]["content"][0];
    assert_eq!(part["transcript"], "You said: hello world");
    let full = b64(&part["audio"]);
    let full_ms = full.len() as u64 / 48;
    assert_eq!(
        full_ms,
        vl_engine::scripted::tts::speech_duration_ms("You said: hello world")
    );
    // "You"(0..285) gap, "said"(355..), "hello"(...): cut inside "hello".
    let said = 3 * 95 + 70;
    let hello = said + 95 + 95 + 55 + 60 + 150;
    let cut = hello + 100;
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": id, "content_index": 0,
        "audio_end_ms": cut}),
    );
    let e = h.take();
    let t = one(&e, "conversation.item.truncated");
    assert_eq!(t["item_id"], id);
    assert_eq!(t["audio_end_ms"], cut);
    h.send(json!({"type": "conversation.item.retrieve", "item_id": id}));
    let e = h.take();
    let part = &one(&e, "conversation.item.retrieved")["item"]["content"][0];
    let cut_audio = b64(&part["audio"]);
    assert_eq!(cut_audio.len() as u64, cut * 48);
    assert_eq!(cut_audio[..], full[..cut_audio.len()]);
    assert_eq!(part["transcript"], "You said: hello");
    // Exactly at the start of "hello": it was not heard.
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": id, "content_index": 0,
        "audio_end_ms": hello}),
    );
    h.send(json!({"type": "conversation.item.retrieve", "item_id": id}));
    let e = h.take();
    let part = &one(&e, "conversation.item.retrieved")["item"]["content"][0];
    assert_eq!(part["transcript"], "You said");
    // The model sees the truncated text.
    h.user_text("again");
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let e = h.take();
    assert_eq!(one(&e, "response.text.done")["text"], "You said: again");
}

#[test]
fn truncate_errors() {
    let mut h = Harness::new();
    let id = with_audio_reply(&mut h);
    h.send(
        json!({"type": "conversation.item.truncate", "event_id": "t1", "item_id": id,
        "content_index": 0, "audio_end_ms": 60_000}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("t1"));
    assert_eq!(e[0]["error"]["param"], "audio_end_ms");
    h.send(
        json!({"type": "conversation.item.truncate", "event_id": "t2", "item_id": "nope",
        "content_index": 0, "audio_end_ms": 0}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("t2"));
    assert_eq!(e[0]["error"]["param"], "item_id");
    let user = h.user_text("me");
    h.send(
        json!({"type": "conversation.item.truncate", "event_id": "t3",
        "item_id": user["item"]["id"], "content_index": 0, "audio_end_ms": 0}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("t3"));
    h.send(
        json!({"type": "conversation.item.truncate", "event_id": "t4", "item_id": id,
        "content_index": 3, "audio_end_ms": 0}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("t4"));
    assert_eq!(e[0]["error"]["param"], "content_index");
    h.send(json!({"type": "conversation.item.delete", "event_id": "t5", "item_id": "nope"}));
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("t5"));
    // Still usable.
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": id, "content_index": 0,
        "audio_end_ms": 0}),
    );
    assert_eq!(types(&h.take()), ["conversation.item.truncated"]);
}

#[test]
fn input_text_stream_creates_user_item() {
    let mut h = Harness::new();
    h.take();
    h.send(json!({"type": "input_text.delta", "id": "item_typed", "delta": "hel"}));
    h.send(json!({"type": "input_text.delta", "id": "item_typed", "delta": "lo"}));
    assert!(h.take().is_empty());
    h.send(json!({"type": "input_text.done", "id": "item_typed"}));
    let e = h.take();
    let c = one(&e, "conversation.item.created");
    assert_eq!(c["item"]["id"], "item_typed");
    assert_eq!(c["item"]["content"][0]["text"], "hello");
}

#[test]
fn client_audio_item_is_transcribed_before_the_reply() {
    use base64::Engine as _;
    let mut h = Harness::new();
    h.take();
    let audio = speech("what time is it?", 24_000, 100, 100);
    let bytes: Vec<u8> = audio.iter().flat_map(|s| s.to_le_bytes()).collect();
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    h.send(
        json!({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
        "content": [{"type": "input_audio", "audio": b64}]}}),
    );
    let e = h.take();
    let created = one(&e, "conversation.item.created");
    let id = created["item"]["id"].clone();
    let done = one(&e, "conversation.item.input_audio_transcription.completed");
    assert_eq!(done["item_id"], id);
    let transcript = done["transcript"].as_str().unwrap().to_owned();
    assert!(!transcript.is_empty());
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let e = h.take();
    assert_eq!(
        one(&e, "response.text.done")["text"],
        json!(format!("You said: {transcript}"))
    );
    // Bad audio in an item is refused before anything is added.
    h.send(
        json!({"type": "conversation.item.create", "event_id": "bad", "item": {"type": "message",
        "role": "user", "content": [{"type": "input_audio", "audio": "!!"}]}}),
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("bad"));
    assert_eq!(e[0]["error"]["param"], "item.content[0].audio");
}
