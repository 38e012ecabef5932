//! Per-10 ms-frame cost of vl-dsp's echo canceller and noise suppressor, with the anchors in the
//! same run: speexdsp MDF (tail 256 and 512 ms) and preprocessor denoise (Debian
//! libspeexdsp), RNNoise (`nnnoiseless`, one 480-sample 48 kHz frame = 10 ms, no resampling).
//! Input: 16 kHz noise-like signals after warm-up, so the adaptive filters are active.
#![allow(missing_docs, reason = "criterion macros")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vl_dsp::{EchoCanceller, FRAME_LEN, NoiseSuppressor};

fn signal(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    let mut lp = 0.0f32;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            lp = 0.8 * lp + 0.2 * ((s >> 8) as f32 / (1u32 << 24) as f32 - 0.5);
            lp * 0.3
        })
        .collect()
}

fn aec(c: &mut Criterion) {
    let far = signal(16_000, 1);
    let echo: Vec<f32> = (0..far.len())
        .map(|i| if i >= 800 { 0.5 * far[i - 800] } else { 0.0 })
        .collect();
    let mut g = c.benchmark_group("aec_10ms_frame");
    let mut ours = EchoCanceller::default();
    let mut out = vec![0.0f32; FRAME_LEN];
    for (m, f) in echo
        .chunks_exact(FRAME_LEN)
        .zip(far.chunks_exact(FRAME_LEN))
    {
        ours.process(m, f, &mut out).unwrap_or(());
    }
    let mut i = 0;
    g.bench_function("vl-dsp", |b| {
        b.iter(|| {
            let k = (i % 100) * FRAME_LEN;
            i += 1;
            ours.process(&echo[k..k + FRAME_LEN], &far[k..k + FRAME_LEN], &mut out)
                .unwrap_or(());
            black_box(&out);
        });
    });
    for tail in [4096usize, 8192] {
        let Some(mut sp) = speexdsp_ffi::SpeexEcho::new(FRAME_LEN, tail, false) else {
            continue;
        };
        let (mut m, mut f, mut o) = (
            vec![0i16; FRAME_LEN],
            vec![0i16; FRAME_LEN],
            vec![0i16; FRAME_LEN],
        );
        let mut j = 0;
        g.bench_function(format!("speex MDF {} ms", tail / 16), |b| {
            b.iter(|| {
                let k = (j % 100) * FRAME_LEN;
                j += 1;
                speexdsp_ffi::to_i16(&echo[k..k + FRAME_LEN], &mut m);
                speexdsp_ffi::to_i16(&far[k..k + FRAME_LEN], &mut f);
                sp.process(&m, &f, &mut o);
                black_box(&o);
            });
        });
    }
    g.finish();
}

fn ns(c: &mut Criterion) {
    let x = signal(16_000, 2);
    let mut g = c.benchmark_group("ns_10ms_frame");
    let mut ours = NoiseSuppressor::default();
    let mut frame = vec![0.0f32; FRAME_LEN];
    let mut i = 0;
    g.bench_function("vl-dsp", |b| {
        b.iter(|| {
            let k = (i % 100) * FRAME_LEN;
            i += 1;
            frame.copy_from_slice(&x[k..k + FRAME_LEN]);
            ours.process(&mut frame).unwrap_or(());
            black_box(&frame);
        });
    });
    let mut rn = nnnoiseless::DenoiseState::new();
    let x48: Vec<f32> = signal(48_000, 3).iter().map(|v| v * 32768.0).collect();
    let mut o48 = vec![0.0f32; nnnoiseless::DenoiseState::FRAME_SIZE];
    let mut j = 0;
    g.bench_function("RNNoise (nnnoiseless, 48 kHz)", |b| {
        b.iter(|| {
            let n = nnnoiseless::DenoiseState::FRAME_SIZE;
            let k = (j % 90) * n;
            j += 1;
            rn.process_frame(&mut o48, &x48[k..k + n]);
            black_box(&o48);
        });
    });
    if let Some(mut sp) = speexdsp_ffi::SpeexDenoise::new(FRAME_LEN) {
        let mut buf = vec![0i16; FRAME_LEN];
        let mut j = 0;
        g.bench_function("speex preprocess", |b| {
            b.iter(|| {
                let k = (j % 100) * FRAME_LEN;
                j += 1;
                speexdsp_ffi::to_i16(&x[k..k + FRAME_LEN], &mut buf);
                sp.process(&mut buf);
                black_box(&buf);
            });
        });
    }
    g.finish();
}

criterion_group!(benches, aec, ns);
criterion_main!(benches);
