//! The OpenAI GA dialect: GA fixtures (validated against the `openai` package by
//! `tests/fixtures/generate.py --check-ga`) map to Voice Live, decode, and map back unchanged.

use serde_json::{Value, json};
use vl_schema::dialect::{
    self, Dialect, client_event_from_ga, client_event_to_ga, server_event_from_ga,
    server_event_to_ga,
};
use vl_schema::{
    ClientEvent, ServerEvent, decode_client_event, decode_server_event, encode_client_event,
    encode_server_event,
};

use crate::{fixtures, json as parse};

/// `sub` ⊆ `sup`: every key of `sub` is in `sup` with a matching value (arrays element-wise).
fn is_subset(sub: &Value, sup: &Value) -> bool {
    match (sub, sup) {
        (Value::Object(a), Value::Object(b)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|w| is_subset(v, w))),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(v, w)| is_subset(v, w))
        }
        (a, b) => a == b,
    }
}

#[test]
fn ga_client_fixtures_round_trip_through_voice_live() {
    for (name, text) in fixtures("ga/client") {
        let ga = parse(&text);
        let vl = client_event_from_ga(ga.clone());
        let event = decode_client_event(&vl.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(event.type_name(), name, "{name}");
        let back = client_event_to_ga(parse(&encode_client_event(&event)));
        assert_eq!(back, ga, "{name}");
        // The typed entry point gives the same event.
        assert_eq!(
            dialect::decode_client_event_in(&text, Dialect::OpenAiGa).unwrap(),
            event,
            "{name}"
        );
    }
}

#[test]
fn ga_server_fixtures_round_trip_through_voice_live() {
    for (name, text) in fixtures("ga/server") {
        let ga = parse(&text);
        let vl =
            server_event_from_ga(ga.clone()).unwrap_or_else(|| panic!("{name} maps to nothing"));
        let event = decode_server_event(&vl.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let back = server_event_to_ga(parse(&encode_server_event(&event)));
        let first = back.first().unwrap();
        if name.starts_with("session.") {
            // The effective session gains the defaults of the fields GA did not send.
            assert!(is_subset(&ga, first), "{name}: {first}");
        } else {
            assert_eq!(first, &ga, "{name}");
        }
    }
}

#[test]
fn ga_only_server_events_map_to_nothing() {
    for (name, text) in fixtures("ga/server-only") {
        assert_eq!(server_event_from_ga(parse(&text)), None, "{name}");
    }
}

#[test]
fn voice_live_events_map_to_ga_names() {
    let cases = [
        ("response.audio.delta", "response.output_audio.delta"),
        ("response.audio.done", "response.output_audio.done"),
        ("response.text.delta", "response.output_text.delta"),
        ("response.text.done", "response.output_text.done"),
        (
            "response.audio_transcript.delta",
            "response.output_audio_transcript.delta",
        ),
        (
            "response.audio_transcript.done",
            "response.output_audio_transcript.done",
        ),
        ("conversation.item.created", "conversation.item.added"),
        ("response.done", "response.done"),
        ("session.created", "session.created"),
        ("error", "error"),
    ];
    for (vl, ga) in cases {
        assert_eq!(dialect::event_type_to_ga(vl), ga);
        assert_eq!(dialect::event_type_from_ga(ga), vl);
        let text = std::fs::read_to_string(crate::fixture_dir("server").join(format!("{vl}.json")))
            .unwrap();
        let mapped = server_event_to_ga(parse(&text));
        assert_eq!(mapped[0]["type"], json!(ga), "{vl}");
    }
}

#[test]
fn finished_items_also_get_conversation_item_done() {
    let created = parse(
        &std::fs::read_to_string(
            crate::fixture_dir("server").join("conversation.item.created.json"),
        )
        .unwrap(),
    );
    let mapped = server_event_to_ga(created.clone());
    assert_eq!(mapped.len(), 2);
    assert_eq!(mapped[1]["type"], json!("conversation.item.done"));
    assert_eq!(mapped[1]["item"], mapped[0]["item"]);
    assert_eq!(mapped[1]["event_id"], json!("event_s8_done"));
    // An in-progress item only gets `added`; its `done` follows `response.output_item.done`.
    let mut in_progress = created;
    in_progress["item"]["status"] = json!("in_progress");
    assert_eq!(server_event_to_ga(in_progress).len(), 1);
    let done = parse(
        &std::fs::read_to_string(
            crate::fixture_dir("server").join("response.output_item.done.json"),
        )
        .unwrap(),
    );
    let mapped = server_event_to_ga(done);
    assert_eq!(mapped.len(), 2);
    assert_eq!(mapped[1]["type"], json!("conversation.item.done"));
    assert_eq!(
        mapped[1]["item"]["content"][0]["type"],
        json!("output_audio")
    );
}

/// Fixtures whose Voice Live → GA → Voice Live trip is lossy by design (module docs).
const LOSSY: &[&str] = &[
    // `pcm16_24000hz` comes back as `pcm16`.
    "response.created",
    // `animation` / `avatar` modalities do not exist in GA.
    "session.update",
];

#[test]
fn voice_live_fixtures_survive_a_ga_round_trip() {
    for (name, text) in fixtures("server") {
        let original = decode_server_event(&text).unwrap();
        let ga = server_event_to_ga(parse(&text));
        let back = server_event_from_ga(ga[0].clone()).unwrap();
        let event =
            decode_server_event(&back.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if LOSSY.contains(&name.as_str()) {
            assert_ne!(event, original, "{name} is listed as lossy but is not");
        } else {
            assert_eq!(event, original, "{name}");
        }
        for extra in &ga[1..] {
            assert_eq!(server_event_from_ga(extra.clone()), None);
        }
    }
    for (name, text) in fixtures("client") {
        let original = decode_client_event(&text).unwrap();
        let back = client_event_from_ga(client_event_to_ga(parse(&text)));
        let event =
            decode_client_event(&back.to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        if LOSSY.contains(&name.as_str()) {
            assert_ne!(event, original, "{name} is listed as lossy but is not");
        } else {
            assert_eq!(event, original, "{name}");
        }
    }
}

#[test]
fn session_shape_mapping() {
    let vl = json!({
        "modalities": ["text", "audio"],
        "input_audio_format": "g711_alaw",
        "output_audio_format": "pcm16_16000hz",
        "turn_detection": null,
        "input_audio_transcription": {"model": "whisper-1"},
        "input_audio_noise_reduction": {"type": "near_field"},
        "voice": "alloy",
        "max_response_output_tokens": 100,
        "reasoning_effort": "low",
        "temperature": 0.8,
    });
    let ga = dialect::session_to_ga(vl.clone());
    assert_eq!(
        ga,
        json!({
            "type": "realtime",
            "output_modalities": ["audio"],
            "audio": {
                "input": {
                    "format": {"type": "audio/pcma"},
                    "turn_detection": null,
                    "transcription": {"model": "whisper-1"},
                    "noise_reduction": {"type": "near_field"},
                },
                "output": {"format": {"type": "audio/pcm", "rate": 16000}, "voice": "alloy"},
            },
            "max_output_tokens": 100,
            "reasoning": {"effort": "low"},
            "temperature": 0.8,
        })
    );
    // G.711 has no rate in GA; mapping back states the only valid one.
    let mut expected = vl;
    expected["input_audio_sampling_rate"] = json!(8000);
    assert_eq!(dialect::session_from_ga(ga), expected);
    let pcm = dialect::session_to_ga(
        json!({"input_audio_format": "pcm16", "input_audio_sampling_rate": 16000}),
    );
    assert_eq!(
        pcm["audio"]["input"]["format"],
        json!({"type": "audio/pcm", "rate": 16000})
    );
}

#[test]
fn typed_encode_in_ga() {
    let text =
        std::fs::read_to_string(crate::fixture_dir("server").join("response.audio.delta.json"))
            .unwrap();
    let event: ServerEvent = decode_server_event(&text).unwrap();
    let out = dialect::encode_server_event_in(&event, Dialect::OpenAiGa);
    assert_eq!(out.len(), 1);
    assert_eq!(parse(&out[0])["type"], json!("response.output_audio.delta"));
    assert_eq!(
        dialect::encode_server_event_in(&event, Dialect::VoiceLive),
        [encode_server_event(&event)]
    );
    assert_eq!(Dialect::for_path("/v1/realtime"), Dialect::OpenAiGa);
    assert_eq!(Dialect::for_path("/openai/v1/realtime/"), Dialect::OpenAiGa);
    assert_eq!(
        Dialect::for_path("/voice-live/realtime"),
        Dialect::VoiceLive
    );
    let append = r#"{"type":"input_audio_buffer.append","audio":"AAAA"}"#;
    assert!(matches!(
        dialect::decode_client_event_in(append, Dialect::OpenAiGa).unwrap(),
        ClientEvent::InputAudioBufferAppend(a) if a.audio == "AAAA"
    ));
}

#[test]
fn ga_transcription_session_becomes_transcription_session_update() {
    let ga = json!({
        "type": "session.update",
        "session": {
            "type": "transcription",
            "audio": {"input": {
                "format": {"type": "audio/pcmu"},
                "transcription": {"model": "gpt-4o-transcribe", "language": "en"},
                "turn_detection": {"type": "server_vad", "threshold": 0.5},
                "noise_reduction": {"type": "near_field"},
            }},
            "include": ["item.input_audio_transcription.logprobs"],
        }
    });
    let vl = client_event_from_ga(ga);
    assert_eq!(vl["type"], json!("transcription_session.update"));
    let ClientEvent::TranscriptionSessionUpdate(update) =
        decode_client_event(&vl.to_string()).unwrap()
    else {
        panic!("{vl}")
    };
    assert_eq!(
        update.session.input_audio_format,
        Some(vl_schema::audio_format::InputAudioFormat::G711Ulaw)
    );
    assert!(matches!(update.session.turn_detection, Some(Some(_))));
    assert!(matches!(
        update.session.input_audio_transcription,
        Some(Some(_))
    ));
    // Nothing of the GA session is left unmapped.
    assert!(
        vl_schema::unknown_fields(
            &vl.to_string(),
            &ClientEvent::TranscriptionSessionUpdate(update)
        )
        .is_empty()
    );
}
