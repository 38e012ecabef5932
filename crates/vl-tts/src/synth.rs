//! The synthesizer interface shared by Piper and the espeak-ng fallback.

use crate::TtsError;
use crate::timing::{VisemeEvent, WordTimestamp};

/// Where an utterance's timing came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimingSource {
    /// Per-phoneme durations predicted by the model (Piper `w_ceil`).
    Model,
    /// Nominal phoneme durations stretched to the audio (espeak-ng fallback, remote TTS).
    Estimated,
}

/// One synthesized sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// The sentence text.
    pub text: String,
    /// Sample rate of `audio`, Hz.
    pub sample_rate: u32,
    /// Mono audio, `f32` in -1.0..=1.0.
    pub audio: Vec<f32>,
    /// Word timestamps, ms from the start of `audio`.
    pub words: Vec<WordTimestamp>,
    /// Viseme events, ms from the start of `audio`.
    pub visemes: Vec<VisemeEvent>,
    /// Where the timing came from.
    pub timing: TimingSource,
}

impl Utterance {
    /// Length of the audio, ms.
    pub fn duration_ms(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.audio.len() as f64 * 1000.0 / f64::from(self.sample_rate)
    }
}

/// A text-to-speech engine that speaks one sentence at a time (blocking; run it on a blocking
/// thread, e.g. `tokio::task::spawn_blocking`, or a dedicated TTS thread).
pub trait Synthesizer {
    /// Output sample rate, Hz.
    fn sample_rate(&self) -> u32;
    /// Synthesizes one sentence (any length; the caller splits text into sentences).
    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError>;
}

impl<S: Synthesizer + ?Sized> Synthesizer for &mut S {
    fn sample_rate(&self) -> u32 {
        (**self).sample_rate()
    }
    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
        (**self).synthesize(sentence)
    }
}

impl<S: Synthesizer + ?Sized> Synthesizer for Box<S> {
    fn sample_rate(&self) -> u32 {
        (**self).sample_rate()
    }
    fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
        (**self).synthesize(sentence)
    }
}

/// First and one-past-last sample whose magnitude exceeds `threshold` (the voiced region), or
/// `(0, 0)` for silence.
pub fn voiced_region(audio: &[f32], threshold: f32) -> (usize, usize) {
    let start = audio.iter().position(|s| s.abs() > threshold);
    let end = audio.iter().rposition(|s| s.abs() > threshold);
    match (start, end) {
        (Some(s), Some(e)) => (s, e + 1),
        _ => (0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voiced_region_trims_silence() {
        let mut a = vec![0.0f32; 100];
        a[10] = 0.5;
        a[60] = -0.2;
        assert_eq!(voiced_region(&a, 0.01), (10, 61));
        assert_eq!(voiced_region(&[0.0; 5], 0.01), (0, 0));
    }
}
