//! Frame-level ROC-AUC of [`vl_vad::FrameClassifier`] on the TEN VAD test set (30 clips), clean
//! and mixed with each of the 9 real-noise scenes at 0 dB SNR, for comparison with the anchors in
//! audio-dsp.md §6.2 (earshot 0.937 / 0.790, Silero v6.2 0.956 / 0.818).
//!
//! Noise = `SCENE_mixture.wav − SCENE_clean.wav`, looped from a seeded random offset and trimmed to
//! the clip, scaled so that its power equals the clip's power over its labelled speech frames
//! (0 dB). Frames are pooled over all clips of a condition. Run:
//!
//! ```text
//! cargo run --release -p vl-vad --example auc
//! ```

#[path = "../tests/it/data.rs"]
#[allow(
    dead_code,
    reason = "shared with the tests; not every helper is used here"
)]
mod data;

use std::time::Instant;

const SCENES: [&str; 9] = [
    "airport",
    "car",
    "office",
    "pub",
    "rain",
    "restaurant",
    "street",
    "subway",
    "train",
];

/// Deterministic 64-bit LCG (fixed seed) for the noise offsets.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

fn scene_noise(scene: &str) -> Vec<f32> {
    let dir = data::data_dir().join("noise");
    let clean = data::read_wav(&dir.join(format!("{scene}_clean.wav")));
    let mix = data::read_wav(&dir.join(format!("{scene}_mixture.wav")));
    mix.iter().zip(&clean).map(|(m, c)| m - c).collect()
}

fn mix_at_snr(
    clean: &[f32],
    labels: &[bool],
    noise: &[f32],
    snr_db: f64,
    offset: usize,
) -> Vec<f32> {
    let fs = vl_vad::FRAME_SAMPLES;
    let (mut sp, mut n_sp) = (0.0_f64, 0_usize);
    for (f, &l) in clean.chunks_exact(fs).zip(labels) {
        if l {
            sp += f.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>();
            n_sp += fs;
        }
    }
    let sp = sp / n_sp.max(1) as f64;
    let np = noise
        .iter()
        .map(|&x| f64::from(x) * f64::from(x))
        .sum::<f64>()
        / noise.len() as f64;
    let gain = (sp / np.max(1e-20) / 10f64.powf(snr_db / 10.0)).sqrt() as f32;
    clean
        .iter()
        .enumerate()
        .map(|(i, &c)| c + gain * noise[(offset + i) % noise.len()])
        .collect()
}

struct Pool {
    scores: Vec<f32>,
    labels: Vec<bool>,
}

impl Pool {
    fn new() -> Self {
        Self {
            scores: Vec::new(),
            labels: Vec::new(),
        }
    }

    fn add(&mut self, audio: &[f32], labels: &[bool]) {
        if std::env::var_os("VAD_RAW_SCORE").is_some() {
            let mut c = vl_vad::FrameClassifier::new(16_000).expect("16 kHz");
            for f in audio.chunks_exact(vl_vad::FRAME_SAMPLES) {
                self.scores
                    .push(c.process_features(f).expect("whole frames").1.score);
            }
        } else {
            self.scores.extend(data::classify(audio));
        }
        self.labels.extend_from_slice(labels);
    }

    fn report(&self, name: &str) -> f64 {
        let auc = data::roc_auc(&self.scores, &self.labels);
        let tpr5 = data::tpr_at_fpr(&self.scores, &self.labels, 0.05);
        let tpr1 = data::tpr_at_fpr(&self.scores, &self.labels, 0.01);
        let (mut tp, mut fp, mut fneg) = (0_usize, 0_usize, 0_usize);
        for (&s, &l) in self.scores.iter().zip(&self.labels) {
            match (s >= 0.5, l) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fneg += 1,
                _ => {}
            }
        }
        let p = tp as f64 / (tp + fp).max(1) as f64;
        let r = tp as f64 / (tp + fneg).max(1) as f64;
        let f1 = 2.0 * p * r / (p + r).max(1e-12);
        println!(
            "{name:<12} AUC {auc:.3}  TPR@FPR5% {tpr5:.3}  TPR@FPR1% {tpr1:.3}  P/R/F1@0.5 {p:.3}/{r:.3}/{f1:.3}  frames {}",
            self.scores.len()
        );
        auc
    }
}

fn main() {
    let clips: Vec<(Vec<f32>, Vec<bool>)> = (1..=data::TEN_CLIPS)
        .map(data::ten_clip_with_labels)
        .collect();
    let t0 = Instant::now();
    let mut clean = Pool::new();
    for (audio, labels) in &clips {
        clean.add(audio, labels);
    }
    let secs: f64 = clips.iter().map(|(a, _)| a.len() as f64 / 16_000.0).sum();
    let elapsed = t0.elapsed().as_secs_f64();
    println!(
        "TEN test set: {} clips, {secs:.1} s, {:.1} % speech frames; classifier RTF {:.5}",
        clips.len(),
        100.0 * clean.labels.iter().filter(|&&l| l).count() as f64 / clean.labels.len() as f64,
        elapsed / secs
    );
    let clean_auc = clean.report("clean");
    if std::env::var_os("VAD_PER_CLIP").is_some() {
        for (i, (audio, labels)) in clips.iter().enumerate() {
            let mut p = Pool::new();
            p.add(audio, labels);
            let pos = labels.iter().filter(|&&l| l).count();
            if pos > 0 && pos < labels.len() {
                p.report(&format!("clip {:02}", i + 1));
            }
        }
    }
    let mut rng = Lcg(0x5eed_0000_0000_0001);
    let mut all = Pool::new();
    for scene in SCENES {
        let noise = scene_noise(scene);
        let mut pool = Pool::new();
        for (audio, labels) in &clips {
            let offset = (rng.next() % noise.len() as u64) as usize;
            let noisy = mix_at_snr(audio, labels, &noise, 0.0, offset);
            pool.add(&noisy, labels);
        }
        pool.report(&format!("0dB {scene}"));
        all.scores.extend_from_slice(&pool.scores);
        all.labels.extend_from_slice(&pool.labels);
    }
    let noisy_auc = all.report("0dB all");
    println!(
        "summary: AUC clean {clean_auc:.3} (earshot 0.937, Silero 0.956), 0 dB {noisy_auc:.3} (earshot 0.790, Silero 0.818)"
    );
}
