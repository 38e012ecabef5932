//! Session benches: events/s through a session, and the engine CPU time from the append that
//! completes a user turn (its last VAD frame) to the first `response.audio.delta`, with the
//! scripted backend and a virtual clock.
//!
//! Run with `cargo bench -p vl-engine --bench session`; the latency percentiles are printed
//! before criterion's output.

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vl_engine::backend::{BackendOutput, BackendRequest, RequestId, SynthesizeRequest};
use vl_engine::scripted::ScriptedBackend;
use vl_engine::{Session, SessionConfig};

const USER: &str = r#"{"type":"conversation.item.create","item":{"type":"message","role":"user","content":[{"type":"input_text","text":"hello there, how are you today?"}]}}"#;
const CREATE_TEXT: &str = r#"{"type":"response.create","response":{"modalities":["text"]}}"#;
const CREATE_AUDIO: &str = r#"{"type":"response.create"}"#;

/// Drives the session until quiet; returns the number of events drained.
fn drive(session: &mut Session, backend: &mut ScriptedBackend, now: Instant) -> usize {
    let mut n = 0;
    loop {
        while let Some(ev) = session.poll_event() {
            black_box(&ev);
            n += 1;
        }
        let Some(req) = session.poll_backend_request() else {
            return n;
        };
        for out in backend.handle(req) {
            session.handle_backend_output(now, out);
        }
    }
}

/// Events of one text turn and of one audio turn.
fn turn_events(create: &str) -> usize {
    let now = Instant::now();
    let mut s = Session::new(SessionConfig::new("gpt-4o"), now);
    let mut b = ScriptedBackend::new();
    drive(&mut s, &mut b, now);
    s.handle_client_message(now, USER);
    s.handle_client_message(now, create);
    drive(&mut s, &mut b, now)
}

fn speech_chunks() -> Vec<String> {
    let mut backend = ScriptedBackend::new();
    let mut audio = vec![0i16; 24_000 / 2];
    for o in backend.handle(BackendRequest::Synthesize(SynthesizeRequest {
        id: RequestId(1),
        response_id: "r".into(),
        text: "hello there, how are you today?".into(),
        voice: "alloy".into(),
        voice_type: "openai".into(),
        sample_rate_hz: 24_000,
        blendshapes: false,
    })) {
        if let BackendOutput::Audio { samples, .. } = o {
            audio.extend(samples);
        }
    }
    audio.extend(std::iter::repeat_n(0, 24_000 * 3 / 2));
    audio
        .chunks(480)
        .map(|c| {
            let bytes: Vec<u8> = c.iter().flat_map(|s| s.to_le_bytes()).collect();
            format!(
                r#"{{"type":"input_audio_buffer.append","audio":"{}"}}"#,
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        })
        .collect()
}

/// CPU time from the start of the append whose last VAD frame ends the turn until the first
/// audio delta is out (ASR, LLM and TTS scripted, synchronous).
fn turn_latency(chunks: &[String]) -> Option<Duration> {
    let start = Instant::now();
    let mut now = start;
    let mut s = Session::new(SessionConfig::new("gpt-4o"), now);
    let mut b = ScriptedBackend::new();
    drive(&mut s, &mut b, now);
    for chunk in chunks {
        now += Duration::from_millis(20);
        let t0 = Instant::now();
        s.handle_client_message(now, chunk);
        let mut stopped = false;
        loop {
            while let Some(ev) = s.poll_event() {
                match ev.type_name() {
                    "input_audio_buffer.speech_stopped" => stopped = true,
                    "response.audio.delta" if stopped => return Some(t0.elapsed()),
                    _ => {}
                }
            }
            let Some(req) = s.poll_backend_request() else {
                break;
            };
            for out in b.handle(req) {
                s.handle_backend_output(now, out);
            }
        }
        if stopped {
            return None;
        }
    }
    None
}

fn report_latency() {
    let chunks = speech_chunks();
    let mut samples: Vec<Duration> = (0..200).filter_map(|_| turn_latency(&chunks)).collect();
    samples.sort();
    if samples.is_empty() {
        eprintln!("turn latency: no turn detected");
        return;
    }
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "last VAD frame -> first audio delta (engine + scripted backend CPU, {} runs): p50 {:?}, p95 {:?}",
        samples.len(),
        pick(0.5),
        pick(0.95)
    );
}

fn benches(c: &mut Criterion) {
    report_latency();
    let mut g = c.benchmark_group("session");
    for (name, create) in [("text_turn", CREATE_TEXT), ("audio_turn", CREATE_AUDIO)] {
        let n = turn_events(create) as u64;
        g.throughput(Throughput::Elements(n));
        g.bench_function(name, |bench| bench.iter(|| black_box(turn_events(create))));
    }
    let chunks = speech_chunks();
    g.throughput(Throughput::Elements(chunks.len() as u64));
    g.bench_function("append_20ms_vad_turn", |bench| {
        bench.iter(|| {
            let mut now = Instant::now();
            let mut s = Session::new(SessionConfig::new("gpt-4o"), now);
            let mut b = ScriptedBackend::new();
            for chunk in &chunks {
                now += Duration::from_millis(20);
                s.handle_client_message(now, chunk);
                drive(&mut s, &mut b, now);
            }
        });
    });
    g.finish();
}

criterion_group!(session, benches);
criterion_main!(session);
