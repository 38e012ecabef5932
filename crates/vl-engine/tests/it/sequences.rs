//! One scenario per canonical sequence of protocol.md §6.

use std::time::Duration;

use serde_json::{Value, json};
use vl_engine::SessionConfig;
use vl_engine::backend::{BackendOutput, BackendRequest};
use vl_engine::scripted::tts::speech_duration_ms;

use crate::harness::*;

/// Checks the §6 B7–B15 cascade of one simple answer (audio or text) and returns
/// (assistant item id, concatenated text/transcript).
fn check_reply(events: &[Value], audio: bool, previous_item: Option<&str>) -> (String, String) {
    let (delta, done, part) = if audio {
        (
            "response.audio_transcript.delta",
            "response.audio_transcript.done",
            "audio",
        )
    } else {
        ("response.text.delta", "response.text.done", "text")
    };
    let mut expected = vec![
        "response.created",
        "response.output_item.added",
        "conversation.item.created",
        "response.content_part.added",
    ];
    let got = collapsed(events);
    let start = got
        .iter()
        .position(|t| t == "response.created")
        .expect("response.created");
    let got = &got[start..];
    if audio {
        // Transcript deltas come first, then the audio of each synthesized segment.
        assert_eq!(&got[..4], &expected[..], "{got:?}");
        assert!(got.contains(&"response.audio.delta*".to_owned()), "{got:?}");
        let tail = [
            "response.audio.done",
            "response.audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ];
        assert!(got.len() >= 4 + tail.len(), "{got:?}");
        assert_eq!(&got[got.len() - tail.len()..], &tail[..], "{got:?}");
        for middle in &got[4..got.len() - tail.len()] {
            assert!(
                middle.starts_with("response.audio_transcript.delta")
                    || middle.starts_with("response.audio.delta"),
                "unexpected {middle} in {got:?}"
            );
        }
    } else {
        let delta_star = format!("{delta}*");
        expected.extend([
            delta_star.as_str(),
            done,
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ]);
        let expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, &expected[..]);
    }
    let created = one(events, "response.created");
    let response_id = created["response"]["id"].as_str().unwrap().to_owned();
    assert!(response_id.starts_with("resp_"));
    assert_eq!(created["response"]["status"], "in_progress");
    assert_eq!(created["response"]["output"], json!([]));
    let added = one(events, "response.output_item.added");
    assert_eq!(added["response_id"], response_id);
    assert_eq!(added["output_index"], 0);
    assert_eq!(added["item"]["role"], "assistant");
    assert_eq!(added["item"]["status"], "in_progress");
    let item_id = added["item"]["id"].as_str().unwrap().to_owned();
    let conv = of_type(events, "conversation.item.created");
    let conv = conv
        .iter()
        .find(|e| e["item"]["id"] == item_id)
        .expect("assistant item created");
    match previous_item {
        Some(p) => assert_eq!(conv["previous_item_id"], p),
        None => assert!(conv["previous_item_id"].is_null()),
    }
    let part_added = one(events, "response.content_part.added");
    assert_eq!(part_added["part"]["type"], part);
    assert_eq!(part_added["content_index"], 0);
    // Every delta carries the ids; concatenation equals the done text.
    let mut text = String::new();
    for d in of_type(events, delta) {
        assert_eq!(d["response_id"], response_id);
        assert_eq!(d["item_id"], item_id);
        assert_eq!(d["output_index"], 0);
        assert_eq!(d["content_index"], 0);
        text.push_str(d["delta"].as_str().unwrap());
    }
    let done_ev = one(events, done);
    let done_text = if audio {
        &done_ev["transcript"]
    } else {
        &done_ev["text"]
    };
    assert_eq!(done_text, &json!(text));
    if audio {
        let mut total = 0;
        for d in of_type(events, "response.audio.delta") {
            assert_eq!(d["response_id"], response_id);
            assert_eq!(d["item_id"], item_id);
            let bytes = b64(&d["delta"]).len();
            assert!(
                bytes > 0 && bytes <= 4800,
                "delta of {bytes} bytes > 100 ms at 24 kHz"
            );
            total += bytes;
        }
        // The scripted voice's length is known exactly (PCM16 at 24 kHz).
        assert_eq!(total as u64, speech_duration_ms(&text) * 24 * 2);
        one(events, "response.audio.done");
    }
    let part_done = one(events, "response.content_part.done");
    if audio {
        assert_eq!(part_done["part"]["transcript"], json!(text));
    } else {
        assert_eq!(part_done["part"]["text"], json!(text));
    }
    let item_done = one(events, "response.output_item.done");
    assert_eq!(item_done["item"]["status"], "completed");
    let done = one(events, "response.done");
    assert_eq!(done["response"]["id"], response_id);
    assert_eq!(done["response"]["status"], "completed");
    assert_eq!(done["response"]["output"][0]["id"], item_id);
    assert_eq!(done["response"]["output"][0]["content"][0]["type"], part);
    let usage = &done["response"]["usage"];
    assert!(usage["total_tokens"].as_u64().unwrap() > 0);
    assert_eq!(
        usage["total_tokens"].as_u64().unwrap(),
        usage["input_tokens"].as_u64().unwrap() + usage["output_tokens"].as_u64().unwrap()
    );
    if audio {
        assert!(
            usage["output_token_details"]["audio_tokens"]
                .as_u64()
                .unwrap()
                > 0
        );
    }
    (item_id, text)
}

#[test]
fn a_connection_start() {
    let mut h = Harness::new();
    // The client sends session.update before reading session.created.
    h.send(json!({"type": "session.update", "event_id": "evt_1",
        "session": {"instructions": "Be brief.", "voice": "echo"}}));
    let events = h.take();
    assert_eq!(types(&events), ["session.created", "session.updated"]);
    let created = &events[0]["session"];
    let updated = &events[1]["session"];
    assert!(created["id"].as_str().unwrap().starts_with("sess_"));
    assert_eq!(created["id"].as_str().unwrap().len(), 5 + 22);
    assert_eq!(created["id"], updated["id"]);
    assert_eq!(created["model"], "gpt-4o");
    assert_eq!(created["model"], updated["model"]);
    assert_eq!(created["object"], "realtime.session");
    assert_eq!(created["turn_detection"]["type"], "server_vad");
    assert_eq!(created["turn_detection"]["create_response"], true);
    assert_eq!(created["turn_detection"]["interrupt_response"], true);
    assert_eq!(created["modalities"], json!(["text", "audio"]));
    assert_eq!(created["input_audio_format"], "pcm16");
    assert_eq!(created["output_audio_format"], "pcm16");
    assert_eq!(created["input_audio_sampling_rate"], 24000);
    assert_eq!(updated["instructions"], "Be brief.");
    assert_eq!(updated["voice"], "echo");
    // Everything else is echoed unchanged: the full effective session.
    assert_eq!(updated["turn_detection"], created["turn_detection"]);
    assert_eq!(updated["temperature"], created["temperature"]);
    assert!(events.iter().all(|e| e["type"] != "conversation.created"));
    assert!(
        events
            .iter()
            .all(|e| e["event_id"].as_str().unwrap().starts_with("event_"))
    );
}

#[test]
fn d_text_only() {
    let mut h = Harness::new();
    h.take();
    let user = h.user_text("hello there");
    assert!(user["previous_item_id"].is_null());
    assert_eq!(user["item"]["content"][0]["type"], "input_text");
    let user_id = user["item"]["id"].as_str().unwrap().to_owned();
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let events = h.take();
    let (item_id, text) = check_reply(&events, false, Some(&user_id));
    assert_eq!(text, "You said: hello there");
    assert_ne!(item_id, user_id);
    // The assistant item is in the conversation, completed, after the user item.
    h.send(json!({"type": "conversation.item.retrieve", "item_id": item_id}));
    let r = h.take();
    let item = &one(&r, "conversation.item.retrieved")["item"];
    assert_eq!(item["status"], "completed");
    assert_eq!(item["content"][0]["text"], "You said: hello there");
}

#[test]
fn d_text_and_audio_reply_to_text() {
    let mut h = Harness::new();
    h.take();
    let user = h.user_text("good morning");
    let user_id = user["item"]["id"].as_str().unwrap().to_owned();
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    let (_, text) = check_reply(&events, true, Some(&user_id));
    assert_eq!(text, "You said: good morning");
}

#[test]
fn g_response_cancel() {
    let mut h = Harness::new();
    h.take();
    h.user_text("please tell me a long story about the sea.");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    // Let the LLM finish, then a little audio.
    h.release_until(|o| matches!(o, BackendOutput::GenerateDone { .. }));
    h.release_until(|o| matches!(o, BackendOutput::Audio { .. }));
    let before = h.take();
    assert!(!of_type(&before, "response.audio.delta").is_empty());
    assert!(of_type(&before, "response.done").is_empty());
    let response_id = one(&before, "response.created")["response"]["id"].clone();
    let transcript: String = of_type(&before, "response.audio_transcript.delta")
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    h.send(json!({"type": "response.cancel", "event_id": "c1"}));
    let events = h.take();
    assert_eq!(
        types(&events),
        [
            "response.audio.done",
            "response.audio_transcript.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.done",
        ]
    );
    assert_eq!(events[1]["transcript"], json!(transcript));
    assert_eq!(events[3]["item"]["status"], "incomplete");
    let done = &events[4]["response"];
    assert_eq!(done["id"], response_id);
    assert_eq!(done["status"], "cancelled");
    assert_eq!(done["status_details"]["type"], "cancelled");
    assert_eq!(done["status_details"]["reason"], "client_cancelled");
    // The synthesis in flight was cancelled, and its late outputs are ignored.
    assert!(matches!(
        h.requests.last(),
        Some(BackendRequest::Cancel { .. })
    ));
    h.release_all();
    assert!(h.take().is_empty());
    // Nothing active now: a non-fatal error, and the session still works.
    h.send(json!({"type": "response.cancel", "event_id": "c2"}));
    let events = h.take();
    assert_error(&events[0], "response_cancel_not_active", Some("c2"));
    h.hold = false;
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let events = h.take();
    assert_eq!(
        one(&events, "response.done")["response"]["status"],
        "completed"
    );
}

#[test]
fn g_cancel_before_any_output() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    h.send(json!({"type": "response.cancel"}));
    let events = h.take();
    assert_eq!(types(&events), ["response.created", "response.done"]);
    assert_eq!(events[1]["response"]["status"], "cancelled");
    assert_eq!(events[1]["response"]["output"], json!([]));
}

#[test]
fn e_function_call_round_trip() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"tools": [
        {"type": "function", "name": "get_weather", "description": "Weather of a city",
         "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}
    ]}}));
    h.take();
    h.user_text("call get_weather for Paris");
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    assert_eq!(
        types(&events),
        [
            "response.created",
            "response.output_item.added",
            "conversation.item.created",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.done",
        ]
    );
    let added = &events[1]["item"];
    assert_eq!(added["type"], "function_call");
    assert_eq!(added["name"], "get_weather");
    assert_eq!(added["arguments"], "");
    assert_eq!(added["status"], "in_progress");
    let call_id = added["call_id"].as_str().unwrap().to_owned();
    assert!(call_id.starts_with("call_"));
    let f_id = added["id"].as_str().unwrap().to_owned();
    assert_eq!(events[2]["item"]["name"], "get_weather");
    assert_eq!(events[2]["item"]["call_id"], call_id);
    assert_eq!(events[3]["call_id"], call_id);
    assert_eq!(events[3]["item_id"], f_id);
    assert_eq!(events[4]["arguments"], "{}");
    assert_eq!(events[4]["name"], "get_weather");
    assert_eq!(events[3]["delta"], events[4]["arguments"]);
    assert_eq!(events[5]["item"]["status"], "completed");
    assert_eq!(events[5]["item"]["arguments"], "{}");
    assert_eq!(events[6]["response"]["status"], "completed");
    assert_eq!(events[6]["response"]["output"][0]["type"], "function_call");
    // No automatic response after the call.
    assert!(h.take().is_empty());
    h.send(
        json!({"type": "conversation.item.create", "previous_item_id": f_id, "item": {
        "type": "function_call_output", "call_id": call_id, "output": "{\"temp\":\"21C sunny\"}"}}),
    );
    let events = h.take();
    let created = one(&events, "conversation.item.created");
    assert_eq!(created["previous_item_id"], f_id);
    assert_eq!(created["item"]["type"], "function_call_output");
    let output_id = created["item"]["id"].as_str().unwrap().to_owned();
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    let (_, text) = check_reply(&events, true, Some(&output_id));
    assert!(text.contains("21C sunny"), "{text}");
    let done = one(&events, "response.output_item.done");
    assert_eq!(done["item"]["content"][0]["transcript"], json!(text));
}

#[test]
fn e_tool_choice_none_and_forced() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"tools": [
        {"type": "function", "name": "lookup"}], "tool_choice": "none"}}));
    h.take();
    h.user_text("lookup something");
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"]}}));
    let events = h.take();
    assert!(of_type(&events, "response.function_call_arguments.done").is_empty());
    h.send(
        json!({"type": "response.create", "response": {"modalities": ["text"],
        "tool_choice": {"type": "function", "name": "lookup"}}}),
    );
    let events = h.take();
    assert_eq!(
        one(&events, "response.function_call_arguments.done")["name"],
        "lookup"
    );
}

/// Flow C: no turn detection, manual commit, no automatic response.
#[test]
fn c_manual_commit() {
    let mut h = Harness::manual();
    let audio = speech("hello there, how are you?", 24_000, 200, 300);
    h.append_pcm(&audio, 24_000, 20);
    assert!(
        h.take().is_empty(),
        "no events for appends without turn detection"
    );
    h.send(json!({"type": "input_audio_buffer.commit", "event_id": "commit_1"}));
    let events = h.take();
    let c = collapsed(&events);
    assert_eq!(
        c,
        [
            "input_audio_buffer.committed",
            "conversation.item.created",
            "conversation.item.input_audio_transcription.delta*",
            "conversation.item.input_audio_transcription.completed",
        ]
    );
    let committed = &events[0];
    assert!(committed["previous_item_id"].is_null());
    let user_id = committed["item_id"].as_str().unwrap().to_owned();
    let created = &events[1];
    assert_eq!(created["item"]["id"], user_id);
    assert_eq!(created["item"]["role"], "user");
    assert_eq!(created["item"]["content"][0]["type"], "input_audio");
    assert!(created["item"]["content"][0]["transcript"].is_null());
    let completed = one(
        &events,
        "conversation.item.input_audio_transcription.completed",
    );
    assert_eq!(completed["item_id"], user_id);
    assert_eq!(completed["content_index"], 0);
    let transcript = completed["transcript"].as_str().unwrap().to_owned();
    assert!(!transcript.is_empty());
    let deltas: String = of_type(&events, "conversation.item.input_audio_transcription.delta")
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(deltas, transcript);
    // Still no response.
    h.advance(Duration::from_secs(2));
    assert!(h.take().is_empty());
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    let (_, text) = check_reply(&events, true, Some(&user_id));
    assert_eq!(text, format!("You said: {transcript}"));
}

/// Flow B with synthetic speech: the whole cascade from audio to `response.done`.
#[test]
fn b_server_vad_turn_synthetic() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {
        "input_audio_transcription": {"model": "azure-speech"}}}));
    h.take();
    let audio = speech("hello there, how are you today?", 24_000, 500, 1500);
    h.append_pcm(&audio, 24_000, 20);
    let events = h.take();
    check_vad_turn(&events, audio.len() as u64 * 1000 / 24_000);
}

/// Flow B with recorded speech (asterisk prompt, PCM16 8 kHz).
#[test]
fn b_server_vad_turn_recorded() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    let mut audio = silence(8000, 500);
    audio.extend(asterisk("hello-world.wav"));
    audio.extend(silence(8000, 1500));
    h.append_pcm(&audio, 8000, 20);
    let events = h.take();
    check_vad_turn(&events, audio.len() as u64 * 1000 / 8000);
}

/// Checks one complete server_vad turn with its automatic response.
fn check_vad_turn(events: &[Value], total_ms: u64) {
    let c = collapsed(events);
    let head: Vec<&str> = c.iter().take(6).map(String::as_str).collect();
    assert_eq!(
        head,
        [
            "input_audio_buffer.speech_started",
            "input_audio_buffer.speech_stopped",
            "input_audio_buffer.committed",
            "conversation.item.created",
            "conversation.item.input_audio_transcription.delta*",
            "conversation.item.input_audio_transcription.completed",
        ],
        "{c:?}"
    );
    let started = one(events, "input_audio_buffer.speech_started");
    let stopped = one(events, "input_audio_buffer.speech_stopped");
    let committed = one(events, "input_audio_buffer.committed");
    let completed = one(
        events,
        "conversation.item.input_audio_transcription.completed",
    );
    let user_id = started["item_id"].as_str().unwrap().to_owned();
    assert_eq!(stopped["item_id"], user_id);
    assert_eq!(committed["item_id"], user_id);
    assert_eq!(completed["item_id"], user_id);
    assert!(committed["previous_item_id"].is_null());
    let start_ms = started["audio_start_ms"].as_u64().unwrap();
    let end_ms = stopped["audio_end_ms"].as_u64().unwrap();
    // 500 ms of leading silence, 300 ms prefix padding.
    assert!((100..=500).contains(&start_ms), "audio_start_ms {start_ms}");
    assert!(
        end_ms > start_ms + 500 && end_ms < total_ms,
        "audio_end_ms {end_ms}"
    );
    let transcript = completed["transcript"].as_str().unwrap();
    assert!(!transcript.is_empty());
    let (_, text) = check_reply(events, true, Some(&user_id));
    assert_eq!(text, format!("You said: {transcript}"));
    assert_eq!(of_type(events, "response.done").len(), 1);
}

/// Flow F: speech during a response cancels it (turn_detected), the turn is committed and
/// answered; the client then truncates the interrupted item.
#[test]
fn f_barge_in() {
    let mut h = Harness::new();
    h.take();
    let first_user = h.user_text("tell me about the weather today.");
    let first_user_id = first_user["item"]["id"].as_str().unwrap().to_owned();
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    h.release_until(|o| matches!(o, BackendOutput::GenerateDone { .. }));
    h.release_until(|o| matches!(o, BackendOutput::Audio { .. }));
    let before = h.take();
    let a_id = one(&before, "response.output_item.added")["item"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The user speaks over the reply; later backend outputs flow freely.
    h.hold = false;
    let audio = speech("stop, what time is it?", 24_000, 200, 1500);
    h.append_pcm(&audio, 24_000, 20);
    let events = h.take();
    let c = collapsed(&events);
    let expected_head = [
        "input_audio_buffer.speech_started",
        "response.audio.done",
        "response.audio_transcript.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.done",
        "input_audio_buffer.speech_stopped",
        "input_audio_buffer.committed",
        "conversation.item.created",
    ];
    assert_eq!(&c[..expected_head.len()], &expected_head[..], "{c:?}");
    let cancelled = &of_type(&events, "response.done")[0]["response"];
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["status_details"]["reason"], "turn_detected");
    assert_eq!(
        of_type(&events, "response.output_item.done")[0]["item"]["status"],
        "incomplete"
    );
    let u2 = one(&events, "input_audio_buffer.committed");
    // The new user item follows the interrupted assistant item.
    assert_eq!(u2["previous_item_id"], a_id);
    let u2_id = u2["item_id"].as_str().unwrap().to_owned();
    let second = &events[events
        .iter()
        .position(|e| e["type"] == "conversation.item.input_audio_transcription.completed")
        .unwrap()..];
    let (_, text) = check_reply(second, true, Some(&u2_id));
    assert!(text.starts_with("You said: "));
    // The samples' habit: response.cancel on speech_started with nothing active.
    h.send(json!({"type": "response.cancel", "event_id": "late"}));
    assert_error(&h.take()[0], "response_cancel_not_active", Some("late"));
    // The client truncates what it actually played of the first reply.
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": a_id,
        "content_index": 0, "audio_end_ms": 150}),
    );
    let t = h.take();
    assert_eq!(types(&t), ["conversation.item.truncated"]);
    h.send(json!({"type": "conversation.item.retrieve", "item_id": a_id}));
    let r = h.take();
    let part = &one(&r, "conversation.item.retrieved")["item"]["content"][0];
    assert_eq!(b64(&part["audio"]).len(), 150 * 24 * 2);
    assert_eq!(part["transcript"], "You");
    assert_ne!(first_user_id, a_id);
}

/// Barge-in with `auto_truncate`: the server truncates at what was played in real time.
#[test]
fn f_barge_in_auto_truncate() {
    let mut h = Harness::new();
    h.send(
        json!({"type": "session.update", "session": {"turn_detection": {
        "type": "server_vad", "auto_truncate": true}}}),
    );
    h.take();
    h.user_text("tell me a story.");
    h.send(json!({"type": "response.create"}));
    let reply = h.take();
    let a_id = one(&reply, "response.output_item.added")["item"]["id"].clone();
    assert_eq!(
        one(&reply, "response.done")["response"]["status"],
        "completed"
    );
    // The reply is about 2.5 s long; the user talks over it after ~0.3 s of playback.
    let audio = speech("wait", 24_000, 0, 1200);
    h.append_pcm(&audio, 24_000, 20);
    let events = h.take();
    let c = collapsed(&events);
    assert_eq!(
        &c[..2],
        [
            "input_audio_buffer.speech_started",
            "conversation.item.truncated"
        ]
    );
    let truncated = one(&events, "conversation.item.truncated");
    assert_eq!(truncated["item_id"], a_id);
    let end = truncated["audio_end_ms"].as_u64().unwrap();
    assert!((200..=700).contains(&end), "audio_end_ms {end}");
}

/// Barge-in off: speech during a response does not cancel it.
#[test]
fn f_no_interrupt() {
    let mut h = Harness::new();
    h.send(
        json!({"type": "session.update", "session": {"turn_detection": {
        "type": "server_vad", "interrupt_response": false, "create_response": false}}}),
    );
    h.take();
    h.user_text("hello");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    h.release_until(|o| matches!(o, BackendOutput::GenerateDone { .. }));
    let audio = speech("hello", 24_000, 100, 900);
    h.append_pcm(&audio, 24_000, 20);
    h.hold = false;
    h.release_all();
    let events = h.take();
    one(&events, "input_audio_buffer.speech_started");
    assert_eq!(
        one(&events, "response.done")["response"]["status"],
        "completed"
    );
    assert_eq!(of_type(&events, "response.created").len(), 1);
}

/// Flow H: clear drops uncommitted audio; under VAD mid-speech no speech_stopped follows.
#[test]
fn h_input_audio_buffer_clear() {
    let mut h = Harness::manual();
    h.append_pcm(&speech("hello", 24_000, 0, 0), 24_000, 20);
    h.send(json!({"type": "input_audio_buffer.clear", "event_id": "clr"}));
    let events = h.take();
    assert_eq!(types(&events), ["input_audio_buffer.cleared"]);
    h.send(json!({"type": "input_audio_buffer.commit", "event_id": "cm"}));
    assert_error(&h.take()[0], "input_audio_buffer_commit_empty", Some("cm"));

    let mut h = Harness::new();
    h.take();
    let audio = speech("hello there friend", 24_000, 300, 0);
    let half = audio.len() * 3 / 4;
    h.append_pcm(&audio[..half], 24_000, 20);
    assert_eq!(types(&h.take()), ["input_audio_buffer.speech_started"]);
    h.send(json!({"type": "input_audio_buffer.clear"}));
    assert_eq!(types(&h.take()), ["input_audio_buffer.cleared"]);
    h.append_pcm(&silence(24_000, 1500), 24_000, 20);
    let after = h.take();
    assert!(
        after.is_empty(),
        "no speech_stopped after clear: {:?}",
        types(&after)
    );
    // The next turn works normally.
    h.append_pcm(&speech("hello again", 24_000, 200, 1200), 24_000, 20);
    let events = h.take();
    one(&events, "input_audio_buffer.speech_stopped");
    one(&events, "response.done");
}

/// Flow F with recorded speech: the user's recorded "goodbye" interrupts the reply.
#[test]
fn f_barge_in_recorded() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    h.reply_in_progress("tell me about the weather today.");
    h.hold = false;
    let mut audio = silence(8000, 200);
    audio.extend(asterisk("vm-goodbye.wav"));
    audio.extend(silence(8000, 1500));
    h.append_pcm(&audio, 8000, 20);
    let events = h.take();
    let c = collapsed(&events);
    assert_eq!(c[0], "input_audio_buffer.speech_started", "{c:?}");
    let done = of_type(&events, "response.done");
    assert_eq!(done.len(), 2, "{c:?}");
    assert_eq!(
        done[0]["response"]["status_details"]["reason"],
        "turn_detected"
    );
    assert_eq!(done[1]["response"]["status"], "completed");
    let pos = |t: &str| c.iter().position(|x| x == t).unwrap();
    assert!(pos("response.done") < pos("input_audio_buffer.speech_stopped"));
}

/// Two recorded utterances separated by silence: two turns, each answered, in order.
#[test]
fn b_two_recorded_turns() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    let mut audio = silence(8000, 400);
    audio.extend(asterisk("hello-world.wav"));
    audio.extend(silence(8000, 2000));
    audio.extend(asterisk("vm-goodbye.wav"));
    audio.extend(silence(8000, 2000));
    h.append_pcm(&audio, 8000, 20);
    let events = h.take();
    let started = of_type(&events, "input_audio_buffer.speech_started");
    let committed = of_type(&events, "input_audio_buffer.committed");
    let done = of_type(&events, "response.done");
    assert_eq!(started.len(), 2, "{:?}", collapsed(&events));
    assert_eq!(committed.len(), 2);
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|d| d["response"]["status"] == "completed"));
    // The second user item follows the first reply; both replies follow their user item.
    let first_reply = done[0]["response"]["output"][0]["id"].clone();
    assert_eq!(committed[1]["previous_item_id"], first_reply);
    let t1 = started[0]["audio_start_ms"].as_u64().unwrap();
    let t2 = started[1]["audio_start_ms"].as_u64().unwrap();
    assert!(t2 > t1 + 2000, "{t1} {t2}");
}

/// Flow H with recorded speech: clear mid-utterance, no speech_stopped.
#[test]
fn h_clear_mid_recorded_speech() {
    let mut h = Harness::new();
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    let speech = asterisk("hello-world.wav");
    let mut audio = silence(8000, 300);
    audio.extend(&speech[..speech.len() * 2 / 3]);
    h.append_pcm(&audio, 8000, 20);
    assert_eq!(types(&h.take()), ["input_audio_buffer.speech_started"]);
    h.send(json!({"type": "input_audio_buffer.clear"}));
    assert_eq!(types(&h.take()), ["input_audio_buffer.cleared"]);
    h.append_pcm(&silence(8000, 1500), 8000, 20);
    assert!(h.take().is_empty());
}

/// protocol.md §4.1: transcription events only when `input_audio_transcription` is set or the
/// model is cascaded; the reply to the (still recognised) speech comes either way.
#[test]
fn transcription_events_follow_the_session_and_model() {
    let turn = |model: &str, transcription: Value| {
        let mut h = Harness::with_config(SessionConfig::new(model));
        h.send(json!({"type": "session.update", "session": {
            "input_audio_sampling_rate": 8000, "input_audio_transcription": transcription}}));
        h.take();
        let mut audio = silence(8000, 300);
        audio.extend(asterisk("hello-world.wav"));
        audio.extend(silence(8000, 1500));
        h.append_pcm(&audio, 8000, 20);
        let events = h.take();
        let completed = of_type(
            &events,
            "conversation.item.input_audio_transcription.completed",
        )
        .len()
            + of_type(&events, "conversation.item.input_audio_transcription.delta").len();
        let spoken = one(&events, "response.audio_transcript.done")["transcript"]
            .as_str()
            .unwrap()
            .to_owned();
        (completed, spoken)
    };
    let (native_off, native_reply) = turn("gpt-realtime", Value::Null);
    assert_eq!(
        native_off, 0,
        "gpt-realtime without input_audio_transcription"
    );
    let (native_on, native_on_reply) = turn("gpt-realtime", json!({"model": "whisper-1"}));
    assert!(native_on >= 2, "delta(s) and completed when configured");
    let (cascaded, cascaded_reply) = turn("gpt-4.1", Value::Null);
    assert!(cascaded >= 2, "cascaded models transcribe by default");
    assert_eq!(native_reply, native_on_reply);
    assert_eq!(native_reply, cascaded_reply);
    assert!(native_reply.len() > "You said: ".len(), "{native_reply}");
}
