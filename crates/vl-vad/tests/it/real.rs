//! Real labelled speech: TEN VAD test-set clips (`shared/data/vad/ten-testset`).

use crate::data;
use vl_vad::{FRAME_SAMPLES, ServerVadConfig, TurnEvent, Vad};

/// Clips used here (a few, to keep the test fast; `examples/auc.rs` runs all 30).
const CLIPS: [usize; 4] = [1, 7, 15, 23];

/// Clips with more than 300 ms of leading non-speech, for the onset test.
const ONSET_CLIPS: [usize; 4] = [5, 12, 20, 22];

/// Minimum frame AUC on [`CLIPS`]: the measured value minus a margin (see the test).
const AUC_MIN: f64 = 0.909;

#[test]
fn frame_auc_on_ten_clips() {
    let (mut scores, mut labels) = (Vec::new(), Vec::new());
    for n in CLIPS {
        let (audio, l) = data::ten_clip_with_labels(n);
        scores.extend(data::classify(&audio));
        labels.extend(l);
    }
    let auc = data::roc_auc(&scores, &labels);

    // Measured 0.9290 on these clips (classifier of this commit); margin 0.02.
    assert!(auc >= AUC_MIN, "AUC {auc:.4} < {AUC_MIN}");
}

#[test]
fn speech_started_follows_first_labelled_onset() {
    for n in ONSET_CLIPS {
        let base = data::ten_clip(n);
        let audio = data::read_wav(&base.with_extension("wav"));
        let segments = data::read_segments(&base.with_extension("scv"));
        let onset_ms = segments
            .iter()
            .find(|s| s.2)
            .map(|s| (s.0 * 1000.0).round() as u64)
            .expect("clip has speech");
        let config = ServerVadConfig::default();
        let mut vad = Vad::new(config, 16_000).unwrap();
        let mut first = None;
        for frame in audio.chunks_exact(FRAME_SAMPLES) {
            if let Some(TurnEvent::SpeechStarted { audio_start_ms }) =
                vad.process_frame(frame).unwrap()
            {
                first = Some((vad.position_ms(), audio_start_ms));
                break;
            }
        }
        let (emitted_ms, audio_start_ms) = first.expect("a turn is started");
        // The detected onset is audio_start_ms + prefix padding (the clips chosen have more than
        // 300 ms of leading non-speech, so no clamping). It must be at most 200 ms after the
        // labelled onset; it may be earlier (a breath or lip noise before the labelled word, as
        // in clip 12, is detected ~170 ms early), but not by more than the prefix padding, so the
        // labelled onset is never at the very start of the turn's audio by accident.
        assert!(audio_start_ms > 0, "clip {n}: turn starts at 0 ms");
        let detected = audio_start_ms + u64::from(config.prefix_padding_ms);
        assert!(
            detected + u64::from(config.prefix_padding_ms) >= onset_ms
                && detected <= onset_ms + 200,
            "clip {n}: labelled onset {onset_ms} ms, detected {detected} ms"
        );
        assert!(
            emitted_ms <= onset_ms + 200 + u64::from(config.speech_duration_ms),
            "clip {n}: labelled onset {onset_ms} ms, speech_started emitted at {emitted_ms} ms"
        );
    }
}

/// Clips whose labels end in non-speech and start with ≥ 350 ms of non-speech (used as filler).
const END_CLIPS: [usize; 3] = [7, 12, 24];

#[test]
fn speech_stopped_follows_last_labelled_speech_end() {
    for n in END_CLIPS {
        let base = data::ten_clip(n);
        let mut audio = data::read_wav(&base.with_extension("wav"));
        let segments = data::read_segments(&base.with_extension("scv"));
        let last_end_ms = segments
            .iter()
            .rfind(|s| s.2)
            .map(|s| (s.1 * 1000.0).round() as u64)
            .expect("clip has speech");
        // Extend the clip's trailing non-speech with its own leading non-speech (the clip's real
        // background), looped to 2 s, so that the turn can end inside the clip's acoustics.
        let lead = segments
            .first()
            .filter(|s| !s.2)
            .map(|s| (s.1 * 16_000.0) as usize)
            .expect("clip starts with non-speech");
        let filler: Vec<f32> = audio[..lead].iter().copied().cycle().take(32_000).collect();
        audio.extend(filler);
        let config = ServerVadConfig::default();
        let mut vad = Vad::new(config, 16_000).unwrap();
        let mut last_stop = None;
        for frame in audio.chunks_exact(FRAME_SAMPLES) {
            if let Some(TurnEvent::SpeechStopped { audio_end_ms }) =
                vad.process_frame(frame).unwrap()
            {
                last_stop = Some((vad.position_ms(), audio_end_ms));
            }
        }
        let (emitted_ms, audio_end_ms) = last_stop.expect("the last turn is stopped");
        // End of speech within −350 / +200 ms of the labelled end. Measured with this classifier:
        // clip 7 −299 ms (its quiet last word is missed), clip 12 +133 ms, clip 24 +47 ms (the
        // hang-over makes it late). Emitted silence_duration_ms (+ one frame) after it.
        assert!(
            audio_end_ms + 350 >= last_end_ms && audio_end_ms <= last_end_ms + 200,
            "clip {n}: labelled end {last_end_ms} ms, audio_end_ms {audio_end_ms}"
        );
        let silence = u64::from(config.silence_duration_ms);
        assert!(
            emitted_ms >= audio_end_ms + silence && emitted_ms <= audio_end_ms + silence + 10,
            "clip {n}: audio_end_ms {audio_end_ms}, emitted {emitted_ms}"
        );
    }
}
