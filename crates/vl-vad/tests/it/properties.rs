//! Property tests of the `server_vad` state machine over random probability sequences and
//! configurations.

use proptest::prelude::*;
use vl_vad::{ServerVadConfig, TurnDetector, TurnEvent};

const FRAME_MS: u64 = 10;

/// Runs of (is_speech, frames): a piecewise-constant probability sequence.
fn runs() -> impl Strategy<Value = Vec<(bool, u32)>> {
    prop::collection::vec((any::<bool>(), 1_u32..120), 1..40)
}

fn config() -> impl Strategy<Value = ServerVadConfig> {
    (0.05_f32..0.95, 0_u32..1000, 0_u32..1200, 0_u32..400).prop_map(|(t, pre, sil, sp)| {
        ServerVadConfig::default()
            .with_threshold(t)
            .with_prefix_padding_ms(pre)
            .with_silence_duration_ms(sil)
            .with_speech_duration_ms(sp)
    })
}

/// Expands runs into per-frame probabilities around the threshold (strictly below or at/above).
fn probabilities(runs: &[(bool, u32)], threshold: f32, jitter: &[f32]) -> Vec<f32> {
    let mut out = Vec::new();
    for &(speech, n) in runs {
        for _ in 0..n {
            let j = jitter[out.len() % jitter.len()];
            out.push(if speech {
                threshold + (1.0 - threshold) * j
            } else {
                threshold * j * 0.999
            });
        }
    }
    out
}

/// (position after the frame in ms, event)
fn drive(td: &mut TurnDetector, probs: &[f32]) -> Vec<(u64, TurnEvent)> {
    probs
        .iter()
        .filter_map(|&p| td.process(p).map(|e| (td.position_ms(), e)))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn events_alternate_and_times_are_ordered(
        cfg in config(), runs in runs(), jitter in prop::collection::vec(0.0_f32..1.0, 1..16)
    ) {
        let probs = probabilities(&runs, cfg.threshold, &jitter);
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        let events = drive(&mut td, &probs);
        let mut last_time = 0_u64;
        let mut last_emit = 0_u64;
        let mut open: Option<u64> = None;
        for (emit, ev) in &events {
            prop_assert!(*emit >= last_emit);
            last_emit = *emit;
            match *ev {
                TurnEvent::SpeechStarted { audio_start_ms } => {
                    prop_assert!(open.is_none(), "two starts in a row: {events:?}");
                    prop_assert!(audio_start_ms >= last_time, "{events:?}");
                    prop_assert!(audio_start_ms <= *emit);
                    open = Some(audio_start_ms);
                    last_time = audio_start_ms;
                }
                TurnEvent::SpeechStopped { audio_end_ms } => {
                    let start = open.take();
                    prop_assert!(start.is_some(), "stop without start: {events:?}");
                    prop_assert!(start.is_some_and(|s| s <= audio_end_ms), "{events:?}");
                    prop_assert!(audio_end_ms <= *emit);
                    last_time = audio_end_ms;
                }
                _ => prop_assert!(false, "unexpected event"),
            }
        }
        prop_assert_eq!(td.in_turn(), open.is_some());
        prop_assert_eq!(td.position_ms(), probs.len() as u64 * FRAME_MS);
    }

    #[test]
    fn timing_matches_the_runs(cfg in config(), runs in runs()) {
        // Model: walk the runs and predict every event exactly (10 ms frames at 16 kHz are exact).
        let probs = probabilities(&runs, cfg.threshold, &[0.5]);
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        let events = drive(&mut td, &probs);
        let speech_ms = u64::from(cfg.speech_duration_ms);
        let silence_ms = u64::from(cfg.silence_duration_ms);
        let mut t = 0_u64;
        let mut in_turn = false;
        let mut buffer_start = 0_u64;
        let mut last_speech_end = 0_u64;
        let mut expected = Vec::new();
        // merge adjacent runs of the same kind
        let mut merged: Vec<(bool, u64)> = Vec::new();
        for &(s, n) in &runs {
            match merged.last_mut() {
                Some((ls, ln)) if *ls == s => *ln += u64::from(n) * FRAME_MS,
                _ => merged.push((s, u64::from(n) * FRAME_MS)),
            }
        }
        for (speech, len) in merged {
            if speech {
                if !in_turn {
                    // emitted after max(speech_duration, 1 frame), rounded up to frames
                    let need = speech_ms.div_ceil(FRAME_MS).max(1) * FRAME_MS;
                    if len >= need {
                        let start = t.saturating_sub(u64::from(cfg.prefix_padding_ms)).max(buffer_start);
                        expected.push((t + need, TurnEvent::SpeechStarted { audio_start_ms: start }));
                        in_turn = true;
                    }
                }
                if in_turn {
                    last_speech_end = t + len;
                }
            } else if in_turn {
                let need = silence_ms.div_ceil(FRAME_MS).max(1) * FRAME_MS;
                if len >= need {
                    expected.push((last_speech_end + need, TurnEvent::SpeechStopped { audio_end_ms: last_speech_end }));
                    buffer_start = last_speech_end + need;
                    in_turn = false;
                }
            }
            t += len;
        }
        prop_assert_eq!(events, expected);
    }

    #[test]
    fn short_speech_never_starts_a_turn(cfg in config(), gaps in prop::collection::vec(1_u32..100, 1..20)) {
        let cfg = cfg.with_speech_duration_ms(cfg.speech_duration_ms.max(20));
        // bursts strictly shorter than speech_duration_ms
        let burst = (cfg.speech_duration_ms.div_ceil(10) - 1).max(1);
        prop_assume!(burst * 10 < cfg.speech_duration_ms);
        let runs: Vec<(bool, u32)> = gaps.iter().flat_map(|&g| [(true, burst), (false, g)]).collect();
        let probs = probabilities(&runs, cfg.threshold, &[0.3, 0.9]);
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        prop_assert!(drive(&mut td, &probs).is_empty());
    }

    #[test]
    fn short_silence_never_ends_a_turn(cfg in config(), bursts in prop::collection::vec(1_u32..100, 1..20)) {
        let cfg = cfg.with_silence_duration_ms(cfg.silence_duration_ms.max(20));
        let gap = (cfg.silence_duration_ms.div_ceil(10) - 1).max(1);
        prop_assume!(gap * 10 < cfg.silence_duration_ms);
        // one long speech run to open the turn, then gaps shorter than silence_duration_ms
        let mut runs = vec![(true, cfg.speech_duration_ms / 10 + 1)];
        runs.extend(bursts.iter().flat_map(|&b| [(false, gap), (true, b)]));
        let probs = probabilities(&runs, cfg.threshold, &[0.2, 0.7]);
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        let events = drive(&mut td, &probs);
        prop_assert_eq!(events.len(), 1, "{:?}", events);
        let first_is_start = matches!(events[0].1, TurnEvent::SpeechStarted { .. });
        prop_assert!(first_is_start);
    }

    #[test]
    fn stop_comes_silence_duration_after_last_speech(
        cfg in config(), speech in 1_u32..200, silence_extra in 0_u32..300
    ) {
        let runs = [(false, 20), (true, speech + cfg.speech_duration_ms / 10 + 1), (false, cfg.silence_duration_ms / 10 + 2 + silence_extra)];
        let probs = probabilities(&runs, cfg.threshold, &[0.5]);
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        let events = drive(&mut td, &probs);
        prop_assert_eq!(events.len(), 2, "{:?}", events);
        let (emit, ev) = events[1];
        let TurnEvent::SpeechStopped { audio_end_ms } = ev else {
            return Err(TestCaseError::fail("second event is not SpeechStopped"));
        };
        let last_speech_end = u64::from(20 + runs[1].1) * FRAME_MS;
        prop_assert_eq!(audio_end_ms, last_speech_end);
        let delay = emit - audio_end_ms;
        let sil = u64::from(cfg.silence_duration_ms);
        prop_assert!(delay >= sil && delay <= sil + FRAME_MS, "delay {} silence {}", delay, sil);
    }

    #[test]
    fn set_config_mid_stream_keeps_alternation(
        a in config(), b in config(), runs in runs(), switch_at in 0_usize..2000
    ) {
        let probs = probabilities(&runs, a.threshold.max(b.threshold), &[0.4, 0.95]);
        let mut td = TurnDetector::new(a, 16_000).unwrap();
        let mut open = false;
        for (i, &p) in probs.iter().enumerate() {
            if i == switch_at {
                td.set_config(b).unwrap();
            }
            match td.process(p) {
                Some(TurnEvent::SpeechStarted { .. }) => { prop_assert!(!open); open = true; }
                Some(TurnEvent::SpeechStopped { .. }) => { prop_assert!(open); open = false; }
                _ => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// While the assistant speaks, a turn starts only after
    /// `speech_duration_assistant_speaking_ms` of continuous speech: every start is emitted at
    /// least that long after the onset of the speech run it belongs to, and runs shorter than
    /// it never start a turn.
    #[test]
    fn barge_in_needs_the_assistant_speaking_duration(
        cfg in config(),
        barge_ms in 0_u32..1000,
        runs in runs(),
        jitter in prop::collection::vec(0.0_f32..1.0, 1..16),
    ) {
        let cfg = cfg.with_speech_duration_assistant_speaking_ms(Some(barge_ms));
        let mut td = TurnDetector::new(cfg, 16_000).unwrap();
        td.set_assistant_speaking(true);
        let probs = probabilities(&runs, cfg.threshold, &jitter);
        let mut run_start: Option<u64> = None;
        for (i, &p) in probs.iter().enumerate() {
            let start = i as u64 * FRAME_MS;
            let speech = p >= cfg.threshold;
            if speech {
                run_start.get_or_insert(start);
            } else {
                run_start = None;
            }
            if let Some(TurnEvent::SpeechStarted { .. }) = td.process(p) {
                let onset = run_start.expect("a start needs a speech frame");
                let emitted = start + FRAME_MS;
                prop_assert!(
                    emitted - onset >= u64::from(barge_ms),
                    "start {emitted} ms after onset {onset} ms < {barge_ms} ms"
                );
            }
        }
    }
}
