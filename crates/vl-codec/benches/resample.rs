//! Resampler speed per 10 ms input chunk, side by side in one criterion run: the engines of
//! `common/resample_engines.rs` (ours, rubato sinc and FFT, libsoxr HQ), on white noise.
//!
//! `cargo bench -p vl-codec --bench resample`; criterion prints time per iteration = per chunk.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/resample_engines.rs"]
mod engines;
use engines::{ENGINES, Engine, noise};

/// The benched pairs (Hz): capture to ASR, TTS to ASR rate, 16 kHz to TTS/client rate.
const PAIRS: [(u32, u32); 3] = [(48_000, 16_000), (24_000, 16_000), (16_000, 24_000)];

fn bench_pairs(c: &mut Criterion) {
    for (fi, fo) in PAIRS {
        let chunk = fi as usize / 100;
        let input = noise(chunk);
        let mut group =
            c.benchmark_group(format!("resample_{}k_to_{}k_10ms", fi / 1000, fo / 1000));
        for name in ENGINES {
            let mut engine = Engine::new(name, fi, fo, chunk).expect("engine");
            group.bench_function(name, |b| {
                b.iter(|| engine.process(black_box(&input)).expect("sized"));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_pairs);
criterion_main!(benches);
