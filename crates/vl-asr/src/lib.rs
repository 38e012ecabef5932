//! Speech recognition for the voice server.
//!
//! * [`convert`]: the project's CTranslate2 → ggml converter for Whisper models (pure Rust, no
//!   numpy), so the MIT-licensed CT2 Whisper packages on PyPI can be loaded by whisper.cpp.
//! * `whisper` (cargo feature `whisper`): whisper.cpp through `whisper-rs` — final transcription
//!   with a trimmed encoder context and a small streaming API that re-decodes the growing
//!   utterance for partial transcripts.
//!
//! Audio is 16 kHz mono `f32` in `-1.0..=1.0` throughout.

pub mod audio;
pub mod convert;
pub mod text;
#[cfg(feature = "whisper")]
pub mod whisper;
