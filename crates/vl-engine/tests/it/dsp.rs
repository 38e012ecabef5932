//! The echo-cancellation and noise-suppression stage interface.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;
use vl_engine::SessionConfig;
use vl_engine::dsp::{EchoCanceller, NoiseSuppressor};

use crate::harness::*;

static RENDERED: AtomicUsize = AtomicUsize::new(0);
static CAPTURED: AtomicUsize = AtomicUsize::new(0);
static SUPPRESSED: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct CountingEc;

impl EchoCanceller for CountingEc {
    fn process_render(&mut self, far_end: &[f32]) {
        RENDERED.fetch_add(far_end.len(), Ordering::SeqCst);
    }
    fn process_capture(&mut self, frame: &mut [f32]) {
        assert_eq!(frame.len(), 160, "10 ms at 16 kHz");
        CAPTURED.fetch_add(frame.len(), Ordering::SeqCst);
    }
}

#[derive(Debug)]
struct Muting;

impl NoiseSuppressor for Muting {
    fn process(&mut self, frame: &mut [f32]) {
        SUPPRESSED.fetch_add(frame.len(), Ordering::SeqCst);
        frame.fill(0.0);
    }
}

#[test]
fn stages_run_in_order_when_enabled() {
    let mut config = SessionConfig::new("gpt-4o");
    config.echo_canceller = || Box::new(CountingEc);
    config.noise_suppressor = || Box::new(Muting);
    let mut h = Harness::with_config(config);
    h.take();
    // Off by default: speech is detected.
    h.append_pcm(&speech("hello there", 24_000, 200, 1200), 24_000, 20);
    assert_eq!(
        of_type(&h.take(), "input_audio_buffer.speech_started").len(),
        1
    );
    assert_eq!(CAPTURED.load(Ordering::SeqCst), 0);
    h.send(json!({"type": "session.update", "session": {
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"},
        "input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"}}}));
    h.take();
    // Our reply is the echo canceller's far end, at 16 kHz.
    h.user_text("hi");
    h.send(json!({"type": "response.create"}));
    h.take();
    let reply_ms = vl_engine::scripted::tts::speech_duration_ms("You said: hi") as usize;
    let rendered = RENDERED.load(Ordering::SeqCst);
    assert!(
        rendered.abs_diff(reply_ms * 16) < 200,
        "{rendered} vs {}",
        reply_ms * 16
    );
    // The muting suppressor runs before the VAD: no speech is detected any more.
    h.append_pcm(&speech("hello there", 24_000, 200, 1200), 24_000, 20);
    assert!(of_type(&h.take(), "input_audio_buffer.speech_started").is_empty());
    let captured = CAPTURED.load(Ordering::SeqCst);
    assert!(captured > 16_000, "{captured}");
    assert_eq!(SUPPRESSED.load(Ordering::SeqCst), captured);
}

/// The reply audio (24 kHz PCM16) in `events`.
fn reply_audio(events: &[serde_json::Value]) -> Vec<i16> {
    of_type(events, "response.audio.delta")
        .iter()
        .flat_map(|d| {
            b64(&d["delta"])
                .chunks_exact(2)
                .map(|b| i16::from_le_bytes([b[0], b[1]]))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `far` played into the microphone through a small room: 60 ms bulk delay, a −6 dB direct
/// path and a −12 dB reflection 7 ms later, then 500 ms of silence (24 kHz).
fn room_echo(far: &[i16]) -> Vec<i16> {
    let delay = 24 * 60;
    let reflection = 24 * 7;
    let mut mic = vec![0i16; far.len() + delay + reflection + 24 * 500];
    for (i, &s) in far.iter().enumerate() {
        mic[i + delay] += s / 2;
        mic[i + delay + reflection] += s / 4;
    }
    mic
}

/// A conversation whose replies the "client" plays into its microphone: a first reply with
/// turn detection off (the canceller, if on, adapts to the room), then server_vad and a second
/// reply whose echo arrives while the response is still active. Returns the events of that
/// second echo, and the level drop of the first echo in the committed audio after its first
/// second (dB).
fn echo_of_own_reply(ec_on: bool) -> (Vec<serde_json::Value>, f64) {
    use vl_engine::backend::BackendOutput;
    let mut config = SessionConfig::new("gpt-4o");
    config.echo_canceller = vl_engine::dsp::vl_dsp_echo_canceller;
    let mut h = Harness::with_config(config);
    let ec = if ec_on {
        json!({"type": "server_echo_cancellation"})
    } else {
        serde_json::Value::Null
    };
    h.send(json!({"type": "session.update", "session": {
        "turn_detection": null, "input_audio_echo_cancellation": ec}}));
    h.take();
    h.user_text("tell me about the weather today please, and what time is it where you are now");
    h.send(json!({"type": "response.create"}));
    let mic = room_echo(&reply_audio(&h.take()));
    h.append_pcm(&mic, 24_000, 20);
    h.send(json!({"type": "input_audio_buffer.commit"}));
    let level = |x: &[i16]| {
        let x = &x[x.len().min(16_000)..];
        let ms = x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64;
        10.0 * ms.max(1e-3).log10()
    };
    let committed = h
        .requests
        .iter()
        .find_map(|r| match r {
            vl_engine::BackendRequest::Transcribe(t) => Some(t.audio.clone()),
            _ => None,
        })
        .expect("the commit is transcribed");
    let mic16: Vec<i16> = mic.iter().step_by(3).flat_map(|&s| [s, s]).collect();
    let drop_db = level(&mic16) - level(&committed);
    h.send(
        json!({"type": "session.update", "session": {"turn_detection": {"type": "server_vad"}}}),
    );
    h.append_pcm(&silence(24_000, 1000), 24_000, 20);
    h.take();

    h.user_text("what time is it, and tell me about the weather today please");
    h.hold = true;
    h.send(json!({"type": "response.create"}));
    h.release_until(|o| matches!(o, BackendOutput::GenerateDone { .. }));
    // Everything of the first sentence but its end: the response stays active.
    while h
        .held
        .front()
        .is_some_and(|o| !matches!(o, BackendOutput::SynthesizeDone { .. }))
    {
        h.release(1);
    }
    let far = reply_audio(&h.take());
    assert!(
        far.len() > 24_000 * 2,
        "at least 2 s of reply: {}",
        far.len()
    );
    assert!(h.session.has_active_response());
    h.append_pcm(&room_echo(&far), 24_000, 20);
    (h.take(), drop_db)
}

/// Issue #8: with server echo cancellation the assistant's own voice coming back through the
/// microphone is removed (≥ 25 dB after the first second); without it the same echo barges in.
///
/// Not yet true, so not asserted: that the adapted canceller's output never barges in. At the
/// onset of a new reply (after far-end silence) about 70 ms of residue still reaches the VAD,
/// which is level-independent and calls it speech (NEEDS.md, vl-dsp / vl-vad).
#[test]
fn echo_of_own_reply_barges_in_only_without_echo_cancellation() {
    let (off, off_drop) = echo_of_own_reply(false);
    assert_eq!(
        of_type(&off, "input_audio_buffer.speech_started").len(),
        1,
        "without EC the echo is speech: {:?}",
        collapsed(&off)
    );
    let cancelled = one(&off, "response.done");
    assert_eq!(
        cancelled["response"]["status_details"]["reason"],
        "turn_detected"
    );
    assert!(
        off_drop.abs() < 3.0,
        "without EC the echo stays: {off_drop:.1} dB"
    );

    let (on, on_drop) = echo_of_own_reply(true);
    eprintln!(
        "echo level drop with EC: {on_drop:.1} dB; events {:?}",
        collapsed(&on)
    );
    assert!(on_drop >= 25.0, "echo removed by {on_drop:.1} dB");
    assert!(of_type(&on, "input_audio_buffer.speech_started").len() <= 1);
}

/// A 16 kHz scene of `VL_TEST_DATA/noise`, as samples.
fn noise_scene(name: &str) -> Vec<i16> {
    let dir = std::env::var_os("VL_TEST_DATA").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
        std::path::PathBuf::from,
    );
    let path = dir.join("noise").join(name);
    assert!(
        path.exists(),
        "test data not found: {}. Set VL_TEST_DATA to the shared data folder (default: \
         ../shared/data beside the workspace root).",
        path.display()
    );
    let mut reader = hound::WavReader::open(&path).expect("readable WAV");
    assert_eq!(reader.spec().sample_rate, 16_000);
    reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// RMS of the committed (post-DSP) audio of a manual turn after the first second, in dBFS.
fn committed_level_db(ns_on: bool, input: &[i16]) -> f64 {
    let mut config = SessionConfig::new("gpt-4o");
    config.noise_suppressor = vl_engine::dsp::vl_dsp_noise_suppressor;
    let mut h = Harness::with_config(config);
    let ns = if ns_on {
        json!({"type": "azure_deep_noise_suppression"})
    } else {
        serde_json::Value::Null
    };
    h.send(json!({"type": "session.update", "session": {
        "turn_detection": null, "input_audio_sampling_rate": 16000,
        "input_audio_noise_reduction": ns}}));
    h.take();
    h.append_pcm(input, 16_000, 20);
    h.send(json!({"type": "input_audio_buffer.commit"}));
    let audio = h
        .requests
        .iter()
        .find_map(|r| match r {
            vl_engine::BackendRequest::Transcribe(t) => Some(t.audio.clone()),
            _ => None,
        })
        .expect("the commit is transcribed");
    let tail = &audio[16_000.min(audio.len())..];
    let ms = tail.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / tail.len().max(1) as f64;
    10.0 * (ms / (32768.0f64 * 32768.0)).max(1e-12).log10()
}

/// Issue #8: noise reduction on a noise-only input (the real street and car noise of the
/// shared scenes: mixture − clean) attenuates it; the same input without it is unchanged.
#[test]
fn noise_reduction_attenuates_noise_only_input() {
    for scene in ["street", "car"] {
        let mixture = noise_scene(&format!("{scene}_mixture.wav"));
        let clean = noise_scene(&format!("{scene}_clean.wav"));
        let noise: Vec<i16> = mixture
            .iter()
            .zip(&clean)
            .take(16_000 * 5)
            .map(|(&m, &c)| m.saturating_sub(c))
            .collect();
        let off = committed_level_db(false, &noise);
        let on = committed_level_db(true, &noise);
        eprintln!("{scene}: NS off {off:.1} dBFS, on {on:.1} dBFS");
        assert!(off > -60.0, "{scene}: the noise is audible ({off:.1} dBFS)");
        assert!(off - on >= 6.0, "{scene}: {off:.1} → {on:.1} dBFS");
    }
}

static CLEARED: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug)]
struct ClearCountingEc;

impl EchoCanceller for ClearCountingEc {
    fn process_render(&mut self, _far_end: &[f32]) {}
    fn process_capture(&mut self, _frame: &mut [f32]) {}
    fn clear_far_end(&mut self) {
        CLEARED.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn the_canceller_forgets_unplayed_audio_when_the_client_stops_playing() {
    let mut config = SessionConfig::new("gpt-4o");
    config.echo_canceller = || Box::new(ClearCountingEc);
    let mut h = Harness::with_config(config);
    h.send(json!({"type": "session.update", "session": {
        "turn_detection": null,
        "input_audio_echo_cancellation": {"type": "server_echo_cancellation"}}}));
    h.user_text("hi");
    h.send(json!({"type": "response.create"}));
    let events = h.take();
    assert_eq!(CLEARED.load(Ordering::SeqCst), 0, "nothing stopped yet");
    // The client truncates the reply it is playing: the rest will never be heard.
    let item = of_type(&events, "response.output_item.done")[0]["item"]["id"].clone();
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": item,
        "content_index": 0, "audio_end_ms": 100}),
    );
    assert_eq!(of_type(&h.take(), "conversation.item.truncated").len(), 1);
    assert_eq!(CLEARED.load(Ordering::SeqCst), 1);
    // output_audio_buffer.clear: the same.
    h.send(json!({"type": "output_audio_buffer.clear"}));
    assert_eq!(of_type(&h.take(), "output_audio_buffer.cleared").len(), 1);
    assert_eq!(CLEARED.load(Ordering::SeqCst), 2);
    // A failed truncation (unknown item) stops nothing.
    h.send(
        json!({"type": "conversation.item.truncate", "item_id": "nope",
        "content_index": 0, "audio_end_ms": 100}),
    );
    assert_eq!(of_type(&h.take(), "error").len(), 1);
    assert_eq!(CLEARED.load(Ordering::SeqCst), 2);
}

static BUILTIN_BUILT: AtomicUsize = AtomicUsize::new(0);
static BUILTIN_SAMPLES: AtomicUsize = AtomicUsize::new(0);
static DEEP_BUILT: AtomicUsize = AtomicUsize::new(0);
static DEEP_SAMPLES: AtomicUsize = AtomicUsize::new(0);

/// A suppressor that counts the samples it sees in `samples`.
#[derive(Debug)]
struct Counting(&'static AtomicUsize);

impl NoiseSuppressor for Counting {
    fn process(&mut self, frame: &mut [f32]) {
        self.0.fetch_add(frame.len(), Ordering::SeqCst);
    }
}

#[test]
fn deep_type_uses_the_deep_factory_and_switches_live() {
    let mut config = SessionConfig::new("gpt-4o");
    config.noise_suppressor = || {
        BUILTIN_BUILT.fetch_add(1, Ordering::SeqCst);
        Box::new(Counting(&BUILTIN_SAMPLES))
    };
    config.deep_noise_suppressor = Some(vl_engine::dsp::NoiseSuppressorFactory::new(|| {
        DEEP_BUILT.fetch_add(1, Ordering::SeqCst);
        Box::new(Counting(&DEEP_SAMPLES))
    }));
    let mut h = Harness::with_config(config);
    h.take();
    let counts = || {
        [
            BUILTIN_BUILT.load(Ordering::SeqCst),
            BUILTIN_SAMPLES.load(Ordering::SeqCst),
            DEEP_BUILT.load(Ordering::SeqCst),
            DEEP_SAMPLES.load(Ordering::SeqCst),
        ]
    };
    let set = |h: &mut Harness, kind: &str| {
        let nr = if kind == "null" {
            serde_json::Value::Null
        } else {
            json!({ "type": kind })
        };
        h.send(json!({"type": "session.update", "session": {"input_audio_noise_reduction": nr}}));
        h.take();
        h.append_pcm(&vec![0i16; 24_000], 24_000, 20);
        h.take();
    };
    set(&mut h, "near_field");
    assert_eq!(counts(), [1, 16_000, 0, 0]);
    set(&mut h, "azure_deep_noise_suppression");
    assert_eq!(counts(), [1, 16_000, 1, 16_000]);
    // Still deep: the stage (and its state) is kept.
    set(&mut h, "azure_deep_noise_suppression");
    assert_eq!(counts(), [1, 16_000, 1, 32_000]);
    set(&mut h, "far_field");
    assert_eq!(counts(), [2, 32_000, 1, 32_000]);
    // near_field <-> far_field keeps the built-in stage.
    set(&mut h, "near_field");
    assert_eq!(counts(), [2, 48_000, 1, 32_000]);
    set(&mut h, "null");
    assert_eq!(counts(), [2, 48_000, 1, 32_000]);
    set(&mut h, "azure_deep_noise_suppression");
    assert_eq!(counts(), [2, 48_000, 2, 48_000]);
}

static REFUSED_BUILTIN_SAMPLES: AtomicUsize = AtomicUsize::new(0);
static REFUSED_DEEP_SAMPLES: AtomicUsize = AtomicUsize::new(0);

/// A deep factory that refuses (the server's cap on deep streams): the session warns with
/// `deep_noise_suppression_unavailable`, runs the built-in suppressor, and a later update that
/// asks for the deep type again tries the factory again.
#[test]
fn refused_deep_stage_falls_back_with_a_warning() {
    static ALLOW: AtomicUsize = AtomicUsize::new(0);
    let mut config = SessionConfig::new("gpt-4o");
    config.noise_suppressor = || Box::new(Counting(&REFUSED_BUILTIN_SAMPLES));
    config.deep_noise_suppressor = Some(vl_engine::dsp::NoiseSuppressorFactory::fallible(|| {
        if ALLOW.load(Ordering::SeqCst) == 0 {
            Err("all 2 deep streams are in use".to_owned())
        } else {
            Ok(Box::new(Counting(&REFUSED_DEEP_SAMPLES)))
        }
    }));
    let mut h = Harness::with_config(config);
    h.take();
    let deep = json!({"type": "session.update", "event_id": "u1",
        "session": {"input_audio_noise_reduction": {"type": "azure_deep_noise_suppression"}}});
    h.send(deep.clone());
    let out = h.take();
    let warnings = of_type(&out, "warning");
    assert_eq!(warnings.len(), 1, "{out:?}");
    assert_eq!(
        warnings[0]["warning"]["code"],
        "deep_noise_suppression_unavailable"
    );
    assert!(
        warnings[0]["warning"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("all 2 deep streams are in use")),
        "{warnings:?}"
    );
    // The update itself still applies.
    assert_eq!(of_type(&out, "session.updated").len(), 1);
    h.append_pcm(&vec![0i16; 24_000], 24_000, 20);
    h.take();
    assert_eq!(REFUSED_BUILTIN_SAMPLES.load(Ordering::SeqCst), 16_000);
    // A stream is free again: asking for the deep type again gets it, without a warning.
    ALLOW.store(1, Ordering::SeqCst);
    h.send(deep);
    assert!(of_type(&h.take(), "warning").is_empty());
    h.append_pcm(&vec![0i16; 24_000], 24_000, 20);
    h.take();
    assert_eq!(REFUSED_BUILTIN_SAMPLES.load(Ordering::SeqCst), 16_000);
    assert_eq!(REFUSED_DEEP_SAMPLES.load(Ordering::SeqCst), 16_000);
}
