//! Criterion benches of vl-schema: decode and encode of `input_audio_buffer.append` (20 ms and
//! 1 s of 24 kHz PCM16) and of a 100 ms `response.audio.delta`. Throughput is the JSON size, so
//! criterion prints MB/s. `decode/peek` is the crate's decoder (peek-first, append fast path);
//! `decode/tagged` is serde's internally tagged enum (buffers the whole object); `decode/borrowed`
//! is `parse_append_ref` (no copy of the audio).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "benches panic when set-up fails"
)]

use std::hint::black_box;

use base64::Engine as _;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vl_schema::client::InputAudioBufferAppend;
use vl_schema::server::ResponseAudioDelta;
use vl_schema::{
    ClientEvent, ServerEvent, decode_client_event, decode_server_event, encode_client_event,
    encode_server_event, parse_append_ref,
};

/// Base64 of `ms` milliseconds of a 24 kHz PCM16 tone.
fn audio_b64(ms: usize) -> String {
    let samples = 24 * ms;
    let mut pcm = Vec::with_capacity(samples * 2);
    for i in 0..samples {
        let t = i as f64 / 24000.0;
        let s = (8000.0 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
        pcm.extend_from_slice(&s.to_le_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(pcm)
}

fn append_bench(c: &mut Criterion, label: &str, ms: usize) {
    let event = ClientEvent::from(InputAudioBufferAppend {
        event_id: Some("evt_123".into()),
        audio: audio_b64(ms),
    });
    let json = encode_client_event(&event);
    let mut group = c.benchmark_group(format!("append_{label}"));
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("decode/peek", |b| {
        b.iter(|| decode_client_event(black_box(&json)).unwrap());
    });
    group.bench_function("decode/tagged", |b| {
        b.iter(|| serde_json::from_str::<ClientEvent>(black_box(&json)).unwrap());
    });
    group.bench_function("decode/borrowed", |b| {
        b.iter(|| parse_append_ref(black_box(&json)).unwrap());
    });
    group.bench_function("encode", |b| {
        b.iter(|| encode_client_event(black_box(&event)));
    });
    group.finish();
}

fn append_20ms(c: &mut Criterion) {
    append_bench(c, "20ms", 20);
}

fn append_1s(c: &mut Criterion) {
    append_bench(c, "1s", 1000);
}

fn audio_delta_100ms(c: &mut Criterion) {
    let event = ServerEvent::from(ResponseAudioDelta {
        event_id: Some("event_456".into()),
        response_id: "resp_1".into(),
        item_id: "item_1".into(),
        output_index: 0,
        content_index: 0,
        delta: audio_b64(100),
    });
    let json = encode_server_event(&event);
    let mut group = c.benchmark_group("audio_delta_100ms");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| decode_server_event(black_box(&json)).unwrap());
    });
    group.bench_function("encode", |b| {
        b.iter(|| encode_server_event(black_box(&event)));
    });
    group.finish();
}

criterion_group!(benches, append_20ms, append_1s, audio_delta_100ms);
criterion_main!(benches);
