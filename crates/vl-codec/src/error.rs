//! The crate's one error type.

/// Everything that can go wrong in `vl-codec`.
///
/// Errors are small, `Copy` and carry no heap data, so returning one on the audio path never
/// allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// An input buffer's length is not a whole number of units, e.g. an odd number of PCM16
    /// bytes. Remedy: pass whole samples (carry the remainder yourself, or use
    /// [`Base64AudioDecoder`](crate::base64::Base64AudioDecoder), which does).
    #[error("input length {len} is not a multiple of {multiple_of}")]
    InvalidLength {
        /// The length that was passed, in input units (bytes for byte slices).
        len: usize,
        /// The unit the length must be a multiple of.
        multiple_of: usize,
    },
    /// The caller's output buffer is shorter than the call may write. Remedy: pass an output of
    /// at least `needed` elements.
    #[error("output buffer too small: {needed} elements needed, {got} given")]
    OutputTooSmall {
        /// Output elements the call needs (for base64 decoding: an upper bound).
        needed: usize,
        /// Output elements the caller provided.
        got: usize,
    },
    /// Base64 text is malformed at `offset`: a character outside the standard alphabet
    /// (RFC 4648 §4), misplaced `=` padding, non-zero bits in a final symbol, or text that ends
    /// inside a 4-character group.
    #[error("invalid base64 at byte offset {offset}")]
    InvalidBase64 {
        /// Byte offset of the offending character in the whole text since the decoder was
        /// created or last reset (for a text that ends mid-group: its length).
        offset: usize,
    },
    /// A sample rate the resampler does not support. Remedy: use one of
    /// [`SUPPORTED_RATES_HZ`](crate::resample::SUPPORTED_RATES_HZ).
    #[error(
        "unsupported sample rate {hz} Hz; supported rates: 8000, 11025, 16000, 22050, 24000, \
         32000, 44100, 48000 Hz"
    )]
    UnsupportedRate {
        /// The rejected rate, in Hz.
        hz: u32,
    },
}
