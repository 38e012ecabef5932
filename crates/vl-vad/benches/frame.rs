//! Per-frame cost of the classifiers and the turn detector, with the earshot crate as the anchor
//! in the same run. Throughput is in samples (16 kHz), so `elem/s` compares engines with
//! different frame lengths (vl-vad 160 samples = 10 ms, earshot 256 = 16 ms):
//! RTF = 16 000 / (samples per second).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vl_vad::{
    FRAME_SAMPLES, FrameClassifier, NeuralClassifier, ServerVadConfig, TurnDetector, Vad,
};

/// One second of a speech-like signal (harmonic tone with a syllable-rate envelope plus noise).
fn signal() -> Vec<f32> {
    let mut seed = 12_345_u32;
    (0..16_000)
        .map(|n| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((seed >> 8) as f32 / (1 << 24) as f32 - 0.5) * 0.01;
            let t = n as f32 / 16_000.0;
            let env = (std::f32::consts::TAU * 4.0 * t).sin().max(0.0);
            let x = std::f32::consts::TAU * 150.0 * t;
            0.2 * env * (x.sin() + 0.5 * (2.0 * x).sin() + 0.25 * (3.0 * x).sin()) + noise
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let audio = signal();
    let frames: Vec<&[f32]> = audio.chunks_exact(FRAME_SAMPLES).collect();
    let mut g = c.benchmark_group("vad_frame");
    g.throughput(Throughput::Elements(FRAME_SAMPLES as u64));

    let mut neural = NeuralClassifier::new(16_000).expect("16 kHz");
    let mut n = 0;
    g.bench_function("neural_10ms", |b| {
        b.iter(|| {
            n = (n + 1) % frames.len();
            black_box(neural.process(black_box(frames[n])))
        });
    });

    let mut classifier = FrameClassifier::new(16_000).expect("16 kHz");
    let mut i = 0;
    g.bench_function("energy_10ms", |b| {
        b.iter(|| {
            i = (i + 1) % frames.len();
            black_box(classifier.process(black_box(frames[i])))
        });
    });

    let mut detector = TurnDetector::new(ServerVadConfig::default(), 16_000).expect("16 kHz");
    let probs: Vec<f32> = (0..1000)
        .map(|k| if (k / 70) % 2 == 0 { 0.9 } else { 0.1 })
        .collect();
    let mut k = 0;
    g.bench_function("turn_detector", |b| {
        b.iter(|| {
            k = (k + 1) % probs.len();
            black_box(detector.process(black_box(probs[k])))
        });
    });

    let mut vad = Vad::new(ServerVadConfig::default(), 16_000).expect("16 kHz");
    let mut j = 0;
    g.bench_function("vad_combined", |b| {
        b.iter(|| {
            j = (j + 1) % frames.len();
            black_box(vad.process_frame(black_box(frames[j])))
        });
    });

    g.throughput(Throughput::Elements(256));
    let frames16: Vec<&[f32]> = audio.chunks_exact(256).collect();
    let mut earshot = earshot::Detector::default();
    let mut e = 0;
    g.bench_function("earshot_16ms", |b| {
        b.iter(|| {
            e = (e + 1) % frames16.len();
            black_box(earshot.predict_f32(black_box(frames16[e])))
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
