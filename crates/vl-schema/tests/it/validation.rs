//! Validation rules: one test per rule, each with a passing and a failing value.

use serde_json::json;
use vl_schema::client::{ConversationItemCreate, ResponseCreate};
use vl_schema::validate::{
    validate_client_event, validate_response_create, validate_session_update,
    validate_session_update_against,
};
use vl_schema::{ClientEvent, RequestSession, ResponseSession, decode_client_event};

fn session(value: serde_json::Value) -> RequestSession {
    serde_json::from_value(value).unwrap()
}

/// (code, param) of every error for a session patch.
fn errs(value: serde_json::Value) -> Vec<(String, String)> {
    match validate_session_update(&session(value)) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| {
                assert_eq!(e.kind.as_str(), "invalid_request_error");
                assert!(e.message.len() > 10, "message too terse: {}", e.message);
                (e.code.unwrap(), e.param.unwrap())
            })
            .collect(),
    }
}

fn one(code: &str, param: &str) -> Vec<(String, String)> {
    vec![(code.to_owned(), param.to_owned())]
}

fn event_errs(json: &str) -> Vec<(String, String)> {
    let event = decode_client_event(json).unwrap();
    match validate_client_event(&event) {
        Ok(()) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .map(|e| (e.code.unwrap(), e.param.unwrap()))
            .collect(),
    }
}

#[test]
fn temperature_range_is_0_6_to_1_2() {
    assert!(errs(json!({"temperature": 0.6})).is_empty());
    assert!(errs(json!({"temperature": 1.2})).is_empty());
    assert_eq!(
        errs(json!({"temperature": 0.5})),
        one("invalid_value", "session.temperature")
    );
    assert_eq!(
        errs(json!({"temperature": 5})),
        one("invalid_value", "session.temperature")
    );
}

#[test]
fn voice_temperature_range_is_0_to_1() {
    let voice = |t: f64| json!({"voice": {"type": "azure-standard", "name": "en-US-AvaNeural", "temperature": t}});
    assert!(errs(voice(0.0)).is_empty());
    assert!(errs(voice(1.0)).is_empty());
    assert_eq!(
        errs(voice(1.5)),
        one("invalid_value", "session.voice.temperature")
    );
    let personal = json!({"voice": {"type": "azure-personal", "name": "p", "model": "DragonLatestNeural", "temperature": -0.1}});
    assert_eq!(
        errs(personal),
        one("invalid_value", "session.voice.temperature")
    );
}

#[test]
fn voices_need_names_and_known_personal_models() {
    assert_eq!(
        errs(json!({"voice": {"type": "azure-standard", "name": ""}})),
        one("invalid_value", "session.voice.name")
    );
    assert_eq!(
        errs(json!({"voice": {"type": "azure-custom", "name": "v", "endpoint_id": " "}})),
        one("invalid_value", "session.voice.endpoint_id")
    );
    assert_eq!(
        errs(json!({"voice": {"type": "azure-personal", "name": "p", "model": "SomeOtherNeural"}})),
        one("invalid_value", "session.voice.model")
    );
    assert!(
        errs(json!({"voice": {"type": "avatar-voice-sync", "model": "MAI-Voice-1"}})).is_empty()
    );
    assert!(errs(json!({"voice": "alloy"})).is_empty());
}

#[test]
fn vad_threshold_range_is_0_to_1() {
    let td = |t: f64| json!({"turn_detection": {"type": "server_vad", "threshold": t}});
    assert!(errs(td(0.0)).is_empty());
    assert!(errs(td(1.0)).is_empty());
    assert_eq!(
        errs(td(1.5)),
        one("invalid_value", "session.turn_detection.threshold")
    );
    assert_eq!(
        errs(td(-0.1)),
        one("invalid_value", "session.turn_detection.threshold")
    );
    let semantic =
        json!({"turn_detection": {"type": "azure_semantic_vad_multilingual", "threshold": 2.0}});
    assert_eq!(
        errs(semantic),
        one("invalid_value", "session.turn_detection.threshold")
    );
}

#[test]
fn durations_are_bounded() {
    assert!(errs(json!({"turn_detection": {"type": "server_vad", "prefix_padding_ms": 300, "silence_duration_ms": 60000}})).is_empty());
    assert_eq!(
        errs(json!({"turn_detection": {"type": "server_vad", "silence_duration_ms": 60001}})),
        one(
            "invalid_value",
            "session.turn_detection.silence_duration_ms"
        )
    );
    assert_eq!(
        errs(
            json!({"turn_detection": {"type": "azure_semantic_vad", "prefix_padding_ms": 100000}})
        ),
        one("invalid_value", "session.turn_detection.prefix_padding_ms")
    );
    assert_eq!(
        errs(json!({"turn_detection": {"type": "server_vad", "speech_duration_ms": 99999}})),
        one("invalid_value", "session.turn_detection.speech_duration_ms")
    );
    assert_eq!(
        errs(
            json!({"turn_detection": {"type": "server_vad", "end_of_utterance_detection": {"timeout_ms": 70000}}})
        ),
        one(
            "invalid_value",
            "session.turn_detection.end_of_utterance_detection.timeout_ms"
        )
    );
    assert_eq!(
        errs(
            json!({"interim_response": {"type": "static_interim_response", "latency_threshold_ms": 70000}})
        ),
        one(
            "invalid_value",
            "session.interim_response.latency_threshold_ms"
        )
    );
}

#[test]
fn max_output_tokens_is_1_to_4096_or_inf() {
    assert!(errs(json!({"max_response_output_tokens": 1})).is_empty());
    assert!(errs(json!({"max_response_output_tokens": 4096})).is_empty());
    assert!(errs(json!({"max_response_output_tokens": "inf"})).is_empty());
    assert_eq!(
        errs(json!({"max_response_output_tokens": 0})),
        one("invalid_value", "session.max_response_output_tokens")
    );
    assert_eq!(
        errs(json!({"max_response_output_tokens": 4097})),
        one("invalid_value", "session.max_response_output_tokens")
    );
}

#[test]
fn sampling_rates_and_g711() {
    for rate in [8000, 16000, 24000, 44100, 48000] {
        assert!(
            errs(json!({"input_audio_sampling_rate": rate})).is_empty(),
            "{rate}"
        );
    }
    assert_eq!(
        errs(json!({"input_audio_sampling_rate": 11025})),
        one("invalid_value", "session.input_audio_sampling_rate")
    );
    assert_eq!(
        errs(json!({"input_audio_format": "g711_ulaw", "input_audio_sampling_rate": 16000})),
        one("invalid_value", "session.input_audio_sampling_rate")
    );
    assert!(
        errs(json!({"input_audio_format": "g711_alaw", "input_audio_sampling_rate": 8000}))
            .is_empty()
    );
}

#[test]
fn modalities_rules() {
    assert!(errs(json!({"modalities": ["text"]})).is_empty());
    assert!(errs(json!({"modalities": ["text", "audio"]})).is_empty());
    assert!(errs(json!({"modalities": ["text", "audio", "avatar", "animation"]})).is_empty());
    assert_eq!(
        errs(json!({"modalities": ["audio"]})),
        one("invalid_value", "session.modalities")
    );
    assert_eq!(
        errs(json!({"modalities": []})),
        one("invalid_value", "session.modalities")
    );
    assert_eq!(
        errs(json!({"modalities": ["text", "text"]})),
        one("invalid_value", "session.modalities")
    );
}

#[test]
fn echo_cancellation_codes() {
    let ec = |source: &str, channels: Option<u8>| {
        let mut v = json!({"type": "server_echo_cancellation", "reference_source": source});
        if let Some(c) = channels {
            v["channels"] = json!(c);
        }
        json!({"input_audio_echo_cancellation": v})
    };
    let param = "session.input_audio_echo_cancellation.channels";
    assert!(errs(ec("server", Some(1))).is_empty());
    assert!(errs(ec("server", None)).is_empty());
    assert!(errs(ec("client", Some(2))).is_empty());
    assert_eq!(
        errs(ec("server", Some(2))),
        one("invalid_ec_channels_requires_client", param)
    );
    assert_eq!(
        errs(ec("client", Some(1))),
        one("invalid_ec_reference_channels", param)
    );
    assert_eq!(
        errs(ec("client", None)),
        one("invalid_ec_reference_channels", param)
    );
    assert_eq!(errs(ec("client", Some(3))), one("invalid_value", param));
    assert_eq!(
        errs(json!({"input_audio_echo_cancellation": {"type": "client_ec"}})),
        one(
            "invalid_value",
            "session.input_audio_echo_cancellation.type"
        )
    );
    assert!(errs(json!({"input_audio_echo_cancellation": null})).is_empty());
}

#[test]
fn metadata_limits() {
    let pairs = |n: usize| {
        let map: serde_json::Map<_, _> = (0..n).map(|i| (format!("k{i}"), json!("v"))).collect();
        json!({"metadata": map})
    };
    assert!(errs(pairs(16)).is_empty());
    assert_eq!(errs(pairs(17)), one("invalid_value", "session.metadata"));
    assert!(errs(json!({"metadata": {"k".repeat(64): "v"}})).is_empty());
    assert_eq!(
        errs(json!({"metadata": {"k".repeat(65): "v"}})),
        one("invalid_value", "session.metadata")
    );
    assert!(errs(json!({"metadata": {"k": "v".repeat(512)}})).is_empty());
    assert_eq!(
        errs(json!({"metadata": {"k": "v".repeat(513)}})),
        one("invalid_value", "session.metadata.k")
    );
}

#[test]
fn instructions_length_limit() {
    assert!(errs(json!({"instructions": "a".repeat(256 * 1024)})).is_empty());
    assert!(errs(json!({"instructions": ""})).is_empty());
    assert_eq!(
        errs(json!({"instructions": "a".repeat(256 * 1024 + 1)})),
        one("invalid_value", "session.instructions")
    );
}

#[test]
fn tool_names_and_counts() {
    let f = |name: &str| json!({"type": "function", "name": name});
    assert!(errs(json!({"tools": [f("get_weather"), f("lookup-2")]})).is_empty());
    assert_eq!(
        errs(json!({"tools": [f("get weather")]})),
        one("invalid_value", "session.tools[0].name")
    );
    assert_eq!(
        errs(json!({"tools": [f("ok"), f("")]})),
        one("invalid_value", "session.tools[1].name")
    );
    assert_eq!(
        errs(json!({"tools": [f(&"a".repeat(65))]})),
        one("invalid_value", "session.tools[0].name")
    );
    assert_eq!(
        errs(json!({"tools": [f("a"), f("a")]})),
        one("invalid_value", "session.tools[1].name")
    );
    let many: Vec<_> = (0..129).map(|i| f(&format!("f{i}"))).collect();
    assert_eq!(
        errs(json!({"tools": many})),
        one("invalid_value", "session.tools")
    );
    assert_eq!(
        errs(
            json!({"tools": [{"type": "mcp", "server_label": "x", "server_url": "ftp://example.com"}]})
        ),
        one("invalid_value", "session.tools[0].server_url")
    );
    assert_eq!(
        errs(json!({"tools": [{"type": "function", "name": "f", "parameters": "not a schema"}]})),
        one("invalid_value", "session.tools[0].parameters")
    );
}

#[test]
fn tool_choice_must_name_a_tool() {
    let tools = json!([{"type": "function", "name": "get_weather"}]);
    assert!(
        errs(json!({"tools": tools, "tool_choice": {"type": "function", "name": "get_weather"}}))
            .is_empty()
    );
    assert_eq!(
        errs(json!({"tools": tools, "tool_choice": {"type": "function", "name": "other"}})),
        one("invalid_value", "session.tool_choice.name")
    );
    assert!(errs(json!({"tool_choice": "required"})).is_empty());
}

#[test]
fn open_enums_outside_the_known_set_are_rejected() {
    assert_eq!(
        errs(json!({"reasoning_effort": "extreme"})),
        one("invalid_value", "session.reasoning_effort")
    );
    assert_eq!(
        errs(json!({"input_audio_noise_reduction": {"type": "magic"}})),
        one("invalid_value", "session.input_audio_noise_reduction.type")
    );
    assert_eq!(
        errs(json!({"output_audio_timestamp_types": ["word", "sentence"]})),
        one("invalid_value", "session.output_audio_timestamp_types[1]")
    );
    assert_eq!(
        errs(json!({"turn_detection": {"type": "semantic_vad", "eagerness": "sleepy"}})),
        one("invalid_value", "session.turn_detection.eagerness")
    );
    assert_eq!(
        errs(json!({"animation": {"outputs": ["mesh"]}})),
        one("invalid_value", "session.animation.outputs[0]")
    );
    assert!(errs(json!({"reasoning_effort": "xhigh", "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"}})).is_empty());
}

#[test]
fn avatar_rules() {
    let video = |v: serde_json::Value| json!({"avatar": {"character": "lisa", "video": v}});
    assert!(errs(video(json!({"codec": "h264", "gop_size": 10, "resolution": {"width": 1920, "height": 1080}, "background": {"color": "#00FF00FF"}}))).is_empty());
    assert_eq!(
        errs(video(json!({"codec": "vp8"}))),
        one("invalid_value", "session.avatar.video.codec")
    );
    assert_eq!(
        errs(video(json!({"gop_size": 0}))),
        one("invalid_value", "session.avatar.video.gop_size")
    );
    assert_eq!(
        errs(video(json!({"gop_size": 2001}))),
        one("invalid_value", "session.avatar.video.gop_size")
    );
    assert_eq!(
        errs(video(json!({"resolution": {"width": 0, "height": 10}}))),
        one("invalid_value", "session.avatar.video.resolution")
    );
    assert_eq!(
        errs(video(json!({"background": {"color": "#fff"}}))),
        one("invalid_value", "session.avatar.video.background.color")
    );
    assert_eq!(
        errs(video(
            json!({"background": {"color": "#00FF00FF", "image_url": "https://x"}})
        )),
        one("invalid_value", "session.avatar.video.background")
    );
    assert_eq!(
        errs(json!({"avatar": {"character": ""}})),
        one("invalid_value", "session.avatar.character")
    );
    assert_eq!(
        errs(json!({"avatar": {"character": "c", "ice_servers": [{"urls": []}]}})),
        one("invalid_value", "session.avatar.ice_servers[0].urls")
    );
}

#[test]
fn interim_response_rules() {
    assert_eq!(
        errs(
            json!({"interim_response": {"type": "llm_interim_response", "max_completion_tokens": 0}})
        ),
        one(
            "invalid_value",
            "session.interim_response.max_completion_tokens"
        )
    );
    assert_eq!(
        errs(json!({"interim_response": {"type": "static_interim_response", "texts": []}})),
        one("invalid_value", "session.interim_response.texts")
    );
}

#[test]
fn client_event_rules() {
    assert_eq!(
        event_errs(r#"{"type":"input_audio_buffer.append","audio":""}"#),
        one("invalid_value", "audio")
    );
    assert!(event_errs(r#"{"type":"input_audio_buffer.append","audio":"AAAA"}"#).is_empty());
    let long_id = "e".repeat(513);
    assert_eq!(
        event_errs(&format!(
            r#"{{"type":"input_audio_buffer.commit","event_id":"{long_id}"}}"#
        )),
        one("invalid_value", "event_id")
    );
    assert_eq!(
        event_errs(
            r#"{"type":"conversation.item.truncate","item_id":"i","content_index":1,"audio_end_ms":0}"#
        ),
        one("invalid_value", "content_index")
    );
    assert!(event_errs(r#"{"type":"conversation.item.truncate","item_id":"i","content_index":0,"audio_end_ms":0}"#).is_empty());
    assert_eq!(
        event_errs(r#"{"type":"conversation.item.delete","item_id":""}"#),
        one("invalid_value", "item_id")
    );
    assert_eq!(
        event_errs(r#"{"type":"input_text.delta","id":"","delta":"x"}"#),
        one("invalid_value", "id")
    );
    assert_eq!(
        event_errs(r#"{"type":"session.update","session":{"temperature":9.0}}"#),
        one("invalid_value", "session.temperature")
    );
}

#[test]
fn item_create_rules() {
    let create = |item: serde_json::Value| {
        json!({"type": "conversation.item.create", "item": item}).to_string()
    };
    assert!(event_errs(&create(json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}, {"type": "input_audio", "audio": "AAAA"}]}))).is_empty());
    assert_eq!(
        event_errs(&create(
            json!({"type": "message", "role": "assistant", "content": [{"type": "input_audio", "audio": "AAAA"}]})
        )),
        one("invalid_value", "item.content[0].type")
    );
    assert_eq!(
        event_errs(&create(
            json!({"type": "message", "role": "system", "content": [{"type": "input_text", "text": "a"}, {"type": "text", "text": "b"}]})
        )),
        one("invalid_value", "item.content[1].type")
    );
    assert_eq!(
        event_errs(&create(
            json!({"type": "function_call_output", "call_id": "", "output": ""})
        )),
        one("invalid_value", "item.call_id")
    );
    assert!(
        event_errs(&create(
            json!({"type": "function_call_output", "call_id": "c", "output": ""})
        ))
        .is_empty()
    );
    let typed: ConversationItemCreate = serde_json::from_str(&create(
        json!({"type": "message", "role": "user", "content": []}),
    ))
    .unwrap();
    assert!(validate_client_event(&ClientEvent::from(typed)).is_ok());
}

#[test]
fn response_create_rules() {
    let check = |response: serde_json::Value| {
        let create: ResponseCreate =
            serde_json::from_value(json!({"event_id": "evt_9", "response": response})).unwrap();
        match validate_response_create(&create) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .into_iter()
                .map(|e| {
                    assert_eq!(e.event_id.as_deref(), Some("evt_9"));
                    (e.code.unwrap(), e.param.unwrap())
                })
                .collect(),
        }
    };
    assert!(check(json!({"temperature": 0.8, "max_output_tokens": "inf"})).is_empty());
    assert_eq!(
        check(json!({"temperature": 2.0})),
        one("invalid_value", "response.temperature")
    );
    assert_eq!(
        check(json!({"max_output_tokens": 5000})),
        one("invalid_value", "response.max_output_tokens")
    );
    assert_eq!(
        check(json!({"modalities": ["audio"]})),
        one("invalid_value", "response.modalities")
    );
    assert_eq!(
        check(json!({"conversation": "sometimes"})),
        one("invalid_value", "response.conversation")
    );
    assert_eq!(
        check(
            json!({"pre_generated_assistant_message": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "x"}]}})
        ),
        one("invalid_value", "response.pre_generated_assistant_message")
    );
    assert!(check(json!({"pre_generated_assistant_message": {"type": "message", "role": "assistant", "content": [{"type": "text", "text": "Hi"}]}})).is_empty());
    assert_eq!(
        check(
            json!({"input_items": [{"type": "message", "role": "assistant", "content": [{"type": "input_text", "text": "x"}]}]})
        ),
        one("invalid_value", "response.input_items[0].content[0].type")
    );
}

#[test]
fn errors_carry_the_client_event_id() {
    let event = decode_client_event(
        r#"{"type":"session.update","event_id":"evt_42","session":{"temperature":0.1}}"#,
    )
    .unwrap();
    let errors = validate_client_event(&event).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].event_id.as_deref(), Some("evt_42"));
}

#[test]
fn several_errors_are_all_reported() {
    let found =
        errs(json!({"temperature": 3.0, "modalities": ["audio"], "max_response_output_tokens": 0}));
    assert_eq!(found.len(), 3, "{found:?}");
}

#[test]
fn rules_that_depend_on_the_current_session() {
    let current = ResponseSession {
        model: Some("gpt-realtime".into()),
        ..ResponseSession::default()
    };
    let check = |patch: serde_json::Value, audio_produced: bool| -> Vec<String> {
        match validate_session_update_against(&current, &session(patch), audio_produced) {
            Ok(()) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| e.param.unwrap()).collect(),
        }
    };
    assert!(check(json!({"model": "gpt-realtime", "input_audio_format": "pcm16", "input_audio_sampling_rate": 24000}), true).is_empty());
    assert_eq!(check(json!({"model": "gpt-4o"}), false), ["session.model"]);
    assert_eq!(
        check(json!({"input_audio_format": "g711_ulaw"}), false),
        ["session.input_audio_format"]
    );
    assert_eq!(
        check(json!({"input_audio_sampling_rate": 16000}), false),
        ["session.input_audio_sampling_rate"]
    );
    assert_eq!(
        check(
            json!({"input_audio_echo_cancellation": {"reference_source": "client", "channels": 2}}),
            false
        ),
        ["session.input_audio_echo_cancellation.channels"]
    );
    assert!(check(json!({"voice": "echo"}), false).is_empty());
    assert_eq!(check(json!({"voice": "echo"}), true), ["session.voice"]);
}
