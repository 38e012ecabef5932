//! Noise suppression and echo cancellation for realtime speech audio.
//!
//! Frame-based processing of 16 kHz mono `f32` audio (full scale ±1) in 10 ms frames of
//! [`FRAME_LEN`] = 160 samples, over `&[f32]` / `&mut [f32]` with one state struct per stream.
//! Nothing allocates per frame: every buffer is sized in the constructor. The crate knows
//! nothing about the Voice Live protocol.
//!
//! - [`EchoCanceller`]: server-side acoustic echo cancellation with a known far-end reference
//!   (delay estimation up to 1.6 s, two partitioned-block frequency-domain filters, residual
//!   echo suppression). Adds 10 ms of delay.
//! - [`NoiseSuppressor`]: single-channel noise suppression (STFT, MMSE log-spectral amplitude
//!   gain with decision-directed a-priori SNR, speech presence probability, minima-controlled
//!   noise tracking). Adds 10 ms of delay.

mod aec;
mod error;
mod fft;
mod ns;
mod stft;

pub use aec::{EchoCanceller, EchoCancellerConfig, EchoCancellerStats};
pub use error::DspError;
pub use ns::{NoiseSuppressor, NoiseSuppressorConfig};

/// Processing rate of every stage, in Hz.
pub const SAMPLE_RATE_HZ: u32 = 16_000;
/// Samples per frame (10 ms at 16 kHz).
pub const FRAME_LEN: usize = 160;
