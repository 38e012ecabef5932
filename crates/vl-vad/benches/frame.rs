//! Per-frame cost of the classifier and the turn detector (one 10 ms frame at 16 kHz per
//! iteration; × real time = 10 ms / time per frame).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vl_vad::{FRAME_SAMPLES, FrameClassifier, ServerVadConfig, TurnDetector, Vad};

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
    let mut g = c.benchmark_group("vad_frame_10ms");
    g.throughput(Throughput::Elements(1));

    let mut classifier = FrameClassifier::new(16_000).expect("16 kHz");
    let mut i = 0;
    g.bench_function("classifier", |b| {
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
