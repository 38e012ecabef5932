//! `session.update` merge semantics (absent = keep, null = off, value = set) and the defaults.

use serde_json::json;
use vl_schema::audio_format::{InputAudioFormat, Modality, OutputAudioFormat};
use vl_schema::session::{MaxTokens, NoiseReduction, ReferenceSource};
use vl_schema::tool::ToolChoice;
use vl_schema::turn_detection::TurnDetection;
use vl_schema::{RequestSession, ResponseSession};

fn patch(value: serde_json::Value) -> RequestSession {
    serde_json::from_value(value).unwrap()
}

fn applied(value: serde_json::Value) -> ResponseSession {
    let mut s = ResponseSession::default();
    s.apply(&patch(value));
    s
}

#[test]
fn defaults_are_the_documented_ones() {
    let s = ResponseSession::default();
    let Some(TurnDetection::ServerVad(vad)) = &s.turn_detection else {
        panic!("{:?}", s.turn_detection)
    };
    assert_eq!(vad.threshold, Some(0.5));
    assert_eq!(vad.prefix_padding_ms, Some(300));
    assert_eq!(vad.silence_duration_ms, Some(500));
    assert_eq!(vad.create_response, Some(true));
    assert_eq!(vad.interrupt_response, Some(true));
    assert_eq!(s.temperature, 0.8);
    assert_eq!(s.max_response_output_tokens, MaxTokens::Inf);
    assert_eq!(s.input_audio_format, InputAudioFormat::Pcm16);
    assert_eq!(s.input_audio_sampling_rate, 24000);
    assert_eq!(s.output_audio_format, OutputAudioFormat::Pcm16);
    assert_eq!(s.output_audio_format.sample_rate(), 24000);
    assert_eq!(s.modalities, [Modality::Text, Modality::Audio]);
    assert_eq!(s.tool_choice, ToolChoice::Auto);
    assert!(s.parallel_tool_calls);
    assert!(s.input_audio_noise_reduction.is_none());
    assert!(s.input_audio_echo_cancellation.is_none());
    assert!(s.input_audio_transcription.is_none());
    let encoded = serde_json::to_value(&s).unwrap();
    assert_eq!(encoded["max_response_output_tokens"], json!("inf"));
    assert_eq!(encoded["turn_detection"]["type"], json!("server_vad"));
    // Off features are sent as null in the full effective session.
    assert_eq!(encoded["input_audio_transcription"], json!(null));
    assert_eq!(encoded["input_audio_noise_reduction"], json!(null));
}

#[test]
fn absent_fields_are_kept() {
    let mut s = applied(json!({"instructions": "Be brief.", "temperature": 1.0}));
    let before = s.clone();
    s.apply(&patch(json!({})));
    assert_eq!(s, before);
    s.apply(&patch(json!({"voice": "echo"})));
    assert_eq!(s.instructions.as_deref(), Some("Be brief."));
    assert_eq!(s.temperature, 1.0);
}

#[test]
fn null_turns_features_off() {
    let mut s = applied(json!({
        "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
        "input_audio_transcription": {"model": "azure-speech"},
        "avatar": {"character": "lisa"},
        "interim_response": {"type": "static_interim_response", "texts": ["Hmm"]},
        "animation": {"outputs": ["viseme_id"]},
    }));
    assert!(s.turn_detection.is_some());
    assert!(s.input_audio_noise_reduction.is_some());
    assert!(s.avatar.is_some());
    s.apply(&patch(json!({
        "turn_detection": null,
        "input_audio_noise_reduction": null,
        "input_audio_echo_cancellation": null,
        "input_audio_transcription": null,
        "avatar": null,
        "interim_response": null,
        "animation": null,
    })));
    assert_eq!(s.turn_detection, None);
    assert_eq!(s.input_audio_noise_reduction, None);
    assert_eq!(s.input_audio_echo_cancellation, None);
    assert_eq!(s.input_audio_transcription, None);
    assert_eq!(s.avatar, None);
    assert_eq!(s.interim_response, None);
    assert_eq!(s.animation, None);
}

#[test]
fn values_are_set() {
    let s = applied(json!({
        "input_audio_noise_reduction": {"type": "near_field"},
        "modalities": ["text"],
        "tool_choice": "none",
        "max_response_output_tokens": 100,
        "tools": [{"type": "function", "name": "f"}],
    }));
    assert_eq!(
        s.input_audio_noise_reduction,
        Some(NoiseReduction {
            kind: "near_field".into()
        })
    );
    assert_eq!(s.modalities, [Modality::Text]);
    assert_eq!(s.tool_choice, ToolChoice::None);
    assert_eq!(s.max_response_output_tokens, MaxTokens::Limit(100));
    assert_eq!(s.tools.len(), 1);
    // Lists are replaced, not merged.
    let mut s = s;
    s.apply(&patch(json!({"tools": []})));
    assert!(s.tools.is_empty());
}

#[test]
fn empty_instructions_clear() {
    let mut s = applied(json!({"instructions": "Talk like a pirate."}));
    s.apply(&patch(json!({"instructions": ""})));
    assert_eq!(s.instructions.as_deref(), Some(""));
}

#[test]
fn new_turn_detection_gets_defaults_for_unset_parameters() {
    let s = applied(json!({"turn_detection": {"type": "server_vad", "threshold": 0.7}}));
    let Some(TurnDetection::ServerVad(vad)) = s.turn_detection else {
        panic!()
    };
    assert_eq!(vad.threshold, Some(0.7));
    assert_eq!(vad.prefix_padding_ms, Some(300));
    assert_eq!(vad.silence_duration_ms, Some(500));
    assert_eq!(vad.create_response, Some(true));
    assert_eq!(vad.interrupt_response, Some(true));

    let s = applied(
        json!({"turn_detection": {"type": "azure_semantic_vad", "create_response": false}}),
    );
    let Some(TurnDetection::AzureSemanticVad(vad)) = &s.turn_detection else {
        panic!()
    };
    assert_eq!(vad.prefix_padding_ms, Some(420));
    assert_eq!(vad.speech_duration_ms, Some(80));
    assert_eq!(vad.remove_filler_words, Some(false));
    assert_eq!(vad.create_response, Some(false));
    assert!(!s.turn_detection.as_ref().unwrap().create_response());

    let s = applied(json!({"turn_detection": {"type": "none"}}));
    assert!(matches!(s.turn_detection, Some(TurnDetection::None(_))));
    assert!(!s.turn_detection.unwrap().create_response());
}

#[test]
fn g711_forces_8000_hz_and_pcm16_restores_24000() {
    let mut s = applied(json!({"input_audio_format": "g711_ulaw"}));
    assert_eq!(s.input_audio_sampling_rate, 8000);
    s.apply(&patch(json!({"input_audio_format": "pcm16"})));
    assert_eq!(s.input_audio_sampling_rate, 24000);
    s.apply(&patch(json!({"input_audio_sampling_rate": 16000})));
    assert_eq!(s.input_audio_sampling_rate, 16000);
    s.apply(&patch(
        json!({"input_audio_format": "pcm16", "input_audio_sampling_rate": 44100}),
    ));
    assert_eq!(s.input_audio_sampling_rate, 44100);
}

#[test]
fn echo_cancellation_defaults_are_filled() {
    let s = applied(json!({"input_audio_echo_cancellation": {"type": "server_echo_cancellation"}}));
    let ec = s.input_audio_echo_cancellation.unwrap();
    assert_eq!(ec.reference_source, Some(ReferenceSource::Server));
    assert_eq!(ec.channels, Some(1));
}

#[test]
fn patch_serialization_distinguishes_absent_null_and_value() {
    let p = patch(json!({"turn_detection": null}));
    assert_eq!(p.turn_detection, Some(None));
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"turn_detection": null})
    );
    let p = patch(json!({}));
    assert_eq!(p.turn_detection, None);
    assert_eq!(serde_json::to_value(&p).unwrap(), json!({}));
    let p = patch(json!({"turn_detection": {"type": "semantic_vad"}}));
    assert!(matches!(
        p.turn_detection,
        Some(Some(TurnDetection::SemanticVad(_)))
    ));
    assert_eq!(
        serde_json::to_value(&p).unwrap(),
        json!({"turn_detection": {"type": "semantic_vad"}})
    );
    // Non-nullable fields: null means absent.
    let p = patch(json!({"instructions": null, "temperature": null}));
    assert_eq!(p, RequestSession::default());
}

#[test]
fn response_session_decodes_missing_fields_as_defaults() {
    let s: ResponseSession = serde_json::from_value(json!({"id": "sess_1"})).unwrap();
    assert_eq!(s.id, "sess_1");
    assert_eq!(s.temperature, 0.8);
    assert!(s.turn_detection.is_some());
    let s: ResponseSession = serde_json::from_value(json!({"turn_detection": null})).unwrap();
    assert!(s.turn_detection.is_none());
}

#[test]
fn effective_avatar_states_customized() {
    let s = applied(json!({"avatar": {"character": "lisa"}}));
    assert_eq!(s.avatar.unwrap().customized, Some(false));
    let s = applied(json!({"avatar": {"character": "lisa", "customized": true}}));
    assert_eq!(s.avatar.unwrap().customized, Some(true));
}
