//! Per-10 ms-frame cost of vl-dsp's echo canceller and noise suppressor, with the anchors in the
//! same run: speexdsp MDF (tail 256 and 512 ms) and preprocessor denoise (Debian
//! libspeexdsp), RNNoise (`nnnoiseless`, one 480-sample 48 kHz frame = 10 ms, no resampling).
//! WebRTC APM through the pure-Rust `sonora` port (AEC3 with render = far end then capture =
//! mic, stream delay 0, default config; AEC3 + NS High; NS High alone), 16 kHz mono, 10 ms frames.
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
    for (name, ns) in [
        ("WebRTC AEC3 (sonora)", None),
        (
            "WebRTC AEC3 + NS high (sonora)",
            Some(sonora::config::NoiseSuppressionLevel::High),
        ),
    ] {
        let mut ap = webrtc(sonora::Config {
            echo_canceller: Some(sonora::config::EchoCanceller::default()),
            noise_suppression: ns.map(|level| sonora::config::NoiseSuppression {
                level,
                ..Default::default()
            }),
            ..Default::default()
        });
        let mut render_out = vec![0.0f32; FRAME_LEN];
        let mut step = |ap: &mut sonora::AudioProcessing, k: usize, out: &mut [f32]| {
            ap.process_render_f32(&[&far[k..k + FRAME_LEN]], &mut [&mut render_out[..]])
                .unwrap_or(());
            ap.set_stream_delay_ms(0).unwrap_or(());
            ap.process_capture_f32(&[&echo[k..k + FRAME_LEN]], &mut [out])
                .unwrap_or(());
        };
        for f in 0..100 {
            step(&mut ap, f * FRAME_LEN, &mut out);
        }
        let mut j = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                let k = (j % 100) * FRAME_LEN;
                j += 1;
                step(&mut ap, k, &mut out);
                black_box(&out);
            });
        });
    }
    g.finish();
}

/// A 16 kHz mono WebRTC APM (sonora) with `config`.
fn webrtc(config: sonora::Config) -> sonora::AudioProcessing {
    sonora::AudioProcessing::builder()
        .config(config)
        .capture_config(sonora::StreamConfig::new(16_000, 1))
        .render_config(sonora::StreamConfig::new(16_000, 1))
        .build()
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
    let mut ap = webrtc(sonora::Config {
        noise_suppression: Some(sonora::config::NoiseSuppression {
            level: sonora::config::NoiseSuppressionLevel::High,
            ..Default::default()
        }),
        ..Default::default()
    });
    let mut out = vec![0.0f32; FRAME_LEN];
    let mut j = 0;
    g.bench_function("WebRTC NS high (sonora)", |b| {
        b.iter(|| {
            let k = (j % 100) * FRAME_LEN;
            j += 1;
            ap.process_capture_f32(&[&x[k..k + FRAME_LEN]], &mut [&mut out[..]])
                .unwrap_or(());
            black_box(&out);
        });
    });
    g.finish();
}

criterion_group!(benches, aec, ns);
criterion_main!(benches);
