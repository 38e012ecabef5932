//! The crate's error type.

/// Errors returned by the classifier and the turn detector.
///
/// All variants are cheap to build (no allocation) because they may be produced on the audio path.
/// They signal misuse by the embedding code (a wrong rate, a wrong frame length, an out-of-range
/// parameter); audio content itself never produces an error.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum VadError {
    /// The sample rate is not supported by this component.
    ///
    /// Remedy: resample to one of `valid` (the frame classifier runs at 16 000 Hz only).
    #[error("unsupported sample rate {rate_hz} Hz (supported: {valid:?} Hz)")]
    UnsupportedRate {
        /// The rate that was asked for, in Hz.
        rate_hz: u32,
        /// The rates this component accepts, in Hz.
        valid: &'static [u32],
    },
    /// A frame passed to a per-frame method has the wrong number of samples.
    ///
    /// Remedy: buffer the audio and pass exactly one 10 ms frame per call.
    #[error("invalid frame size {frame_size} samples (valid: {valid:?} samples)")]
    InvalidFrameSize {
        /// The length of the slice that was passed, in samples.
        frame_size: usize,
        /// The accepted lengths, in samples.
        valid: &'static [usize],
    },
    /// The speech threshold is not a finite number in `0.0..=1.0`.
    ///
    /// Remedy: validate `turn_detection.threshold` before building the configuration.
    #[error("invalid threshold {threshold}: must be a finite number in 0.0..=1.0")]
    InvalidThreshold {
        /// The threshold that was passed (a probability, unitless).
        threshold: f32,
    },
}
