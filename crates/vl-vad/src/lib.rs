//! Speech detection and turn detection for realtime speech audio (sans-IO, allocation-free per
//! frame).
//!
//! * [`NeuralClassifier`]: 16 kHz mono `f32` audio in 10 ms frames ([`FRAME_SAMPLES`] = 160
//!   samples) → a speech probability in `0.0..=1.0` per frame (log-mel features and a small GRU
//!   distilled from Silero VAD). Opt-in for now: it beats [`FrameClassifier`] on the TEN set
//!   but not yet earshot (README).
//! * [`FrameClassifier`]: the same interface with hand-designed energy/spectral features (no
//!   model); the classifier of [`Vad`].
//! * [`TurnDetector`]: the protocol's `server_vad` state machine (threshold, prefix padding,
//!   silence duration, minimum speech duration) turning probabilities into
//!   [`TurnEvent::SpeechStarted`] / [`TurnEvent::SpeechStopped`], counting time in samples.
//! * [`Vad`]: both together, one call per frame.
//!
//! Nothing here reads a clock, does IO or knows the wire protocol; the engine maps [`TurnEvent`]s
//! to `input_audio_buffer.speech_started` / `speech_stopped`.
//!
//! # Example
//!
//! ```
//! use vl_vad::{ServerVadConfig, TurnEvent, Vad, FRAME_SAMPLES};
//!
//! let mut vad = Vad::new(ServerVadConfig::default(), 16_000)?;
//! let silence = [0.0_f32; FRAME_SAMPLES];
//! // A 200 Hz tone with harmonics stands in for a voice here.
//! let mut t = 0usize;
//! let mut voice = [0.0_f32; FRAME_SAMPLES];
//! let mut events = Vec::new();
//! for i in 0..300 {
//!     let frame = if (100..200).contains(&i) {
//!         for s in voice.iter_mut() {
//!             let x = std::f32::consts::TAU * 200.0 * t as f32 / 16_000.0;
//!             *s = 0.1 * (x.sin() + 0.5 * (2.0 * x).sin() + 0.3 * (3.0 * x).sin());
//!             t += 1;
//!         }
//!         &voice
//!     } else {
//!         &silence
//!     };
//!     if let Some(event) = vad.process_frame(frame)? {
//!         events.push((vad.position_ms(), event));
//!     }
//! }
//! assert!(matches!(events.as_slice(), [
//!     (_, TurnEvent::SpeechStarted { .. }),
//!     (_, TurnEvent::SpeechStopped { .. }),
//! ]));
//! # Ok::<(), vl_vad::VadError>(())
//! ```

mod classifier;
mod error;
mod neural;
mod semantic;
mod turn;

pub use classifier::{CLASSIFIER_RATES, FRAME_SAMPLES, FRAME_SIZES, FrameClassifier};
#[doc(hidden)]
pub use classifier::{Features, NUM_FEATURES};
pub use error::VadError;
pub use neural::NeuralClassifier;
pub use semantic::{
    BargeIn, Eagerness, EndOfTurnDetector, EndOfTurnScore, Language, ProsodyFeatures,
    ProsodyTracker, SemanticConfig, ThresholdLevel, UtteranceKind, barge_in, classify_utterance,
    combine as combine_end_of_turn, ignore_turn, text_completeness,
};
pub use turn::{ServerVadConfig, TURN_DETECTOR_RATES, TurnDetector, TurnEvent};

/// Frame duration of [`FrameClassifier`] and of one [`TurnDetector::process`] call, in ms.
pub const FRAME_MS: u32 = 10;

/// A [`FrameClassifier`] feeding a [`TurnDetector`]: one call per 10 ms frame of 16 kHz audio.
#[derive(Debug)]
pub struct Vad {
    classifier: FrameClassifier,
    detector: TurnDetector,
    /// Prosody and text state; always fed (voicing for barge-in), used for the end of turn only
    /// when `semantic_on`.
    eot: EndOfTurnDetector,
    semantic_on: bool,
    last_probability: f32,
}

impl Vad {
    /// Creates both stages for audio at `sample_rate_hz` (16 000 only, the classifier's rate).
    ///
    /// # Errors
    ///
    /// [`VadError::UnsupportedRate`] or [`VadError::InvalidThreshold`].
    pub fn new(config: ServerVadConfig, sample_rate_hz: u32) -> Result<Self, VadError> {
        Ok(Self {
            classifier: FrameClassifier::new(sample_rate_hz)?,
            detector: TurnDetector::new(config, sample_rate_hz)?,
            eot: EndOfTurnDetector::new(SemanticConfig::azure(
                config.silence_duration_ms,
                ThresholdLevel::Default,
                1000,
            )),
            semantic_on: false,
            last_probability: 0.0,
        })
    }

    /// Classifies one frame of [`FRAME_SAMPLES`] samples and advances the turn detector.
    ///
    /// # Errors
    ///
    /// [`VadError::InvalidFrameSize`]; neither stage advances then.
    pub fn process_frame(&mut self, frame: &[f32]) -> Result<Option<TurnEvent>, VadError> {
        let p = self.classifier.process(frame)?;
        self.last_probability = p;
        let is_speech = self.detector.is_speech(p);
        let in_turn = self.detector.in_turn();
        if !in_turn && !is_speech {
            self.eot.start_turn();
        }
        self.eot.push_frame(frame, is_speech);
        if self.semantic_on && in_turn && !is_speech {
            self.detector
                .set_end_silence_ms(Some(self.eot.required_silence_ms()));
        }
        Ok(self.detector.process(p))
    }

    /// Turns semantic end-of-turn detection on (`Some`) or off (`None`, plain `server_vad`).
    ///
    /// While on, every frame feeds the prosody tracker, and during the silence after speech the
    /// turn ends after [`EndOfTurnDetector::required_silence_ms`] instead of
    /// `silence_duration_ms` (the detector's `silence_duration_ms` is ignored; the semantic
    /// config carries its own). The transcript comes from [`set_transcript`](Self::set_transcript).
    pub fn set_semantic(&mut self, config: Option<SemanticConfig>) {
        match config {
            None => {
                self.semantic_on = false;
                self.detector.set_end_silence_ms(None);
            }
            Some(c) => {
                self.eot.set_config(c);
                self.semantic_on = true;
            }
        }
    }

    /// The partial transcript of the turn in progress (the whole text so far, not a delta), from
    /// the engine's streaming ASR. Takes effect from the next frame. Ignored when semantic
    /// detection is off. The text is forgotten when the turn ends (at the first non-speech
    /// frame after [`TurnEvent::SpeechStopped`]), so a late partial of a finished turn must not
    /// be passed.
    pub fn set_transcript(&mut self, text: &str) {
        if self.semantic_on {
            self.eot.set_transcript(text);
        }
    }

    /// The end-of-utterance score of the current turn, when semantic detection is on.
    pub fn end_of_turn_score(&self) -> Option<EndOfTurnScore> {
        self.semantic_on.then(|| self.eot.score())
    }

    /// Speech in the current (or last) turn, in ms ([`TurnDetector::turn_speech_ms`]); the
    /// `speech_ms` argument of [`barge_in`].
    pub fn turn_speech_ms(&self) -> u32 {
        self.detector.turn_speech_ms()
    }

    /// Voiced speech (frames with a pitch) in the current turn, in ms; the `voiced_ms` argument
    /// of [`barge_in`]. Coughs, breaths, clicks and noise bursts have next to none.
    pub fn turn_voiced_ms(&self) -> u32 {
        self.eot.voiced_ms()
    }

    /// Speech probability of the last processed frame (`0.0..=1.0`; 0 before the first frame).
    pub fn last_probability(&self) -> f32 {
        self.last_probability
    }

    /// Audio seen so far, in ms (see [`TurnDetector::position_ms`]).
    pub fn position_ms(&self) -> u64 {
        self.detector.position_ms()
    }

    /// Audio seen so far, in samples.
    pub fn position_samples(&self) -> u64 {
        self.detector.position_samples()
    }

    /// The turn detector (configuration, position, state).
    pub fn detector(&self) -> &TurnDetector {
        &self.detector
    }

    /// The turn detector, mutable: [`TurnDetector::set_config`], [`TurnDetector::abort_turn`],
    /// [`TurnDetector::set_assistant_speaking`].
    pub fn detector_mut(&mut self) -> &mut TurnDetector {
        &mut self.detector
    }

    /// The classifier.
    pub fn classifier(&self) -> &FrameClassifier {
        &self.classifier
    }

    /// Resets both stages (position 0, noise floors forgotten); the configuration is kept.
    pub fn reset(&mut self) {
        self.classifier.reset();
        self.detector.reset();
        self.eot.start_turn();
        self.last_probability = 0.0;
    }
}
