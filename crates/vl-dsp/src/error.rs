//! Errors of the DSP stages.

/// Why a DSP call rejected its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DspError {
    /// A frame slice had the wrong length.
    #[error("frame of {got} samples, expected {expected}")]
    FrameLength {
        /// Required length, in samples.
        expected: usize,
        /// Length given, in samples.
        got: usize,
    },
}
