//! Text to speech for the voice server: sentence streaming, word timestamps, Azure visemes and
//! blendshape frames, with Piper voices (feature `piper`) and an espeak-ng fallback.
//!
//! * [`TtsStream`]: push reply text deltas, get a [`TtsChunk`] per completed sentence (audio,
//!   word timestamps, visemes, optional blendshape frames, all offsets in ms from the start of the
//!   response audio); [`TtsStream::finish`] flushes the last sentence.
//! * [`Synthesizer`]: one sentence → [`Utterance`]. Implemented by `PiperVoice` (feature
//!   `piper`: Piper `en_US-joe-medium` through ONNX Runtime, timing from the model's phoneme
//!   durations) and [`EspeakTts`] (espeak-ng's command line, estimated timing, no download).
//! * [`voice::resolve`]: protocol voice → [`LocalVoice`], with a documented table; unknown voices
//!   are a [`VoiceError`].
//! * The pure parts, testable without a model: [`sentence`], [`text`], [`timing`], [`viseme`],
//!   [`blendshape`], [`piper_ids`], [`onnx_patch`], [`wav`].
//!
//! **Licences.** espeak-ng (GPL-3.0+) only ever runs as a child process ([`espeak`]); nothing
//! of it is linked. Piper voices are used through ONNX Runtime (MIT); no Piper code is needed.
//!
//! **Audio.** Output is mono `f32` at the voice's rate (22 050 Hz for both engines); resample to
//! the session's output format. Offsets are in ms, so they survive resampling unchanged.
//!
//! **Threads.** Synthesis blocks (Piper ≈ 0.05 × real time on 2 threads); call it from a
//! blocking thread.

pub mod blendshape;
mod error;
pub mod espeak;
pub mod espeak_tts;
pub mod onnx_patch;
#[cfg(feature = "piper")]
pub mod piper;
pub mod piper_ids;
pub mod sentence;
pub mod stream;
pub mod synth;
pub mod text;
pub mod timing;
pub mod viseme;
pub mod voice;
pub mod wav;

pub use error::TtsError;
pub use espeak_tts::EspeakTts;
#[cfg(feature = "piper")]
pub use piper::PiperVoice;
pub use stream::{BlendshapeFrames, TtsChunk, TtsStream};
pub use synth::{Synthesizer, TimingSource, Utterance};
pub use timing::{VisemeEvent, WordTimestamp};
pub use voice::{LocalVoice, VoiceError};
