//! Errors of the TTS crate.

/// Everything that can go wrong while phonemizing or synthesizing.
#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    /// The espeak-ng program could not be started, or it died, or it answered nonsense.
    #[error("espeak-ng process: {0}")]
    Espeak(String),
    /// The espeak-ng program did not answer within the time limit.
    #[error("espeak-ng did not answer within {0} ms")]
    EspeakTimeout(u64),
    /// A voice configuration file (`.onnx.json`) could not be read or parsed.
    #[error("voice config {path}: {message}")]
    VoiceConfig {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// A model file could not be read or is not a valid ONNX model.
    #[error("model {path}: {message}")]
    Model {
        /// The file.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// ONNX Runtime failed (loading the library, building the session or running it).
    #[error("onnx runtime: {0}")]
    Runtime(String),
    /// A WAV stream from a synthesis process could not be parsed.
    #[error("bad WAV data: {0}")]
    Wav(String),
    /// The requested voice has no local equivalent.
    #[error(transparent)]
    Voice(#[from] crate::voice::VoiceError),
    /// An I/O error talking to a child process or reading a file.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}
