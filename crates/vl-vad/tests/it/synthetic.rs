//! Synthetic signals through the classifier and the default turn detector.

use vl_vad::{FRAME_SAMPLES, ServerVadConfig, TurnEvent, Vad};

/// Runs the default [`Vad`] over `audio`; returns (events with emission time in ms, max probability).
fn run(audio: &[f32]) -> (Vec<(u64, TurnEvent)>, f32) {
    let mut vad = Vad::new(ServerVadConfig::default(), 16_000).expect("valid config");
    let mut events = Vec::new();
    let mut max_p = 0.0_f32;
    for frame in audio.chunks_exact(FRAME_SAMPLES) {
        if let Some(e) = vad.process_frame(frame).expect("whole frames") {
            events.push((vad.position_ms(), e));
        }
        max_p = max_p.max(vad.last_probability());
    }
    (events, max_p)
}

/// Uniform white noise with the given RMS level in dBFS (deterministic).
fn white_noise(seconds: f32, rms_dbfs: f32, seed: u64) -> Vec<f32> {
    let mut s = seed;
    let amp = 10f32.powf(rms_dbfs / 20.0) * 3f32.sqrt();
    (0..(seconds * 16_000.0) as usize)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
        })
        .collect()
}

fn tone(seconds: f32, hz: f32, rms_dbfs: f32) -> Vec<f32> {
    let amp = 10f32.powf(rms_dbfs / 20.0) * 2f32.sqrt();
    (0..(seconds * 16_000.0) as usize)
        .map(|n| amp * (std::f32::consts::TAU * hz * n as f32 / 16_000.0).sin())
        .collect()
}

#[test]
fn digital_silence_gives_no_events() {
    let (events, max_p) = run(&vec![0.0; 16_000 * 10]);
    assert!(events.is_empty(), "{events:?}");
    assert!(max_p < 0.1, "max probability {max_p}");
}

#[test]
fn low_level_white_noise_gives_no_events() {
    for (level, seed) in [(-70.0, 1), (-50.0, 2), (-35.0, 3)] {
        let (events, max_p) = run(&white_noise(20.0, level, seed));
        assert!(events.is_empty(), "{level} dBFS: {events:?}");
        assert!(max_p < 0.5, "{level} dBFS: max probability {max_p}");
    }
}

#[test]
fn white_noise_after_silence_gives_no_events_once_learnt() {
    // Noise switching on after silence is a change the floor must learn; the turn it may cause
    // must be over within 3 s, and nothing may follow.
    let mut audio = vec![0.0; 16_000];
    audio.extend(white_noise(20.0, -45.0, 4));
    let (events, _) = run(&audio);
    assert!(events.len() <= 2, "{events:?}");
    if let Some((t, _)) = events.last() {
        assert!(*t <= 4_000, "{events:?}");
    }
}

/// A constant 440 Hz tone at −20 dBFS from the first sample: it is part of the background from
/// the start (the noise floors start at the first frame's level), so no turn is started.
#[test]
fn constant_tone_from_start_gives_no_events() {
    let (events, _) = run(&tone(10.0, 440.0, -20.0));
    assert!(events.is_empty(), "{events:?}");
}

/// A constant tone switching on after 1 s of silence is indistinguishable from a sustained vowel
/// at first: it starts a turn. The noise floors then adapt (documented behaviour: the turn ends
/// within 8 s) and no further turn follows while the tone stays on.
#[test]
fn constant_tone_after_silence_starts_one_turn_that_ends() {
    let mut audio = vec![0.0; 16_000];
    audio.extend(tone(20.0, 440.0, -20.0));
    let (events, _) = run(&audio);
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[0].1, TurnEvent::SpeechStarted { .. }));
    assert!(events[0].0 <= 1_300, "{events:?}");
    assert!(matches!(events[1].1, TurnEvent::SpeechStopped { .. }));
    assert!(events[1].0 <= 9_000, "{events:?}");
}
