//! The Piper voice (feature `piper`). Needs the voice and ONNX Runtime, fetched by the CI step
//! into `models/piper` (override with `VL_TTS_MODELS`; `ORT_DYLIB_PATH` overrides the library).

use std::path::PathBuf;

use vl_tts::voice::PIPER_VOICE;
use vl_tts::{PiperVoice, Synthesizer, TimingSource, TtsStream};

use crate::common::{check_chunks, check_utterance};

fn models() -> PathBuf {
    std::env::var_os("VL_TTS_MODELS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/piper"),
        PathBuf::from,
    )
}

fn voice() -> PiperVoice {
    let dir = models();
    let lib = std::env::var_os("ORT_DYLIB_PATH")
        .map_or_else(|| dir.join("libonnxruntime.so.1.32.0"), PathBuf::from);
    PiperVoice::load_dir(&dir, PIPER_VOICE, Some(&lib), 2).unwrap_or_else(|e| {
        panic!(
            "cannot load the Piper voice from {} (run `cargo xtask models` first): {e}",
            dir.display()
        )
    })
}

#[test]
fn piper_speaks_a_sentence_with_model_timing() {
    let mut v = voice();
    assert!(v.has_durations(), "the duration output was patched in");
    assert_eq!(v.sample_rate(), 22_050);
    let text = "The quick brown fox jumps over the lazy dog.";
    let u = v.synthesize(text).unwrap();
    assert_eq!(u.timing, TimingSource::Model);
    // The durations explain the audio exactly: a whole number of 256-sample frames.
    assert_eq!(u.audio.len() % 256, 0);
    check_utterance(
        &u,
        text,
        &[
            "The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog",
        ],
    );
}

#[test]
fn words_espeak_merges_still_get_a_length() {
    // espeak-ng reads "not a" as one word (nˌɑːɾə) and "want to" often as one; each text word
    // still gets its own non-empty, ordered timestamp.
    let mut v = voice();
    let text = "The capital of France is not a place I want to comment on.";
    let u = v.synthesize(text).unwrap();
    let names: Vec<&str> = u.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "The", "capital", "of", "France", "is", "not", "a", "place", "I", "want", "to",
            "comment", "on"
        ]
    );
    assert!(
        u.words.iter().all(|w| w.audio_duration_ms > 0),
        "{:?}",
        u.words
    );
    for pair in u.words.windows(2) {
        assert!(
            pair[0].audio_offset_ms + pair[0].audio_duration_ms <= pair[1].audio_offset_ms,
            "{:?}",
            u.words
        );
    }
}

#[test]
fn piper_words_land_where_their_sounds_are() {
    // "fox" has /f/ (viseme 18) then /ɑ/ (2) then /k/ (20) then /s/ (15) inside its timestamp.
    let mut v = voice();
    let u = v.synthesize("A red fox sat.").unwrap();
    let fox = u.words.iter().find(|w| w.text == "fox").unwrap();
    let inside: Vec<u8> = u
        .visemes
        .iter()
        .filter(|e| {
            e.audio_offset_ms >= fox.audio_offset_ms
                && e.audio_offset_ms < fox.audio_offset_ms + fox.audio_duration_ms
        })
        .map(|e| e.viseme_id)
        .collect();
    assert_eq!(inside, vec![18, 2, 20, 15], "{:?} {:?}", u.words, u.visemes);
    // The fricative /s/ of "fox" is noisy, high-frequency sound in the audio.
    let s = u
        .visemes
        .iter()
        .position(|e| e.viseme_id == 15 && e.audio_offset_ms >= fox.audio_offset_ms)
        .unwrap();
    let (a, b) = (
        u.visemes[s].audio_offset_ms,
        u.visemes[s + 1].audio_offset_ms,
    );
    let seg = &u.audio[(a as usize * 22_050 / 1000)..(b as usize * 22_050 / 1000)];
    let zc = seg
        .windows(2)
        .filter(|w| (w[0] >= 0.0) != (w[1] >= 0.0))
        .count() as f64
        / seg.len() as f64;
    assert!(zc > 0.2, "zero-crossing rate {zc:.3} in /s/");
}

#[test]
fn piper_stream_speaks_sentence_by_sentence() {
    let mut v = voice();
    let mut stream = TtsStream::new(&mut v, true);
    let mut chunks = stream.push_text("Hello there. How are").unwrap();
    assert_eq!(
        chunks.len(),
        1,
        "the first sentence leaves before the reply is complete"
    );
    chunks.extend(stream.push_text(" you today?").unwrap());
    chunks.extend(stream.finish().unwrap());
    assert_eq!(chunks.len(), 2);
    check_chunks(&chunks);
    assert!(chunks.iter().all(|c| c.timing == TimingSource::Model));
}
