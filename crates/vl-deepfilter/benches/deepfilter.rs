//! Cost of one 10 ms frame at 16 kHz (cargo feature `real-model`: needs
//! `cargo xtask models --only deepfilter`). 10 ms of audio per iteration: the time per
//! iteration in µs / 100 is the % of one core per stream.

#![allow(clippy::unwrap_used, reason = "bench code")]
#![allow(missing_docs, reason = "criterion macros")]

use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};

fn bench(c: &mut Criterion) {
    let dir = std::env::var_os("VL_MODELS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        PathBuf::from,
    );
    let rt = vl_deepfilter::Runtime::load(&vl_deepfilter::Paths::in_models_dir(&dir)).unwrap();
    let mut ns = rt.stream(vl_deepfilter::Config::default()).unwrap();
    let mut seed = 1u32;
    let input: Vec<f32> = (0..16_000)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            0.1 * (i as f32 * 0.05).sin() + 0.02 * ((seed >> 8) as f32 / 8_388_608.0 - 1.0)
        })
        .collect();
    let mut frame = [0.0f32; vl_deepfilter::FRAME_LEN];
    let mut pos = 0;
    c.bench_function("deepfilter3_16k_10ms_frame", |b| {
        b.iter(|| {
            frame.copy_from_slice(&input[pos..pos + vl_deepfilter::FRAME_LEN]);
            pos = (pos + vl_deepfilter::FRAME_LEN) % input.len();
            ns.process(&mut frame).unwrap();
            std::hint::black_box(&frame);
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
