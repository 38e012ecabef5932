//! Synthesis speed. Each engine speaks the same 2.9 s-ish sentence; the printed RTF (processing
//! time ÷ audio time) compares Piper with the espeak-ng process voice measured in the same run.
//!
//! `cargo xtask bench vl-tts` (espeak-ng and the pure timing code) or, with the Piper voice in
//! `models/piper`: `cargo bench -p vl-tts --features piper`.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use vl_tts::timing::{Unit, viseme_events, word_timestamps};
use vl_tts::{EspeakTts, Synthesizer};

const SENTENCE: &str =
    "The weather today is sunny with a light breeze, and a high of twenty degrees.";

/// CPU time of this process so far (user + system, all threads), seconds, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // `rest` starts at field 3 (state, not numeric, skipped), so utime is f[10], stime f[11].
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

fn rtf<S: Synthesizer>(name: &str, v: &mut S) {
    // A few untimed runs, then the mean of ten, printed as RTF next to criterion's numbers.
    let mut audio_s = 0.0;
    for _ in 0..2 {
        let _ = v.synthesize(SENTENCE);
    }
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    for _ in 0..10 {
        let u = v
            .synthesize(SENTENCE)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        audio_s += u.duration_ms() / 1000.0;
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "{name}: RTF {:.4} wall ({:.3} s for {:.2} s of audio); {:.4} in CPU time of this process \
         (all its threads; child processes not counted)",
        secs / audio_s,
        secs / 10.0,
        audio_s / 10.0,
        cpu / audio_s
    );
}

fn engines(c: &mut Criterion) {
    let mut g = c.benchmark_group("synthesize_sentence");
    g.sample_size(10);
    let mut espeak = EspeakTts::new("en-us+m3", 175).unwrap_or_else(|e| panic!("{e}"));
    rtf("espeak-ng process", &mut espeak);
    g.bench_function("espeak_process", |b| {
        b.iter(|| black_box(espeak.synthesize(SENTENCE).ok()))
    });
    #[cfg(feature = "piper")]
    {
        let dir = std::env::var_os("VL_TTS_MODELS").map_or_else(
            || std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/piper"),
            std::path::PathBuf::from,
        );
        let lib = std::env::var_os("ORT_DYLIB_PATH").map_or_else(
            || dir.join("libonnxruntime.so.1.32.0"),
            std::path::PathBuf::from,
        );
        let mut piper =
            vl_tts::PiperVoice::load_dir(&dir, vl_tts::voice::PIPER_VOICE, Some(&lib), 2)
                .unwrap_or_else(|e| panic!("{e}"));
        rtf("piper joe-medium (2 threads)", &mut piper);
        g.bench_function("piper_joe_medium", |b| {
            b.iter(|| black_box(piper.synthesize(SENTENCE).ok()))
        });
    }
    g.finish();
}

fn timing(c: &mut Criterion) {
    // 40 words of 5 phonemes: the per-sentence cost of the timing code.
    let mut units = vec![Unit::Pause];
    for w in 0..40 {
        for p in ["h", "ə", "l", "ˈoʊ", "d"] {
            units.push(Unit::Phone {
                name: p.into(),
                word: w,
            });
        }
        units.push(Unit::WordGap);
    }
    units.push(Unit::Pause);
    let d: Vec<u64> = (0..units.len() as u64).map(|i| 512 + i % 7 * 256).collect();
    let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    c.bench_function("timing_40_words", |b| {
        b.iter(|| {
            black_box(word_timestamps(&units, &d, &words, 22_050));
            black_box(viseme_events(&units, &d, 22_050));
        })
    });
}

criterion_group!(benches, engines, timing);
criterion_main!(benches);
