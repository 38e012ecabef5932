//! Streaming recognition of VAD turns (`SessionConfig::streaming_transcription`, issue #6):
//! the request sequence, the audio it carries, partial deltas during speech and the fallbacks.

use std::time::Duration;

use serde_json::{Value, json};
use vl_engine::backend::{BackendError, BackendOutput, BackendRequest, RequestId};
use vl_engine::{Limits, SessionConfig};

use crate::harness::{Harness, asterisk, collapsed, of_type, one, silence, types};

fn streaming_harness(streaming: bool) -> Harness {
    let mut config = SessionConfig::new("gpt-4o");
    config.streaming_transcription = streaming;
    let mut h = Harness::with_config(config);
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    h
}

/// Two recorded prompts with a short pause (one turn) around silence, 8 kHz.
fn utterance() -> Vec<i16> {
    let mut audio = silence(8000, 400);
    audio.extend(asterisk("hello-world.wav"));
    audio.extend(silence(8000, 200));
    audio.extend(asterisk("vm-goodbye.wav"));
    audio.extend(silence(8000, 1500));
    audio
}

fn index_of(events: &[Value], t: &str) -> usize {
    events
        .iter()
        .position(|e| e["type"] == t)
        .unwrap_or_else(|| panic!("no {t} in {:?}", types(events)))
}

/// The audio of every streaming request, concatenated, and the request kinds in order.
fn streamed(requests: &[BackendRequest]) -> (Vec<i16>, Vec<&'static str>) {
    let mut audio = Vec::new();
    let mut kinds = Vec::new();
    for r in requests {
        match r {
            BackendRequest::TranscribeStart(s) => {
                assert_eq!(s.sample_rate_hz, 16_000);
                kinds.push("start");
            }
            BackendRequest::TranscribeAudio { samples, .. } => {
                assert!(!samples.is_empty());
                // The first chunk is the audio before speech_started (prefix padding and the
                // minimum speech); then about STREAM_CHUNK_MS per chunk.
                if kinds.last() == Some(&"audio") {
                    assert!(samples.len() <= 1600 + 160, "{}", samples.len());
                }
                audio.extend_from_slice(samples);
                if kinds.last() != Some(&"audio") {
                    kinds.push("audio");
                }
            }
            BackendRequest::TranscribeCommit { .. } => kinds.push("commit"),
            BackendRequest::Transcribe(_) => kinds.push("oneshot"),
            BackendRequest::Cancel { .. } => kinds.push("cancel"),
            _ => {}
        }
    }
    (audio, kinds)
}

#[test]
fn streamed_turn_matches_the_one_shot_turn() {
    let audio = utterance();
    let mut oneshot = streaming_harness(false);
    oneshot.append_pcm(&audio, 8000, 20);
    let mut stream = streaming_harness(true);
    stream.append_pcm(&audio, 8000, 20);

    let one_shot_audio: Vec<i16> = oneshot
        .requests
        .iter()
        .find_map(|r| match r {
            BackendRequest::Transcribe(t) => Some(t.audio.clone()),
            _ => None,
        })
        .expect("one-shot Transcribe");
    let (streamed_audio, kinds) = streamed(&stream.requests);
    assert_eq!(kinds, ["start", "audio", "commit"], "{kinds:?}");
    assert!(
        !stream
            .requests
            .iter()
            .any(|r| matches!(r, BackendRequest::Transcribe(_)))
    );
    // The chunks are exactly the committed audio (prefix padding included, post-DSP, 16 kHz).
    assert_eq!(streamed_audio.len(), one_shot_audio.len());
    assert!(streamed_audio == one_shot_audio, "streamed audio differs");
    assert_eq!(stream.backend.open_streams(), 0);

    let ev_one = oneshot.take();
    let ev = stream.take();
    let done_one = one(
        &ev_one,
        "conversation.item.input_audio_transcription.completed",
    );
    let done = one(&ev, "conversation.item.input_audio_transcription.completed");
    assert_eq!(done["transcript"], done_one["transcript"]);
    let transcript = done["transcript"].as_str().unwrap();
    assert!(transcript.split(' ').count() >= 2, "{transcript}");

    // Partials arrive during speech: at least one delta before speech_stopped, for the item
    // announced in speech_started; the deltas concatenate to the final transcript.
    let started = one(&ev, "input_audio_buffer.speech_started");
    let item = started["item_id"].as_str().unwrap();
    let deltas = of_type(&ev, "conversation.item.input_audio_transcription.delta");
    assert!(deltas.iter().all(|d| d["item_id"] == item));
    let joined: String = deltas
        .iter()
        .map(|d| d["delta"].as_str().unwrap())
        .collect();
    assert_eq!(joined, transcript);
    let first_delta = index_of(&ev, "conversation.item.input_audio_transcription.delta");
    assert!(
        first_delta < index_of(&ev, "input_audio_buffer.speech_stopped"),
        "{:?}",
        collapsed(&ev)
    );
    // `completed` still follows committed and the user item, and precedes the response.
    let completed = index_of(&ev, "conversation.item.input_audio_transcription.completed");
    assert!(index_of(&ev, "input_audio_buffer.committed") < completed);
    assert!(index_of(&ev, "conversation.item.created") < completed);
    assert!(completed < index_of(&ev, "response.created"));
    let reply = one(&ev, "response.audio_transcript.done")["transcript"].clone();
    assert_eq!(reply, format!("You said: {transcript}"));
    // The user item, created at the commit, is the one the deltas named.
    let user = of_type(&ev, "conversation.item.created")[0];
    assert_eq!(user["item"]["role"], "user");
    assert_eq!(user["item"]["id"], item);
}

#[test]
fn clear_mid_speech_cancels_the_stream() {
    let mut h = streaming_harness(true);
    let speech = asterisk("hello-world.wav");
    let mut audio = silence(8000, 300);
    audio.extend(&speech[..speech.len() * 2 / 3]);
    h.append_pcm(&audio, 8000, 20);
    let start = h
        .requests
        .iter()
        .find_map(|r| match r {
            BackendRequest::TranscribeStart(s) => Some(s.id),
            _ => None,
        })
        .expect("TranscribeStart at speech_started");
    assert_eq!(h.backend.open_streams(), 1);
    h.take();
    h.send(json!({"type": "input_audio_buffer.clear"}));
    assert_eq!(types(&h.take()), ["input_audio_buffer.cleared"]);
    assert!(matches!(h.requests.last(), Some(BackendRequest::Cancel { id }) if *id == start));
    assert_eq!(h.backend.open_streams(), 0);
    h.append_pcm(&silence(8000, 1500), 8000, 20);
    assert!(h.take().is_empty());
    assert!(
        !h.requests
            .iter()
            .any(|r| matches!(r, BackendRequest::TranscribeCommit { .. }))
    );
}

#[test]
fn manual_commit_during_a_streamed_turn_commits_the_stream() {
    let mut h = streaming_harness(true);
    let mut audio = silence(8000, 300);
    audio.extend(asterisk("hello-world.wav"));
    audio.extend(silence(8000, 100));
    h.append_pcm(&audio, 8000, 20);
    h.take();
    h.send(json!({"type": "input_audio_buffer.commit"}));
    let ev = h.take();
    let (audio16, kinds) = streamed(&h.requests);
    assert_eq!(kinds, ["start", "audio", "commit"], "{kinds:?}");
    let committed = one(&ev, "input_audio_buffer.committed");
    let created = one(&ev, "conversation.item.created");
    assert_eq!(created["item"]["id"], committed["item_id"]);
    let done = one(&ev, "conversation.item.input_audio_transcription.completed");
    assert_eq!(done["item_id"], committed["item_id"]);
    assert!(!done["transcript"].as_str().unwrap().is_empty());
    // A manual commit does not respond.
    assert!(of_type(&ev, "response.created").is_empty());
    // Whole 10 ms frames from the turn start (with prefix padding) to the commit.
    assert_eq!(audio16.len() % 160, 0);
    assert!(audio16.len() > 16 * 1000, "{}", audio16.len());
}

#[test]
fn stream_failure_before_the_commit_falls_back_to_one_shot() {
    let mut h = streaming_harness(true);
    let audio = utterance();
    let split = 8000 * 900 / 1000;
    h.append_pcm(&audio[..split], 8000, 20);
    let start = h
        .requests
        .iter()
        .find_map(|r| match r {
            BackendRequest::TranscribeStart(s) => Some(s.id),
            _ => None,
        })
        .expect("stream started");
    h.session.handle_backend_output(
        h.now,
        BackendOutput::Failed {
            request: start,
            error: BackendError {
                code: "backend_error".into(),
                message: "recogniser gone".into(),
            },
        },
    );
    h.drive();
    h.append_pcm(&audio[split..], 8000, 20);
    let ev = h.take();
    assert!(
        of_type(&ev, "conversation.item.input_audio_transcription.failed").is_empty(),
        "{:?}",
        types(&ev)
    );
    let (_, kinds) = streamed(&h.requests);
    assert_eq!(kinds.last(), Some(&"oneshot"), "{kinds:?}");
    assert!(!kinds.contains(&"commit"), "{kinds:?}");
    let done = one(&ev, "conversation.item.input_audio_transcription.completed");
    assert!(!done["transcript"].as_str().unwrap().is_empty());
    assert_eq!(of_type(&ev, "response.done").len(), 1);
}

#[test]
fn the_answer_deadline_runs_from_the_commit() {
    let mut limits = Limits::default();
    limits.backend_first_output_timeout = Duration::from_secs(2);
    let mut config = SessionConfig::new("gpt-4o");
    config.limits = limits;
    config.streaming_transcription = true;
    let mut h = Harness::with_config(config);
    h.send(json!({"type": "session.update", "session": {"input_audio_sampling_rate": 8000}}));
    h.take();
    h.hold = true;
    // A long turn: 3 s of speech, longer than the deadline; no timeout while it goes on.
    let mut audio = silence(8000, 300);
    for _ in 0..3 {
        audio.extend(asterisk("hello-world.wav"));
        audio.extend(silence(8000, 150));
    }
    h.append_pcm(&audio, 8000, 20);
    let ev = h.take();
    assert!(of_type(&ev, "conversation.item.input_audio_transcription.failed").is_empty());
    assert!(
        of_type(&ev, "input_audio_buffer.committed").is_empty(),
        "{:?}",
        types(&ev)
    );
    h.append_pcm(&silence(8000, 700), 8000, 20);
    assert_eq!(of_type(&h.take(), "input_audio_buffer.committed").len(), 1);
    h.held.clear();
    h.advance(Duration::from_millis(2100));
    let ev = h.take();
    let failed = one(&ev, "conversation.item.input_audio_transcription.failed");
    assert_eq!(failed["error"]["code"], "backend_timeout", "{failed}");
    let cancelled: Vec<RequestId> = h
        .requests
        .iter()
        .filter_map(|r| match r {
            BackendRequest::Cancel { id } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(cancelled.len(), 1);
}

/// Issue #7: `speech_duration_assistant_speaking_ms` (azure_semantic_vad) is the minimum speech
/// that barges in while the assistant speaks: a 1.2 s utterance interrupts with the default and
/// not with 5 s; both with streaming recognition feeding the semantic end of turn.
#[test]
fn barge_in_needs_the_assistant_speaking_minimum() {
    let run = |td: Value| {
        let mut h = streaming_harness(true);
        h.send(json!({"type": "session.update", "session": {"turn_detection": td}}));
        h.take();
        h.reply_in_progress("tell me about the weather today please, and what time is it");
        assert!(h.session.has_active_response());
        let mut audio = silence(8000, 200);
        audio.extend(asterisk("hello-world.wav"));
        audio.extend(silence(8000, 1200));
        h.append_pcm(&audio, 8000, 20);
        h.take()
    };
    let default = run(json!({"type": "azure_semantic_vad"}));
    assert_eq!(
        of_type(&default, "input_audio_buffer.speech_started").len(),
        1,
        "{:?}",
        collapsed(&default)
    );
    assert_eq!(
        one(&default, "response.done")["response"]["status_details"]["reason"],
        "turn_detected"
    );
    let long = run(json!({"type": "azure_semantic_vad",
        "speech_duration_assistant_speaking_ms": 5000}));
    assert!(
        of_type(&long, "input_audio_buffer.speech_started").is_empty(),
        "{:?}",
        collapsed(&long)
    );
    assert!(of_type(&long, "response.done").is_empty());
}

/// Semantic VAD turns with streaming recognition: the turn ends, is committed with its partials
/// and answered (the partial transcript reaches the end-of-turn detector without breaking it).
#[test]
fn semantic_vad_turn_with_streaming_partials() {
    for td in [
        json!({"type": "azure_semantic_vad"}),
        json!({"type": "azure_semantic_vad_multilingual",
            "end_of_utterance_detection": {"threshold_level": "high", "timeout_ms": 500}}),
        json!({"type": "semantic_vad", "eagerness": "high"}),
    ] {
        let mut h = streaming_harness(true);
        h.send(json!({"type": "session.update", "session": {"turn_detection": td}}));
        h.take();
        h.append_pcm(&utterance(), 8000, 20);
        h.append_pcm(&silence(8000, 3000), 8000, 20);
        let ev = h.take();
        assert_eq!(
            of_type(&ev, "input_audio_buffer.committed").len(),
            1,
            "{:?}",
            collapsed(&ev)
        );
        let done = one(&ev, "conversation.item.input_audio_transcription.completed");
        assert!(!done["transcript"].as_str().unwrap().is_empty());
        assert_eq!(of_type(&ev, "response.done").len(), 1);
    }
}
