//! Resampler speed per 10 ms input chunk, side by side in one criterion run:
//! ours (`vl_codec::Resampler`), rubato 5 `Async` sinc (256 taps, Blackman-Harris², cubic, the
//! configuration measured in audio-dsp.md §3.2), rubato 5 `Fft` (fixed input, default window),
//! and Debian's libsoxr HQ through `soxr-ffi` (bench-only, LGPL).
//!
//! Input is white noise (ours has a fast path for exact digital silence, which a bench must not
//! hit). Every implementation keeps its state across iterations, as in a live stream.
//!
//! `cargo bench -p vl-codec --bench resample`; criterion prints time per iteration = per chunk.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{
    Async, Fft, FixedAsync, FixedSync, Resampler as _, SincInterpolationParameters, WindowFunction,
};
use soxr_ffi::Soxr;
use vl_codec::Resampler;

/// The benched pairs (Hz): capture to ASR, TTS to ASR rate, 16 kHz to TTS/client rate.
const PAIRS: [(u32, u32); 3] = [(48_000, 16_000), (24_000, 16_000), (16_000, 24_000)];

fn noise(len: usize) -> Vec<f32> {
    let mut s = 0x1234_5678_u32;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s as f32 / u32::MAX as f32) - 0.5
        })
        .collect()
}

fn bench_pairs(c: &mut Criterion) {
    for (fi, fo) in PAIRS {
        let chunk = fi as usize / 100;
        let input = noise(chunk);
        let mut group =
            c.benchmark_group(format!("resample_{}k_to_{}k_10ms", fi / 1000, fo / 1000));

        let mut ours = Resampler::new(fi, fo).expect("supported pair");
        let mut out = vec![0.0_f32; ours.max_output_len(chunk)];
        group.bench_function("vl_codec", |b| {
            b.iter(|| ours.process(black_box(&input), &mut out).expect("sized"));
        });

        let params = SincInterpolationParameters::new(256, WindowFunction::BlackmanHarris2);
        let mut sinc = Async::<f32>::new_sinc(
            f64::from(fo) / f64::from(fi),
            1.0,
            &params,
            chunk,
            1,
            FixedAsync::Input,
        )
        .expect("rubato sinc");
        let mut sinc_out = vec![0.0_f32; sinc.output_frames_max()];
        group.bench_function("rubato_sinc256", |b| {
            b.iter(|| {
                let inp = InterleavedSlice::new(black_box(&input), 1, chunk).expect("adapter");
                let cap = sinc_out.len();
                let mut outp = InterleavedSlice::new_mut(&mut sinc_out, 1, cap).expect("adapter");
                sinc.process_into_buffer(&inp, &mut outp, None)
                    .expect("rubato")
            });
        });

        let mut fft = Fft::<f32>::new(fi as usize, fo as usize, chunk, 1, FixedSync::Input)
            .expect("rubato fft");
        let mut fft_out = vec![0.0_f32; fft.output_frames_max()];
        group.bench_function("rubato_fft", |b| {
            b.iter(|| {
                let inp = InterleavedSlice::new(black_box(&input), 1, chunk).expect("adapter");
                let cap = fft_out.len();
                let mut outp = InterleavedSlice::new_mut(&mut fft_out, 1, cap).expect("adapter");
                fft.process_into_buffer(&inp, &mut outp, None)
                    .expect("rubato")
            });
        });

        let mut soxr = Soxr::new_hq(f64::from(fi), f64::from(fo)).expect("soxr");
        let mut soxr_out = vec![0.0_f32; 2 * chunk * fo as usize / fi as usize + 64];
        group.bench_function("soxr_hq", |b| {
            b.iter(|| {
                soxr.process(black_box(&input), &mut soxr_out)
                    .expect("soxr")
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench_pairs);
criterion_main!(benches);
