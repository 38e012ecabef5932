//! G.711, PCM16 and base64 throughput, ours side by side with references in one run:
//! G.711 against `g711-ref-c` (a plain C implementation of the G.191 STL algorithm, compiled by
//! `cc` at the bench profile's optimisation level), base64 against the `base64` crate.
//!
//! Input: a deterministic speech-like signal (Laplacian samples, scale 2,000 ≈ −22 dBFS RMS),
//! so the C reference's segment search runs a realistic number of iterations. Throughput is in
//! samples (`elem/s`) for codecs and PCM16, in base64 text bytes for base64.
//!
//! Run: `cargo bench -p vl-codec --bench g711`.
#![allow(missing_docs, reason = "bench binary")]
#![allow(clippy::unwrap_used, reason = "bench setup")]

use std::hint::black_box;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use vl_codec::base64::{Base64AudioDecoder, decode_base64_pcm16, encode_pcm16_base64};
use vl_codec::g711::{Law, alaw, ulaw};
use vl_codec::pcm16;

/// Deterministic Laplacian PCM16 (xorshift PRNG, inverse-CDF), clipped to the i16 range.
fn speech_like(n: usize, seed: u64) -> Vec<i16> {
    let mut state = seed | 1;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = ((state >> 11) as f64 + 0.5) / (1_u64 << 53) as f64; // (0, 1)
            let x = if u < 0.5 {
                2_000.0 * (2.0 * u).ln()
            } else {
                -2_000.0 * (2.0 * (1.0 - u)).ln()
            };
            x.clamp(-32_768.0, 32_767.0) as i16
        })
        .collect()
}

/// (label, samples): 20 ms and 1 s at 8 kHz, the telephony cases.
const SIZES: [(&str, usize); 2] = [("20ms_8k", 160), ("1s_8k", 8_000)];

type Encoder = fn(&[i16], &mut [u8]);
type Decoder = fn(&[u8], &mut [i16]);

fn g711(c: &mut Criterion) {
    let encoders: [(&str, Encoder); 4] = [
        ("ulaw/ours", |p, o| {
            ulaw::encode_into(p, o).unwrap();
        }),
        ("ulaw/c_ref", |p, o| {
            g711_ref_c::ulaw_encode(p, o);
        }),
        ("alaw/ours", |p, o| {
            alaw::encode_into(p, o).unwrap();
        }),
        ("alaw/c_ref", |p, o| {
            g711_ref_c::alaw_encode(p, o);
        }),
    ];
    let decoders: [(&str, Decoder); 4] = [
        ("ulaw/ours", |p, o| {
            ulaw::decode_into(p, o).unwrap();
        }),
        ("ulaw/c_ref", |p, o| {
            g711_ref_c::ulaw_decode(p, o);
        }),
        ("alaw/ours", |p, o| {
            alaw::decode_into(p, o).unwrap();
        }),
        ("alaw/c_ref", |p, o| {
            g711_ref_c::alaw_decode(p, o);
        }),
    ];
    for (size, n) in SIZES {
        let pcm = speech_like(n, 0x5EED);
        let mut group = c.benchmark_group(format!("g711_encode/{size}"));
        group.throughput(Throughput::Elements(n as u64));
        let mut out = vec![0_u8; n];
        for (name, f) in encoders {
            group.bench_function(name, |b| b.iter(|| f(black_box(&pcm), black_box(&mut out))));
        }
        group.finish();

        let mut group = c.benchmark_group(format!("g711_decode/{size}"));
        group.throughput(Throughput::Elements(n as u64));
        let mut pcm_out = vec![0_i16; n];
        for (name, f) in decoders {
            let law = if name.starts_with("ulaw") {
                Law::Ulaw
            } else {
                Law::Alaw
            };
            let mut codes = vec![0_u8; n];
            law.encode_into(&pcm, &mut codes).unwrap();
            group.bench_function(name, |b| {
                b.iter(|| f(black_box(&codes), black_box(&mut pcm_out)));
            });
        }
        group.finish();
    }

    // f32 entry points, 1 s at 8 kHz (ours only; the C reference has none).
    let n = 8_000;
    let pcm = speech_like(n, 0xF32);
    let pcm_f32: Vec<f32> = pcm.iter().map(|&s| pcm16::to_f32(s)).collect();
    let mut group = c.benchmark_group("g711_f32/1s_8k");
    group.throughput(Throughput::Elements(n as u64));
    for law in [Law::Ulaw, Law::Alaw] {
        let mut codes = vec![0_u8; n];
        law.encode_into(&pcm, &mut codes).unwrap();
        let mut out = vec![0.0_f32; n];
        group.bench_function(format!("{law:?}/decode_f32"), |b| {
            b.iter(|| {
                law.decode_f32_into(black_box(&codes), black_box(&mut out))
                    .unwrap()
            });
        });
        let mut out = vec![0_u8; n];
        group.bench_function(format!("{law:?}/encode_f32"), |b| {
            b.iter(|| {
                law.encode_f32_into(black_box(&pcm_f32), black_box(&mut out))
                    .unwrap()
            });
        });
    }
    group.finish();
}

fn pcm16_conversions(c: &mut Criterion) {
    let n = 24_000; // 1 s at 24 kHz
    let pcm = speech_like(n, 0xB17E5);
    let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
    let mut group = c.benchmark_group("pcm16/1s_24k");
    group.throughput(Throughput::Elements(n as u64));
    let mut f = vec![0.0_f32; n];
    group.bench_function("le_bytes_to_f32", |b| {
        b.iter(|| pcm16::le_bytes_to_f32_into(black_box(&bytes), black_box(&mut f)).unwrap());
    });
    let mut out = vec![0_u8; 2 * n];
    group.bench_function("f32_to_le_bytes", |b| {
        b.iter(|| pcm16::f32_to_le_bytes_into(black_box(&f), black_box(&mut out)).unwrap());
    });
    let mut s = vec![0_i16; n];
    group.bench_function("le_bytes_to_i16", |b| {
        b.iter(|| pcm16::le_bytes_to_i16_into(black_box(&bytes), black_box(&mut s)).unwrap());
    });
    group.finish();
}

fn base64_audio(c: &mut Criterion) {
    // 1 s of 24 kHz PCM16 (64,000 characters) and a 15 MiB append (the largest the API allows).
    let one_second = speech_like(24_000, 0xB64);
    let big_bytes = 15 * 1024 * 1024 / 4 * 3;
    let big = speech_like(big_bytes / 2, 0xB16);
    for (label, pcm) in [("1s_24k", &one_second), ("15MiB", &big)] {
        let bytes: Vec<u8> = pcm.iter().flat_map(|s| s.to_le_bytes()).collect();
        let text = STANDARD.encode(&bytes);
        let mut group = c.benchmark_group(format!("base64_decode/{label}"));
        group.throughput(Throughput::Bytes(text.len() as u64));
        if label == "15MiB" {
            group.sample_size(10);
        }
        let mut samples: Vec<i16> = Vec::with_capacity(pcm.len() + 4);
        group.bench_function("ours_one_shot", |b| {
            b.iter(|| {
                samples.clear();
                decode_base64_pcm16(black_box(&text), &mut samples).unwrap();
            });
        });
        let mut decoder = Base64AudioDecoder::new();
        group.bench_function("ours_streaming_4KiB_chunks", |b| {
            b.iter(|| {
                samples.clear();
                for chunk in black_box(text.as_bytes()).chunks(4_096) {
                    decoder.decode(chunk, &mut samples).unwrap();
                }
                decoder.finish().unwrap();
            });
        });
        let mut buf: Vec<u8> = Vec::with_capacity(bytes.len() + 4);
        let mut pcm_out = vec![0_i16; pcm.len()];
        group.bench_function("base64_crate_then_pcm16", |b| {
            b.iter(|| {
                buf.clear();
                STANDARD.decode_vec(black_box(&text), &mut buf).unwrap();
                pcm16::le_bytes_to_i16_into(&buf, &mut pcm_out).unwrap();
            });
        });
        group.finish();
    }

    let mut group = c.benchmark_group("base64_encode/1s_24k");
    let mut text = String::with_capacity(70_000);
    group.throughput(Throughput::Elements(one_second.len() as u64));
    group.bench_with_input(BenchmarkId::new("ours", "i16"), &one_second, |b, pcm| {
        b.iter(|| {
            text.clear();
            encode_pcm16_base64(black_box(pcm), &mut text);
        });
    });
    let mut bytes = vec![0_u8; 2 * one_second.len()];
    group.bench_with_input(
        BenchmarkId::new("base64_crate", "i16"),
        &one_second,
        |b, pcm| {
            b.iter(|| {
                text.clear();
                pcm16::i16_to_le_bytes_into(black_box(pcm), &mut bytes).unwrap();
                STANDARD.encode_string(&bytes, &mut text);
            });
        },
    );
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(40)
}

criterion_group! {
    name = benches;
    config = config();
    targets = g711, pcm16_conversions, base64_audio
}
criterion_main!(benches);
