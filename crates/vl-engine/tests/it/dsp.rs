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
