//! Tests with the real Whisper tiny.en model (cargo feature `whisper`).
//!
//! They need the model fetched and converted by `cargo xtask models --only asr-tiny` (into
//! `$VL_MODELS`, default `models/` at the project root) and the Debian package
//! `asterisk-core-sounds-en-wav` (real recorded speech). CI runs both.

#![allow(clippy::unwrap_used, reason = "test code: a failure should panic")]

use std::path::{Path, PathBuf};

use vl_asr::whisper::{AudioContext, DecodeConfig, Model};

fn models_dir() -> PathBuf {
    std::env::var_os("VL_MODELS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models"),
        PathBuf::from,
    )
}

fn need(path: PathBuf) -> PathBuf {
    assert!(
        path.exists(),
        "{} is missing: run `cargo xtask models --only asr-tiny` (and install \
         asterisk-core-sounds-en-wav for the prompts)",
        path.display()
    );
    path
}

fn prompt(name: &str) -> Vec<f32> {
    let path = need(PathBuf::from(format!(
        "/usr/share/asterisk/sounds/en/{name}.wav"
    )));
    vl_asr::audio::read_wav_16k(&path).unwrap()
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// One thread: these tests check words, not speed, and one thread stays fast on a busy machine
/// (ggml's worker threads spin while they wait).
fn config() -> DecodeConfig {
    DecodeConfig {
        threads: 1,
        ..DecodeConfig::default()
    }
}

fn tiny_model() -> Model {
    Model::load(&need(models_dir().join("whisper/ggml-tiny.en.bin"))).unwrap()
}

#[test]
fn converter_output_for_real_tiny_en_has_whisper_cpp_layout() {
    let ct2 = models_dir().join("whisper/tiny.en");
    let out = std::env::temp_dir().join(format!("vl-asr-test-{}.bin", std::process::id()));
    let summary = vl_asr::convert::convert_files(
        &[&need(ct2.join("model.bin"))],
        &need(ct2.join("vocabulary.txt")),
        &out,
    )
    .unwrap();
    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let hp = summary.hparams;
    assert_eq!(
        (
            hp.n_vocab,
            hp.n_audio_ctx,
            hp.n_audio_state,
            hp.n_audio_head,
            hp.n_audio_layer
        ),
        (51864, 1500, 384, 6, 4)
    );
    assert_eq!(
        (
            hp.n_text_ctx,
            hp.n_text_state,
            hp.n_text_head,
            hp.n_text_layer,
            hp.n_mels
        ),
        (448, 384, 6, 4, 80)
    );
    assert_eq!(summary.n_tokens, 50256);
    assert_eq!(summary.n_tensors, 5 + 4 * 15 + 2 + 4 + 4 * 24);
    // The size the reference converter measured (backends.md §1.1.1).
    assert_eq!(bytes.len(), 77_704_698);
    let file = vl_asr::convert::ggml::File::parse(&bytes).unwrap();
    assert_eq!(file.tokens[0], b"!");
    assert_eq!(file.tokens[220], b" ");
    assert_eq!(file.tokens[50255], b" gazed");
    // The converted file equals the one `cargo xtask models` made.
    let installed = std::fs::read(models_dir().join("whisper/ggml-tiny.en.bin")).unwrap();
    assert!(
        installed == bytes,
        "installed ggml file differs from a fresh conversion"
    );
}

#[test]
fn transcribes_a_recorded_asterisk_prompt() {
    let model = tiny_model();
    let mut tr = model.transcriber(config()).unwrap();
    // "Please enter your password followed by the pound key."
    let text = tr.transcribe(&prompt("agent-pass")).unwrap();
    let got = words(&text);
    for w in [
        "please", "enter", "your", "password", "followed", "pound", "key",
    ] {
        assert!(got.iter().any(|g| g == w), "`{w}` not in {text:?}");
    }
    assert!(got.len() <= 11, "too many words: {text:?}");
    // The full 30 s window gives the same words here.
    let mut full = model
        .transcriber(DecodeConfig {
            final_ctx: AudioContext::Full,
            ..config()
        })
        .unwrap();
    assert_eq!(words(&full.transcribe(&prompt("agent-pass")).unwrap()), got);
}

#[test]
fn short_clips_are_padded_and_silence_gives_no_words() {
    let model = tiny_model();
    let mut tr = model.transcriber(config()).unwrap();
    // "Activated." is 1.06 s at 8 kHz; a 0.7 s cut needs padding to reach whisper's 1 s minimum.
    let clip = prompt("activated");
    let text = tr.transcribe(&clip[..clip.len().min(11_200)]).unwrap();
    assert!(
        words(&text).iter().any(|w| w.starts_with("activ")),
        "{text:?}"
    );
    assert_eq!(tr.transcribe(&[]).unwrap(), "");
}

#[test]
fn streaming_gives_spaced_partials_then_the_final() {
    let model = tiny_model();
    let streaming = DecodeConfig {
        partial_interval_ms: 500,
        partial_min_ms: 500,
        ..config()
    };
    let mut tr = model.transcriber(streaming).unwrap();
    // "Please enter a new extension, followed by pound."
    let audio = prompt("agent-newlocation");
    let mut partials = Vec::new();
    for (i, chunk) in audio.chunks(320).enumerate() {
        tr.push(chunk);
        if let Some(p) = tr.partial().unwrap() {
            partials.push(((i + 1) * 320, p));
        }
    }
    let n = audio.len();
    assert_eq!(
        partials.len(),
        n / 8000,
        "one partial per 500 ms: {partials:?}"
    );
    for (k, (at, _)) in partials.iter().enumerate() {
        assert_eq!(*at, (k + 1) * 8000);
    }
    // The last partial has most of the words; the first has at least one.
    assert!(!words(&partials[0].1).is_empty(), "{partials:?}");
    let last = words(&partials.last().unwrap().1);
    assert!(last.iter().any(|w| w == "extension"), "{partials:?}");
    let text = tr.finish().unwrap();
    let got = words(&text);
    for w in ["please", "enter", "new", "extension", "followed", "pound"] {
        assert!(got.iter().any(|g| g == w), "`{w}` not in {text:?}");
    }
    // finish() starts a new utterance.
    assert_eq!(tr.len_samples(), 0);
    assert_eq!(tr.partial().unwrap(), None);
}

#[test]
fn loading_a_missing_or_corrupt_model_is_an_error() {
    assert!(Model::load(Path::new("/nonexistent/ggml.bin")).is_err());
    let bad = std::env::temp_dir().join(format!("vl-asr-bad-{}.bin", std::process::id()));
    std::fs::write(&bad, b"not a model at all").unwrap();
    let result = Model::load(&bad);
    std::fs::remove_file(&bad).unwrap();
    assert!(result.is_err());
}
