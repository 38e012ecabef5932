//! session.update merge semantics: the echo is always the full effective session.

use serde_json::json;

use crate::harness::*;

#[test]
fn merge_semantics() {
    let mut h = Harness::new();
    let created = h.take()[0]["session"].clone();
    h.send(json!({"type": "session.update", "session": {"instructions": "A", "temperature": 0.9}}));
    let s1 = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(s1["instructions"], "A");
    assert_eq!(s1["temperature"], 0.9);
    assert_eq!(s1["voice"], created["voice"]);
    // Only present fields change.
    h.send(json!({"type": "session.update", "session": {"voice": "coral"}}));
    let s2 = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(s2["instructions"], "A");
    assert_eq!(s2["temperature"], 0.9);
    assert_eq!(s2["voice"], "coral");
    assert_eq!(s2["turn_detection"], created["turn_detection"]);
    // null turns features off; "" clears instructions.
    h.send(
        json!({"type": "session.update", "session": {"turn_detection": null, "instructions": ""}}),
    );
    let s3 = one(&h.take(), "session.updated")["session"].clone();
    assert!(s3["turn_detection"].is_null());
    assert_eq!(s3["instructions"], "");
    // A partial detector gets its defaults filled in.
    h.send(json!({"type": "session.update", "session": {"turn_detection": {"type": "server_vad", "threshold": 0.7}}}));
    let s4 = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(s4["turn_detection"]["threshold"], 0.7);
    assert_eq!(s4["turn_detection"]["silence_duration_ms"], 500);
    assert_eq!(s4["turn_detection"]["create_response"], true);
    // Semantic VADs are accepted and echoed.
    for kind in [
        "azure_semantic_vad",
        "azure_semantic_vad_multilingual",
        "semantic_vad",
    ] {
        h.send(json!({"type": "session.update", "session": {"turn_detection": {"type": kind}}}));
        let s = one(&h.take(), "session.updated")["session"].clone();
        assert_eq!(s["turn_detection"]["type"], kind);
    }
    // EC / NS configs are accepted and echoed (applied by the vl-dsp issue).
    h.send(json!({"type": "session.update", "session": {
        "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"},
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"}}}));
    let s5 = one(&h.take(), "session.updated")["session"].clone();
    assert_eq!(
        s5["input_audio_noise_reduction"]["type"],
        "azure_deep_noise_suppression"
    );
    assert_eq!(
        s5["input_audio_echo_cancellation"]["reference_source"],
        "server"
    );
    assert_eq!(s5["input_audio_echo_cancellation"]["channels"], 1);
    h.send(json!({"type": "session.update", "session": {"input_audio_noise_reduction": null}}));
    let s6 = one(&h.take(), "session.updated")["session"].clone();
    assert!(s6["input_audio_noise_reduction"].is_null());
    assert_eq!(
        s6["input_audio_echo_cancellation"],
        s5["input_audio_echo_cancellation"]
    );
    assert_eq!(s6["id"], created["id"]);
}

#[test]
fn sampling_rates_and_formats_are_echoed() {
    for rate in [8000, 16000, 24000, 44100, 48000] {
        let mut h = Harness::new();
        h.take();
        h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": rate}}));
        let s = one(&h.take(), "session.updated")["session"].clone();
        assert_eq!(s["input_audio_sampling_rate"], rate);
    }
    for format in ["g711_ulaw", "g711_alaw"] {
        let mut h = Harness::new();
        h.take();
        h.send(json!({"type": "session.update", "session": {"input_audio_format": format}}));
        let s = one(&h.take(), "session.updated")["session"].clone();
        assert_eq!(s["input_audio_format"], format);
        assert_eq!(s["input_audio_sampling_rate"], 8000);
    }
}

#[test]
fn session_instructions_and_response_overrides() {
    let mut h = Harness::new();
    h.take();
    h.user_text("hi");
    h.send(
        json!({"type": "response.create", "additional_instructions": "Speak slowly.",
        "response": {"modalities": ["text"], "instructions": "Be terse.", "temperature": 1.0,
                     "metadata": {"k": "v"}}}),
    );
    let e = h.take();
    let done = &one(&e, "response.done")["response"];
    assert_eq!(done["modalities"], json!(["text"]));
    assert_eq!(done["temperature"], 1.0);
    assert_eq!(done["metadata"]["k"], "v");
    let generate = h
        .requests
        .iter()
        .find_map(|r| match r {
            vl_engine::BackendRequest::Generate(g) => Some(g.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(generate.instructions, "Be terse.\nSpeak slowly.");
    assert_eq!(generate.temperature, 1.0);
    // Out-of-band response: not added to the conversation.
    let before = h.session.item_count();
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"], "conversation": "none"}}));
    let e = h.take();
    assert!(of_type(&e, "conversation.item.created").is_empty());
    assert!(one(&e, "response.done")["response"]["conversation_id"].is_null());
    assert_eq!(h.session.item_count(), before);
    // input_items replace the context.
    h.send(json!({"type": "response.create", "response": {"modalities": ["text"], "input_items": [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "other"}]}]}}));
    let e = h.take();
    assert_eq!(one(&e, "response.text.done")["text"], "You said: other");
    // Pre-generated assistant message: synthesized as is, no LLM.
    let generates = h
        .requests
        .iter()
        .filter(|r| matches!(r, vl_engine::BackendRequest::Generate(_)))
        .count();
    h.send(json!({"type": "response.create", "response": {"pre_generated_assistant_message": {
        "type": "message", "role": "assistant", "content": [{"type": "text", "text": "Welcome back."}]}}}));
    let e = h.take();
    assert_eq!(
        one(&e, "response.audio_transcript.done")["transcript"],
        "Welcome back."
    );
    assert_eq!(
        h.requests
            .iter()
            .filter(|r| matches!(r, vl_engine::BackendRequest::Generate(_)))
            .count(),
        generates
    );
}
