//! Checks shared by the engine tests.

use realfft::RealFftPlanner;
use vl_tts::{TtsChunk, Utterance};

/// Spectrum and envelope facts of an audio signal.
#[derive(Debug)]
pub(crate) struct SpeechStats {
    /// Share of the energy between 100 Hz and 4 kHz.
    pub(crate) speech_band: f64,
    /// Mean spectral flatness of the voiced frames (1 = white noise, ~0 = tonal).
    pub(crate) flatness: f64,
    /// Coefficient of variation of the 20 ms frame RMS (syllable modulation).
    pub(crate) envelope_cv: f64,
    /// RMS of the whole signal.
    pub(crate) rms: f64,
}

pub(crate) fn speech_stats(audio: &[f32], rate: u32) -> SpeechStats {
    let n = 1024;
    let mut planner = RealFftPlanner::<f32>::new();
    let fft = planner.plan_fft_forward(n);
    let mut input = fft.make_input_vec();
    let mut spec = fft.make_output_vec();
    let (mut band, mut all) = (0.0f64, 0.0f64);
    let (mut flat_sum, mut flat_n) = (0.0f64, 0usize);
    let rms = (audio.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>()
        / audio.len().max(1) as f64)
        .sqrt();
    for frame in audio.chunks_exact(n) {
        let e: f64 = frame.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / n as f64;
        for (k, (i, s)) in input.iter_mut().zip(frame).enumerate() {
            let w = 0.5 - 0.5 * (std::f32::consts::TAU * k as f32 / n as f32).cos();
            *i = s * w;
        }
        fft.process(&mut input, &mut spec).expect("fft sizes");
        let power: Vec<f64> = spec
            .iter()
            .map(|c| f64::from(c.norm_sqr()) + 1e-20)
            .collect();
        for (k, p) in power.iter().enumerate() {
            let hz = k as f64 * f64::from(rate) / n as f64;
            all += p;
            if (100.0..=4000.0).contains(&hz) {
                band += p;
            }
        }
        if e.sqrt() > rms * 0.5 {
            let log_mean = power.iter().map(|p| p.ln()).sum::<f64>() / power.len() as f64;
            let mean = power.iter().sum::<f64>() / power.len() as f64;
            flat_sum += log_mean.exp() / mean;
            flat_n += 1;
        }
    }
    let hop = (rate / 50) as usize;
    let env: Vec<f64> = audio
        .chunks_exact(hop)
        .map(|f| (f.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / hop as f64).sqrt())
        .collect();
    let mean = env.iter().sum::<f64>() / env.len().max(1) as f64;
    let var = env.iter().map(|e| (e - mean).powi(2)).sum::<f64>() / env.len().max(1) as f64;
    SpeechStats {
        speech_band: band / all.max(1e-20),
        flatness: flat_sum / flat_n.max(1) as f64,
        envelope_cv: var.sqrt() / mean.max(1e-20),
        rms,
    }
}

/// Asserts that an utterance looks and is timed like speech of `text`.
pub(crate) fn check_utterance(u: &Utterance, text: &str, words: &[&str]) {
    assert_eq!(u.text, text);
    let secs = u.duration_ms() / 1000.0;
    // ~2.5 words per second of natural speech; allow a wide range.
    let expected = words.len() as f64 / 2.5;
    assert!(
        secs > expected * 0.4 && secs < expected * 2.5 + 0.5,
        "{secs:.2} s for {} words",
        words.len()
    );
    assert!(u.audio.iter().all(|s| s.is_finite() && s.abs() <= 1.0));
    let stats = speech_stats(&u.audio, u.sample_rate);
    assert!(stats.rms > 0.02, "{stats:?}");
    assert!(stats.speech_band > 0.8, "{stats:?}");
    assert!(stats.flatness < 0.3, "{stats:?}");
    assert!(stats.envelope_cv > 0.5, "{stats:?}");
    let got: Vec<&str> = u.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(got, words);
    let dur = u.duration_ms();
    let mut prev_end = 0;
    for w in &u.words {
        assert!(w.audio_offset_ms >= prev_end, "{:?}", u.words);
        assert!(w.audio_duration_ms > 0, "{w:?}");
        prev_end = w.audio_offset_ms + w.audio_duration_ms;
    }
    // The words cover the voiced audio: the first starts within 0.5 s, the last ends near the end.
    let first = u.words.first().expect("words").audio_offset_ms as f64;
    assert!(first < 500.0, "{:?}", u.words);
    assert!(
        prev_end as f64 <= dur + 1.0 && prev_end as f64 > dur - 600.0,
        "{prev_end} vs {dur}"
    );
    let mut prev = 0;
    for v in &u.visemes {
        assert!(v.viseme_id <= 21);
        assert!(v.audio_offset_ms >= prev);
        assert!(v.audio_offset_ms as f64 <= dur + 1.0);
        prev = v.audio_offset_ms;
    }
    let distinct: std::collections::BTreeSet<u8> = u.visemes.iter().map(|v| v.viseme_id).collect();
    assert!(distinct.len() >= 6, "{distinct:?}");
    assert_eq!(u.visemes.first().map(|v| v.audio_offset_ms), Some(0));
}

/// Asserts that stream chunks follow each other without gaps in their offsets.
pub(crate) fn check_chunks(chunks: &[TtsChunk]) {
    let mut expected_offset = 0.0f64;
    let mut frame = 0u64;
    for c in chunks {
        assert!((c.audio_offset_ms as f64 - expected_offset).abs() <= 1.0);
        expected_offset += c.audio.len() as f64 * 1000.0 / f64::from(c.sample_rate);
        for w in &c.words {
            assert!(w.audio_offset_ms >= c.audio_offset_ms);
        }
        if let Some(b) = &c.blendshapes {
            assert_eq!(b.frame_index, frame);
            frame += b.frames.len() as u64;
            assert!(
                b.frames
                    .iter()
                    .all(|f| f.iter().all(|v| (0.0..=1.0).contains(v)))
            );
        }
    }
    let frames_expected = (expected_offset * 60.0 / 1000.0).ceil() as u64;
    if chunks.iter().any(|c| c.blendshapes.is_some()) {
        assert!(
            frame.abs_diff(frames_expected) <= 1,
            "{frame} vs {frames_expected}"
        );
    }
}

/// White noise has none of speech's structure: the checks above must reject it.
#[test]
fn the_speech_checks_reject_noise_and_tones() {
    let mut x = 12345u32;
    let noise: Vec<f32> = (0..22_050)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect();
    let s = speech_stats(&noise, 22_050);
    assert!(s.flatness > 0.3 || s.speech_band < 0.8, "{s:?}");
    let tone: Vec<f32> = (0..22_050)
        .map(|i| 0.5 * (std::f32::consts::TAU * 200.0 * i as f32 / 22_050.0).sin())
        .collect();
    let s = speech_stats(&tone, 22_050);
    assert!(s.envelope_cv < 0.5, "{s:?}");
}
