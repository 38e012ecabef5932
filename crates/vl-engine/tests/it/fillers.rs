//! Issue #7: `remove_filler_words` (Azure semantic VADs). Fillers and backchannels said while
//! the assistant speaks neither interrupt it nor start a response; real words barge in; with
//! the flag off speech interrupts at `speech_started` as before. The scripted recogniser's
//! transcripts are replaced by the text under test ([`Harness::asr_text`]).

use serde_json::{Value, json};
use vl_engine::SessionConfig;

use crate::harness::{Harness, asterisk, collapsed, of_type, one, silence, speech};

fn harness(td: Value, streaming: bool) -> Harness {
    let mut config = SessionConfig::new("gpt-4o");
    config.streaming_transcription = streaming;
    let mut h = Harness::with_config(config);
    h.send(json!({"type": "session.update", "session": {
        "input_audio_sampling_rate": 8000, "turn_detection": td}}));
    h.take();
    h
}

/// A recorded utterance (8 kHz) with silence around it, long enough to end the turn.
fn utterance() -> Vec<i16> {
    let mut audio = silence(8000, 200);
    audio.extend(asterisk("hello-world.wav"));
    audio.extend(silence(8000, 1500));
    audio
}

/// The user says `said` (per the recogniser) while a response is active (its remaining
/// outputs held). Returns the harness and the events of the turn.
fn during_response(td: Value, streaming: bool, said: &str) -> (Harness, Vec<Value>) {
    let mut h = harness(td, streaming);
    h.reply_in_progress("tell me about the weather today please, and what time is it");
    assert!(h.session.has_active_response());
    // The reply's remaining outputs stay held; the recogniser's answers flow.
    h.hold = false;
    h.asr_text = Some(said.to_owned());
    h.append_pcm(&utterance(), 8000, 20);
    let events = h.take();
    (h, events)
}

fn semantic(remove_filler_words: bool) -> Value {
    json!({"type": "azure_semantic_vad", "remove_filler_words": remove_filler_words})
}

fn cancel_reasons(events: &[Value]) -> Vec<String> {
    of_type(events, "response.done")
        .iter()
        .filter(|d| d["response"]["status"] == "cancelled")
        .map(|d| {
            d["response"]["status_details"]["reason"]
                .as_str()
                .unwrap_or("?")
                .to_owned()
        })
        .collect()
}

/// Backchannels and fillers during a response: the turn is announced and committed (its item
/// keeps the transcript) but the response plays on and no new response follows.
#[test]
fn backchannel_during_a_response_does_not_interrupt() {
    for streaming in [false, true] {
        for said in ["mm-hm", "uh-huh", "um", "ajá", "euh", "ähm"] {
            let (mut h, events) = during_response(semantic(true), streaming, said);
            let c = collapsed(&events);
            one(&events, "input_audio_buffer.speech_started");
            one(&events, "input_audio_buffer.speech_stopped");
            one(&events, "input_audio_buffer.committed");
            let done = one(
                &events,
                "conversation.item.input_audio_transcription.completed",
            );
            assert_eq!(done["transcript"], said);
            assert!(
                of_type(&events, "response.done").is_empty(),
                "{said} (streaming {streaming}): {c:?}"
            );
            assert!(h.session.has_active_response(), "{said}");
            // The reply finishes normally; nothing answers the backchannel.
            h.release_all();
            let after = h.take();
            assert_eq!(
                one(&after, "response.done")["response"]["status"],
                "completed",
                "{said}"
            );
            assert!(
                of_type(&after, "response.created").is_empty(),
                "{said}: {:?}",
                collapsed(&after)
            );
        }
    }
}

/// Real words during a response barge in: without streaming at the final transcript, with
/// streaming at the first partial (before `speech_stopped`); a new response answers them.
#[test]
fn real_words_during_a_response_barge_in() {
    for streaming in [false, true] {
        let (mut h, events) = during_response(semantic(true), streaming, "wait, stop");
        let c = collapsed(&events);
        assert_eq!(cancel_reasons(&events), ["turn_detected"], "{c:?}");
        let pos = |t: &str| c.iter().position(|x| x == t).unwrap();
        if streaming {
            assert!(
                pos("response.done") < pos("input_audio_buffer.speech_stopped"),
                "{c:?}"
            );
        } else {
            assert!(
                pos("conversation.item.input_audio_transcription.completed") < pos("response.done"),
                "{c:?}"
            );
        }
        let created = of_type(&events, "response.created");
        assert_eq!(created.len(), 1, "{c:?}");
        h.release_all();
        let done = of_type(&h.events, "response.done");
        assert_eq!(done.last().unwrap()["response"]["status"], "completed");
    }
}

/// With the flag off (and for server_vad) speech interrupts at `speech_started`, whatever it
/// turns out to say: the old behaviour.
#[test]
fn without_the_flag_backchannels_interrupt() {
    for td in [semantic(false), json!({"type": "server_vad"})] {
        let (_, events) = during_response(td.clone(), false, "mm-hm");
        let c = collapsed(&events);
        assert_eq!(cancel_reasons(&events), ["turn_detected"], "{td}: {c:?}");
        assert_eq!(c[0], "input_audio_buffer.speech_started", "{c:?}");
        assert_eq!(c[1], "response.audio.done", "{td}: {c:?}");
        // The backchannel is answered.
        assert_eq!(of_type(&events, "response.created").len(), 1, "{c:?}");
    }
}

/// Fillers alone never start a response, also with nothing playing; a real turn does.
#[test]
fn fillers_alone_do_not_start_a_response() {
    for (said, flag, responds) in [
        ("um", true, false),
        ("uh, ehm", true, false),
        ("what time is it?", true, true),
        ("um", false, true),
    ] {
        let mut h = harness(semantic(flag), false);
        h.asr_text = Some(said.to_owned());
        h.append_pcm(&utterance(), 8000, 20);
        let events = h.take();
        one(&events, "input_audio_buffer.committed");
        assert_eq!(
            of_type(&events, "response.created").len(),
            usize::from(responds),
            "{said} (flag {flag}): {:?}",
            collapsed(&events)
        );
    }
}

/// `auto_truncate` with `remove_filler_words`: a backchannel over the (still playing) reply
/// truncates nothing; real words truncate it.
#[test]
fn auto_truncate_waits_for_real_words() {
    for (said, truncates) in [("mm-hm", false), ("wait, stop", true)] {
        let mut h = harness(
            json!({"type": "azure_semantic_vad", "remove_filler_words": true,
                "auto_truncate": true}),
            false,
        );
        h.user_text("tell me a story.");
        h.send(json!({"type": "response.create"}));
        let reply = h.take();
        assert_eq!(
            one(&reply, "response.done")["response"]["status"],
            "completed"
        );
        // The reply is about 2.5 s long; the user talks over it after ~0.2 s of playback.
        h.asr_text = Some(said.to_owned());
        let audio = speech("wait", 8000, 0, 1500);
        h.append_pcm(&audio, 8000, 20);
        let events = h.take();
        assert_eq!(
            of_type(&events, "conversation.item.truncated").len(),
            usize::from(truncates),
            "{said}: {:?}",
            collapsed(&events)
        );
        // A backchannel over the playing reply is not answered either.
        assert_eq!(
            of_type(&events, "response.created").len(),
            usize::from(truncates),
            "{said}: {:?}",
            collapsed(&events)
        );
    }
}
