//! The neural classifier: parity with the training graph, accuracy on real clips, basic
//! behaviour.

use crate::data;
use vl_vad::{FRAME_SAMPLES, NeuralClassifier, VadError};

/// The parity signal of `train/parity.py` (same formula, same LCG).
fn parity_signal() -> Vec<f32> {
    let mut seed: u32 = 12_345;
    (0..48_000)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.02;
            let t = f64::from(i) / 16_000.0;
            let tone = if (1.0..2.2).contains(&t) {
                let env = (std::f64::consts::TAU * 3.0 * t).sin().max(0.0);
                let x = std::f64::consts::TAU * 150.0 * t;
                0.2 * env * (x.sin() + 0.5 * (2.0 * x).sin() + 0.25 * (3.0 * x).sin())
            } else {
                0.0
            };
            noise + tone as f32
        })
        .collect()
}

fn run(audio: &[f32]) -> Vec<f32> {
    let mut c = NeuralClassifier::new(16_000).expect("16 kHz");
    audio
        .chunks_exact(FRAME_SAMPLES)
        .map(|f| c.process(f).expect("frame size"))
        .collect()
}

#[test]
fn matches_training_graph() {
    let expected: Vec<f32> = include_str!("neural_parity.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.trim().parse().expect("a number"))
        .collect();
    let got = run(&parity_signal());
    assert_eq!(got.len(), expected.len());
    let worst = got
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0_f32, f32::max);
    // f32 FFT/log/GRU in a different order than JAX/numpy: differences of ~1e-5 expected.
    assert!(worst < 2e-3, "largest difference {worst}");
}

/// Clips used here (a few, to keep the test fast; `cargo xtask eval vad` runs all 30).
const CLIPS: [usize; 4] = [1, 7, 15, 23];
/// Minimum frame AUC on [`CLIPS`]: 0.898 measured with the committed weights (training graph,
/// `train/parity.py` weights), minus a margin of 0.018.
const AUC_MIN: f64 = 0.88;

#[test]
fn frame_auc_on_ten_clips() {
    let (mut scores, mut labels) = (Vec::new(), Vec::new());
    for n in CLIPS {
        let (audio, l) = data::ten_clip_with_labels(n);
        scores.extend(run(&audio));
        labels.extend(l);
    }
    let auc = data::roc_auc(&scores, &labels);
    assert!(auc >= AUC_MIN, "AUC {auc:.4} < {AUC_MIN}");
}

#[test]
fn silence_and_low_noise_are_not_speech() {
    let silence = vec![0.0_f32; 16_000];
    assert!(run(&silence).iter().all(|&p| p < 0.2));
    let mut seed: u32 = 1;
    let noise: Vec<f32> = (0..32_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.003
        })
        .collect();
    let p = run(&noise);
    assert!(
        p[50..].iter().all(|&p| p < 0.5),
        "max {:?}",
        p[50..].iter().copied().fold(0.0_f32, f32::max)
    );
}

#[test]
fn wrong_rate_and_frame_size_are_errors() {
    assert!(matches!(
        NeuralClassifier::new(8_000),
        Err(VadError::UnsupportedRate { rate_hz: 8_000, .. })
    ));
    let mut c = NeuralClassifier::new(16_000).expect("16 kHz");
    assert!(matches!(
        c.process(&[0.0; 100]),
        Err(VadError::InvalidFrameSize {
            frame_size: 100,
            ..
        })
    ));
}

#[test]
fn non_finite_samples_give_a_finite_probability_and_reset_restores_the_start_state() {
    let mut c = NeuralClassifier::new(16_000).expect("16 kHz");
    let first = c.process(&[0.0; FRAME_SAMPLES]).expect("frame");
    let bad = [f32::NAN; FRAME_SAMPLES];
    let p = c.process(&bad).expect("frame");
    assert!(p.is_finite() && (0.0..=1.0).contains(&p));
    let inf = [f32::INFINITY; FRAME_SAMPLES];
    assert!(c.process(&inf).expect("frame").is_finite());
    c.reset();
    assert_eq!(c.process(&[0.0; FRAME_SAMPLES]).expect("frame"), first);
}
