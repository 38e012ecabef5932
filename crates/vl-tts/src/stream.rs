//! Sentence-by-sentence streaming: text deltas in, audio chunks with timing out.

use crate::TtsError;
use crate::blendshape::{BlendshapeAnimator, Frame};
use crate::sentence::SentenceSplitter;
use crate::synth::{Synthesizer, TimingSource};
use crate::timing::{VisemeEvent, WordTimestamp};

/// Blendshape frames for one chunk.
#[derive(Debug, Clone, PartialEq)]
pub struct BlendshapeFrames {
    /// Index of the first frame (60 fps from the start of the response audio).
    pub frame_index: u64,
    /// The frames, 55 values each.
    pub frames: Vec<Frame>,
}

/// The audio of one sentence with its events; all offsets are ms from the start of the
/// response's audio (the protocol's `audio_offset_ms`).
#[derive(Debug, Clone, PartialEq)]
pub struct TtsChunk {
    /// The sentence text (also what `response.audio_transcript.delta` should carry).
    pub text: String,
    /// Sample rate of `audio`, Hz.
    pub sample_rate: u32,
    /// Mono `f32` audio of the sentence.
    pub audio: Vec<f32>,
    /// Where this chunk starts in the response audio, ms.
    pub audio_offset_ms: u64,
    /// Word timestamps (response-relative).
    pub words: Vec<WordTimestamp>,
    /// Viseme events (response-relative).
    pub visemes: Vec<VisemeEvent>,
    /// Blendshape frames covering this chunk, if enabled.
    pub blendshapes: Option<BlendshapeFrames>,
    /// Where the timing came from.
    pub timing: TimingSource,
}

/// One response's speech: feed the reply text as it streams in, get audio sentence by sentence.
///
/// ```no_run
/// # fn demo(voice: &mut dyn vl_tts::Synthesizer) -> Result<(), vl_tts::TtsError> {
/// let mut stream = vl_tts::TtsStream::new(voice, true);
/// let mut chunks = Vec::new();
/// for delta in ["Hello there. How", " are you?"] {
///     // Each completed sentence comes back at once: send its audio (resampled to the output
///     // format), words and visemes before the rest of the reply has arrived.
///     chunks.extend(stream.push_text(delta)?);
/// }
/// chunks.extend(stream.finish()?);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TtsStream<S: Synthesizer> {
    synth: S,
    splitter: SentenceSplitter,
    samples: u64,
    animator: Option<BlendshapeAnimator>,
}

impl<S: Synthesizer> TtsStream<S> {
    /// A stream over `synth` (a voice, `&mut` voice or `Box<dyn Synthesizer>`); `blendshapes`
    /// turns on blendshape frames.
    pub fn new(synth: S, blendshapes: bool) -> Self {
        Self {
            synth,
            splitter: SentenceSplitter::default(),
            samples: 0,
            animator: blendshapes.then(BlendshapeAnimator::new),
        }
    }

    /// Audio produced so far, samples at the synthesizer's rate.
    pub fn samples_emitted(&self) -> u64 {
        self.samples
    }

    /// Gives back the synthesizer.
    pub fn into_inner(self) -> S {
        self.synth
    }

    /// Adds reply text; synthesizes and returns every sentence it completed.
    pub fn push_text(&mut self, delta: &str) -> Result<Vec<TtsChunk>, TtsError> {
        let sentences = self.splitter.push(delta);
        sentences.iter().map(|s| self.speak(s)).collect()
    }

    /// Synthesizes what is left of the reply (call once at the end of the text).
    pub fn finish(&mut self) -> Result<Vec<TtsChunk>, TtsError> {
        match self.splitter.finish() {
            Some(s) => Ok(vec![self.speak(&s)?]),
            None => Ok(Vec::new()),
        }
    }

    fn speak(&mut self, sentence: &str) -> Result<TtsChunk, TtsError> {
        let u = self.synth.synthesize(sentence)?;
        let rate = u64::from(u.sample_rate.max(1));
        let offset = (self.samples * 1000 + rate / 2) / rate;
        self.samples += u.audio.len() as u64;
        let end = (self.samples * 1000 + rate / 2) / rate;
        let words = u
            .words
            .into_iter()
            .map(|w| WordTimestamp {
                audio_offset_ms: w.audio_offset_ms + offset,
                ..w
            })
            .collect();
        let visemes: Vec<VisemeEvent> = u
            .visemes
            .into_iter()
            .map(|v| VisemeEvent {
                audio_offset_ms: v.audio_offset_ms + offset,
                ..v
            })
            .collect();
        let blendshapes = self.animator.as_mut().map(|a| {
            let (frame_index, frames) = a.frames_until(&visemes, end);
            BlendshapeFrames {
                frame_index,
                frames,
            }
        });
        Ok(TtsChunk {
            text: u.text,
            sample_rate: u.sample_rate,
            audio: u.audio,
            audio_offset_ms: offset,
            words,
            visemes,
            blendshapes,
            timing: u.timing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::Utterance;

    /// A fake voice: 100 ms of audio per word, one word timestamp and one viseme per word.
    struct Fake;

    impl Synthesizer for Fake {
        fn sample_rate(&self) -> u32 {
            1000
        }
        fn synthesize(&mut self, sentence: &str) -> Result<Utterance, TtsError> {
            let words = crate::text::words(sentence);
            Ok(Utterance {
                text: sentence.into(),
                sample_rate: 1000,
                audio: vec![0.1; 100 * words.len()],
                words: words
                    .iter()
                    .enumerate()
                    .map(|(i, w)| WordTimestamp {
                        text: w.clone(),
                        audio_offset_ms: 100 * i as u64,
                        audio_duration_ms: 90,
                    })
                    .collect(),
                visemes: (0..words.len())
                    .map(|i| VisemeEvent {
                        viseme_id: 2,
                        audio_offset_ms: 100 * i as u64 + 10,
                    })
                    .collect(),
                timing: TimingSource::Model,
            })
        }
    }

    #[test]
    fn offsets_continue_across_sentences() {
        let mut s = TtsStream::new(Fake, true);
        assert!(s.push_text("One two").unwrap().is_empty());
        let c = s.push_text(" three. Four").unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "One two three.");
        assert_eq!(c[0].audio_offset_ms, 0);
        let rest = s.finish().unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].audio_offset_ms, 300);
        assert_eq!(rest[0].words[0].audio_offset_ms, 300);
        assert_eq!(rest[0].visemes[0].audio_offset_ms, 310);
        let b0 = c[0].blendshapes.as_ref().unwrap();
        let b1 = rest[0].blendshapes.as_ref().unwrap();
        assert_eq!((b0.frame_index, b0.frames.len()), (0, 18));
        assert_eq!((b1.frame_index, b1.frames.len()), (18, 6));
        assert_eq!(s.samples_emitted(), 400);
        assert!(s.finish().unwrap().is_empty());
    }
}
