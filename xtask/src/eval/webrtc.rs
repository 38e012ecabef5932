//! WebRTC APM anchors through `sonora` 0.2.0 (BSD-3, a pure-Rust port of WebRTC's audio
//! processing module M145): AEC3 for `eval aec`, NS for `eval ns`. Eval-time only (xtask), never
//! in a shipped binary.
//!
//! Settings: one 16 kHz mono stream for capture and render, 10 ms frames (160 samples),
//! `f32` in [−1, 1]. Per frame the far end goes to `process_render_f32` first, then the
//! microphone to `process_capture_f32`, as a client would call it. AEC3 runs with its default
//! `EchoCanceller3Config` (as `EchoCanceller::default()`: enforced high-pass filter, legacy
//! transparent mode) and `set_stream_delay_ms(0)` before every capture frame: the server has no
//! device delay to report, so the bulk delay is left to AEC3's own delay estimator. NS runs alone
//! (no AEC, no high-pass filter, no AGC) at the level asked for. AGC2 is off everywhere.

use sonora::config::{EchoCanceller, NoiseSuppression, NoiseSuppressionLevel};
use sonora::{AudioProcessing, Config, StreamConfig};

const SR: u32 = 16_000;
const F: usize = 160;

fn apm(config: Config) -> AudioProcessing {
    AudioProcessing::builder()
        .config(config)
        .capture_config(StreamConfig::new(SR, 1))
        .render_config(StreamConfig::new(SR, 1))
        .build()
}

/// WebRTC AEC3 (optionally followed by WebRTC NS at `ns`) over `mic` with far-end reference
/// `far` (16 kHz); the output has AEC3's own latency (not removed).
pub(super) fn aec3(
    mic: &[f32],
    far: &[f32],
    ns: Option<NoiseSuppressionLevel>,
) -> Result<Vec<f32>, String> {
    let mut ap = apm(Config {
        echo_canceller: Some(EchoCanceller::default()),
        noise_suppression: ns.map(|level| NoiseSuppression {
            level,
            ..Default::default()
        }),
        ..Default::default()
    });
    let mut out = vec![0.0f32; mic.len()];
    let mut render_out = [0.0f32; F];
    for ((m, f), o) in mic
        .chunks_exact(F)
        .zip(far.chunks_exact(F))
        .zip(out.chunks_exact_mut(F))
    {
        ap.process_render_f32(&[f], &mut [&mut render_out[..]])
            .map_err(|e| format!("sonora render: {e:?}"))?;
        ap.set_stream_delay_ms(0)
            .map_err(|e| format!("sonora delay: {e:?}"))?;
        ap.process_capture_f32(&[m], &mut [o])
            .map_err(|e| format!("sonora capture: {e:?}"))?;
    }
    Ok(out)
}

/// WebRTC NS alone at `level` over `x` (16 kHz).
pub(super) fn ns(x: &[f32], level: NoiseSuppressionLevel) -> Result<Vec<f32>, String> {
    let mut ap = apm(Config {
        noise_suppression: Some(NoiseSuppression {
            level,
            ..Default::default()
        }),
        ..Default::default()
    });
    let mut out = vec![0.0f32; x.len()];
    for (i, o) in x.chunks_exact(F).zip(out.chunks_exact_mut(F)) {
        ap.process_capture_f32(&[i], &mut [o])
            .map_err(|e| format!("sonora capture: {e:?}"))?;
    }
    Ok(out)
}
