//! Every bad input gets an `error` with the right code and the client's `event_id`, and the
//! session keeps working (reliability.md §2.2 C).

use serde_json::{Value, json};
use vl_engine::SessionConfig;

use crate::harness::*;

/// Sends `bad`, expects one `error` with `code` / `param` / `event_id`, then proves the
/// session still answers a valid event.
fn check(h: &mut Harness, bad: &str, code: &str, param: Option<&str>, event_id: Option<&str>) {
    h.send_raw(bad);
    let events = h.take();
    assert_eq!(types(&events), ["error"], "for {bad}: {events:?}");
    assert_error(&events[0], code, event_id);
    match param {
        Some(p) => assert_eq!(events[0]["error"]["param"], p, "for {bad}"),
        None => assert!(
            events[0]["error"]["param"].is_null(),
            "for {bad}: {}",
            events[0]
        ),
    }
    // The message never echoes a long bad payload.
    let message = events[0]["error"]["message"].as_str().unwrap();
    assert!(!message.contains("AAAAAAAAAAAAAAAA"));
    h.send(json!({"type": "session.update", "session": {"instructions": "still here"}}));
    let ok = h.take();
    assert_eq!(
        types(&ok),
        ["session.updated"],
        "session unusable after {bad}"
    );
}

#[test]
fn malformed_json_and_events() {
    let mut h = Harness::new();
    h.take();
    check(&mut h, r#"{"type":"#, "invalid_json", None, None);
    check(&mut h, "[]", "invalid_event", None, None);
    check(&mut h, "42", "invalid_event", None, None);
    check(&mut h, "null", "invalid_event", None, None);
    check(
        &mut h,
        r#"{"event_id":"e0"}"#,
        "invalid_event",
        None,
        Some("e0"),
    );
    check(
        &mut h,
        r#"{"type":42,"event_id":"e1"}"#,
        "invalid_type",
        Some("type"),
        Some("e1"),
    );
    // Depth 10 000 inside a JSON value field: serde's recursion limit, no stack overflow.
    let deep = format!(
        r#"{{"type":"session.update","session":{{"tools":[{{"type":"function","name":"f","parameters":{}1{}}}]}}}}"#,
        r#"{"a":"#.repeat(10_000),
        "}".repeat(10_000)
    );
    check(&mut h, &deep, "invalid_json", None, None);
    // At the top level the nesting is skipped by the type peek: still an error, no panic.
    let deep = format!("{}1{}", r#"{"a":"#.repeat(10_000), "}".repeat(10_000));
    h.send_raw(&deep);
    assert_eq!(types(&h.take()), ["error"]);
}

#[test]
fn unknown_and_server_only_types() {
    let mut h = Harness::new();
    h.take();
    check(
        &mut h,
        r#"{"type":"foo.bar","event_id":"e2"}"#,
        "unknown_event_type",
        Some("type"),
        Some("e2"),
    );
    check(
        &mut h,
        r#"{"type":"session.created","event_id":"e3"}"#,
        "unknown_event_type",
        Some("type"),
        Some("e3"),
    );
    check(
        &mut h,
        r#"{"type":"error","event_id":"e4"}"#,
        "unknown_event_type",
        Some("type"),
        Some("e4"),
    );
}

fn append(audio: &str, id: &str) -> String {
    json!({"type": "input_audio_buffer.append", "event_id": id, "audio": audio}).to_string()
}

#[test]
fn invalid_audio() {
    let mut h = Harness::manual();
    check(
        &mut h,
        &append("!!!", "a1"),
        "invalid_value",
        Some("audio"),
        Some("a1"),
    );
    check(
        &mut h,
        &append("", "a2"),
        "invalid_value",
        Some("audio"),
        Some("a2"),
    );
    check(
        &mut h,
        &append("-_8A", "a3"),
        "invalid_value",
        Some("audio"),
        Some("a3"),
    );
    check(
        &mut h,
        &append("AAAA AAAA", "a4"),
        "invalid_value",
        Some("audio"),
        Some("a4"),
    );
    check(
        &mut h,
        &append("AAA", "a5"),
        "invalid_value",
        Some("audio"),
        Some("a5"),
    );
    // One byte: not a whole PCM16 sample.
    check(
        &mut h,
        &append("AA==", "a6"),
        "invalid_value",
        Some("audio"),
        Some("a6"),
    );
    check(
        &mut h,
        &append(&"A".repeat(4001), "a7"),
        "invalid_value",
        Some("audio"),
        Some("a7"),
    );
    check(
        &mut h,
        r#"{"type":"input_audio_buffer.append","event_id":"a8"}"#,
        "missing_required_parameter",
        Some("audio"),
        Some("a8"),
    );
    // The message names the session format.
    h.send_raw(&append("!!!", "a9"));
    let e = h.take();
    let msg = e[0]["error"]["message"].as_str().unwrap();
    assert!(msg.contains("PCM16 at 24000Hz"), "{msg}");
    // Nothing bad reached the buffer.
    check(
        &mut h,
        r#"{"type":"input_audio_buffer.commit","event_id":"c"}"#,
        "input_audio_buffer_commit_empty",
        None,
        Some("c"),
    );
    // With G.711 any byte count is fine.
    h.send(json!({"type": "session.update", "session": {"input_audio_format": "g711_ulaw"}}));
    h.take();
    h.send_raw(&append("AA==", "g1"));
    assert!(h.take().is_empty());
}

#[test]
fn commit_empty_and_too_short() {
    let mut h = Harness::manual();
    check(
        &mut h,
        r#"{"type":"input_audio_buffer.commit","event_id":"c1"}"#,
        "input_audio_buffer_commit_empty",
        None,
        Some("c1"),
    );
    h.append_pcm(&silence(24_000, 50), 24_000, 50);
    check(
        &mut h,
        r#"{"type":"input_audio_buffer.commit","event_id":"c2"}"#,
        "input_audio_buffer_commit_empty",
        None,
        Some("c2"),
    );
    h.append_pcm(&silence(24_000, 100), 24_000, 100);
    h.send(json!({"type": "input_audio_buffer.commit"}));
    assert_eq!(
        types(&h.take())[..2],
        ["input_audio_buffer.committed", "conversation.item.created"]
    );
}

#[test]
fn invalid_session_values() {
    let mut h = Harness::new();
    h.take();
    let upd = |session: Value, id: &str| {
        json!({"type": "session.update", "event_id": id, "session": session}).to_string()
    };
    check(
        &mut h,
        &upd(json!({"temperature": 5}), "s1"),
        "invalid_value",
        Some("session.temperature"),
        Some("s1"),
    );
    check(
        &mut h,
        &upd(json!({"temperature": "hot"}), "s2"),
        "invalid_type",
        Some("session.temperature"),
        Some("s2"),
    );
    check(
        &mut h,
        &upd(json!({"input_audio_format": "mp3"}), "s3"),
        "invalid_value",
        Some("session.input_audio_format"),
        Some("s3"),
    );
    check(
        &mut h,
        &upd(json!({"input_audio_sampling_rate": 12345}), "s4"),
        "invalid_value",
        Some("session.input_audio_sampling_rate"),
        Some("s4"),
    );
    check(
        &mut h,
        &upd(json!({"max_response_output_tokens": 0}), "s5"),
        "invalid_value",
        Some("session.max_response_output_tokens"),
        Some("s5"),
    );
    check(
        &mut h,
        &upd(json!({"model": "other-model"}), "s6"),
        "invalid_value",
        Some("session.model"),
        Some("s6"),
    );
    check(
        &mut h,
        &upd(
            json!({"turn_detection": {"type": "server_vad", "threshold": 3.0}}),
            "s7",
        ),
        "invalid_value",
        Some("session.turn_detection.threshold"),
        Some("s7"),
    );
    check(
        &mut h,
        &upd(
            json!({"input_audio_echo_cancellation": {"type": "server_echo_cancellation", "reference_source": "server", "channels": 2}}),
            "s8",
        ),
        "invalid_ec_channels_requires_client",
        Some("session.input_audio_echo_cancellation.channels"),
        Some("s8"),
    );
    // A rejected update changes nothing.
    assert_eq!(h.session.effective_session().temperature, 0.8);
    assert_eq!(
        h.session.effective_session().input_audio_sampling_rate,
        24000
    );
}

#[test]
fn voice_and_format_fixed_after_use() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.send(json!({"type": "response.create"}));
    h.take();
    h.send_raw(r#"{"type":"session.update","event_id":"v","session":{"voice":"shimmer"}}"#);
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("v"));
    assert_eq!(e[0]["error"]["param"], "session.voice");
    h.append_pcm(&silence(24_000, 20), 24_000, 20);
    h.send_raw(
        r#"{"type":"session.update","event_id":"f","session":{"input_audio_format":"g711_alaw"}}"#,
    );
    let e = h.take();
    assert_error(&e[0], "invalid_value", Some("f"));
}

#[test]
fn unknown_items_and_responses() {
    let mut h = Harness::new();
    h.take();
    check(
        &mut h,
        r#"{"type":"conversation.item.truncate","event_id":"i1","item_id":"x","content_index":0,"audio_end_ms":0}"#,
        "invalid_value",
        Some("item_id"),
        Some("i1"),
    );
    check(
        &mut h,
        r#"{"type":"conversation.item.retrieve","event_id":"i2","item_id":"x"}"#,
        "invalid_value",
        Some("item_id"),
        Some("i2"),
    );
    check(
        &mut h,
        r#"{"type":"conversation.item.delete","event_id":"i3","item_id":"x"}"#,
        "invalid_value",
        Some("item_id"),
        Some("i3"),
    );
    check(
        &mut h,
        r#"{"type":"conversation.item.create","event_id":"i4","previous_item_id":"x","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"a"}]}}"#,
        "invalid_value",
        Some("previous_item_id"),
        Some("i4"),
    );
    check(
        &mut h,
        r#"{"type":"response.cancel","event_id":"r1"}"#,
        "response_cancel_not_active",
        None,
        Some("r1"),
    );
    check(
        &mut h,
        r#"{"type":"conversation.item.create","event_id":"i5","item":{"type":"function_call_output","output":"x"}}"#,
        "missing_required_parameter",
        Some("item.call_id"),
        Some("i5"),
    );
}

#[test]
fn response_create_while_active() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    let first = h.take();
    let id = one(&first, "response.created")["response"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.send_raw(r#"{"type":"response.create","event_id":"rc"}"#);
    let e = h.take();
    assert_eq!(types(&e), ["error"]);
    assert_error(
        &e[0],
        "conversation_already_has_active_response",
        Some("rc"),
    );
    assert!(e[0]["error"]["message"].as_str().unwrap().contains(&id));
    // The active response is unaffected and completes.
    h.hold = false;
    h.release_all();
    let e = h.take();
    assert_eq!(one(&e, "response.done")["response"]["id"], id);
    assert_eq!(one(&e, "response.done")["response"]["status"], "completed");
}

#[test]
fn unknown_fields_warn_or_fail_in_strict_mode() {
    let mut h = Harness::new();
    h.take();
    h.send_raw(r#"{"type":"session.update","event_id":"u1","session":{"instructions":"x","foo":1,"rtc_configuration":{}}}"#);
    let e = h.take();
    assert_eq!(types(&e), ["warning", "warning", "session.updated"]);
    let params: Vec<&Value> = e[..2].iter().map(|w| &w["warning"]["param"]).collect();
    assert!(params.contains(&&json!("session.foo")), "{params:?}");
    assert!(
        params.contains(&&json!("session.rtc_configuration")),
        "{params:?}"
    );
    assert_eq!(e[0]["warning"]["code"], "unknown_parameter");

    let mut config = SessionConfig::new("gpt-4o");
    config.strict_fields = true;
    let mut h = Harness::with_config(config);
    h.take();
    check(
        &mut h,
        r#"{"type":"session.update","event_id":"u2","session":{"foo":1}}"#,
        "unknown_parameter",
        Some("session.foo"),
        Some("u2"),
    );
    // Rejected as a whole: nothing applied.
    assert_eq!(
        h.session.effective_session().instructions.as_deref(),
        Some("still here")
    );
}

#[test]
fn over_long_event_id() {
    let mut h = Harness::new();
    h.take();
    let long = "e".repeat(600);
    h.send(json!({"type": "input_audio_buffer.clear", "event_id": long}));
    let e = h.take();
    assert_eq!(types(&e), ["error"]);
    assert_eq!(e[0]["error"]["code"], "invalid_value");
    assert_eq!(e[0]["error"]["param"], "event_id");
}

#[test]
fn garbage_audio_in_a_plausible_format_flows() {
    // C17: a WAV with its RIFF header sent as raw PCM16: no error is possible, nothing stalls.
    let mut h = Harness::manual();
    let mut bytes = b"RIFF\x24\x08\x00\x00WAVEfmt ".to_vec();
    bytes.extend(std::iter::repeat_n(0x55u8, 9600));
    h.append_bytes(&bytes);
    h.send(json!({"type": "input_audio_buffer.commit"}));
    h.send(json!({"type": "response.create"}));
    let e = h.take();
    assert!(of_type(&e, "error").is_empty());
    one(&e, "response.done");
}

/// reliability.md B5: a binary frame that is not UTF-8 gets `invalid_json`; a UTF-8 binary frame
/// is handled as text; the session stays usable.
#[test]
fn binary_frames_not_utf8_are_invalid_json() {
    let mut h = Harness::new();
    h.take();
    h.session
        .handle_client_bytes(h.now, &[0x7b, 0xff, 0xfe, 0x7d]);
    h.drive();
    let e = h.take();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_error(&e[0], "invalid_json", None);
    h.session.handle_client_bytes(
        h.now,
        br#"{"type":"input_audio_buffer.clear","event_id":"b"}"#,
    );
    h.drive();
    assert_eq!(types(&h.take()), ["input_audio_buffer.cleared"]);
    h.user_text("still alive");
}
