//! Errors of the CTranslate2 → ggml converter.

/// Why a CTranslate2 Whisper model could not be read or converted.
///
/// Malformed input never panics: every length, count and offset read from a file is checked and a
/// bad one becomes one of these variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// Reading an input file or writing the output failed.
    #[error("{path}: {source}")]
    Io {
        /// The file that was being read or written.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file ended in the middle of a field.
    #[error("CT2 model truncated at byte {offset} while reading {what}")]
    Truncated {
        /// Byte offset in the (concatenated) model file where the read started.
        offset: usize,
        /// The field that was being read.
        what: &'static str,
    },
    /// The binary version is not the one this converter reads (6).
    #[error("unsupported CT2 binary version {0} (this converter reads version 6)")]
    UnsupportedVersion(u32),
    /// The model is not a Whisper model.
    #[error("CT2 spec is `{0}`, expected `WhisperSpec`")]
    NotWhisper(String),
    /// A name in the file is not UTF-8.
    #[error("a variable name at byte {offset} is not UTF-8")]
    BadName {
        /// Byte offset of the name.
        offset: usize,
    },
    /// A variable's byte count does not match its shape and type.
    #[error("variable `{name}`: {nbytes} bytes for shape {dims:?} of {dtype}")]
    SizeMismatch {
        /// The CT2 variable name.
        name: String,
        /// The declared shape.
        dims: Vec<u32>,
        /// The declared data type.
        dtype: &'static str,
        /// The declared byte count.
        nbytes: u32,
    },
    /// A data type code outside the CT2 enum.
    #[error("variable `{name}`: unknown CT2 dtype code {code}")]
    UnknownDtype {
        /// The CT2 variable name.
        name: String,
        /// The code found.
        code: u8,
    },
    /// A weight is stored in a type the converter does not convert (only float16 and float32 are).
    #[error("variable `{name}`: weights of type {dtype} are not supported (float16/float32 only)")]
    UnsupportedDtype {
        /// The CT2 variable name.
        name: String,
        /// The stored type.
        dtype: &'static str,
    },
    /// A float variable whose name has no ggml counterpart.
    #[error("variable `{0}` has no ggml counterpart")]
    UnknownVariable(String),
    /// A tensor whisper.cpp needs is not in the model.
    #[error("the model has no `{0}` (needed by whisper.cpp)")]
    MissingTensor(String),
    /// A tensor has a shape that does not fit the model's dimensions.
    #[error("variable `{name}`: shape {dims:?}, expected {expected}")]
    BadShape {
        /// The CT2 variable name.
        name: String,
        /// The shape found.
        dims: Vec<u32>,
        /// What was expected, in words.
        expected: String,
    },
    /// The fused key bias, which whisper does not have, is not all zeros.
    #[error("variable `{0}`: the key part of the fused bias is not zero")]
    NonZeroKeyBias(String),
    /// `vocabulary.txt` is unusable.
    #[error("vocabulary: {0}")]
    Vocabulary(String),
    /// A dimension does not fit the ggml header's `i32` fields.
    #[error("dimension {0} does not fit in an i32")]
    TooLarge(u64),
}

impl ConvertError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
